// Input of skystream cat: reading a file and finding its records, by format.
//
// Input formats, recognized by their first bytes:
//   container  an Avro Object Container File ("Obj" 0x01), such as a visit file
//   framed     one or more Confluent-framed packets back to back, each byte 0 = 0, bytes 1-4 =
//              schema id (big-endian), then the Avro body. The schema comes from the Rubin
//              schema id, and each body's length from decoding it
//   bare       only with --schema-version or --schema-dir, which make every file that is not
//              a container file one or more Avro bodies back to back with no framing, as the
//              2018 prototype packets were written
// Packets carry no length, so a packet that does not decode ends the reading of its file.
//
// Every format is read as a stream through avro::BufferedInput: a container file one block at a
// time, packets one at a time. Memory follows the largest block or packet, not the size of the
// file, and an endless input (a pipe, /dev/zero) is processed as it comes.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "avro/container.h"
#include "avro/error.h"
#include "avro/schema.h"
#include "avro/value.h"
#include "wire/schemas.h"

namespace skystream::cli {

enum class InputFormat { kContainer, kFramed, kBare, kUnknown };

// The bytes that detect_format() needs to see: the 5-byte header of a framed packet.
inline constexpr std::size_t kFormatBytes = 5;

// Returns the format of a file that starts with `bytes` (its first kFormatBytes bytes, or the
// whole file when it is shorter). Every file that is not a container file is bare when
// `bare_schema_given`.
InputFormat detect_format(std::string_view bytes, bool bare_schema_given);

// Names a format in logs, such as "container file".
std::string_view format_name(InputFormat format);

// The message for a file of unknown format that starts with `bytes` (as for detect_format()),
// with the hint to give a bare schema.
std::string unknown_format_message(const std::string& path, std::string_view bytes);

// The largest packet that read_packets() accepts: a packet that does not decode within this
// many bytes is reported as corrupt. It is the limit of a container block.
inline constexpr std::size_t kMaxPacketSize = avro::kMaxBlockSize;

// A packet body of at least this many bytes that are all zero is taken for zero-filled input
// (/dev/zero, a file padded with zeros) and rejected, although many schemas, the Rubin alert
// schemas among them, decode zeros as a record of zeros and nulls.
inline constexpr std::size_t kZeroFilledBody = 16;

// Where a record was found.
struct RecordPlace {
  const std::string& path;
  std::size_t index = 0;     // record (or packet) index in the file
  std::uint64_t offset = 0;  // byte offset of the packet, or of the record's container block
  // A framed packet, which names its own schema: the next packet of the file may have another.
  bool framed = false;
};

// Receives the records and errors that the readers below find in one file.
class RecordSink {
 public:
  virtual ~RecordSink() = default;

  // Handles the record at `place`, decoded with `schema`. Returns false to stop reading the
  // file.
  virtual bool record(const avro::Value& value, const std::shared_ptr<const avro::Schema>& schema,
                      const RecordPlace& place) = 0;

  // Handles an error that ends one record, or the file when it is the last call for the file.
  // `message` names the file, the byte offset and the field path where they are known.
  virtual void error(const std::string& message) = 0;

  // Handles a corrupt container block that was skipped with `skip_corrupt`; `message` names
  // the file, offset, reason and the bytes skipped.
  virtual void skipped_block(const avro::SkippedBlock& block, const std::string& message) = 0;
};

// Decodes every record of the container file `input`, block by block. With `skip_corrupt`,
// corrupt blocks are passed through the next sync marker and reported to the sink; without it
// a corrupt block is an error that ends the file.
void read_container(avro::BufferedInput input, bool skip_corrupt, RecordSink& sink);

// Decodes the packets of `input` one after another. Framed packets (`framed`) take their
// schema from `catalog` by schema id, and bare bodies are decoded with `bare_schema`. The first
// packet that does not decode ends the file, because packets carry no length.
void read_packets(avro::BufferedInput& input, bool framed,
                  const std::shared_ptr<const avro::Schema>& bare_schema,
                  wire::SchemaCatalog& catalog, RecordSink& sink);

}  // namespace skystream::cli
