#include "kafka/validate.h"

#include <fmt/format.h>

#include <algorithm>

namespace skystream::kafka {
namespace {

bool is_topic_character(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' ||
         c == '_' || c == '-';
}

}  // namespace

Result<void> check_topic_name(std::string_view topic) {
  const bool valid = !topic.empty() && topic.size() <= kMaxTopicNameLength && topic != "." &&
                     topic != ".." && std::ranges::all_of(topic, is_topic_character);
  if (valid) return {};
  return std::unexpected(
      Error{RD_KAFKA_RESP_ERR__INVALID_ARG,
            fmt::format("invalid topic name \"{}\": a Kafka topic name has 1 to {} characters from "
                        "a-z, A-Z, 0-9, '.', '_' and '-', and is not \".\" or \"..\"",
                        topic, kMaxTopicNameLength)});
}

}  // namespace skystream::kafka
