#include "avro/container.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <snappy-c.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>
#include <zstd.h>

#include <algorithm>
#include <cerrno>
#include <climits>
#include <cstdlib>
#include <cstring>
#include <new>
#include <optional>
#include <utility>

#include "avro/codec.h"

namespace skystream::avro {
namespace {

constexpr std::string_view kMagic{"Obj\x01", 4};
constexpr std::size_t kSyncSize = 16;
constexpr std::size_t kCrcSize = 4;
// A block can declare more objects than it has bytes only when every object encodes to zero
// bytes, as under the schema "null". Past this count such a block is taken as corrupt, so that
// a hostile count cannot keep the reader looping.
constexpr std::int64_t kMaxEmptyObjects = std::int64_t{1} << 24;

constexpr std::size_t kReadChunk = std::size_t{256} << 10;
// The longest block header: two varints of at most 10 bytes.
constexpr std::size_t kMaxBlockHeader = 20;

// "1 byte", "2 bytes".
std::string bytes_text(std::uint64_t count) {
  return fmt::format("{} byte{}", count, count == 1 ? "" : "s");
}

// "268435456 bytes (256 MiB)", for messages about a limit.
std::string limit_text(std::size_t limit) {
  if (limit >= (std::size_t{1} << 20) && limit % (std::size_t{1} << 20) == 0) {
    return fmt::format("{} bytes ({} MiB)", limit, limit >> 20);
  }
  return fmt::format("{} bytes", limit);
}

Error too_large(Codec codec, std::size_t limit) {
  return Error{fmt::format("{} block inflates to more than {}, the limit of one block",
                           codec_name(codec), limit_text(limit))};
}

// The size of the output buffer of a decompressor that may produce up to `limit` bytes: one
// byte more, so that output past the limit shows.
std::size_t output_cap(std::size_t limit) { return limit == SIZE_MAX ? limit : limit + 1; }

// Raw DEFLATE (RFC 1951), as the Avro deflate codec specifies: no zlib header, no checksum.
// Inflates into `out` and fails as soon as the output passes `limit` bytes.
Result<void> inflate_raw(std::string_view compressed, std::size_t limit, ByteBuffer& out) {
  z_stream stream{};
  if (inflateInit2(&stream, -15) != Z_OK) return std::unexpected(Error{"inflateInit2 failed"});
  const std::size_t cap = output_cap(limit);
  out.resize(std::min(cap, std::max(compressed.size() * 4, std::size_t{64} << 10)));
  std::size_t consumed = 0;
  std::size_t produced = 0;
  int status = Z_OK;
  Result<void> result;
  while (true) {
    if (produced == out.size()) {
      if (out.size() >= cap) {
        result = std::unexpected(too_large(Codec::kDeflate, limit));
        break;
      }
      out.resize(std::min(cap, out.size() * 2));
    }
    // zlib counts in uInt, so large spans are fed in parts.
    if (stream.avail_in == 0 && consumed < compressed.size()) {
      stream.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(compressed.data() + consumed));
      stream.avail_in =
          static_cast<uInt>(std::min<std::size_t>(compressed.size() - consumed, UINT_MAX));
    }
    stream.next_out = reinterpret_cast<Bytef*>(out.data() + produced);
    stream.avail_out = static_cast<uInt>(std::min<std::size_t>(out.size() - produced, UINT_MAX));
    const uInt in_before = stream.avail_in;
    const uInt out_before = stream.avail_out;
    status = inflate(&stream, Z_NO_FLUSH);
    consumed += in_before - stream.avail_in;
    produced += out_before - stream.avail_out;
    if (status == Z_STREAM_END) break;
    if (status == Z_BUF_ERROR && produced < out.size()) {
      // No progress with output room left: the input ended inside the stream.
      result = std::unexpected(Error{"corrupt deflate block: the data ends inside the stream"});
      break;
    }
    if (status != Z_OK && status != Z_BUF_ERROR) {
      result = std::unexpected(Error{"corrupt deflate block"});
      break;
    }
  }
  inflateEnd(&stream);
  if (!result) return result;
  out.resize(produced);
  return {};
}

void deflate_raw(std::string_view input, std::string& out) {
  z_stream stream{};
  deflateInit2(&stream, Z_DEFAULT_COMPRESSION, Z_DEFLATED, -15, 8, Z_DEFAULT_STRATEGY);
  out.resize(deflateBound(&stream, static_cast<uLong>(input.size())));
  stream.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(input.data()));
  stream.avail_in = static_cast<uInt>(input.size());
  stream.next_out = reinterpret_cast<Bytef*>(out.data());
  stream.avail_out = static_cast<uInt>(out.size());
  deflate(&stream, Z_FINISH);
  out.resize(stream.total_out);
  deflateEnd(&stream);
}

