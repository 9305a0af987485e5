#include "avro/codec.h"

#include <fmt/format.h>

#include "avro/codec_nested.h"
#include "avro/reader.h"

namespace skystream::avro {
namespace {

// Decoding state: the input with its read position, and the field path of an error.
//
// The reader decodes into an existing Value and reuses what it already holds: a record's
// field values, the items of an array up to its previous length, the chosen branch of a union
// and the capacity of strings. The field path is collected only when decoding fails, as the
// calls return, so a decode into a Value of the same shape allocates nothing.
//
// `depth` is the nesting of the value being read (see kMaxValueDepth): records, arrays and maps
// add a level for their fields and items, unions none. zero_byte_values_ counts the values that
// take no bytes of the input (see kMaxZeroByteValues): the items of blocks that take no bytes,
// counted after each block, and the fields of records that take no bytes, counted after each
// record. A block count past the limit fails before anything is reserved for it.
class Reader {
 public:
  Reader(std::string_view bytes, std::uint64_t zero_byte_values)
      : cursor_(bytes), zero_byte_values_(zero_byte_values) {}

  std::size_t position() const { return cursor_.offset(); }
  std::uint64_t zero_byte_values() const { return zero_byte_values_; }

  // Reads one value of `node` into `value`. Returns false with the fault in the cursor and the
  // path to it in path_ when the input is malformed.
  bool read(const Node& node, Value& value, int depth) {
    // No [[unlikely]] here: with it, GCC 12 lays the decoder out so that it runs 15% more
    // instructions.
    if (depth > kMaxValueDepth) return cursor_.fail(Fault::kNestedTooDeep, cursor_.position);
    reset(node, value);
    return read_into(node, value, depth);
  }

  Error error() const { return Error{describe(cursor_), path_.text(), cursor_.fault_offset}; }

 private:
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

  bool read_into(const Node& node, Value& value, int depth) {
    std::string_view raw;
    switch (node.type) {
      case Type::kNull:
        return true;
      case Type::kBoolean:
        return read_boolean(cursor_, value.boolean);
      case Type::kInt:
        return read_int(cursor_, value.integer);
      case Type::kLong:
        return read_long(cursor_, value.integer);
      case Type::kFloat:
        return read_float(cursor_, value.float32);
      case Type::kDouble:
        return read_double(cursor_, value.float64);
      case Type::kBytes:
      case Type::kString:
        // One case for both: two cases of their own made GCC 12 lay the decoder out so that it
        // runs 15% more instructions.
        if (!read_string(cursor_, raw)) return false;
        if (node.type == Type::kString && !check_utf8(cursor_, raw)) return false;
        value.bytes.assign(raw.data(), raw.size());
        return true;
      case Type::kFixed:
        if (!read_bytes(cursor_, static_cast<std::uint64_t>(node.fixed_size), raw)) return false;
        value.bytes.assign(raw.data(), raw.size());
        return true;
      case Type::kEnum: {
        std::int64_t symbol = 0;
        if (!read_symbol(cursor_, node.symbols.size(), symbol)) return false;
        value.index = static_cast<std::int32_t>(symbol);
        return true;
      }
      case Type::kUnion:
        return read_union(node, value, depth);
      case Type::kRecord:
        return read_record(node, value, depth);
      case Type::kArray:
      case Type::kMap:
        return read_blocks(node, value, depth);
    }
    return cursor_.fail(Fault::kOther, cursor_.position);
  }

  bool read_union(const Node& node, Value& value, int depth) {
    std::int64_t branch = 0;
    if (!read_branch(cursor_, node.branches.size(), branch)) return false;
    value.index = static_cast<std::int32_t>(branch);
    value.children.resize(1);
    return read(*node.branches[static_cast<std::size_t>(branch)], value.children.front(), depth);
  }

  bool read_record(const Node& node, Value& value, int depth) {
    const char* start = cursor_.position;
    value.children.resize(node.fields.size());
    for (std::size_t i = 0; i < node.fields.size(); ++i) {
      const Field& field = node.fields[i];
      if (!read(*field.type, value.children[i], depth + 1)) {
        path_.add_field(field.name);
        return false;
      }
    }
    if (cursor_.position == start) [[unlikely]] {
      return add_zero_byte_values(cursor_, zero_byte_values_, node.fields.size(), start, 0);
    }
    return true;
  }

  // Arrays and maps: blocks of items until a block of count 0. A negative count is followed
  // by the block's byte size, which the decoder checks against the input and then ignores.
  bool read_blocks(const Node& node, Value& value, int depth) {
    const Node& element = node.type == Type::kArray ? *node.items : *node.values;
    std::size_t items = 0;
    while (true) {
      std::int64_t count = 0;
      std::int64_t size = 0;
      const char* start = nullptr;
      if (!read_block_header(cursor_, count, size, start)) return false;
      if (count == 0) break;
      if (block_count_needs_check(cursor_, count, zero_byte_values_)) [[unlikely]] {
        const std::uint64_t key = node.type == Type::kMap ? 1 : 0;
        if (!check_block_count(cursor_, count, key + min_encoded_size(element), &zero_byte_values_,
                               start)) {
          return false;
        }
      }
      value.children.reserve(items + static_cast<std::size_t>(count));
      const char* first_item = cursor_.position;
      for (std::int64_t i = 0; i < count; ++i, ++items) {
        if (!read_element(node, element, value, items, depth)) {
          path_.add_index(items);
          return false;
        }
      }
      // Items that take no bytes each make a block that takes none.
      if (cursor_.position == first_item) [[unlikely]] {
        if (!add_zero_byte_values(cursor_, zero_byte_values_, static_cast<std::uint64_t>(count),
                                  start, count)) {
          return false;
        }
      }
    }
    value.children.resize(items);
    if (node.type == Type::kMap) value.keys.resize(items);
    return true;
  }

  // Reads item `item` of an array or map, reusing the Value (and map key) already at that
  // position when there is one.
  bool read_element(const Node& node, const Node& element, Value& value, std::size_t item,
                    int depth) {
    if (node.type == Type::kMap) {
      std::string_view key;
      if (!read_key(cursor_, key) || !check_utf8(cursor_, key)) return false;
      if (item == value.keys.size()) value.keys.emplace_back();
      value.keys[item].assign(key.data(), key.size());
    }
    if (item == value.children.size()) value.children.emplace_back();
    return read(element, value.children[item], depth + 1);
  }

  Cursor cursor_;
  ErrorPath path_;
  std::uint64_t zero_byte_values_ = 0;
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
  std::uint64_t zero_byte_values = 0;
  return codec_detail::decode_nested(node, bytes, out, consumed, 0, zero_byte_values);
}

Result<void> codec_detail::decode_nested(const Node& node, std::string_view bytes, Value& out,
                                         std::size_t* consumed, int depth,
                                         std::uint64_t& zero_byte_values) {
  Reader reader(bytes, zero_byte_values);
  if (!reader.read(node, out, depth)) return std::unexpected(reader.error());
  zero_byte_values = reader.zero_byte_values();
  if (consumed) *consumed = reader.position();
  return {};
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
  Cursor cursor(bytes);
  if (*pos > bytes.size()) {
    return std::unexpected(Error{"varint runs past the end of the input", "", *pos});
  }
  cursor.position += *pos;
  std::int64_t value = 0;
  if (!read_long(cursor, value)) {
    return std::unexpected(Error{describe(cursor), "", cursor.fault_offset});
  }
  *pos = cursor.offset();
  return value;
}

}  // namespace skystream::avro
