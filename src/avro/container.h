// Avro Object Container Files (Avro 1.11 specification, "Object Container Files").
//
// Layout:
//   header  "Obj" 0x01; metadata as an Avro map<bytes> holding at least "avro.schema" (the
//           writer schema as JSON) and "avro.codec"; a 16-byte sync marker
//   blocks  long object count; long byte size of the (compressed) objects; the objects; the
//           16-byte sync marker again
//
// The data of one block under each codec ("avro.codec"; a missing entry means "null"):
//   null       the encoded objects, back to back
//   deflate    raw DEFLATE (RFC 1951) of the objects, with no zlib header or checksum
//   snappy     the objects compressed in snappy's raw format (no framing), then the CRC32 of
//              the uncompressed objects, 4 bytes big-endian. The CRC32 is zlib's crc32() (the
//              ISO-HDLC polynomial), and the block size counts its 4 bytes
//   zstandard  one or more Zstandard frames (RFC 8878) holding the objects
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

enum class Codec { kNull, kDeflate, kSnappy, kZstandard };

// The codec's "avro.codec" name: "null", "deflate", "snappy" or "zstandard".
std::string_view codec_name(Codec codec);

// Returns the codec whose "avro.codec" name is `name`; fails on any other name ("bzip2", ...).
[[nodiscard]] Result<Codec> parse_codec(std::string_view name);

struct ReadOptions {
  // Whether to skip a block that cannot be read: a corrupt header or size, a wrong sync marker,
  // corrupt compressed data, a checksum mismatch or an object that does not decode. A skipped
  // block is recorded in ContainerReader::skipped(), and reading goes on after the next sync
  // marker in the file. When false, such a block fails the whole read. A corrupt file header
  // always fails.
  bool skip_corrupt_blocks = false;
};

// A block that the reader skipped under ReadOptions::skip_corrupt_blocks.
struct SkippedBlock {
  std::size_t offset = 0;  // byte offset of the block's first byte in the file
  // Bytes skipped from `offset`: through the next sync marker found after it, or to the end of
  // the file when none follows. When the block's own sync marker is the corrupt part, the range
  // runs through the following block's marker, so both blocks are skipped as one.
  std::size_t size = 0;
  std::int64_t object_count = -1;  // objects that the block header declares, or -1
  Error error;                     // the reason, with error.offset equal to `offset`
};

// Reads a whole container file into memory and splits it into the encoded objects it holds,
// decoding each object once to find its length. The objects are views into the reader's
// buffers and live as long as the reader. Once built, a reader may be read from several
// threads.
class ContainerReader {
 public:
  // Fails with the file name when the file is missing, is not a container file, names an
  // unsupported codec or carries an invalid schema. An error in a block has the file name as
  // `where` and the block's byte offset as `offset`. When an object does not decode, the
  // message names its record index in the file, the field path and the byte in the object.
  [[nodiscard]] static Result<ContainerReader> open(const std::filesystem::path& path,
                                                    ReadOptions options = {});
  // The same, over bytes already in memory; `name` stands for the file in errors.
  [[nodiscard]] static Result<ContainerReader> from_bytes(std::string bytes, std::string_view name,
                                                          ReadOptions options = {});

  const std::shared_ptr<const Schema>& schema() const { return schema_; }
  const std::string& schema_json() const { return schema_json_; }
  Codec codec() const { return codec_; }

  // The encoded objects of every block that was read, in file order.
  const std::vector<std::string_view>& objects() const { return objects_; }

  // The blocks skipped under ReadOptions::skip_corrupt_blocks, in file order (empty without
  // that option).
  const std::vector<SkippedBlock>& skipped() const { return skipped_; }

 private:
  // Appends the objects of the block at `*pos` and moves `*pos` past its sync marker, or fails
  // and appends nothing.
  [[nodiscard]] Result<void> read_block(std::string_view sync, std::size_t* pos);
  [[nodiscard]] Result<void> split_objects(std::string_view data, std::int64_t count,
                                           std::size_t block_offset);
  void skip_block(std::string_view sync, Error error, std::size_t* pos);

  // Both are kept at stable addresses, because objects_ views them and the reader moves.
  std::string name_;
  std::unique_ptr<std::string> file_bytes_;
  std::deque<std::string> inflated_blocks_;
  std::shared_ptr<const Schema> schema_;
  std::string schema_json_;
  Codec codec_ = Codec::kNull;
  std::vector<std::string_view> objects_;
  std::vector<SkippedBlock> skipped_;
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
  // Writes the buffered objects and closes the file. Fails when the file cannot be written or
  // a block could not be compressed.
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
  std::string compress_error_;  // the first compression failure, which close() reports
};

}  // namespace skystream::avro