std::uint32_t crc32_of(std::string_view data) {
  uLong crc = crc32(0, nullptr, 0);
  while (!data.empty()) {
    const std::size_t part = std::min<std::size_t>(data.size(), UINT_MAX);
    crc = crc32(crc, reinterpret_cast<const Bytef*>(data.data()), static_cast<uInt>(part));
    data.remove_prefix(part);
  }
  return static_cast<std::uint32_t>(crc);
}

// Snappy block: raw snappy data, then the big-endian CRC32 of the uncompressed bytes. The
// declared uncompressed length is checked against `limit`, and the compressed data is
// validated, before anything is allocated.
Result<void> snappy_uncompress_block(std::string_view block, std::size_t limit, ByteBuffer& out) {
  if (block.size() < kCrcSize) {
    return std::unexpected(Error{fmt::format("snappy block of {} is too short for its 4-byte CRC32",
                                             bytes_text(block.size()))});
  }
  const std::string_view compressed = block.substr(0, block.size() - kCrcSize);
  std::size_t length = 0;
  if (snappy_uncompressed_length(compressed.data(), compressed.size(), &length) != SNAPPY_OK) {
    return std::unexpected(Error{"corrupt snappy block"});
  }
  if (length > limit) return std::unexpected(too_large(Codec::kSnappy, limit));
  if (snappy_validate_compressed_buffer(compressed.data(), compressed.size()) != SNAPPY_OK) {
    return std::unexpected(Error{"corrupt snappy block"});
  }
  out.resize(length);
  if (snappy_uncompress(compressed.data(), compressed.size(), out.data(), &length) != SNAPPY_OK) {
    return std::unexpected(Error{"corrupt snappy block"});
  }
  out.resize(length);

  const auto* crc_bytes = reinterpret_cast<const unsigned char*>(block.data() + compressed.size());
  const std::uint32_t stored = std::uint32_t{crc_bytes[0]} << 24 |
                               std::uint32_t{crc_bytes[1]} << 16 |
                               std::uint32_t{crc_bytes[2]} << 8 | std::uint32_t{crc_bytes[3]};
  const std::uint32_t computed = crc32_of(out.view());
  if (stored != computed) {
    return std::unexpected(Error{
        fmt::format("snappy block CRC32 mismatch: stored {:08x}, uncompressed data has {:08x}",
                    stored, computed)});
  }
  return {};
}

Result<void> snappy_compress_block(std::string_view input, std::string& out) {
  std::size_t length = snappy_max_compressed_length(input.size());
  out.resize(length);
  if (snappy_compress(input.data(), input.size(), out.data(), &length) != SNAPPY_OK) {
    return std::unexpected(Error{"snappy compression failed"});
  }
  out.resize(length);
  const std::uint32_t crc = crc32_of(input);
  for (int shift = 24; shift >= 0; shift -= 8) out.push_back(static_cast<char>(crc >> shift));
  return {};
}

// Streaming decompression, so that frames without a declared content size and several frames
// back to back both read. Stops once all input is consumed and the last frame is complete, and
// fails as soon as the output passes `limit` bytes.
Result<void> zstd_decompress(std::string_view compressed, std::size_t limit, ByteBuffer& out) {
  std::unique_ptr<ZSTD_DCtx, decltype(&ZSTD_freeDCtx)> context(ZSTD_createDCtx(), ZSTD_freeDCtx);
  if (!context) return std::unexpected(Error{"ZSTD_createDCtx failed"});
  const std::size_t cap = output_cap(limit);
  out.resize(std::min(cap, std::max(compressed.size() * 4, ZSTD_DStreamOutSize())));
  ZSTD_inBuffer input{compressed.data(), compressed.size(), 0};
  ZSTD_outBuffer output{out.data(), out.size(), 0};
  std::size_t status = 0;
  while (input.pos < input.size || status != 0) {
    if (output.pos == output.size) {
      if (out.size() >= cap) return std::unexpected(too_large(Codec::kZstandard, limit));
      out.resize(std::min(cap, out.size() * 2));
      output.dst = out.data();
      output.size = out.size();
    }
    const std::size_t input_before = input.pos;
    const std::size_t output_before = output.pos;
    status = ZSTD_decompressStream(context.get(), &output, &input);
    if (ZSTD_isError(status)) {
      return std::unexpected(
          Error{fmt::format("corrupt zstandard block: {}", ZSTD_getErrorName(status))});
    }
    if (input.pos == input_before && output.pos == output_before) {
      return std::unexpected(Error{"truncated zstandard block: its last frame is incomplete"});
    }
  }
  out.resize(output.pos);
  return {};
}

