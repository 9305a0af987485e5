#include "avro/codec.h"

#include <fmt/format.h>

#include <bit>
#include <cstring>

namespace skystream::avro {
namespace {

// Nesting deeper than this is rejected, so that hostile bytes against a recursive schema
// cannot exhaust the stack. The Rubin alert schemas nest four levels deep.
constexpr int kMaxDepth = 128;

static_assert(std::endian::native == std::endian::little,
              "floats and doubles are copied as little-endian bytes");

// Decoding state: the input, the read position, and the field path for error messages.
class Reader {
 public:
  explicit Reader(std::string_view bytes) : bytes_(bytes) {}

  std::size_t position() const { return position_; }

  Result<Value> read(const Node& node, int depth) {
    if (depth > kMaxDepth) return fail("values nested too deep");
    Value value;
    value.node = &node;
    if (auto status = read_into(node, value, depth); !status)
      return std::unexpected(status.error());
    return value;
  }

 private:
  // Fails with the position rewound to `start`, the first byte of the item that is wrong.
  std::unexpected<Error> fail_at(std::size_t start, std::string message) {
    position_ = start;
    return fail(std::move(message));
  }

  std::unexpected<Error> fail(std::string message) const {
    std::string where;
    for (std::string_view part : path_) {
      if (!where.empty() && part.front() != '[') where += '.';
      where += part;
    }
    return std::unexpected(Error{std::move(message), std::move(where), position_});
  }

  Result<std::int64_t> read_long() {
    const std::size_t start = position_;
    auto value = decode_long(bytes_, &position_);
    if (!value) {
      position_ = start;
      return fail(value.error().message);
    }
    return value;
  }

  Result<std::int64_t> read_length(std::string_view what) {
    const std::size_t start = position_;
    auto length = read_long();
    if (!length) return length;
    if (*length < 0) return fail_at(start, fmt::format("negative {} {}", what, *length));
    if (static_cast<std::uint64_t>(*length) > bytes_.size() - position_) {
      return fail_at(start, fmt::format("{} {} runs past the end of the input ({} bytes left)",
                                        what, *length, bytes_.size() - position_));
    }
    return length;
  }

  Result<std::string_view> read_bytes(std::size_t count) {
    if (count > bytes_.size() - position_) {
      return fail(fmt::format("needs {} bytes, {} left", count, bytes_.size() - position_));
    }
    std::string_view out = bytes_.substr(position_, count);
    position_ += count;
    return out;
  }

  Result<void> read_into(const Node& node, Value& value, int depth) {
    switch (node.type) {
      case Type::kNull:
        return {};
      case Type::kBoolean: {
        auto byte = read_bytes(1);
        if (!byte) return std::unexpected(byte.error());
        if ((*byte)[0] != 0 && (*byte)[0] != 1) {
          return fail_at(position_ - 1, "boolean byte is neither 0 nor 1");
        }
        value.boolean = (*byte)[0] == 1;
        return {};
      }
      case Type::kInt:
      case Type::kLong: {
        const std::size_t start = position_;
        auto n = read_long();
        if (!n) return std::unexpected(n.error());
        if (node.type == Type::kInt && (*n < INT32_MIN || *n > INT32_MAX)) {
          return fail_at(start, fmt::format("int value {} out of range", *n));
        }
        value.integer = *n;
        return {};
      }
      case Type::kFloat: {
        auto raw = read_bytes(4);
        if (!raw) return std::unexpected(raw.error());
        std::memcpy(&value.float32, raw->data(), 4);
        return {};
      }
      case Type::kDouble: {
        auto raw = read_bytes(8);
        if (!raw) return std::unexpected(raw.error());
        std::memcpy(&value.float64, raw->data(), 8);
        return {};
      }
      case Type::kBytes:
      case Type::kString: {
        auto length = read_length("length");
        if (!length) return std::unexpected(length.error());
        auto raw = read_bytes(static_cast<std::size_t>(*length));
        value.bytes.assign(raw->data(), raw->size());
        return {};
      }
      case Type::kFixed: {
        auto raw = read_bytes(static_cast<std::size_t>(node.fixed_size));
        if (!raw) return std::unexpected(raw.error());
        value.bytes.assign(raw->data(), raw->size());
        return {};
      }
      case Type::kEnum: {
        const std::size_t start = position_;
        auto symbol = read_long();
        if (!symbol) return std::unexpected(symbol.error());
        if (*symbol < 0 || static_cast<std::size_t>(*symbol) >= node.symbols.size()) {
          return fail_at(start, fmt::format("enum symbol {} out of range (enum has {} symbols)",
                                            *symbol, node.symbols.size()));
        }
        value.index = static_cast<std::int32_t>(*symbol);
        return {};
      }
      case Type::kUnion:
        return read_union(node, value, depth);
      case Type::kRecord:
        return read_record(node, value, depth);
      case Type::kArray:
      case Type::kMap:
        return read_blocks(node, value, depth);
    }
    return fail("unknown type");
  }

