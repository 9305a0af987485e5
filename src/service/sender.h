// The sender: publishes the alerts of visit files to a Kafka topic, paced visit by visit, and
// records what the broker acknowledged in a manifest (see verify/manifest.h).
//
// Each alert goes out as one message:
//   value      the Confluent wire format: magic byte 0, then the schema id (Rubin's
//              major * 100 + minor), then the alert's Avro body as stored in the visit file
//   key        the object id in ASCII decimal (see verify/alert_identity.h), which keeps one
//              object's alerts in order within a partition; a null key when there is none
//   timestamp  the time of the produce call [ms since the epoch], where latency starts
//   header     producer_timestamp: the same time, in ASCII decimal milliseconds
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "kafka/config.h"
#include "service/visit_files.h"
#include "wire/schemas.h"

namespace skystream::service {

struct SendOptions {
  std::string brokers;
  std::string topic = "alerts";
  std::filesystem::path input_directory;  // contains the visit files, *.avro
  std::filesystem::path manifest_path;
  // Visit k starts at the start time plus k intervals; zero sends visits back to back.
  std::chrono::duration<double> interval{39.0};
  std::filesystem::path schema_root = wire::default_schema_root();
  // The schema version to frame every alert with; nothing: the version in the name of each
  // file's writer schema (lsst.v11_0.alert is 11.0).
  std::optional<wire::SchemaVersion> schema_version;
  std::string compression = "snappy";    // compression.type: none, gzip, snappy, lz4 or zstd
  std::vector<kafka::Setting> settings;  // librdkafka settings applied after the defaults
  // A stop request: when it points to a non-zero value (the number of the signal received, as
  // the command's signal handler stores it), the send stops producing, waits up to 10 s for the
  // delivery reports of the alerts already produced, writes their manifest lines and returns.
  // Nothing: the send cannot be stopped this way.
  const std::atomic<int>* stop_signal = nullptr;
};

struct SendSummary {
  std::int64_t visits = 0;
  std::int64_t alerts = 0;  // alerts the broker acknowledged
  std::int64_t failed = 0;  // alerts not sent: failed deliveries and unreadable alerts
  double seconds = 0;       // from the first visit's start to the last delivery report
  int stop_signal = 0;      // the signal that stopped the send early, or 0
};

// The producer settings of the sender before `options.settings`: acks=all, idempotence,
// batching, the compression, a 10 MiB message limit, and the brokers.
std::vector<kafka::Setting> producer_settings(const SendOptions& options);

// Sends every visit file of `options.input_directory` in name order and writes the manifest.
// Logs one line when each visit starts and one when its last delivery report is in. Throws
// kafka::KafkaError, before anything is sent, when the broker list, the topic name or the
// settings are invalid (see kafka/validate.h) or no broker responds within kafka::kStartupTimeout.
// Throws std::runtime_error naming the file for a visit file that cannot be read or whose schema
// has no known schema id. The visits before that file are finished first, with their manifest
// lines, and the manifest gets no end line. A failed delivery is logged with the alert id and
// counted in the summary. A send stopped through `options.stop_signal` returns normally with
// SendSummary::stop_signal set, and its manifest has no end line.
SendSummary run_send(const SendOptions& options);

}  // namespace skystream::service
