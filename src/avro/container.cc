#include "avro/container.h"

#include <fmt/format.h>
#include <zlib.h>

#include <cstring>
#include <sstream>

#include "avro/codec.h"

namespace skystream::avro {
namespace {

constexpr std::string_view kMagic{"Obj\x01", 4};
constexpr std::size_t kSyncSize = 16;

// Raw DEFLATE (RFC 1951), as the Avro deflate codec specifies: no zlib header, no checksum.
Result<std::string> inflate_raw(std::string_view compressed, std::size_t block_offset) {
  z_stream stream{};
  if (inflateInit2(&stream, -15) != Z_OK) {
    return std::unexpected(Error{"inflateInit2 failed", "", block_offset});
  }
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
  if (status != Z_STREAM_END) {
    return std::unexpected(Error{"corrupt deflate block", "", block_offset});
  }
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

// SplitMix64, to derive a deterministic sync marker from a seed.
std::uint64_t split_mix(std::uint64_t& state) {
  std::uint64_t z = (state += 0x9e3779b97f4a7c15ULL);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

}  // namespace

Result<ContainerReader> ContainerReader::open(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return std::unexpected(Error{"cannot open file", path.string(), {}});
  std::stringstream bytes;
  bytes << in.rdbuf();
  return from_bytes(std::move(bytes).str(), path.string());
}

Result<ContainerReader> ContainerReader::from_bytes(std::string bytes, std::string_view name) {
  ContainerReader reader;
  reader.name_ = std::string(name);
  reader.file_bytes_ = std::make_unique<std::string>(std::move(bytes));
  const std::string_view file = *reader.file_bytes_;
  auto fail = [&](std::string message, std::size_t offset) {
    return std::unexpected(Error{std::move(message), reader.name_, offset});
  };

  // Header: magic, then the metadata map<bytes>, then the sync marker.
  if (file.substr(0, kMagic.size()) != kMagic) return fail("not an Avro container file", 0);
  std::size_t pos = kMagic.size();
  std::string codec_name = "null";
  while (true) {
    auto count = decode_long(file, &pos);
    if (!count) return fail("truncated metadata", pos);
    if (*count == 0) break;
    if (*count < 0) {
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
      if (entry[0] == "avro.schema") reader.schema_json_ = std::string(entry[1]);
      if (entry[0] == "avro.codec") codec_name = std::string(entry[1]);
    }
  }
  if (file.size() - pos < kSyncSize) return fail("truncated header", pos);
  const std::string_view sync = file.substr(pos, kSyncSize);
  pos += kSyncSize;

  if (codec_name == "deflate") {
    reader.codec_ = Codec::kDeflate;
  } else if (codec_name != "null") {
    return fail(fmt::format("unsupported codec \"{}\"", codec_name), 0);
  }
  if (reader.schema_json_.empty()) return fail("no avro.schema in the header", 0);
  auto schema = Schema::parse(reader.schema_json_, reader.name_ + " (avro.schema)");
  if (!schema) return std::unexpected(schema.error());
  reader.schema_ = *schema;

  // Blocks: object count, byte size, the objects, the sync marker. Inflated blocks are kept in
  // a separate list so the object views stay valid.
  std::vector<std::pair<std::string_view, std::int64_t>> blocks;
  while (pos < file.size()) {
    const std::size_t block_offset = pos;
    auto count = decode_long(file, &pos);
    auto size = count ? decode_long(file, &pos) : count;
    if (!count || !size || *count < 0 || *size < 0 ||
        static_cast<std::uint64_t>(*size) + kSyncSize > file.size() - pos) {
      return fail("corrupt or truncated block header", block_offset);
    }
    std::string_view data = file.substr(pos, static_cast<std::size_t>(*size));
    pos += static_cast<std::size_t>(*size);
    if (file.substr(pos, kSyncSize) != sync) return fail("sync marker mismatch", block_offset);
    pos += kSyncSize;
    if (reader.codec_ == Codec::kDeflate) {
      auto inflated = inflate_raw(data, block_offset);
      if (!inflated) return fail(inflated.error().message, block_offset);
      reader.inflated_blocks_.push_back(std::move(*inflated));
    }
    blocks.emplace_back(data, *count);
  }

  // Each object's length is found by decoding it; inflated_blocks_ no longer grows here.
  std::size_t inflated_index = 0;
  for (auto [data, count] : blocks) {
    if (reader.codec_ == Codec::kDeflate) data = reader.inflated_blocks_[inflated_index++];
    std::size_t offset = 0;
    for (std::int64_t i = 0; i < count; ++i) {
      std::size_t used = 0;
      auto value = decode(reader.schema_->root(), data.substr(offset), &used);
      if (!value) {
        Error error = value.error();
        error.where =
            fmt::format("{}: object {}: {}", reader.name_, reader.objects_.size(), error.where);
        return std::unexpected(std::move(error));
      }
      reader.objects_.push_back(data.substr(offset, used));
      offset += used;
    }
    if (offset != data.size()) return fail("block holds bytes past its last object", 0);
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
        std::pair<std::string, std::string>{"avro.codec",
                                            codec == Codec::kDeflate ? "deflate" : "null"}}) {
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
  if (codec_ == Codec::kDeflate) {
    deflate_raw(block_, scratch_);
    data = scratch_;
  }
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
  if (out_->fail()) return std::unexpected(Error{"write failed", path_.string(), {}});
  return {};
}

}  // namespace skystream::avro