  Result<void> read_union(const Node& node, Value& value, int depth) {
    const std::size_t start = position_;
    auto branch = read_long();
    if (!branch) return std::unexpected(branch.error());
    if (*branch < 0 || static_cast<std::size_t>(*branch) >= node.branches.size()) {
      return fail_at(start, fmt::format("union branch {} out of range (union has {} branches)",
                                        *branch, node.branches.size()));
    }
    value.index = static_cast<std::int32_t>(*branch);
    auto chosen = read(*node.branches[static_cast<std::size_t>(*branch)], depth + 1);
    if (!chosen) return std::unexpected(chosen.error());
    value.children.push_back(std::move(*chosen));
    return {};
  }

  Result<void> read_record(const Node& node, Value& value, int depth) {
    value.children.reserve(node.fields.size());
    for (const Field& field : node.fields) {
      path_.push_back(field.name);
      auto child = read(*field.type, depth + 1);
      if (!child) return std::unexpected(child.error());
      path_.pop_back();
      value.children.push_back(std::move(*child));
    }
    return {};
  }

  // Arrays and maps: blocks of items until a block of count 0. A negative count is followed
  // by the block's byte size, which the decoder checks against the input and then ignores.
  Result<void> read_blocks(const Node& node, Value& value, int depth) {
    const Node& element = node.type == Type::kArray ? *node.items : *node.values;
    while (true) {
      const std::size_t start = position_;
      auto count = read_long();
      if (!count) return std::unexpected(count.error());
      if (*count == 0) return {};
      if (*count < 0) {
        if (*count == INT64_MIN) return fail_at(start, "invalid block count");
        *count = -*count;
        auto size = read_length("block size");
        if (!size) return std::unexpected(size.error());
      }
      // Each item takes at least one byte unless it is null, so a count larger than the bytes
      // left is corrupt; checking before reserving keeps a hostile count from allocating.
      const std::size_t left = bytes_.size() - position_;
      if (element.type != Type::kNull && static_cast<std::uint64_t>(*count) > left) {
        return fail_at(start,
                       fmt::format("block count {} exceeds the {} bytes left", *count, left));
      }
      if (element.type == Type::kNull && *count > (std::int64_t{1} << 24)) {
        return fail_at(start, fmt::format("block count {} of nulls is implausible", *count));
      }
      value.children.reserve(value.children.size() + static_cast<std::size_t>(*count));
      for (std::int64_t i = 0; i < *count; ++i) {
        if (auto status = read_element(node, element, value, depth); !status) return status;
      }
    }
  }