Result<void> zstd_compress(std::string_view input, std::string& out) {
  out.resize(ZSTD_compressBound(input.size()));
  const std::size_t size =
      ZSTD_compress(out.data(), out.size(), input.data(), input.size(), ZSTD_CLEVEL_DEFAULT);
  if (ZSTD_isError(size)) {
    return std::unexpected(
        Error{fmt::format("zstandard compression failed: {}", ZSTD_getErrorName(size))});
  }
  out.resize(size);
  return {};
}

// Uncompresses the data of a block into `out`, failing once the output passes `limit` bytes.
Result<void> uncompress(Codec codec, std::string_view data, std::size_t limit, ByteBuffer& out) {
  switch (codec) {
    case Codec::kDeflate:
      return inflate_raw(data, limit, out);
    case Codec::kSnappy:
      return snappy_uncompress_block(data, limit, out);
    case Codec::kZstandard:
      return zstd_decompress(data, limit, out);
    case Codec::kNull:
      break;
  }
  if (data.size() > limit) return std::unexpected(too_large(codec, limit));
  out.assign(data);
  return {};
}

// The largest stored size of a block whose data uncompresses to at most `limit` bytes: the
// limit itself for the null codec, and the worst case of snappy (n + n/6 + 32, and its CRC32),
// which is above those of deflate and zstandard, for the others.
std::uint64_t stored_limit(Codec codec, std::size_t limit) {
  if (codec == Codec::kNull) return limit;
  const std::uint64_t wide = limit;
  return wide + wide / 6 + 32 + kCrcSize;
}

