// Avro Object Container Files (Avro 1.11 specification, "Object Container Files").
//
// Layout:
//   header  "Obj" 0x01; metadata as an Avro map<bytes> holding at least "avro.schema" (the
//           writer schema as JSON) and "avro.codec" ("null" or "deflate"); a 16-byte sync marker
//   blocks  long object count; long byte size of the (compressed) objects; the objects; the
//           16-byte sync marker again
// The deflate codec is raw DEFLATE (RFC 1951) with no zlib header or checksum.
#pragma once

#include <array>
#include <cstdint>
#include <deque>
#include <filesystem>
#include <fstream>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "avro/error.h"
#include "avro/schema.h"
#include "avro/value.h"

namespace skystream::avro {

enum class Codec { kNull, kDeflate };

// Reads a whole container file into memory and splits it into the encoded objects it holds.
// The objects are views into the reader's buffer and live as long as the reader.
class ContainerReader {
 public:
  // Fails with the file name when the file is missing, is not a container file, names an
  // unsupported codec, carries an invalid schema, or has a block whose sync marker or size is
  // wrong (the error gives the block's byte offset).
  [[nodiscard]] static Result<ContainerReader> open(const std::filesystem::path& path);
  // The same, over bytes already in memory; `name` stands for the file in errors.
  [[nodiscard]] static Result<ContainerReader> from_bytes(std::string bytes, std::string_view name);

  const std::shared_ptr<const Schema>& schema() const { return schema_; }
  const std::string& schema_json() const { return schema_json_; }
  Codec codec() const { return codec_; }

  // The encoded objects of every block, in file order.
  const std::vector<std::string_view>& objects() const { return objects_; }

 private:
  // Both are kept at stable addresses, because objects_ views them and the reader moves.
  std::string name_;
  std::unique_ptr<std::string> file_bytes_;
  std::deque<std::string> inflated_blocks_;
  std::shared_ptr<const Schema> schema_;
  std::string schema_json_;
  Codec codec_ = Codec::kNull;
  std::vector<std::string_view> objects_;
};

// Writes a container file. Objects are buffered and written as one block per
// `objects_per_block` objects; close() writes the last block. The sync marker is derived from
// `sync_seed` so that the same input gives the same file bytes.
class ContainerWriter {
 public:
  [[nodiscard]] static Result<ContainerWriter> create(const std::filesystem::path& path,
                                                      std::shared_ptr<const Schema> schema,
                                                      Codec codec = Codec::kDeflate,
                                                      std::uint64_t sync_seed = 0);
  ContainerWriter(ContainerWriter&&) = default;
  ContainerWriter& operator=(ContainerWriter&&) = default;
  ~ContainerWriter();

  // Appends one value, which must be of the schema's root type.
  void append(const Value& value);
  // Appends one object that is already encoded with the schema's root type.
  void append_encoded(std::string_view object);
  // Writes the buffered objects and closes the file; fails when the file cannot be written.
  [[nodiscard]] Result<void> close();

  std::size_t objects_per_block = 1000;

 private:
  ContainerWriter() = default;
  void write_block();

  std::filesystem::path path_;
  std::unique_ptr<std::ofstream> out_;
  std::shared_ptr<const Schema> schema_;
  Codec codec_ = Codec::kDeflate;
  std::array<char, 16> sync_{};
  std::string block_;
  std::string scratch_;
  std::int64_t block_count_ = 0;
};

}  // namespace skystream::avro
