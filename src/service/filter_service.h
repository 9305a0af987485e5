// The filter service: one member of a Kafka consumer group on the full alert stream. It decodes
// each alert once, runs every filter of its filter groups on it, and publishes each filter's
// matches, unchanged, to that filter's topic.
//
// Delivery is at least once: the consumer group's offsets are committed only after every match
// produced before them has a successful delivery report, so a crash repeats alerts rather
// than losing them.
//
// Bad messages (shorter than the 5-byte header, a wrong magic byte, an unknown schema id, or a
// body that does not decode) are logged with topic, partition and offset, counted, optionally
// copied to a dead-letter topic, and skipped. The stream goes on after them.
#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "kafka/config.h"
#include "wire/schemas.h"

namespace skystream::service {

struct FilterOptions {
  std::string brokers = "127.0.0.1:9092";
  std::string input_topic = "alerts";
  std::filesystem::path config_path;
  std::string filter_group;  // empty: every group of the config file
  std::string consumer_group;
  bool exit_at_eof = false;  // stop once every assigned partition has been read to its end
  // With exit_at_eof: how long every partition must stay at its end before the service stops,
  // so that a live stream with pauses between visits is read whole.
  std::chrono::milliseconds eof_grace{0};
  std::string dead_letter_topic;  // empty: bad messages are only logged and counted
  // Put before every filter's topic name, so that runs or tenants sharing a broker keep their
  // filtered streams apart ("run7-" makes Filter001 publish to run7-Filter001).
  std::string topic_prefix;
  // The schema the filters are checked against at start-up, so that a bad config fails at
  // once; alerts of other schema ids get the filters compiled for their own schema.
  wire::SchemaVersion schema_version{11, 0};
  std::filesystem::path schema_root = wire::default_schema_root();
  std::vector<kafka::Setting> settings;  // librdkafka settings applied after the defaults
  std::chrono::milliseconds commit_interval{1000};
  // How long to wait at start-up for the input topic to appear, so that the service may start
  // before the sender creates the topic, or while a new topic's metadata spreads.
  std::chrono::milliseconds topic_wait{30000};
};

struct FilterCounts {
  std::string group;
  std::string filter;
  std::string topic;
  std::uint64_t matched = 0;    // alerts for which the expression was TRUE
  std::uint64_t published = 0;  // matches the broker acknowledged on the filter's topic
  std::uint64_t capped = 0;     // matches dropped because the visit's cap was reached
};

struct FilterSummary {
  std::uint64_t alerts = 0;  // messages read from the input topic
  std::uint64_t decoded = 0;
  std::uint64_t bad_frame = 0;          // shorter than 5 bytes or magic byte not 0
  std::uint64_t unknown_schema = 0;     // schema id with no schema under the schema root
  std::uint64_t undecodable = 0;        // body truncated or corrupt for its schema
  std::uint64_t not_applicable = 0;     // filter runs skipped: schema lacks the filter's fields
  std::uint64_t delivery_failures = 0;  // matches the broker did not acknowledge
  double seconds = 0;
  // Milliseconds from an alert's Kafka timestamp (set when it was first sent) to the delivery
  // report of its match on a filter's topic: the time until the match could be read there.
  std::optional<std::int64_t> latency_p50_ms;
  std::optional<std::int64_t> latency_p99_ms;
  std::vector<FilterCounts> filters;

  std::uint64_t bad() const { return bad_frame + unknown_schema + undecodable; }
  // The summary as JSON: the counts above, and "filters" as a list of objects.
  std::string to_json() const;
};

// Runs the service until `exit_at_eof` finds every assigned partition at its end (for
// `eof_grace`), or until SIGINT or SIGTERM. Throws std::runtime_error when the config file is
// invalid or a filter does not compile against `schema_version`, and kafka::KafkaError when no
// broker responds within kafka::kStartupTimeout.
FilterSummary run_filter(const FilterOptions& options);

}  // namespace skystream::service
