// Kafka clients without a broker: a refused address fails within the timeout and names the
// address, and invalid producer settings or messages are rejected before anything is sent.
// The only address used is a loopback port that nothing listens on.

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <string>
#include <vector>

#include "kafka/consumer.h"
#include "kafka/producer.h"

namespace skystream::kafka {
namespace {

// Returns a loopback port that was free a moment ago: bound to port 0, read back, closed.
int unused_loopback_port() {
  const int socket_fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  address.sin_port = 0;
  socklen_t length = sizeof address;
  if (::bind(socket_fd, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0 ||
      ::getsockname(socket_fd, reinterpret_cast<sockaddr*>(&address), &length) != 0) {
    ::close(socket_fd);
    throw std::runtime_error("cannot bind a loopback socket");
  }
  ::close(socket_fd);
  return ntohs(address.sin_port);
}

Config config_for(const std::string& brokers) {
  Config config;
  EXPECT_TRUE(config.set("bootstrap.servers", brokers));
  EXPECT_TRUE(config.set("log_level", "0"));  // the refused connections are expected
  return config;
}

TEST(KafkaClient, UnreachableBrokerFailsWithinTimeout) {
  const std::string brokers = "127.0.0.1:" + std::to_string(unused_loopback_port());
  Config config = config_for(brokers);
  ASSERT_TRUE(config.set("group.id", "unit-test"));
  Consumer consumer(std::move(config));

  const auto start = std::chrono::steady_clock::now();
  auto reachable = consumer.check_reachable(std::chrono::milliseconds(1500));
  const auto elapsed = std::chrono::steady_clock::now() - start;

  ASSERT_FALSE(reachable);
  EXPECT_NE(reachable.error().message.find(brokers), std::string::npos)
      << reachable.error().message;
  EXPECT_LT(elapsed, std::chrono::seconds(4));
}

TEST(KafkaClient, SettingReadsHandleConfiguration) {
  Config config = config_for("127.0.0.1:" + std::to_string(unused_loopback_port()));
  ASSERT_TRUE(config.set("message.timeout.ms", "1234"));
  Producer producer(std::move(config), [](const DeliveryReport&) {});
  EXPECT_EQ(producer.setting("message.timeout.ms"), "1234");
}

TEST(KafkaProducer, IdempotenceWithoutAcksAllThrows) {
  Config config = config_for("127.0.0.1:" + std::to_string(unused_loopback_port()));
  ASSERT_TRUE(config.set("enable.idempotence", "true"));
  ASSERT_TRUE(config.set("acks", "1"));
  try {
    Producer producer(std::move(config), [](const DeliveryReport&) {});
    FAIL() << "a producer was created";
  } catch (const KafkaError& e) {
    EXPECT_NE(std::string(e.what()).find("acks"), std::string::npos) << e.what();
  }
}

TEST(KafkaProducer, RejectsTooManyHeaders) {
  Config config = config_for("127.0.0.1:" + std::to_string(unused_loopback_port()));
  Producer producer(std::move(config), [](const DeliveryReport&) {});
  const std::vector<Header> headers(Producer::kMaxHeaders + 1, Header{"h", "v"});
  auto produced = producer.produce(OutgoingMessage{.topic = "t", .value = "x", .headers = headers});
  ASSERT_FALSE(produced);
  EXPECT_EQ(produced.error().code, RD_KAFKA_RESP_ERR__INVALID_ARG);
}

TEST(KafkaProducer, RejectsMessageOverMaxBytes) {
  Config config = config_for("127.0.0.1:" + std::to_string(unused_loopback_port()));
  ASSERT_TRUE(config.set("message.max.bytes", "1000"));
  Producer producer(std::move(config), [](const DeliveryReport&) {});
  const std::string value(2000, 'x');
  auto produced = producer.produce(OutgoingMessage{.topic = "t", .value = value});
  ASSERT_FALSE(produced);
  EXPECT_EQ(produced.error().code, RD_KAFKA_RESP_ERR_MSG_SIZE_TOO_LARGE);
}

// With no broker, every queued message fails at message.timeout.ms, and its report carries the
// opaque given to produce().
TEST(KafkaProducer, DeliveryFailureReportsOpaque) {
  Config config = config_for("127.0.0.1:" + std::to_string(unused_loopback_port()));
  ASSERT_TRUE(config.set("message.timeout.ms", "300"));
  std::vector<DeliveryReport> reports;
  Producer producer(std::move(config),
                    [&](const DeliveryReport& report) { reports.push_back(report); });
  int tag = 7;
  const Header headers[] = {{"producer_timestamp", "1"}};
  ASSERT_TRUE(producer.produce(OutgoingMessage{
      .topic = "t", .key = "42", .value = "x", .headers = headers, .opaque = &tag}));
  EXPECT_EQ(producer.outstanding(), 1);

  EXPECT_TRUE(producer.flush(std::chrono::seconds(5)));
  ASSERT_EQ(reports.size(), 1u);
  EXPECT_EQ(reports[0].opaque, &tag);
  ASSERT_TRUE(reports[0].error.has_value());
  EXPECT_EQ(reports[0].error->code, RD_KAFKA_RESP_ERR__MSG_TIMED_OUT);
  EXPECT_EQ(reports[0].offset, RD_KAFKA_OFFSET_INVALID);
}

// A value that starts with a zero byte, as a Confluent frame does, must not hide the cause.
TEST(KafkaProducer, DeliveryErrorNamesCause) {
  Config config = config_for("127.0.0.1:" + std::to_string(unused_loopback_port()));
  ASSERT_TRUE(config.set("message.timeout.ms", "300"));
  std::vector<DeliveryReport> reports;
  Producer producer(std::move(config),
                    [&](const DeliveryReport& report) { reports.push_back(report); });
  const std::string value("\0\0\0\x04\x4c", 5);
  ASSERT_TRUE(producer.produce(OutgoingMessage{.topic = "t", .value = value}));

  EXPECT_TRUE(producer.flush(std::chrono::seconds(5)));
  ASSERT_EQ(reports.size(), 1u);
  ASSERT_TRUE(reports[0].error.has_value());
  // librdkafka's description of RD_KAFKA_RESP_ERR__MSG_TIMED_OUT, then its name.
  EXPECT_EQ(reports[0].error->message, "Local: Message timed out (_MSG_TIMED_OUT)");
}

TEST(KafkaProducer, RejectsEmptyTopicName) {
  Config config = config_for("127.0.0.1:" + std::to_string(unused_loopback_port()));
  Producer producer(std::move(config), [](const DeliveryReport&) {});
  auto produced = producer.produce(OutgoingMessage{.topic = "", .value = "x"});
  ASSERT_FALSE(produced);
  EXPECT_EQ(produced.error().code, RD_KAFKA_RESP_ERR__INVALID_ARG);
}

}  // namespace
}  // namespace skystream::kafka
