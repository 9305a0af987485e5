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
#pragma once

#include <cstddef>
#include <memory>
#include <string>
#include <string_view>

#include "avro/error.h"
#include "avro/schema.h"
#include "avro/value.h"
#include "wire/schemas.h"

namespace skystream::cli {

enum class InputFormat { kContainer, kFramed, kBare, kUnknown };

// Returns the format of a file that starts with `bytes`. Every file that is not a container
// file is bare when `bare_schema_given`.
InputFormat detect_format(std::string_view bytes, bool bare_schema_given);

// Names a format in logs, such as "container file".
std::string_view format_name(InputFormat format);

// The message for a file of unknown format, with the hint to give a bare schema.
std::string unknown_format_message(const std::string& path, std::string_view bytes);

// Reads the whole file; fails with a message that names the file.
[[nodiscard]] avro::Result<std::string> read_file(const std::string& path);

// Receives the records and errors that the readers below find in one file.
class RecordSink {
 public:
  virtual ~RecordSink() = default;

  // Handles record `index` of the file `path`, decoded with `schema`. Returns false to stop
  // reading the file.
  virtual bool record(const avro::Value& value, const std::shared_ptr<const avro::Schema>& schema,
                      const std::string& path, std::size_t index) = 0;

  // Handles an error that ends one record, or the file when it is the last call for the file.
  // `message` names the file, the byte offset and the field path where they are known.
  virtual void error(const std::string& message) = 0;

  // Handles a corrupt container block that was skipped with `skip_corrupt`.
  virtual void skipped_block(const std::string& message) = 0;
};

// Decodes every record of the container file `bytes` read from `path`. With `skip_corrupt`,
// corrupt blocks are passed through the next sync marker and reported to the sink; without it
// a corrupt block is an error for the whole file.
void read_container(const std::string& path, std::string bytes, bool skip_corrupt,
                    RecordSink& sink);

// Decodes the packets of `bytes` one after another. Framed packets (`framed`) take their schema
// from `catalog` by schema id, and bare bodies are decoded with `bare_schema`. The first packet
// that does not decode ends the file, because packets carry no length.
void read_packets(const std::string& path, std::string_view bytes, bool framed,
                  const std::shared_ptr<const avro::Schema>& bare_schema,
                  wire::SchemaCatalog& catalog, RecordSink& sink);

}  // namespace skystream::cli
