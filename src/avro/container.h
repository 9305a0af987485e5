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
#include <utility>
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

// The largest uncompressed size of one block that a reader accepts unless
// ReadOptions::max_block_size says otherwise: 256 MiB. The simulator writes blocks of about 8 MB
// (100 alerts with cutouts), at most 81 MB with 256-pixel cutouts and a year of history, and
// fastavro's default sync interval makes blocks of about 16 KB. The limit keeps a crafted block,
// such as 65 KB of zstandard or 2 MB of deflate that inflate to gigabytes of zeros, from taking
// more memory than this. Decompression stops as soon as the output passes the limit.
inline constexpr std::size_t kMaxBlockSize = std::size_t{256} << 20;

struct ReadOptions {
  // Whether to skip a block that cannot be read: a corrupt header or size, a wrong sync marker,
  // corrupt compressed data, a checksum mismatch, a block past max_block_size or an object that
  // does not decode. A skipped block is reported (ContainerReader::skipped(),
  // ContainerBlockReader::next()), and reading goes on after the next sync marker in the file.
  // When false, such a block fails the whole read. A corrupt file header and a read error
  // always fail.
  bool skip_corrupt_blocks = false;
  // The largest uncompressed size of one block, and so of the memory that one block takes. A
  // block whose data would pass it is corrupt. The stored (compressed) size of a block may
  // exceed it by the codec's worst-case overhead (a sixth, for snappy), and the file header
  // may not exceed it.
  std::size_t max_block_size = kMaxBlockSize;
};

// A block that the reader skipped under ReadOptions::skip_corrupt_blocks.
struct SkippedBlock {
  std::size_t offset = 0;  // byte offset of the block's first byte in the file
  // Bytes skipped from `offset`: through the next sync marker found after it, or to the end of
  // the file when none follows. When the block's own sync marker is the corrupt part, the range
  // runs through the following block's marker, so both blocks are skipped as one.
  std::size_t size = 0;
  bool to_end = false;             // no sync marker followed, so the skip ran to the end
  std::int64_t object_count = -1;  // objects that the block header declares, or -1
  Error error;                     // the reason, with error.offset equal to `offset`
};

// A byte buffer that grows with realloc(), which moves large blocks by remapping their pages
// rather than by copying them, so that growing to n bytes never takes much more than n bytes,
// as std::string's copy and doubling can. New bytes are not initialized.
class ByteBuffer {
 public:
  ByteBuffer() = default;
  ByteBuffer(ByteBuffer&& other) noexcept
      : data_(std::exchange(other.data_, nullptr)),
        size_(std::exchange(other.size_, 0)),
        capacity_(std::exchange(other.capacity_, 0)) {}
  ByteBuffer& operator=(ByteBuffer&& other) noexcept {
    std::swap(data_, other.data_);
    std::swap(size_, other.size_);
    std::swap(capacity_, other.capacity_);
    return *this;
  }
  ~ByteBuffer();

  char* data() { return data_; }
  const char* data() const { return data_; }
  std::size_t size() const { return size_; }
  std::size_t capacity() const { return capacity_; }
  std::string_view view() const { return {data_, size_}; }
  // Sets the size to `size`, growing the capacity to exactly `size` when it is smaller. Throws
  // std::bad_alloc when memory runs out.
  void resize(std::size_t size);
  void assign(std::string_view bytes);

 private:
  char* data_ = nullptr;
  std::size_t size_ = 0;
  std::size_t capacity_ = 0;
};

// Bytes read in order from a file, standard input or memory, through a buffer that holds only
// what the caller has looked at but not yet consumed. peek() reads more as needed, so memory
// follows the largest span that a caller looks at, not the size of the input.
class BufferedInput {
 public:
  // Opens `path` for reading ("-" is standard input). Fails with the file name and the reason.
  [[nodiscard]] static Result<BufferedInput> open(const std::filesystem::path& path);
  // Reads the open file descriptor `fd`, which the input closes when `owned`.
  BufferedInput(int fd, std::string name, bool owned);
  // Bytes already in memory.
  BufferedInput(std::string bytes, std::string name);
  BufferedInput(BufferedInput&& other) noexcept;
  BufferedInput& operator=(BufferedInput&& other) noexcept;
  ~BufferedInput();

  // Makes at least `count` bytes after the position available, reading as needed, and returns
  // every byte that is available (at least `count`, fewer only at the end of the input). The
  // view is valid until the next call of peek(). Fails on a read error (as EIO), with the name
  // and the offset where reading failed.
  [[nodiscard]] Result<std::string_view> peek(std::size_t count);
  // The bytes available without reading.
  std::string_view available() const { return {buffer_.data() + begin_, end_ - begin_}; }
  // Moves the position `count` bytes on; `count` may not exceed available().size().
  void consume(std::size_t count);