// SplitMix64, to derive a deterministic sync marker from a seed.
std::uint64_t split_mix(std::uint64_t& state) {
  std::uint64_t z = (state += 0x9e3779b97f4a7c15ULL);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

struct Header {
  std::string schema_json;
  std::string codec_name = "null";
  std::string sync;
  std::size_t end = 0;  // offset of the first block
};

// The outcome of parsing a file header from the first bytes of a file.
struct HeaderParse {
  Result<Header> header;
  // The bytes ran out: more of the file may complete the header, and `needed` bytes at least
  // are needed. The error then describes the header as cut off at the end of the file.
  bool truncated = false;
  std::uint64_t needed = 0;
};

// Whether the varint at `pos` runs to the end of `bytes` in fewer than 10 bytes, so that more
// bytes could complete it.
bool varint_cut_off(std::string_view bytes, std::size_t pos) {
  if (bytes.size() - pos >= 10) return false;
  for (std::size_t i = pos; i < bytes.size(); ++i) {
    if ((static_cast<unsigned char>(bytes[i]) & 0x80) == 0) return false;
  }
  return true;
}

// Header: magic, then the metadata map<bytes>, then the sync marker. Errors carry an offset
// but no file name.
HeaderParse parse_header(std::string_view file) {
  auto fail = [](std::string message, std::size_t offset) {
    return HeaderParse{std::unexpected(Error{std::move(message), "", offset})};
  };
  auto cut_off = [&file](std::string message, std::size_t offset, std::uint64_t needed) {
    return HeaderParse{
        std::unexpected(Error{"truncated file header: " + std::move(message), "", offset}), true,
        std::max<std::uint64_t>(needed, file.size() + 1)};
  };
  if (file.size() < kMagic.size() && kMagic.starts_with(file)) {
    return cut_off(fmt::format("the file ends after {}, inside the magic", bytes_text(file.size())),
                   0, kMagic.size());
  }
  if (file.substr(0, kMagic.size()) != kMagic) return fail("not an Avro container file", 0);
  Header header;
  std::size_t pos = kMagic.size();
  // Reads a varint of the metadata, or says why not.
  auto read_long = [&](std::string_view what, std::optional<HeaderParse>& problem) {
    const std::size_t start = pos;
    auto value = decode_long(file, &pos);
    if (value) return *value;
    if (varint_cut_off(file, start)) {
      problem = cut_off(fmt::format("the file ends inside the {}", what), start, file.size() + 1);
    } else {
      problem = fail(fmt::format("corrupt metadata: the {} is not a valid varint ({})", what,
                                 value.error().message),
                     start);
    }
    pos = start;
    return std::int64_t{0};
  };
  std::optional<HeaderParse> problem;
  for (std::size_t entry_index = 0;;) {
    std::int64_t count = read_long("count of a metadata block", problem);
    if (problem) return std::move(*problem);
    if (count == 0) break;
    if (count < 0) {
      // -2^63 has no positive counterpart, so negating it would overflow.
      if (count == INT64_MIN) return fail("invalid metadata block count", pos);
      count = -count;
      (void)read_long("byte size of a metadata block", problem);
      if (problem) return std::move(*problem);
    }
    for (std::int64_t i = 0; i < count; ++i, ++entry_index) {
      std::string_view entry[2];
      for (int part = 0; part < 2; ++part) {
        const std::string what = part == 0 ? fmt::format("metadata key {}", entry_index)
                                           : fmt::format("metadata value of \"{}\"", entry[0]);
        const std::size_t length_offset = pos;
        const std::int64_t length = read_long("length of the " + what, problem);
        if (problem) return std::move(*problem);
        if (length < 0) {
          return fail(fmt::format("corrupt metadata entry: the {} has the negative length {}", what,
                                  length),
                      length_offset);
        }
        if (static_cast<std::uint64_t>(length) > file.size() - pos) {
          return cut_off(fmt::format("the {} declares {}, past the end of the file", what,
                                     bytes_text(static_cast<std::uint64_t>(length))),
                         length_offset, static_cast<std::uint64_t>(pos) + length);
        }
        entry[part] = file.substr(pos, static_cast<std::size_t>(length));
        pos += static_cast<std::size_t>(length);
      }
      if (entry[0] == "avro.schema") header.schema_json = std::string(entry[1]);
      if (entry[0] == "avro.codec") header.codec_name = std::string(entry[1]);
    }
  }
  if (file.size() - pos < kSyncSize) {
    return cut_off(
        fmt::format("the file ends {} into the 16-byte sync marker", bytes_text(file.size() - pos)),
        pos, pos + kSyncSize);
  }
  header.sync = std::string(file.substr(pos, kSyncSize));
  header.end = pos + kSyncSize;
  return HeaderParse{std::move(header)};
}

}  // namespace

std::string_view codec_name(Codec codec) {
  switch (codec) {
    case Codec::kNull:
      return "null";
    case Codec::kDeflate:
      return "deflate";
    case Codec::kSnappy:
      return "snappy";
    case Codec::kZstandard:
      return "zstandard";
  }
  return "null";
}

Result<Codec> parse_codec(std::string_view name) {
  for (Codec codec : {Codec::kNull, Codec::kDeflate, Codec::kSnappy, Codec::kZstandard}) {
    if (name == codec_name(codec)) return codec;
  }
  return std::unexpected(Error{
      fmt::format("unsupported codec \"{}\" (supported: null, deflate, snappy, zstandard)", name)});
}

// ---------------------------------------------------------------------------------------------
// ByteBuffer

ByteBuffer::~ByteBuffer() { std::free(data_); }

void ByteBuffer::resize(std::size_t size) {
  if (size > capacity_) {
    void* grown = std::realloc(data_, size);
    if (grown == nullptr) throw std::bad_alloc();
    data_ = static_cast<char*>(grown);
    capacity_ = size;
  }
  size_ = size;
}

void ByteBuffer::assign(std::string_view bytes) {
  resize(bytes.size());
  if (!bytes.empty()) std::memcpy(data_, bytes.data(), bytes.size());
}

// ---------------------------------------------------------------------------------------------
// BufferedInput

Result<BufferedInput> BufferedInput::open(const std::filesystem::path& path) {
  if (path == "-") return BufferedInput(STDIN_FILENO, "standard input", false);
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    const int code = errno;
    return std::unexpected(Error{code == ENOENT
                                     ? std::string("file not found")
                                     : fmt::format("cannot open: {}", std::strerror(code)),
                                 path.string()});
  }
  struct stat status {};
  if (::fstat(fd, &status) == 0 && S_ISDIR(status.st_mode)) {
    ::close(fd);
    return std::unexpected(Error{"is a directory", path.string()});
  }
  return BufferedInput(fd, path.string(), true);
}

