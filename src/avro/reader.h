// Reading the primitive parts of the Avro binary encoding (codec.h gives the byte layout): a
// cursor over one encoded message, and the reads that every decoder shares.
//
// Each read checks its bytes against the end of the input, advances the cursor and returns true,
// or records a Fault with the byte offset of the item that is wrong and returns false. Nothing
// is allocated and nothing is formatted until an error is described, so the reads cost the same
// in the hot loops of the full decoder, the projection decoder and the skipper.
#pragma once

#include <algorithm>
#include <bit>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <limits>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "avro/schema.h"
#include "avro/utf8.h"

namespace skystream::avro {

static_assert(std::endian::native == std::endian::little,
              "floats and doubles are copied as little-endian bytes");

// Why reading failed, Fault::kNone while it has not. `detail`, `limit` and `item_size` are Cursor
// members.
enum class Fault : std::uint8_t {
  kNone,
  kTruncated,              // detail: the bytes needed; limit: the bytes left
  kVarintPastEnd,          // a varint whose last byte is missing
  kVarintTooLong,          // a varint of more than 10 bytes
  kNegativeLength,         // detail: the string or bytes length
  kLengthPastEnd,          // detail: the length; limit: the bytes left after it
  kNegativeKeyLength,      // detail: the map key length
  kKeyLengthPastEnd,       // detail: the map key length; limit: the bytes left after it
  kNegativeBlockSize,      // detail: the block size
  kBlockSizePastEnd,       // detail: the block size; limit: the bytes left after it
  kInvalidBlockCount,      // the count -2^63, which has no positive counterpart
  kBlockCountPastEnd,      // detail: the count; limit: the bytes left; item_size: the
                           // fewest bytes an item takes
  kTooManyZeroByteValues,  // detail: the block count that would pass the limit, or 0
  kBranchOutOfRange,       // detail: the branch index; limit: the number of branches
  kBooleanNotZeroOrOne,
  kIntOutOfRange,     // detail: the value
  kSymbolOutOfRange,  // detail: the symbol index; limit: the number of symbols
  kInvalidUtf8,       // at the first byte of the ill-formed sequence
  kNestedTooDeep,
  kOther,  // a fault that the caller describes itself
};

// The deepest nesting of values that the decoders accept: a value may lie inside at most this
// many records, arrays and maps. A union adds no level, since its value is the one branch value.
// The root value is at depth 0, the fields of a root record at depth 1, and the fields of the
// n-th node of a linked list such as {"name": "L", "fields": [{"name": "next", "type": ["null",
// "L"]}]} at depth n, so every decoder reads a list of up to 1,000 nodes and rejects a longer
// one with "values nested too deep". The limit keeps hostile bytes against a recursive schema
// from exhausting the stack: the binary decoders take at most about 520 bytes of stack per level
// (1.2 KB under AddressSanitizer), so 1,000 levels stay well within a thread's 8 MB (docs/avro.md
// gives the measurements).
inline constexpr int kMaxValueDepth = 1000;

// The most values that take no bytes of the input that one decode may hold: the items of arrays
// whose items take no bytes (null, fixed of size 0, records of only such fields) and the fields
// of records that take no bytes. Their number is not bounded by the size of the input, since a
// block count of a few bytes can declare 2^62 of them, so decode(), decode_into() and
// resolve_decode() fail past this many, which take about 110 MB (sizeof(Value) each). Values
// that take no bytes in a union or as a map value are not counted: their branch index or key
// takes a byte. The skipper and the projection hold no values; they pass over such items at once.
inline constexpr std::uint64_t kMaxZeroByteValues = 1'000'000;

// A read position in one encoded message, and the first fault met. `begin` to `end` is the
// message and `position` the next byte to read. The cursor does not own the bytes. After a
// fault, `fault_offset` is the offset from `begin` of the first byte of the item that is wrong.
struct Cursor {
  const char* begin = nullptr;
  const char* position = nullptr;
  const char* end = nullptr;
  Fault fault = Fault::kNone;
  std::int64_t detail = 0;
  std::uint64_t limit = 0;
  std::uint64_t item_size = 0;
  std::size_t fault_offset = 0;

  Cursor() = default;
  explicit Cursor(std::string_view bytes)
      : begin(bytes.data()), position(bytes.data()), end(bytes.data() + bytes.size()) {}

  std::size_t left() const { return static_cast<std::size_t>(end - position); }
  std::size_t offset() const { return static_cast<std::size_t>(position - begin); }