  // Offset of the next byte in the input.
  std::uint64_t position() const { return consumed_; }
  // Whether the end of the input has been seen: nothing follows available().
  bool at_end() const { return eof_; }
  // The size of the whole input, when it is a regular file or memory; 0 otherwise.
  std::uint64_t size() const { return size_; }
  bool size_known() const { return size_known_; }
  const std::string& name() const { return name_; }

 private:
  void close();

  std::string name_;
  int fd_ = -1;
  bool owned_ = false;
  ByteBuffer buffer_;
  std::size_t begin_ = 0;  // first unconsumed byte in buffer_
  std::size_t end_ = 0;    // end of the bytes read into buffer_
  std::uint64_t consumed_ = 0;
  bool eof_ = false;
  std::uint64_t size_ = 0;
  bool size_known_ = false;
};

// Reads a container file one block at a time: next() reads a block header, the block's bytes
// and sync marker, decompresses the data and splits it into its objects, decoding each once
// to find its length. Memory follows the largest block, not the size of the file, so files of
// any size and endless streams can be read.
class ContainerBlockReader {
 public:
  // Opens `path` ("-" for standard input) and reads the file header. Fails with the file name
  // when the file is missing or unreadable, is not a container file, names an unsupported
  // codec or carries an invalid schema.
  [[nodiscard]] static Result<ContainerBlockReader> open(const std::filesystem::path& path,
                                                         ReadOptions options = {});
  // The same, over `input`, whose name stands for the file in errors.
  [[nodiscard]] static Result<ContainerBlockReader> open(BufferedInput input,
                                                         ReadOptions options = {});

  enum class Step {
    kBlock,    // objects() holds the objects of the next block
    kSkipped,  // a corrupt block was skipped (skip_corrupt_blocks); last_skipped() says which
    kEnd,      // the end of the file
  };

  // Reads the next block. Without skip_corrupt_blocks a corrupt block fails, with the file name
  // as `where` and the block's byte offset as `offset`; when an object does not decode, the
  // message names its record index in the file, the field path and the byte in the object.
  // A read error always fails. After a failure, next() returns kEnd.
  [[nodiscard]] Result<Step> next();

  // The encoded objects of the block that next() last returned with kBlock. They are views
  // into the reader's buffers, valid until the next call of next().
  const std::vector<std::string_view>& objects() const { return objects_; }
  // The byte offset of that block, and the file-wide index of its first object. Records are
  // numbered among those read, so the objects of a skipped block take no index.
  std::uint64_t block_offset() const { return block_offset_; }
  std::size_t first_index() const { return first_index_; }
  // The block that next() last returned kSkipped for.
  const SkippedBlock& last_skipped() const { return last_skipped_; }

  const std::shared_ptr<const Schema>& schema() const { return schema_; }
  const std::string& schema_json() const { return schema_json_; }
  Codec codec() const { return codec_; }
  const std::string& name() const { return input_.name(); }

 private:
  explicit ContainerBlockReader(BufferedInput input, ReadOptions options)
      : input_(std::move(input)), options_(options) {}

  [[nodiscard]] Result<void> read_header();
  // Reads the block at the position into objects_ and consumes it, or fails and consumes
  // nothing. Sets *io_error when the failure is a read error, which no skip can pass.
  [[nodiscard]] Result<void> read_block(bool* io_error);
  [[nodiscard]] Result<void> split_objects(std::string_view data, std::int64_t count);
  // Passes the block at the position through the next sync marker, or to the end of the input.
  [[nodiscard]] Result<void> skip_block(Error error);

  BufferedInput input_;
  ReadOptions options_;
  std::shared_ptr<const Schema> schema_;
  std::string schema_json_;
  Codec codec_ = Codec::kNull;
  std::string sync_;
  ByteBuffer inflated_;  // the uncompressed data of the current block, reused between blocks
  Value scratch_;        // reused to decode each object while splitting
  std::vector<std::string_view> objects_;
  std::uint64_t block_offset_ = 0;
  std::size_t first_index_ = 0;
  std::size_t records_ = 0;  // objects read so far
  SkippedBlock last_skipped_;
  bool done_ = false;
};

// Reads a whole container file and splits it into the encoded objects it holds, decoding each
// object once to find its length. The objects are views into the reader's buffers and live as
// long as the reader. Once built, a reader may be read from several threads. It holds the
// uncompressed objects of the whole file; ContainerBlockReader reads one block at a time.
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
  [[nodiscard]] static Result<ContainerReader> read_all(Result<ContainerBlockReader> blocks);

  // The uncompressed data of each block, at stable addresses, because objects_ views them and
  // the reader moves.
  std::deque<std::string> blocks_;
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