BufferedInput::BufferedInput(int fd, std::string name, bool owned)
    : name_(std::move(name)), fd_(fd), owned_(owned) {
  struct stat status {};
  if (::fstat(fd, &status) == 0 && S_ISREG(status.st_mode)) {
    size_ = static_cast<std::uint64_t>(status.st_size);
    size_known_ = true;
  }
}

BufferedInput::BufferedInput(std::string bytes, std::string name)
    : name_(std::move(name)), eof_(true), size_(bytes.size()), size_known_(true) {
  buffer_.assign(bytes);
  end_ = bytes.size();
}

BufferedInput::BufferedInput(BufferedInput&& other) noexcept
    : name_(std::move(other.name_)),
      fd_(std::exchange(other.fd_, -1)),
      owned_(other.owned_),
      buffer_(std::move(other.buffer_)),
      begin_(std::exchange(other.begin_, 0)),
      end_(std::exchange(other.end_, 0)),
      consumed_(other.consumed_),
      eof_(other.eof_),
      size_(other.size_),
      size_known_(other.size_known_) {}

BufferedInput& BufferedInput::operator=(BufferedInput&& other) noexcept {
  if (this != &other) {
    close();
    name_ = std::move(other.name_);
    fd_ = std::exchange(other.fd_, -1);
    owned_ = other.owned_;
    buffer_ = std::move(other.buffer_);
    begin_ = std::exchange(other.begin_, 0);
    end_ = std::exchange(other.end_, 0);
    consumed_ = other.consumed_;
    eof_ = other.eof_;
    size_ = other.size_;
    size_known_ = other.size_known_;
  }
  return *this;
}

BufferedInput::~BufferedInput() { close(); }

void BufferedInput::close() {
  if (owned_ && fd_ >= 0) ::close(fd_);
  fd_ = -1;
}

Result<std::string_view> BufferedInput::peek(std::size_t count) {
  if (end_ - begin_ >= count || eof_) return available();
  // Move what is left to the front, and grow the buffer to hold `count` bytes, reading in
  // chunks of kReadChunk at least.
  const std::size_t held = end_ - begin_;
  if (begin_ > 0 && held > 0) std::memmove(buffer_.data(), buffer_.data() + begin_, held);
  begin_ = 0;
  end_ = held;
  const std::size_t wanted = std::max(count, kReadChunk);
  if (buffer_.size() < wanted) {
    buffer_.resize(std::max(wanted, std::min(buffer_.size() * 2, count + kReadChunk)));
  }
  while (end_ < count) {
    const ssize_t got = ::read(fd_, buffer_.data() + end_, buffer_.size() - end_);
    if (got < 0) {
      if (errno == EINTR) continue;
      return std::unexpected(Error{fmt::format("read failed: {}", std::strerror(errno)), name_,
                                   static_cast<std::size_t>(consumed_ + end_)});
    }
    if (got == 0) {
      eof_ = true;
      break;
    }
    end_ += static_cast<std::size_t>(got);
  }
  return available();
}

void BufferedInput::consume(std::size_t count) {
  count = std::min(count, end_ - begin_);
  begin_ += count;
  consumed_ += count;
  if (begin_ == end_) begin_ = end_ = 0;
}

// ---------------------------------------------------------------------------------------------
// ContainerBlockReader

Result<ContainerBlockReader> ContainerBlockReader::open(const std::filesystem::path& path,
                                                        ReadOptions options) {
  auto input = BufferedInput::open(path);
  if (!input) return std::unexpected(std::move(input.error()));
  return open(std::move(*input), options);
}

Result<ContainerBlockReader> ContainerBlockReader::open(BufferedInput input, ReadOptions options) {
  ContainerBlockReader reader(std::move(input), options);
  if (auto status = reader.read_header(); !status) return std::unexpected(status.error());
  return reader;
}

