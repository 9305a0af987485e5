// Start-up checks of topic names: Kafka's character set and length limit, each case chosen to
// sit on one side of one rule.

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

}  // namespace
}  // namespace skystream::kafka
