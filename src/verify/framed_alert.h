// Alerts read back from Kafka messages: the Confluent frame, the schema its id names, and the
// Avro body; and a log of the messages that fail, bounded so that a bad topic does not flood
// it.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <string_view>

#include "avro/error.h"
#include "avro/schema.h"
#include "avro/value.h"
#include "logging.h"
#include "wire/schemas.h"

namespace skystream::verify {

// Decodes framed alerts with the schemas of a SchemaCatalog, remembering unknown schema ids
// so that each is looked up once. The byte offsets in its errors count from the start of the
// Avro body, after the 5-byte header. Not thread-safe.
class FramedAlertReader {
 public:
  // `catalog` must outlive the reader.
  explicit FramedAlertReader(wire::SchemaCatalog& catalog) : catalog_(catalog) {}

  // Decodes the whole alert of `message`. Fails on a message shorter than the header, a wrong
  // magic byte, an unknown schema id, or a body that does not decode to exactly its length.
  [[nodiscard]] avro::Result<avro::Value> decode(std::string_view message);

  // Reads only the alert id (see alert_identity.h), with the same checks of frame and schema
  // id but none of the body past the id.
  [[nodiscard]] avro::Result<std::int64_t> read_alert_id(std::string_view message);

  // Checks the frame and the schema id without decoding the body.
  [[nodiscard]] avro::Result<void> check_frame(std::string_view message);

 private:
  struct Framed {
    const avro::Schema* schema;
    std::string_view body;
  };
  avro::Result<Framed> open(std::string_view message);

  wire::SchemaCatalog& catalog_;
  // The result of every schema id looked up, failures included.
  std::map<std::int32_t, avro::Result<std::shared_ptr<const avro::Schema>>> schemas_;
};

// Formats an error of FramedAlertReader as "<where> at body byte <offset>: <message>", leaving
// out the parts that are unset.
std::string describe_body_error(const avro::Error& error);

// Counts invalid messages and logs the first kLogged of them with topic, partition and offset
// at warning level; later ones are only counted.
class InvalidMessageLog {
 public:
  static constexpr std::int64_t kLogged = 20;

  explicit InvalidMessageLog(std::shared_ptr<spdlog::logger> log) : log_(std::move(log)) {}

  void record(std::string_view topic, std::int32_t partition, std::int64_t offset,
              const avro::Error& error);
  std::int64_t count() const { return count_; }

 private:
  std::shared_ptr<spdlog::logger> log_;
  std::int64_t count_ = 0;
};

}  // namespace skystream::verify