Result<void> ContainerBlockReader::read_header() {
  const std::string& name = input_.name();
  std::size_t want = std::size_t{64} << 10;
  Header header;
  while (true) {
    auto bytes = input_.peek(want);
    if (!bytes) return std::unexpected(std::move(bytes.error()));
    HeaderParse parsed = parse_header(*bytes);
    if (parsed.header) {
      header = std::move(*parsed.header);
      break;
    }
    parsed.header.error().where = name;
    const bool past_end = input_.size_known() && parsed.needed > input_.size();
    if (!parsed.truncated || input_.at_end() || past_end) {
      if (bytes->empty() && input_.at_end()) {
        return std::unexpected(Error{"the file is empty", name, 0});
      }
      return std::unexpected(std::move(parsed.header.error()));
    }
    if (parsed.needed > options_.max_block_size) {
      return std::unexpected(
          Error{fmt::format("the file header is larger than the limit of {}: it needs {} at least",
                            limit_text(options_.max_block_size), bytes_text(parsed.needed)),
                name, parsed.header.error().offset});
    }
    want = static_cast<std::size_t>(std::min<std::uint64_t>(
        options_.max_block_size, std::max<std::uint64_t>(parsed.needed, bytes->size() * 2)));
  }

  auto codec = parse_codec(header.codec_name);
  if (!codec) return std::unexpected(Error{codec.error().message, name, 0});
  codec_ = *codec;
  schema_json_ = std::move(header.schema_json);
  if (schema_json_.empty()) return std::unexpected(Error{"no avro.schema in the header", name, 0});
  auto schema = Schema::parse(schema_json_, name + " (avro.schema)");
  if (!schema) return std::unexpected(schema.error());
  schema_ = *schema;
  sync_ = std::move(header.sync);
  input_.consume(header.end);
  return {};
}

Result<ContainerBlockReader::Step> ContainerBlockReader::next() {
  objects_.clear();
  if (done_) return Step::kEnd;
  auto start = input_.peek(1);
  if (!start) {
    done_ = true;
    return std::unexpected(std::move(start.error()));
  }
  if (start->empty()) {
    done_ = true;
    return Step::kEnd;
  }
  bool io_error = false;
  auto status = read_block(&io_error);
  if (status) return Step::kBlock;
  if (io_error || !options_.skip_corrupt_blocks) {
    done_ = true;
    return std::unexpected(std::move(status.error()));
  }
  if (auto skipped = skip_block(std::move(status.error())); !skipped) {
    done_ = true;
    return std::unexpected(std::move(skipped.error()));
  }
  return Step::kSkipped;
}

Result<void> ContainerBlockReader::read_block(bool* io_error) {
  block_offset_ = input_.position();
  auto fail = [&](std::string message) {
    return std::unexpected(Error{std::move(message), name(), block_offset_});
  };
  auto read_failed = [&](Error error) {
    *io_error = true;
    return std::unexpected(std::move(error));
  };

  // Block header: object count and byte size, then the data and the sync marker.
  auto head = input_.peek(kMaxBlockHeader);
  if (!head) return read_failed(std::move(head.error()));
  std::size_t cursor = 0;
  std::int64_t header[2] = {0, 0};
  const char* what[2] = {"object count", "byte size"};
  for (int i = 0; i < 2; ++i) {
    const std::size_t before = cursor;
    auto value = decode_long(*head, &cursor);
    if (!value) {
      if (varint_cut_off(*head, before)) {
        return fail(
            fmt::format("truncated block header: the file ends inside the {}, {} into "
                        "the block",
                        what[i], bytes_text(head->size())));
      }
      return fail(fmt::format("corrupt block header: the {} is not a valid varint ({})", what[i],
                              value.error().message));
    }
    if (*value < 0) {
      return fail(fmt::format("corrupt block header: the {} {} is negative", what[i], *value));
    }
    header[i] = *value;
  }
  const std::int64_t count = header[0];
  const auto size = static_cast<std::uint64_t>(header[1]);
  const std::uint64_t limit = stored_limit(codec_, options_.max_block_size);
  if (size > limit) {
    return fail(fmt::format(
        "corrupt block header: the byte size {} exceeds the limit of {} for a block stored with "
        "the {} codec",
        size, limit_text(static_cast<std::size_t>(limit)), codec_name(codec_)));
  }
  const std::uint64_t total = cursor + size + kSyncSize;
  const std::uint64_t left =
      input_.size_known() ? input_.size() - std::min(input_.size(), block_offset_) : 0;
  auto truncated = [&](std::uint64_t bytes_left) {
    return fail(fmt::format(
        "truncated block: its header declares {} of data and a 16-byte sync marker, but the "
        "file ends {} after the header",
        bytes_text(size), bytes_text(bytes_left - std::min<std::uint64_t>(bytes_left, cursor))));
  };
  if (input_.size_known() && total > left) return truncated(left);
  auto bytes = input_.peek(static_cast<std::size_t>(total));
  if (!bytes) return read_failed(std::move(bytes.error()));
  if (bytes->size() < total) return truncated(bytes->size());

  std::string_view data = bytes->substr(cursor, static_cast<std::size_t>(size));
  if (bytes->substr(cursor + size, kSyncSize) != sync_) return fail("sync marker mismatch");

  if (codec_ != Codec::kNull) {
    if (auto status = uncompress(codec_, data, options_.max_block_size, inflated_); !status) {
      return fail(std::move(status.error().message));
    }
    data = inflated_.view();
  } else if (data.size() > options_.max_block_size) {
    return fail(too_large(codec_, options_.max_block_size).message);
  }
  if (auto status = split_objects(data, count); !status) return status;
  input_.consume(static_cast<std::size_t>(total));
  first_index_ = records_;
  records_ += objects_.size();
  return {};
}

