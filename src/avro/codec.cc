#include "avro/codec.h"

#include <fmt/format.h>

#include <array>
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
//
// The reader decodes into an existing Value and reuses what it already holds: a record's
// field values, the items of an array up to its previous length, the chosen branch of a union
// and the capacity of strings. The path is a fixed array of steps that is turned into text
// only when decoding fails, so a decode into a Value of the same shape allocates nothing.
class Reader {
 public:
  explicit Reader(std::string_view bytes) : bytes_(bytes) {}

  std::size_t position() const { return position_; }

  Result<void> read(const Node& node, Value& value, int depth) {
    if (depth > kMaxDepth) return fail("values nested too deep");
    reset(node, value);
    return read_into(node, value, depth);
  }

 private:
  // One step of the field path: a record field's name, or an array or map item's index when
  // `name` is null.
  struct Step {
    const std::string* name = nullptr;
    std::size_t index = 0;
  };

  // Points `value` at `node` and clears what a freshly decoded value of that type would not
  // hold, keeping the capacity of the parts that the type uses.
  static void reset(const Node& node, Value& value) {
    value.node = &node;
    value.boolean = false;
    value.integer = 0;
    value.float32 = 0;
    value.float64 = 0;
    value.index = 0;
    const bool has_children = node.type == Type::kRecord || node.type == Type::kArray ||
                              node.type == Type::kMap || node.type == Type::kUnion;
    const bool has_bytes =
        node.type == Type::kBytes || node.type == Type::kString || node.type == Type::kFixed;
    if (!has_bytes) value.bytes.clear();
    if (!has_children) value.children.clear();
    if (node.type != Type::kMap) value.keys.clear();
  }

  // Fails with the position rewound to `start`, the first byte of the item that is wrong.
  std::unexpected<Error> fail_at(std::size_t start, std::string message) {
    position_ = start;
    return fail(std::move(message));
  }

  std::unexpected<Error> fail(std::string message) const {
    std::string where;
    for (std::size_t i = 0; i < path_size_; ++i) {
      const Step& step = path_[i];
      if (step.name == nullptr) {
        where += fmt::format("[{}]", step.index);
        continue;
      }
      if (!where.empty()) where += '.';
      where += *step.name;
    }
    return std::unexpected(Error{std::move(message), std::move(where), position_});
  }

  // The path has at most one step per nesting level, and read() rejects nesting deeper
  // than kMaxDepth before a step is pushed for it.
  void push_step(const std::string* name, std::size_t index) {
    path_[path_size_++] = Step{name, index};
  }
  void pop_step() { --path_size_; }

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
      case Type::kBoolean:
        return read_boolean(value);
      case Type::kInt:
      case Type::kLong:
        return read_integer(node, value);
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
      case Type::kEnum:
        return read_enum(node, value);
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

  Result<void> read_boolean(Value& value) {
    auto byte = read_bytes(1);
    if (!byte) return std::unexpected(byte.error());
    if ((*byte)[0] != 0 && (*byte)[0] != 1) {
      return fail_at(position_ - 1, "boolean byte is neither 0 nor 1");
    }
    value.boolean = (*byte)[0] == 1;
    return {};
  }

  Result<void> read_integer(const Node& node, Value& value) {
    const std::size_t start = position_;
    auto n = read_long();
    if (!n) return std::unexpected(n.error());
    if (node.type == Type::kInt && (*n < INT32_MIN || *n > INT32_MAX)) {
      return fail_at(start, fmt::format("int value {} out of range", *n));
    }
    value.integer = *n;
    return {};
  }

