// Manifests: the record of what `skystream send` put on Kafka, one JSON object per line.
//
// Line types, told apart by the "type" key; times are milliseconds since the Unix epoch:
//
//   {"type":"manifest","format":1,"topic":"alerts","brokers":"127.0.0.1:9092",
//    "started_ms":1767225600000}
//       First line. `topic` is the full-stream topic that every alert line below went to.
//   {"type":"alert","alert_id":170001,"visit":12,"topic":"alerts","partition":3,"offset":1200,
//    "digest":"99aa06d3014798d86001c324468d497f","send_ms":1767225600012}
//       One line per alert whose delivery the broker acknowledged, in the order the delivery
//       reports came. `alert_id` is the alert's diaSourceId; `digest` is the XXH3-128 of the
//       whole framed message value (see digest.h); `send_ms` is the time of the produce call,
//       which is also the message's timestamp on Kafka.
//   {"type":"visit","visit":12,"file":"visit-000012.avro","alerts":10000,"failed":0,
//    "first_send_ms":1767225600001,"last_send_ms":1767225601480,"seconds":1.62}
//       After the last alert line of a visit. `alerts` counts the alerts of the visit file,
//       `failed` those whose delivery failed (they have no alert line). `seconds` runs from the
//       visit's first produce call to its last delivery report.
//   {"type":"end","visits":1,"alerts":10000,"failed":0,"finished_ms":1767225601500}
//       Last line, written when the send finished; a manifest without it is incomplete.
//
// Readers ignore keys they do not know, so later versions may add keys to a line.
#pragma once

#include <cstdint>
#include <filesystem>
#include <fstream>
#include <optional>
#include <string>
#include <vector>

#include "verify/digest.h"

namespace skystream::verify {

inline constexpr int kManifestFormat = 1;

struct ManifestHeader {
  std::string topic;
  std::string brokers;
  std::int64_t started_ms = 0;
};

struct ManifestAlert {
  std::int64_t alert_id = 0;
  std::int64_t visit = 0;
  std::string topic;
  std::int32_t partition = 0;
  std::int64_t offset = 0;
  Digest digest;
  std::int64_t send_ms = 0;
};

struct ManifestVisit {
  std::int64_t visit = 0;
  std::string file;
  std::int64_t alerts = 0;
  std::int64_t failed = 0;
  std::int64_t first_send_ms = 0;
  std::int64_t last_send_ms = 0;
  double seconds = 0;
};

struct ManifestEnd {
  std::int64_t visits = 0;
  std::int64_t alerts = 0;
  std::int64_t failed = 0;
  std::int64_t finished_ms = 0;
};

struct Manifest {
  ManifestHeader header;
  std::vector<ManifestAlert> alerts;
  std::vector<ManifestVisit> visits;
  std::optional<ManifestEnd> end;  // nothing when the send did not finish
  // The number of the last line when it was cut off and ignored, or nothing. See
  // read_manifest().
  std::optional<std::size_t> cut_off_line;
};

// Writes a manifest line by line. Not thread-safe. Each write_visit() and write_end() flushes
// the file, so a send that stops early leaves every finished visit on disk.
class ManifestWriter {
 public:
  // Creates or truncates `path` and writes the header line; throws std::runtime_error naming
  // the file when it cannot be opened.
  ManifestWriter(const std::filesystem::path& path, const ManifestHeader& header);

  void write_alert(const ManifestAlert& alert);
  void write_visit(const ManifestVisit& visit);
  void write_end(const ManifestEnd& end);

 private:
  void write_line(const std::string& line);

  std::filesystem::path path_;
  std::ofstream out_;
};

// Reads a whole manifest. Throws std::runtime_error naming the file and line number when the
// file cannot be read, a line is not a JSON object, a key is missing or has the wrong type, a
// digest is not 32 hexadecimal digits, the first line is not the header, or an alert id
// appears on two lines.
//
// One exception: a last line that has no newline and is not a JSON object is what a send
// stopped in the middle of a write leaves. It is ignored and its number stored in
// Manifest::cut_off_line, unless it is the first line.
Manifest read_manifest(const std::filesystem::path& path);

}  // namespace skystream::verify
