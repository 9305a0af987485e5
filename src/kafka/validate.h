// Checks of the topic names that commands hand to librdkafka. Commands make them at start-up, so
// that a typo fails at once with a message naming the value instead of failing every message.
#pragma once

#include <cstddef>
#include <string_view>

#include "kafka/error.h"

namespace skystream::kafka {

// The maximum length of a Kafka topic name.
inline constexpr std::size_t kMaxTopicNameLength = 249;

// Checks a topic name against the rule Kafka brokers enforce: 1 to 249 characters from
// [a-zA-Z0-9._-], and neither "." nor "..". Fails with RD_KAFKA_RESP_ERR__INVALID_ARG naming the
// topic and the rule.
[[nodiscard]] Result<void> check_topic_name(std::string_view topic);

}  // namespace skystream::kafka
