// Kafka settings: librdkafka's checks of keys and values, reported with the key, and the
// key=value syntax of the -X option.

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "kafka/config.h"

namespace skystream::kafka {
namespace {

TEST(KafkaConfig, SetStoresKnownKey) {
  Config config;
  ASSERT_TRUE(config.set("linger.ms", "20"));
  EXPECT_EQ(config.get("linger.ms"), "20");
}

TEST(KafkaConfig, GetReturnsLibraryDefault) {
  const Config config;
  // The default message.max.bytes of librdkafka 2.14.
  EXPECT_EQ(config.get("message.max.bytes"), "1000000");
}

TEST(KafkaConfig, GetUnknownKeyIsEmpty) {
  const Config config;
  EXPECT_FALSE(config.get("no.such.setting").has_value());
}

TEST(KafkaConfig, UnknownKeyNamedInError) {
  Config config;
  auto result = config.set("no.such.setting", "1");
  ASSERT_FALSE(result);
  EXPECT_EQ(result.error().code, RD_KAFKA_RESP_ERR__INVALID_ARG);
  EXPECT_NE(result.error().message.find("unknown Kafka setting no.such.setting=1"),
            std::string::npos)
      << result.error().message;
}

TEST(KafkaConfig, InvalidValueNamedInError) {
  Config config;
  auto result = config.set("compression.type", "brotli");
  ASSERT_FALSE(result);
  EXPECT_NE(result.error().message.find("invalid value for Kafka setting compression.type=brotli"),
            std::string::npos)
      << result.error().message;
}

TEST(KafkaConfig, FromSettingsStopsAtFirstInvalid) {
  const std::vector<Setting> settings = {
      {"linger.ms", "5"}, {"batch.size", "not-a-number"}, {"no.such.setting", "1"}};
  auto config = Config::from_settings(settings);
  ASSERT_FALSE(config);
  EXPECT_NE(config.error().message.find("batch.size"), std::string::npos) << config.error().message;
  EXPECT_EQ(config.error().message.find("no.such.setting"), std::string::npos)
      << config.error().message;
}

TEST(KafkaConfig, LaterSettingReplacesEarlier) {
  const std::vector<Setting> settings = {{"linger.ms", "5"}, {"linger.ms", "50"}};
  auto config = Config::from_settings(settings);
  ASSERT_TRUE(config);
  EXPECT_EQ(config->get("linger.ms"), "50");
}

TEST(KafkaConfig, CopyIsIndependentOfOriginal) {
  Config original;
  ASSERT_TRUE(original.set("linger.ms", "5"));
  Config copy = original;
  ASSERT_TRUE(copy.set("linger.ms", "50"));
  EXPECT_EQ(original.get("linger.ms"), "5");
  EXPECT_EQ(copy.get("linger.ms"), "50");
}

TEST(KafkaConfig, BrokersReadsBootstrapServers) {
  Config config;
  ASSERT_TRUE(config.set("bootstrap.servers", "127.0.0.1:9092,127.0.0.1:9093"));
  EXPECT_EQ(config.brokers(), "127.0.0.1:9092,127.0.0.1:9093");
}

TEST(KafkaSetting, SplitsAtFirstEqualsSign) {
  auto setting = parse_setting("sasl.password=a=b");
  ASSERT_TRUE(setting);
  EXPECT_EQ(setting->first, "sasl.password");
  EXPECT_EQ(setting->second, "a=b");
}

TEST(KafkaSetting, AcceptsEmptyValue) {
  auto setting = parse_setting("client.rack=");
  ASSERT_TRUE(setting);
  EXPECT_EQ(setting->first, "client.rack");
  EXPECT_EQ(setting->second, "");
}

TEST(KafkaSetting, RejectsTextWithoutEqualsSign) {
  auto setting = parse_setting("linger.ms");
  ASSERT_FALSE(setting);
  EXPECT_NE(setting.error().message.find("\"linger.ms\""), std::string::npos)
      << setting.error().message;
}

TEST(KafkaSetting, RejectsEmptyKey) { EXPECT_FALSE(parse_setting("=5")); }

TEST(KafkaSetting, ParseSettingsKeepsOrder) {
  const std::vector<std::string> texts = {"acks=all", "linger.ms=5"};
  auto settings = parse_settings(texts);
  ASSERT_TRUE(settings);
  ASSERT_EQ(settings->size(), 2u);
  EXPECT_EQ((*settings)[0], (Setting{"acks", "all"}));
  EXPECT_EQ((*settings)[1], (Setting{"linger.ms", "5"}));
}

}  // namespace
}  // namespace skystream::kafka
