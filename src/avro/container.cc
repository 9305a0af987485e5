#include "avro/container.h"

#include <fmt/format.h>
#include <snappy-c.h>
#include <zlib.h>
#include <zstd.h>

#include <algorithm>
#include <cstring>
#include <sstream>

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

// Raw DEFLATE (RFC 1951), as the Avro deflate codec specifies: no zlib header, no checksum.
Result<std::string> inflate_raw(std::string_view compressed) {
  z_stream stream{};
  if (inflateInit2(&stream, -15) != Z_OK) return std::unexpected(Error{"inflateInit2 failed"});
  std::string out;
  out.resize(compressed.size() * 4 + 1024);
  stream.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(compressed.data()));
  stream.avail_in = static_cast<uInt>(compressed.size());
  int status = Z_OK;
  while (status == Z_OK) {
    if (stream.total_out == out.size()) out.resize(out.size() * 2);
    stream.next_out = reinterpret_cast<Bytef*>(out.data() + stream.total_out);
    stream.avail_out = static_cast<uInt>(out.size() - stream.total_out);
    status = inflate(&stream, Z_NO_FLUSH);
    if (status == Z_BUF_ERROR && stream.avail_in == 0) break;
    if (status == Z_BUF_ERROR) status = Z_OK;
  }
  const std::size_t produced = stream.total_out;
  inflateEnd(&stream);
  if (status != Z_STREAM_END) return std::unexpected(Error{"corrupt deflate block"});
  out.resize(produced);
  return out;
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
  return static_cast<std::uint32_t>(
      crc32(0, reinterpret_cast<const Bytef*>(data.data()), static_cast<uInt>(data.size())));
}

