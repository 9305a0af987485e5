#include "kafka/validate.h"

#include <fmt/format.h>

#include <algorithm>
#include <string>

namespace skystream::kafka {
namespace {

bool is_topic_character(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' ||
         c == '_' || c == '-';
}

bool is_host_character(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' ||
         c == '-' || c == '_';
}

bool is_ipv6_character(char c) {
  return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F') || c == ':' ||
         c == '.';
}

std::string_view trim(std::string_view text) {
  const std::size_t first = text.find_first_not_of(" \t");
  if (first == std::string_view::npos) return {};
  return text.substr(first, text.find_last_not_of(" \t") - first + 1);
}

bool is_port(std::string_view text) {
  if (text.empty() || text.size() > 5) return false;
  if (!std::ranges::all_of(text, [](char c) { return c >= '0' && c <= '9'; })) return false;
  const int port = std::stoi(std::string(text));
  return port >= 1 && port <= 65535;
}

// Checks one entry of a broker list: [protocol://]host:port.
bool is_broker(std::string_view entry) {
  if (const std::size_t scheme = entry.find("://"); scheme != std::string_view::npos) {
    const std::string_view protocol = entry.substr(0, scheme);
    const bool valid_protocol = !protocol.empty() && std::ranges::all_of(protocol, [](char c) {
      return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
    });
    if (!valid_protocol) return false;
    entry.remove_prefix(scheme + 3);
  }

  const std::size_t colon = entry.rfind(':');
  if (colon == std::string_view::npos || !is_port(entry.substr(colon + 1))) return false;
  const std::string_view host = entry.substr(0, colon);
  if (host.size() > 2 && host.front() == '[' && host.back() == ']') {
    return std::ranges::all_of(host.substr(1, host.size() - 2), is_ipv6_character);
  }
  return !host.empty() && std::ranges::all_of(host, is_host_character);
}

Error broker_list_error(std::string_view brokers, std::string_view problem) {
  return Error{RD_KAFKA_RESP_ERR__INVALID_ARG,
               fmt::format("invalid broker list \"{}\": {}; expected host:port[,host:port...], "
                           "such as 127.0.0.1:9092",
                           brokers, problem)};
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

Result<void> check_broker_list(std::string_view brokers) {
  if (trim(brokers).empty()) return std::unexpected(broker_list_error(brokers, "it is empty"));

  std::size_t start = 0;
  while (true) {
    const std::size_t comma = brokers.find(',', start);
    const std::string_view entry = trim(brokers.substr(start, comma - start));
    if (entry.empty()) {
      return std::unexpected(broker_list_error(brokers, "it has an empty entry"));
    }
    if (!is_broker(entry)) {
      return std::unexpected(broker_list_error(
          brokers, fmt::format("\"{}\" is not a host and a port number from 1 to 65535", entry)));
    }
    if (comma == std::string_view::npos) return {};
    start = comma + 1;
  }
}

}  // namespace skystream::kafka