  Result<void> read_enum(const Node& node, Value& value) {
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

  Result<void> read_union(const Node& node, Value& value, int depth) {
    const std::size_t start = position_;
    auto branch = read_long();
    if (!branch) return std::unexpected(branch.error());
    if (*branch < 0 || static_cast<std::size_t>(*branch) >= node.branches.size()) {
      return fail_at(start, fmt::format("union branch {} out of range (union has {} branches)",
                                        *branch, node.branches.size()));
    }
    value.index = static_cast<std::int32_t>(*branch);
    value.children.resize(1);
    return read(*node.branches[static_cast<std::size_t>(*branch)], value.children.front(),
                depth + 1);
  }

  Result<void> read_record(const Node& node, Value& value, int depth) {
    value.children.resize(node.fields.size());
    for (std::size_t i = 0; i < node.fields.size(); ++i) {
      const Field& field = node.fields[i];
      push_step(&field.name, 0);
      if (auto status = read(*field.type, value.children[i], depth + 1); !status) return status;
      pop_step();
    }
    return {};
  }

  // Arrays and maps: blocks of items until a block of count 0. A negative count is followed
  // by the block's byte size, which the decoder checks against the input and then ignores.
  Result<void> read_blocks(const Node& node, Value& value, int depth) {
    const Node& element = node.type == Type::kArray ? *node.items : *node.values;
    std::size_t items = 0;
    while (true) {
      const std::size_t start = position_;
      auto count = read_long();
      if (!count) return std::unexpected(count.error());
      if (*count == 0) break;
      if (*count < 0) {
        if (*count == INT64_MIN) return fail_at(start, "invalid block count");
        *count = -*count;
        auto size = read_length("block size");
        if (!size) return std::unexpected(size.error());
      }
      // Each item takes at least one byte unless it is null, so a count larger than the bytes
      // left is corrupt. Checking it before reserving keeps a hostile count from allocating.
      const std::size_t left = bytes_.size() - position_;
      if (element.type != Type::kNull && static_cast<std::uint64_t>(*count) > left) {
        return fail_at(start,
                       fmt::format("block count {} exceeds the {} bytes left", *count, left));
      }
      if (element.type == Type::kNull && *count > (std::int64_t{1} << 24)) {
        return fail_at(start, fmt::format("block count {} of nulls is implausible", *count));
      }
      value.children.reserve(items + static_cast<std::size_t>(*count));
      for (std::int64_t i = 0; i < *count; ++i, ++items) {
        if (auto status = read_element(node, element, value, items, depth); !status) {
          return status;
        }
      }
    }
    value.children.resize(items);
    if (node.type == Type::kMap) value.keys.resize(items);
    return {};
  }

  // Reads item `item` of an array or map, reusing the Value (and map key) already at that
  // position when there is one.
  Result<void> read_element(const Node& node, const Node& element, Value& value, std::size_t item,
                            int depth) {
    push_step(nullptr, item);
    if (node.type == Type::kMap) {
      auto length = read_length("map key length");
      if (!length) return std::unexpected(length.error());
      auto key = read_bytes(static_cast<std::size_t>(*length));
      if (item == value.keys.size()) value.keys.emplace_back();
      value.keys[item].assign(key->data(), key->size());
    }
    if (item == value.children.size()) value.children.emplace_back();
    if (auto status = read(element, value.children[item], depth + 1); !status) return status;
    pop_step();
    return {};
  }

  std::string_view bytes_;
  std::size_t position_ = 0;
  std::array<Step, kMaxDepth + 2> path_{};
  std::size_t path_size_ = 0;
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
  Value value;
  if (auto status = decode_into(node, bytes, value, consumed); !status) {
    return std::unexpected(std::move(status.error()));
  }
  return value;
}

Result<Value> decode_exact(const Node& node, std::string_view bytes) {
  Value value;
  if (auto status = decode_exact_into(node, bytes, value); !status) {
    return std::unexpected(std::move(status.error()));
  }
  return value;
}

Result<void> decode_into(const Node& node, std::string_view bytes, Value& out,
                         std::size_t* consumed) {
  Reader reader(bytes);
  auto status = reader.read(node, out, 0);
  if (status && consumed) *consumed = reader.position();
  return status;
}

Result<void> decode_exact_into(const Node& node, std::string_view bytes, Value& out) {
  std::size_t consumed = 0;
  auto status = decode_into(node, bytes, out, &consumed);
  if (status && consumed != bytes.size()) {
    return std::unexpected(
        Error{fmt::format("{} bytes left over after the value", bytes.size() - consumed),
              node.full_name, consumed});
  }
  return status;
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