  Result<void> read_element(const Node& node, const Node& element, Value& value, int depth) {
    std::string& index_label = path_.emplace_back();
    index_label = fmt::format("[{}]", value.children.size());
    if (node.type == Type::kMap) {
      auto length = read_length("map key length");
      if (!length) return std::unexpected(length.error());
      auto key = read_bytes(static_cast<std::size_t>(*length));
      value.keys.emplace_back(*key);
    }
    auto item = read(element, depth + 1);
    if (!item) return std::unexpected(item.error());
    path_.pop_back();
    value.children.push_back(std::move(*item));
    return {};
  }

  std::string_view bytes_;
  std::size_t position_ = 0;
  std::vector<std::string> path_;
};

void encode_value(const Value& value, std::string& out) {
  const Node& node = *value.node;
  switch (node.type) {
    case Type::kNull:
      return;
    case Type::kBoolean:
      out.push_back(value.boolean ? 1 : 0);
      return;
    case Type::kInt:
    case Type::kLong:
      encode_long(value.integer, out);
      return;
    case Type::kFloat:
      out.append(reinterpret_cast<const char*>(&value.float32), 4);
      return;
    case Type::kDouble:
      out.append(reinterpret_cast<const char*>(&value.float64), 8);
      return;
    case Type::kBytes:
    case Type::kString:
      encode_long(static_cast<std::int64_t>(value.bytes.size()), out);
      out.append(value.bytes);
      return;
    case Type::kFixed:
      out.append(value.bytes);
      return;
    case Type::kEnum:
      encode_long(value.index, out);
      return;
    case Type::kUnion:
      encode_long(value.index, out);
      encode_value(value.children.front(), out);
      return;
    case Type::kRecord:
      for (const Value& child : value.children) encode_value(child, out);
      return;
    case Type::kArray:
    case Type::kMap:
      if (!value.children.empty()) {
        encode_long(static_cast<std::int64_t>(value.children.size()), out);
        for (std::size_t i = 0; i < value.children.size(); ++i) {
          if (node.type == Type::kMap) {
            encode_long(static_cast<std::int64_t>(value.keys[i].size()), out);
            out.append(value.keys[i]);
          }
          encode_value(value.children[i], out);
        }
      }
      out.push_back(0);
      return;
  }
}

}  // namespace

Result<Value> decode(const Node& node, std::string_view bytes, std::size_t* consumed) {
  Reader reader(bytes);
  auto value = reader.read(node, 0);
  if (value && consumed) *consumed = reader.position();
  return value;
}

Result<Value> decode_exact(const Node& node, std::string_view bytes) {
  std::size_t consumed = 0;
  auto value = decode(node, bytes, &consumed);
  if (value && consumed != bytes.size()) {
    return std::unexpected(
        Error{fmt::format("{} bytes left over after the value", bytes.size() - consumed),
              node.full_name, consumed});
  }
  return value;
}

void encode(const Value& value, std::string& out) { encode_value(value, out); }

void encode_long(std::int64_t n, std::string& out) {
  std::uint64_t zigzag = (static_cast<std::uint64_t>(n) << 1) ^ static_cast<std::uint64_t>(n >> 63);
  while (zigzag >= 0x80) {
    out.push_back(static_cast<char>((zigzag & 0x7f) | 0x80));
    zigzag >>= 7;
  }
  out.push_back(static_cast<char>(zigzag));
}

Result<std::int64_t> decode_long(std::string_view bytes, std::size_t* pos) {
  std::uint64_t zigzag = 0;
  std::size_t i = *pos;
  for (int shift = 0; shift < 70; shift += 7) {
    if (i >= bytes.size()) {
      return std::unexpected(Error{"varint runs past the end of the input", "", *pos});
    }
    const auto byte = static_cast<std::uint8_t>(bytes[i++]);
    zigzag |= static_cast<std::uint64_t>(byte & 0x7f) << shift;
    if ((byte & 0x80) == 0) {
      *pos = i;
      return static_cast<std::int64_t>((zigzag >> 1) ^ (~(zigzag & 1) + 1));
    }
  }
  return std::unexpected(Error{"varint longer than 10 bytes", "", *pos});
}

}  // namespace skystream::avro