// Snappy block: raw snappy data, then the big-endian CRC32 of the uncompressed bytes. The
// compressed data is validated before its declared length is allocated.
Result<std::string> snappy_uncompress_block(std::string_view block) {
  if (block.size() < kCrcSize) {
    return std::unexpected(Error{
        fmt::format("snappy block of {} bytes is too short for its 4-byte CRC32", block.size())});
  }
  const std::string_view compressed = block.substr(0, block.size() - kCrcSize);
  std::size_t length = 0;
  if (snappy_validate_compressed_buffer(compressed.data(), compressed.size()) != SNAPPY_OK ||
      snappy_uncompressed_length(compressed.data(), compressed.size(), &length) != SNAPPY_OK) {
    return std::unexpected(Error{"corrupt snappy block"});
  }
  std::string out(length, '\0');
  if (snappy_uncompress(compressed.data(), compressed.size(), out.data(), &length) != SNAPPY_OK) {
    return std::unexpected(Error{"corrupt snappy block"});
  }
  out.resize(length);

  const auto* crc_bytes = reinterpret_cast<const unsigned char*>(block.data() + compressed.size());
  const std::uint32_t stored = std::uint32_t{crc_bytes[0]} << 24 |
                               std::uint32_t{crc_bytes[1]} << 16 |
                               std::uint32_t{crc_bytes[2]} << 8 | std::uint32_t{crc_bytes[3]};
  const std::uint32_t computed = crc32_of(out);
  if (stored != computed) {
    return std::unexpected(Error{
        fmt::format("snappy block CRC32 mismatch: stored {:08x}, uncompressed data has {:08x}",
                    stored, computed)});
  }
  return out;
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
// back to back both read. Stops once all input is consumed and the last frame is complete.
Result<std::string> zstd_decompress(std::string_view compressed) {
  std::unique_ptr<ZSTD_DCtx, decltype(&ZSTD_freeDCtx)> context(ZSTD_createDCtx(), ZSTD_freeDCtx);
  if (!context) return std::unexpected(Error{"ZSTD_createDCtx failed"});
  std::string out(std::max(compressed.size() * 4, ZSTD_DStreamOutSize()), '\0');
  ZSTD_inBuffer input{compressed.data(), compressed.size(), 0};
  ZSTD_outBuffer output{out.data(), out.size(), 0};
  std::size_t status = 0;
  while (input.pos < input.size || status != 0) {
    if (output.pos == output.size) {
      out.resize(out.size() * 2);
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
  return out;
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

// NOTE: the uncompressed size of a deflate or zstandard block has no limit, so a crafted block
// can make the reader allocate far more memory than the file's size.
Result<std::string> uncompress(Codec codec, std::string_view data) {
  switch (codec) {
    case Codec::kDeflate:
      return inflate_raw(data);
    case Codec::kSnappy:
      return snappy_uncompress_block(data);
    case Codec::kZstandard:
      return zstd_decompress(data);
    case Codec::kNull:
      break;
  }
  return std::string(data);
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
  std::string_view sync;
  std::size_t end = 0;  // offset of the first block
};

// Header: magic, then the metadata map<bytes>, then the sync marker. Errors carry an offset
// but no file name.
Result<Header> parse_header(std::string_view file) {
  auto fail = [](std::string message, std::size_t offset) {
    return std::unexpected(Error{std::move(message), "", offset});
  };
  if (file.substr(0, kMagic.size()) != kMagic) return fail("not an Avro container file", 0);
  Header header;
  std::size_t pos = kMagic.size();
  while (true) {
    auto count = decode_long(file, &pos);
    if (!count) return fail("truncated metadata", pos);
    if (*count == 0) break;
    if (*count < 0) {
      // -2^63 has no positive counterpart, so negating it would overflow.
      if (*count == INT64_MIN) return fail("invalid metadata block count", pos);
      *count = -*count;
      if (!decode_long(file, &pos)) return fail("truncated metadata", pos);
    }
    for (std::int64_t i = 0; i < *count; ++i) {
      std::string_view entry[2];
      for (auto& part : entry) {
        auto length = decode_long(file, &pos);
        if (!length || *length < 0 || static_cast<std::uint64_t>(*length) > file.size() - pos) {
          return fail("corrupt metadata entry", pos);
        }
        part = file.substr(pos, static_cast<std::size_t>(*length));
        pos += static_cast<std::size_t>(*length);
      }
      if (entry[0] == "avro.schema") header.schema_json = std::string(entry[1]);
      if (entry[0] == "avro.codec") header.codec_name = std::string(entry[1]);
    }
  }
  if (file.size() - pos < kSyncSize) return fail("truncated header", pos);
  header.sync = file.substr(pos, kSyncSize);
  header.end = pos + kSyncSize;
  return header;
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

Result<ContainerReader> ContainerReader::open(const std::filesystem::path& path,
                                              ReadOptions options) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return std::unexpected(Error{"cannot open file", path.string(), {}});
  std::stringstream bytes;
  bytes << in.rdbuf();
  return from_bytes(std::move(bytes).str(), path.string(), options);
}

Result<ContainerReader> ContainerReader::from_bytes(std::string bytes, std::string_view name,
                                                    ReadOptions options) {
  ContainerReader reader;
  reader.name_ = std::string(name);
  reader.file_bytes_ = std::make_unique<std::string>(std::move(bytes));
  const std::string_view file = *reader.file_bytes_;

  auto header = parse_header(file);
  if (!header) {
    header.error().where = reader.name_;
    return std::unexpected(std::move(header.error()));
  }
  auto codec = parse_codec(header->codec_name);
  if (!codec) return std::unexpected(Error{codec.error().message, reader.name_, 0});
  reader.codec_ = *codec;
  reader.schema_json_ = std::move(header->schema_json);
  if (reader.schema_json_.empty()) {
    return std::unexpected(Error{"no avro.schema in the header", reader.name_, 0});
  }
  auto schema = Schema::parse(reader.schema_json_, reader.name_ + " (avro.schema)");
  if (!schema) return std::unexpected(schema.error());
  reader.schema_ = *schema;

  std::size_t pos = header->end;
  while (pos < file.size()) {
    auto status = reader.read_block(header->sync, &pos);
    if (status) continue;
    if (!options.skip_corrupt_blocks) return std::unexpected(std::move(status.error()));
    reader.skip_block(header->sync, std::move(status.error()), &pos);
  }
  return reader;
}

Result<void> ContainerReader::read_block(std::string_view sync, std::size_t* pos) {
  const std::string_view file = *file_bytes_;
  const std::size_t block_offset = *pos;
  auto fail = [&](std::string message) {
    return std::unexpected(Error{std::move(message), name_, block_offset});
  };

  // Block header: object count and byte size, then the data and the sync marker.
  std::size_t cursor = block_offset;
  auto count = decode_long(file, &cursor);
  auto size = count ? decode_long(file, &cursor) : count;
  if (!count || !size || *count < 0 || *size < 0 ||
      static_cast<std::uint64_t>(*size) + kSyncSize > file.size() - cursor) {
    return fail("corrupt or truncated block header");
  }
  std::string_view data = file.substr(cursor, static_cast<std::size_t>(*size));
  cursor += data.size();
  if (file.substr(cursor, kSyncSize) != sync) return fail("sync marker mismatch");
  cursor += kSyncSize;

  // Uncompressed blocks are kept in inflated_blocks_, whose elements never move, so the object
  // views stay valid; a block that fails to split is dropped again.
  if (codec_ != Codec::kNull) {
    auto uncompressed = uncompress(codec_, data);
    if (!uncompressed) return fail(std::move(uncompressed.error().message));
    data = inflated_blocks_.emplace_back(std::move(*uncompressed));
  }
  if (auto status = split_objects(data, *count, block_offset); !status) {
    if (codec_ != Codec::kNull) inflated_blocks_.pop_back();
    return status;
  }
  *pos = cursor;
  return {};
}

// Finds each object's length by decoding it; appends the objects only when all of them decode
// and together fill the block exactly.
Result<void> ContainerReader::split_objects(std::string_view data, std::int64_t count,
                                            std::size_t block_offset) {
  auto fail = [&](std::string message) {
    return std::unexpected(Error{std::move(message), name_, block_offset});
  };
  if (count > kMaxEmptyObjects && static_cast<std::uint64_t>(count) > data.size()) {
    return fail(fmt::format("block declares {} objects in {} bytes", count, data.size()));
  }

  std::vector<std::string_view> objects;
  std::size_t offset = 0;
  for (std::int64_t i = 0; i < count; ++i) {
    std::size_t used = 0;
    auto value = decode(schema_->root(), data.substr(offset), &used);
    if (!value) {
      const Error& cause = value.error();
      const std::size_t record = objects_.size() + objects.size();
      const std::string field = cause.where.empty() ? "" : " at " + cause.where;
      return fail(fmt::format("record {}{}: {} (byte {} of the record)", record, field,
                              cause.message, cause.offset));
    }
    objects.push_back(data.substr(offset, used));
    offset += used;
  }
  if (offset != data.size()) {
    return fail(fmt::format("block holds {} bytes past its last object", data.size() - offset));
  }
  objects_.insert(objects_.end(), objects.begin(), objects.end());
  return {};
}

// Records the block at `*pos` as skipped and moves `*pos` past the next sync marker in the
// file, or to its end. The search starts at the block's first byte, because the marker of the
// previous block ends there and a corrupt header may hide where this block ends.
void ContainerReader::skip_block(std::string_view sync, Error error, std::size_t* pos) {
  const std::string_view file = *file_bytes_;
  SkippedBlock skipped;
  skipped.offset = *pos;
  std::size_t cursor = *pos;
  if (auto count = decode_long(file, &cursor); count && *count >= 0) {
    skipped.object_count = *count;
  }
  const std::size_t marker = file.find(sync, *pos);
  *pos = marker == std::string_view::npos ? file.size() : marker + kSyncSize;
  skipped.size = *pos - skipped.offset;
  skipped.error = std::move(error);
  skipped_.push_back(std::move(skipped));
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
