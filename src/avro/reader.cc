#include "avro/reader.h"

#include <fmt/format.h>

namespace skystream::avro {

bool fail_truncated(Cursor& cursor, std::uint64_t count) {
  const auto needed = std::min<std::uint64_t>(count, std::numeric_limits<std::int64_t>::max());
  return cursor.fail(Fault::kTruncated, cursor.position, static_cast<std::int64_t>(needed),
                     cursor.left());
}

// A negative size, cast to unsigned, is also larger than the bytes left, so the reads make one
// comparison on the successful path and tell the two faults apart here.
bool fail_size(Cursor& cursor, const char* start, std::int64_t size, Fault negative,
               Fault past_end) {
  if (size < 0) return cursor.fail(negative, start, size);
  return cursor.fail(past_end, start, size, cursor.left());
}

bool fail_index(Cursor& cursor, const char* start, std::int64_t index, Fault kind,
                std::size_t count) {
  return cursor.fail(kind, start, index, count);
}

std::string describe(const Cursor& cursor) {
  const std::int64_t n = cursor.detail;
  const std::uint64_t limit = cursor.limit;
  switch (cursor.fault) {
    case Fault::kNone:
      return "no error";
    case Fault::kTruncated:
      return fmt::format("needs {} bytes, {} left", n, limit);
    case Fault::kVarintPastEnd:
      return "varint runs past the end of the input";
    case Fault::kVarintTooLong:
      return "varint longer than 10 bytes";
    case Fault::kNegativeLength:
      return fmt::format("negative length {}", n);
    case Fault::kLengthPastEnd:
      return fmt::format("length {} runs past the end of the input ({} bytes left)", n, limit);
    case Fault::kNegativeKeyLength:
      return fmt::format("negative map key length {}", n);
    case Fault::kKeyLengthPastEnd:
      return fmt::format("map key length {} runs past the end of the input ({} bytes left)", n,
                         limit);
    case Fault::kNegativeBlockSize:
      return fmt::format("negative block size {}", n);
    case Fault::kBlockSizePastEnd:
      return fmt::format("block size {} runs past the end of the input ({} bytes left)", n, limit);
    case Fault::kInvalidBlockCount:
      return "invalid block count";
    case Fault::kBlockCountPastEnd:
      if (cursor.item_size > 1) {
        return fmt::format("block count {} of items of at least {} bytes exceeds the {} bytes left",
                           n, cursor.item_size, limit);
      }
      return fmt::format("block count {} exceeds the {} bytes left", n, limit);
    case Fault::kTooManyZeroByteValues:
      if (n > 0) {
        return fmt::format(
            "block count {} of items that take no bytes passes the limit of {} such values in "
            "one decode",
            n, kMaxZeroByteValues);
      }
      return fmt::format("more than {} values that take no bytes in one decode",
                         kMaxZeroByteValues);
    case Fault::kBranchOutOfRange:
      return fmt::format("union branch {} out of range (union has {} branches)", n, limit);
    case Fault::kBooleanNotZeroOrOne:
      return "boolean byte is neither 0 nor 1";
    case Fault::kIntOutOfRange:
      return fmt::format("int value {} out of range", n);
    case Fault::kSymbolOutOfRange:
      return fmt::format("enum symbol {} out of range (enum has {} symbols)", n, limit);
    case Fault::kInvalidUtf8:
      return "invalid UTF-8 in string";
    case Fault::kNestedTooDeep:
      return fmt::format("values nested too deep (more than {} levels of records, arrays and maps)",
                         kMaxValueDepth);
    case Fault::kOther:
      return "invalid value";
  }
  return "unknown fault";
}

bool check_utf8(Cursor& cursor, std::string_view text) {
  const std::size_t bad = utf8::find_invalid(text);
  if (bad == utf8::kValid) [[likely]] {
    return true;
  }
  return cursor.fail(Fault::kInvalidUtf8, text.data() + bad);
}

bool read_long_slow(Cursor& cursor, std::int64_t& out) {
  const char* start = cursor.position;
  std::uint64_t zigzag = 0;
  for (int shift = 0; shift < 70; shift += 7) {
    if (cursor.position == cursor.end) return cursor.fail(Fault::kVarintPastEnd, start);
    const auto byte = static_cast<std::uint8_t>(*cursor.position++);
    zigzag |= static_cast<std::uint64_t>(byte & 0x7f) << shift;
    if ((byte & 0x80) == 0) {
      out = static_cast<std::int64_t>((zigzag >> 1) ^ (~(zigzag & 1) + 1));
      return true;
    }
  }
  return cursor.fail(Fault::kVarintTooLong, start);
}

namespace {

std::uint64_t saturating_add(std::uint64_t a, std::uint64_t b) {
  constexpr std::uint64_t kMax = std::numeric_limits<std::uint64_t>::max();
  return a > kMax - b ? kMax : a + b;
}

// The minimum size of a type that is not a record.
std::uint64_t min_size_of_type(const Node& node) {
  switch (node.type) {
    case Type::kNull:
      return 0;
    case Type::kFloat:
      return 4;
    case Type::kDouble:
      return 8;
    case Type::kFixed:
      return static_cast<std::uint64_t>(std::max<std::int64_t>(node.fixed_size, 0));
    default:
      // One byte: a boolean, a varint, a length, a branch index or a block count.
      return 1;
  }
}

std::uint64_t min_size(const Node& node, std::unordered_map<const Node*, std::uint64_t>& records,
                       int depth) {
  if (node.type != Type::kRecord) return min_size_of_type(node);
  if (auto it = records.find(&node); it != records.end()) return it->second;
  if (depth > kMaxValueDepth) return 0;
  // While its fields are summed, the record counts 0 where it meets itself.
  records.emplace(&node, 0);
  std::uint64_t size = 0;
  for (const Field& field : node.fields) {
    size = saturating_add(size, min_size(*field.type, records, depth + 1));
  }
  records[&node] = size;
  return size;
}

}  // namespace

std::uint64_t min_encoded_size(const Node& node,
                               std::unordered_map<const Node*, std::uint64_t>& records) {
  return min_size(node, records, 0);
}

namespace {

// The size of min_encoded_size() for small types, found without allocating: records nested at
// most kPath deep, with at most kVisits types in all. `path` holds the records being summed.
// Returns false when the type is larger than that.
constexpr int kPath = 32;
constexpr int kVisits = 256;

bool small_min_size(const Node& node, const Node* (&path)[kPath], int depth, int& visits,
                    std::uint64_t& size) {
  if (++visits > kVisits) return false;
  if (node.type != Type::kRecord) {
    size = min_size_of_type(node);
    return true;
  }
  for (int i = 0; i < depth; ++i) {
    if (path[i] == &node) {
      size = 0;  // met again while its size is summed
      return true;
    }
  }
  if (depth == kPath) return false;
  path[depth] = &node;
  size = 0;
  for (const Field& field : node.fields) {
    std::uint64_t field_size = 0;
    if (!small_min_size(*field.type, path, depth + 1, visits, field_size)) return false;
    size = saturating_add(size, field_size);
  }
  return true;
}

}  // namespace

// Most item types are small, and are sized without allocating, so that decode_into() of an
// array of records that take no bytes allocates nothing. Others take the general path, whose
// memory of records keeps a type that refers to the same records many times linear to size.
std::uint64_t min_encoded_size(const Node& node) {
  const Node* path[kPath];
  int visits = 0;
  std::uint64_t size = 0;
  if (small_min_size(node, path, 0, visits, size)) return size;
  std::unordered_map<const Node*, std::uint64_t> records;
  return min_size(node, records, 0);
}

bool check_block_count(Cursor& cursor, std::int64_t count, std::uint64_t min_item_size,
                       const std::uint64_t* zero_byte_values, const char* start) {
  const auto n = static_cast<std::uint64_t>(count);
  if (min_item_size == 0) {
    if (zero_byte_values != nullptr && n > kMaxZeroByteValues - *zero_byte_values) {
      return cursor.fail(Fault::kTooManyZeroByteValues, start, count);
    }
    return true;
  }
  if (n > cursor.left() / min_item_size) {
    cursor.fail(Fault::kBlockCountPastEnd, start, count, cursor.left());
    cursor.item_size = min_item_size;
    return false;
  }
  return true;
}

std::string ErrorPath::text() const {
  std::string text;
  for (auto step = steps_.rbegin(); step != steps_.rend(); ++step) {
    if (step->is_index) {
      text += fmt::format("[{}]", step->index);
      continue;
    }
    if (!text.empty() && step->name.front() != '[') text += '.';
    text += step->name;
  }
  return text;
}

}  // namespace skystream::avro
