// The verifier: reads topics back from the beginning to their end and compares every message
// with the manifest that `skystream send` wrote (see verify/tally.h for the figures).
//
// Latency is the time a message is read here minus its Kafka timestamp, so it measures delivery
// only while the verifier reads as the alerts arrive; read after the send, it measures the
// messages' age.
#pragma once

#include <chrono>
#include <filesystem>
#include <string>
#include <vector>

#include "kafka/config.h"
#include "verify/report.h"
#include "wire/schemas.h"

namespace skystream::service {

struct VerifyOptions {
  std::string brokers;
  std::filesystem::path manifest_path;
  // Topics to read; empty: the manifest's own topic only.
  std::vector<std::string> topics;
  std::filesystem::path schema_root = wire::default_schema_root();
  std::vector<kafka::Setting> settings;  // librdkafka settings applied after the defaults
  std::chrono::milliseconds idle_timeout{30000};
};

// Reads the manifest and every topic and returns the report. Throws std::runtime_error for an
// unreadable manifest, and kafka::KafkaError for an invalid broker list or topic name (checked
// before the manifest is read), when no broker responds
// within kafka::kStartupTimeout, a topic does not exist, or a read stalls for the idle timeout.
verify::VerifyReport run_verify(const VerifyOptions& options);

}  // namespace skystream::service