// Finds each object's length by decoding it; keeps the objects only when all of them decode
// and together fill the block exactly.
Result<void> ContainerBlockReader::split_objects(std::string_view data, std::int64_t count) {
  auto fail = [&](std::string message) {
    objects_.clear();
    return std::unexpected(Error{std::move(message), name(), block_offset_});
  };
  if (count > kMaxEmptyObjects && static_cast<std::uint64_t>(count) > data.size()) {
    return fail(fmt::format("block declares {} objects in {}", count, bytes_text(data.size())));
  }

  objects_.clear();
  std::size_t offset = 0;
  for (std::int64_t i = 0; i < count; ++i) {
    std::size_t used = 0;
    auto status = decode_into(schema_->root(), data.substr(offset), scratch_, &used);
    if (!status) {
      const Error& cause = status.error();
      const std::size_t record = records_ + objects_.size();
      const std::string field = cause.where.empty() ? "" : " at " + cause.where;
      return fail(fmt::format("record {}{}: {} (byte {} of the record)", record, field,
                              cause.message, cause.offset));
    }
    objects_.push_back(data.substr(offset, used));
    offset += used;
  }
  if (offset != data.size()) {
    return fail(
        fmt::format("block holds {} past its last object", bytes_text(data.size() - offset)));
  }
  return {};
}

// Passes the block at the position through the next sync marker in the input, or to its end.
// The search starts at the block's first byte, because the marker of the previous block ends
// there and a corrupt header may hide where this block ends. Only the last 15 bytes looked at
// are kept between reads, so that a marker split across two reads is still found.
Result<void> ContainerBlockReader::skip_block(Error error) {
  SkippedBlock skipped;
  skipped.offset = input_.position();
  std::size_t cursor = 0;
  if (auto count = decode_long(input_.available(), &cursor); count && *count >= 0) {
    skipped.object_count = *count;
  }
  while (true) {
    const std::string_view view = input_.available();
    if (const std::size_t marker = view.find(sync_); marker != std::string_view::npos) {
      input_.consume(marker + kSyncSize);
      break;
    }
    if (input_.at_end()) {
      input_.consume(view.size());
      skipped.to_end = true;
      break;
    }
    const std::size_t keep = std::min(view.size(), kSyncSize - 1);
    input_.consume(view.size() - keep);
    if (auto more = input_.peek(keep + kReadChunk); !more) return std::unexpected(more.error());
  }
  skipped.size = static_cast<std::size_t>(input_.position() - skipped.offset);
  skipped.error = std::move(error);
  last_skipped_ = std::move(skipped);
  return {};
}

// ---------------------------------------------------------------------------------------------
// ContainerReader

Result<ContainerReader> ContainerReader::open(const std::filesystem::path& path,
                                              ReadOptions options) {
  return read_all(ContainerBlockReader::open(path, options));
}

Result<ContainerReader> ContainerReader::from_bytes(std::string bytes, std::string_view name,
                                                    ReadOptions options) {
  return read_all(
      ContainerBlockReader::open(BufferedInput(std::move(bytes), std::string(name)), options));
}

