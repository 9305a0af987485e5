// Checks of the topic names and broker lists that commands hand to librdkafka. Commands make
// them at start-up, so that a typo fails at once with a message naming the value, instead of
// failing every message or waiting for a broker that cannot exist.
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

// Checks a bootstrap.servers list: entries separated by commas, spaces around an entry ignored.
// Each entry is host:port with an optional "protocol://" prefix. The host is a name or IPv4
// address of letters, digits, '.', '-' and '_', or an IPv6 address in brackets ("[::1]:9092").
// The port is a number from 1 to 65535. Fails with RD_KAFKA_RESP_ERR__INVALID_ARG naming the
// list and the entry.
//
// NOTE: librdkafka also accepts an entry without a port and then uses 9092
// (rd_kafka_broker_name_parse() in librdkafka 2.14.2). This check rejects such an entry, so that
// every command names the port it connects to.
[[nodiscard]] Result<void> check_broker_list(std::string_view brokers);

}  // namespace skystream::kafka