  // Records `kind` at the byte `at` and returns false.
  bool fail(Fault kind, const char* at, std::int64_t value = 0, std::uint64_t bound = 0) {
    fault = kind;
    detail = value;
    limit = bound;
    item_size = 0;
    fault_offset = static_cast<std::size_t>(at - begin);
    return false;
  }
};

// Record the faults of the reads below. Kept out of line, so that the reads stay small enough
// to inline into the decoders' loops.
[[gnu::cold]] bool fail_truncated(Cursor& cursor, std::uint64_t count);
[[gnu::cold]] bool fail_size(Cursor& cursor, const char* start, std::int64_t size, Fault negative,
                             Fault past_end);
[[gnu::cold]] bool fail_index(Cursor& cursor, const char* start, std::int64_t index, Fault kind,
                              std::size_t count);

// Describes `cursor`'s fault in words, such as "union branch 5 out of range (union has 2
// branches)". Returns "no error" for Fault::kNone and a generic text for Fault::kOther.
std::string describe(const Cursor& cursor);

// Reads a zig-zag varint long; fails on a varint that runs past the input or is longer than 10
// bytes. The inline part reads one-byte varints, the most common kind in alerts.
bool read_long_slow(Cursor& cursor, std::int64_t& out);
inline bool read_long(Cursor& cursor, std::int64_t& out) {
  if (cursor.position < cursor.end) {
    const auto byte = static_cast<std::uint8_t>(*cursor.position);
    if (byte < 0x80) {
      ++cursor.position;
      out = static_cast<std::int64_t>(byte >> 1) ^ -static_cast<std::int64_t>(byte & 1);
      return true;
    }
  }
  return read_long_slow(cursor, out);
}

// Reads an int: a long that must fit in 32 bits.
inline bool read_int(Cursor& cursor, std::int64_t& out) {
  const char* start = cursor.position;
  if (!read_long(cursor, out)) return false;
  if (out < std::numeric_limits<std::int32_t>::min() ||
      out > std::numeric_limits<std::int32_t>::max()) {
    return cursor.fail(Fault::kIntOutOfRange, start, out);
  }
  return true;
}

// Moves past one varint without decoding it.
inline bool skip_varint(Cursor& cursor) {
  const char* start = cursor.position;
  for (int i = 0; i < 10; ++i) {
    if (cursor.position == cursor.end) return cursor.fail(Fault::kVarintPastEnd, start);
    if ((static_cast<std::uint8_t>(*cursor.position++) & 0x80) == 0) return true;
  }
  return cursor.fail(Fault::kVarintTooLong, start);
}

// Reads a size that must be at least 0 and fit in the bytes left, failing with `negative` or
// `past_end` at the size's first byte.
inline bool read_size(Cursor& cursor, std::int64_t& out, Fault negative, Fault past_end) {
  const char* start = cursor.position;
  if (!read_long(cursor, out)) return false;
  if (static_cast<std::uint64_t>(out) > cursor.left()) [[unlikely]] {
    return fail_size(cursor, start, out, negative, past_end);
  }
  return true;
}

// Reads the length of a string or bytes value.
inline bool read_length(Cursor& cursor, std::int64_t& out) {
  return read_size(cursor, out, Fault::kNegativeLength, Fault::kLengthPastEnd);
}

// Reads `count` raw bytes as a view into the message.
inline bool read_bytes(Cursor& cursor, std::uint64_t count, std::string_view& out) {
  if (count > cursor.left()) [[unlikely]] {
    return fail_truncated(cursor, count);
  }
  out = std::string_view(cursor.position, static_cast<std::size_t>(count));
  cursor.position += count;
  return true;
}

// Reads a string or bytes value (its length, then the bytes) as a view into the message.
inline bool read_string(Cursor& cursor, std::string_view& out) {
  std::int64_t length = 0;
  if (!read_length(cursor, length)) return false;
  out = std::string_view(cursor.position, static_cast<std::size_t>(length));
  cursor.position += length;
  return true;
}

// Reads a map key: a string whose length faults are told apart from a value's.
inline bool read_key(Cursor& cursor, std::string_view& out) {
  std::int64_t length = 0;
  if (!read_size(cursor, length, Fault::kNegativeKeyLength, Fault::kKeyLengthPastEnd)) {
    return false;
  }
  out = std::string_view(cursor.position, static_cast<std::size_t>(length));
  cursor.position += length;
  return true;
}

inline bool read_boolean(Cursor& cursor, bool& out) {
  std::string_view byte;
  if (!read_bytes(cursor, 1, byte)) return false;
  if (byte[0] != 0 && byte[0] != 1) {
    return cursor.fail(Fault::kBooleanNotZeroOrOne, cursor.position - 1);
  }
  out = byte[0] == 1;
  return true;
}

inline bool read_float(Cursor& cursor, float& out) {
  std::string_view raw;
  if (!read_bytes(cursor, 4, raw)) return false;
  std::memcpy(&out, raw.data(), 4);
  return true;
}

inline bool read_double(Cursor& cursor, double& out) {
  std::string_view raw;
  if (!read_bytes(cursor, 8, raw)) return false;
  std::memcpy(&out, raw.data(), 8);
  return true;
}

// Reads a union branch index and checks it against the `branches` of the union.
inline bool read_branch(Cursor& cursor, std::size_t branches, std::int64_t& out) {
  const char* start = cursor.position;
  if (!read_long(cursor, out)) return false;
  if (static_cast<std::uint64_t>(out) >= branches) [[unlikely]] {
    return fail_index(cursor, start, out, Fault::kBranchOutOfRange, branches);
  }
  return true;
}

// Reads an enum symbol index and checks it against the `symbols` of the enum.
inline bool read_symbol(Cursor& cursor, std::size_t symbols, std::int64_t& out) {
  const char* start = cursor.position;
  if (!read_long(cursor, out)) return false;
  if (static_cast<std::uint64_t>(out) >= symbols) [[unlikely]] {
    return fail_index(cursor, start, out, Fault::kSymbolOutOfRange, symbols);
  }
  return true;
}

// Reads the header of an array or map block: the item count, and after a negative count the
// block's byte size, which must fit in the bytes left. Stores the count (made positive, 0 at the
// end of the value) in `count` and the byte size in `size`, or -1 when the block has none.
// `start` receives the position of the count, for errors about it.
inline bool read_block_header(Cursor& cursor, std::int64_t& count, std::int64_t& size,
                              const char*& start) {
  start = cursor.position;
  size = -1;
  if (!read_long(cursor, count)) return false;
  if (count >= 0) return true;
  if (count == std::numeric_limits<std::int64_t>::min()) {
    return cursor.fail(Fault::kInvalidBlockCount, start);
  }
  count = -count;
  return read_size(cursor, size, Fault::kNegativeBlockSize, Fault::kBlockSizePastEnd);
}

// Returns the fewest bytes that a value of `node` takes: 0 for null, fixed of size 0 and records
// of only such fields, the fixed size, 4 for float, 8 for double, and 1 for every other type (a
// boolean, a varint, a length, a branch index or a block count). A record is the sum of its
// fields. A record met again while its size is summed, or nested deeper than kMaxValueDepth in
// other records, counts 0, a lower bound, as no input encodes it. `records` keeps the sizes of
// the records summed, so that each is summed once.
std::uint64_t min_encoded_size(const Node& node,
                               std::unordered_map<const Node*, std::uint64_t>& records);
// The same with a memory of its own, for the decoders' rare checks of block counts.
[[gnu::cold]] std::uint64_t min_encoded_size(const Node& node);

// Checks the item count of an array or map block whose count starts at `start`, before anything
// is reserved for the items, so that a hostile count allocates nothing. Items take at least
// `min_item_size` bytes each (min_encoded_size(), plus 1 for a map key), so a count that the bytes
// left cannot hold is corrupt. Items of 0 bytes are not bounded by the bytes left: when
// `zero_byte_values` is not null, it counts the values that take no bytes that the decode
// holds, and a count that would take it past kMaxZeroByteValues fails; when it is null (the
// skipper, which holds no values), any count of them passes.
[[gnu::cold]] bool check_block_count(Cursor& cursor, std::int64_t count,
                                     std::uint64_t min_item_size,
                                     const std::uint64_t* zero_byte_values, const char* start);

// The test that the materialising decoders make on every block: a count that fits in the bytes
// left, and that could not take `zero_byte_values` past kMaxZeroByteValues, needs no further
// check. Only the others pay for check_block_count() and the minimum size of the items.
inline bool block_count_needs_check(const Cursor& cursor, std::int64_t count,
                                    std::uint64_t zero_byte_values) {
  const auto n = static_cast<std::uint64_t>(count);
  return n > cursor.left() || n > kMaxZeroByteValues - zero_byte_values;
}

// Adds `count` values that take no bytes to `zero_byte_values`, failing at `at` when the sum
// passes kMaxZeroByteValues. `block_count` is the count of the block that holds them, for the
// error, or 0.
inline bool add_zero_byte_values(Cursor& cursor, std::uint64_t& zero_byte_values,
                                 std::uint64_t count, const char* at, std::int64_t block_count) {
  zero_byte_values += count;
  if (zero_byte_values <= kMaxZeroByteValues) [[likely]] {
    return true;
  }
  return cursor.fail(Fault::kTooManyZeroByteValues, at, block_count);
}

// Checks that `text`, a string value read from the cursor's input, is well-formed UTF-8, and
// fails at its first ill-formed byte otherwise. Out of line: inlined into the decoders'
// recursive functions, its loops slowed the decoding of alerts by 8%, and alerts hold few
// strings.
[[gnu::noinline]] bool check_utf8(Cursor& cursor, std::string_view text);

// Reads a string value (its length, then UTF-8 text) as a view into the message.
inline bool read_text(Cursor& cursor, std::string_view& out) {
  return read_string(cursor, out) && check_utf8(cursor, out);
}

// Field path of a decode error, collected innermost step first as the failing calls return, so
// that the successful path does no work for it. Steps are record field names and array or map
// item indices, and text() writes them root first, as "prvDiaSources[3].psfFlux".
class ErrorPath {
 public:
  void add_field(std::string_view name) { steps_.push_back({std::string(name), 0, false}); }
  void add_index(std::size_t index) { steps_.push_back({{}, index, true}); }

  // Adds a path of several steps, such as "diaSource.psfFlux" or "history[2]", as one step.
  void add_text(std::string_view path) {
    if (!path.empty()) steps_.push_back({std::string(path), 0, false});
  }

  std::string text() const;

 private:
  struct Step {
    std::string name;
    std::size_t index;
    bool is_index;
  };
  std::vector<Step> steps_;
};

}  // namespace skystream::avro
