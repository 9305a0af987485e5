// Start-up checks of topic names and broker lists, each case chosen to sit on one side of one
// rule.

#include <gtest/gtest.h>

#include <string>

#include "kafka/validate.h"

namespace skystream::kafka {
namespace {

TEST(KafkaValidate, TopicNamesAccepted) {
  const std::string names[] = {
      "alerts",
      "lsst-alerts.v11_0",    // every punctuation character allowed
      "...",                  // only "." and ".." are reserved
      std::string(249, 'a'),  // the maximum length
      "A0",
  };
  for (const std::string& name : names) {
    EXPECT_TRUE(check_topic_name(name)) << name;
  }
}

TEST(KafkaValidate, TopicNamesRejected) {
  const std::string names[] = {
      "",
      ".",
      "..",
      std::string(250, 'a'),  // one past the maximum length
      "bad topic!",           // space and '!'
      "alerts/visit",         // '/'
      "caf\xc3\xa9",          // a non-ASCII letter
  };
  for (const std::string& name : names) {
    EXPECT_FALSE(check_topic_name(name)) << name;
  }
}

TEST(KafkaValidate, TopicErrorNamesTopic) {
  auto checked = check_topic_name("bad topic!");
  ASSERT_FALSE(checked);
  EXPECT_EQ(checked.error().code, RD_KAFKA_RESP_ERR__INVALID_ARG);
  EXPECT_NE(checked.error().message.find("invalid topic name \"bad topic!\""), std::string::npos)
      << checked.error().message;
}

TEST(KafkaValidate, BrokerListsAccepted) {
  const std::string lists[] = {
      "127.0.0.1:9092",
      "localhost:9092",
      "broker-1.example_site.org:1",  // name characters; the lowest port
      "b1:9092,b2:65535",             // two entries; the highest port
      " b1:9092 , b2:9093 ",          // spaces around entries
      "[::1]:9092",                   // IPv6 in brackets
      "[::ffff:127.0.0.1]:9092",      // IPv4-mapped IPv6
      "SASL_SSL://broker:9093",       // a protocol prefix
  };
  for (const std::string& list : lists) {
    EXPECT_TRUE(check_broker_list(list)) << list;
  }
}

TEST(KafkaValidate, BrokerListsRejected) {
  const std::string lists[] = {
      "",                  // empty
      "   ",               // only spaces
      "not a broker",      // spaces inside, no port
      "localhost",         // no port
      "localhost:",        // empty port
      ":9092",             // empty host
      "localhost:http",    // port not a number
      "localhost:0",       // port below 1
      "localhost:65536",   // port above 65535
      "localhost:-1",      // a sign
      "b1:9092,",          // empty last entry
      "b1:9092,,b2:9093",  // empty middle entry
      "::1:9092",          // IPv6 without brackets
      "[]:9092",           // empty brackets
      "[::g]:9092",        // not a hexadecimal digit
      "://b1:9092",        // empty protocol
      "bad host:9092",     // space inside the host
  };
  for (const std::string& list : lists) {
    EXPECT_FALSE(check_broker_list(list)) << list;
  }
}

TEST(KafkaValidate, BrokerErrorNamesEntry) {
  auto checked = check_broker_list("b1:9092,not a broker");
  ASSERT_FALSE(checked);
  EXPECT_EQ(checked.error().code, RD_KAFKA_RESP_ERR__INVALID_ARG);
  EXPECT_NE(checked.error().message.find("\"not a broker\" is not a host and a port"),
            std::string::npos)
      << checked.error().message;
}

TEST(KafkaValidate, EmptyBrokerListSaysEmpty) {
  auto checked = check_broker_list("");
  ASSERT_FALSE(checked);
  EXPECT_NE(checked.error().message.find("it is empty"), std::string::npos)
      << checked.error().message;
}

}  // namespace
}  // namespace skystream::kafka