Result<ContainerReader> ContainerReader::read_all(Result<ContainerBlockReader> blocks) {
  if (!blocks) return std::unexpected(std::move(blocks.error()));
  ContainerReader reader;
  reader.schema_ = blocks->schema();
  reader.schema_json_ = blocks->schema_json();
  reader.codec_ = blocks->codec();
  while (true) {
    auto step = blocks->next();
    if (!step) return std::unexpected(std::move(step.error()));
    if (*step == ContainerBlockReader::Step::kEnd) break;
    if (*step == ContainerBlockReader::Step::kSkipped) {
      reader.skipped_.push_back(blocks->last_skipped());
      continue;
    }
    const auto& objects = blocks->objects();
    if (objects.empty()) continue;
    // The objects of a block lie back to back, so one copy keeps them all.
    const char* first = objects.front().data();
    const char* last = objects.back().data() + objects.back().size();
    const std::string& copy = reader.blocks_.emplace_back(first, last);
    for (std::string_view object : objects) {
      reader.objects_.emplace_back(copy.data() + (object.data() - first), object.size());
    }
  }
  return reader;
}

Result<ContainerWriter> ContainerWriter::create(const std::filesystem::path& path,
                                                std::shared_ptr<const Schema> schema, Codec codec,
                                                std::uint64_t sync_seed) {
  ContainerWriter writer;
  writer.path_ = path;
  writer.schema_ = std::move(schema);
  writer.codec_ = codec;
  writer.out_ = std::make_unique<std::ofstream>(path, std::ios::binary | std::ios::trunc);
  if (!*writer.out_) return std::unexpected(Error{"cannot create file", path.string(), {}});
  for (std::size_t i = 0; i < kSyncSize; i += 8) {
    const std::uint64_t word = split_mix(sync_seed);
    std::memcpy(writer.sync_.data() + i, &word, 8);
  }

  std::string header(kMagic);
  encode_long(2, header);
  for (const auto& [key, value] :
       {std::pair<std::string, std::string>{"avro.schema", writer.schema_->to_json()},
        std::pair<std::string, std::string>{"avro.codec", std::string(codec_name(codec))}}) {
    encode_long(static_cast<std::int64_t>(key.size()), header);
    header += key;
    encode_long(static_cast<std::int64_t>(value.size()), header);
    header += value;
  }
  encode_long(0, header);
  header.append(writer.sync_.data(), kSyncSize);
  writer.out_->write(header.data(), static_cast<std::streamsize>(header.size()));
  return writer;
}

ContainerWriter::~ContainerWriter() {
  if (out_ && out_->is_open()) (void)close();
}

void ContainerWriter::append(const Value& value) {
  encode(value, block_);
  if (++block_count_ >= static_cast<std::int64_t>(objects_per_block)) write_block();
}

void ContainerWriter::append_encoded(std::string_view object) {
  block_ += object;
  if (++block_count_ >= static_cast<std::int64_t>(objects_per_block)) write_block();
}

void ContainerWriter::write_block() {
  if (block_count_ == 0) return;

  std::string_view data = block_;
  Result<void> compressed;
  switch (codec_) {
    case Codec::kDeflate:
      deflate_raw(block_, scratch_);
      data = scratch_;
      break;
    case Codec::kSnappy:
      compressed = snappy_compress_block(block_, scratch_);
      data = scratch_;
      break;
    case Codec::kZstandard:
      compressed = zstd_compress(block_, scratch_);
      data = scratch_;
      break;
    case Codec::kNull:
      break;
  }
  if (!compressed) {
    // The block is dropped and close() fails, so no file with missing objects passes as good.
    if (compress_error_.empty()) compress_error_ = compressed.error().message;
    block_.clear();
    block_count_ = 0;
    return;
  }

  // The block: object count, byte size, the (compressed) objects, the sync marker.
  std::string header;
  encode_long(block_count_, header);
  encode_long(static_cast<std::int64_t>(data.size()), header);
  out_->write(header.data(), static_cast<std::streamsize>(header.size()));
  out_->write(data.data(), static_cast<std::streamsize>(data.size()));
  out_->write(sync_.data(), kSyncSize);
  block_.clear();
  block_count_ = 0;
}

Result<void> ContainerWriter::close() {
  if (!out_ || !out_->is_open()) return {};
  write_block();
  out_->close();
  if (!compress_error_.empty()) return std::unexpected(Error{compress_error_, path_.string(), {}});
  if (out_->fail()) return std::unexpected(Error{"write failed", path_.string(), {}});
  return {};
}

}  // namespace skystream::avro
