// The printer: reads a topic from the beginning to its end and writes its alerts as JSON
// lines, or only counts them.
//
// Output, one JSON object per line:
//   an alert       avro::to_json() of the decoded alert (every --every-th message)
//   a partition    {"event":"partition_end","topic":"alerts","partition":0,"offset":2500,
//   end             "messages":2500,"invalid":0,"time":"2026-02-15T03:04:05.123Z"}, where
//                  offset is the partition's end offset (its high watermark when the read began)
//                  and time is when the end was reached
//   the total      {"event":"total","topic":"alerts","partitions":4,"messages":10000,
//                   "printed":10000,"invalid":0}, last
// Every message's frame and schema id are checked; only the alerts printed are decoded.
#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <ostream>
#include <string>
#include <vector>

#include "kafka/config.h"
#include "wire/schemas.h"

namespace skystream::service {

struct PrintOptions {
  std::string brokers;
  std::string topic = "alerts";
  std::int64_t every = 1;   // print messages 0, every, 2 * every, ... of the read
  bool count_only = false;  // print the partition and total lines only
  std::filesystem::path schema_root = wire::default_schema_root();
  std::vector<kafka::Setting> settings;  // librdkafka settings applied after the defaults
  std::chrono::milliseconds idle_timeout{30000};
};

struct PrintSummary {
  std::int64_t messages = 0;
  std::int64_t printed = 0;
  std::int64_t invalid = 0;  // bad frame, unknown schema id, or a printed body that failed
};

// Reads `options.topic` and writes the lines above to `out`. Throws kafka::KafkaError when the
// broker list or topic name is invalid (see kafka/validate.h), when no broker responds within
// kafka::kStartupTimeout, when the topic does not exist, or when no message arrives for the idle
// timeout before every partition reached its end.
PrintSummary run_print(const PrintOptions& options, std::ostream& out);

}  // namespace skystream::service
