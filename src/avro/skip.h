// Passing over encoded Avro values without decoding them, for the projection decoder.
//
// Skipping follows the binary encoding that codec.h describes, but it reads only what it needs
// to find the end of a value. Varints are passed by their continuation bits, and strings and
// bytes by their length. An array or map block written with a negative count is passed by its
// byte size, without looking at its items. Skipped values are checked for structure only (lengths,
// block counts and union branch indices, all against the end of the input). Values that only a full
// decode checks, such as a boolean byte of 2, an int out of range or an enum symbol out of
// range, are accepted.
//
// Layout of what skipping reads, per type:
//   null, fixed n, float, double, boolean   0, n, 4, 8, 1 bytes
//   int, long, enum                         one varint of 1 to 10 bytes
//   string, bytes                           varint length n >= 0, then n bytes
//   union                                   varint branch index, then that branch
//   array, map                              blocks of varint count c; c > 0: c items (a map
//                                           item is a string key and a value); c < 0: varint
//                                           byte size s, then s bytes; c = 0 ends the value
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <unordered_map>
#include <vector>

#include "avro/schema.h"

namespace skystream::avro::skip {

// Nesting deeper than this is rejected, as the full decoder does, so that hostile bytes
// against a recursive schema cannot exhaust the stack.
inline constexpr int kMaxDepth = 128;

// Why reading failed; Fault::kNone while it has not.
enum class Fault : std::uint8_t {
  kNone,
  kTruncated,           // detail: the bytes that a fixed-size value needs
  kVarintPastEnd,       // a varint whose last byte is missing
  kVarintTooLong,       // a varint of more than 10 bytes
  kNegativeLength,      // detail: the length
  kLengthPastEnd,       // detail: the length
  kBranchOutOfRange,    // detail: the branch index
  kInvalidBlockCount,   // the count -2^63, which has no positive counterpart
  kBlockCountTooLarge,  // detail: the count
  kNegativeBlockSize,   // detail: the size
  kBlockSizePastEnd,    // detail: the size
  kBooleanNotZeroOrOne,
  kIntOutOfRange,     // detail: the value
  kSymbolOutOfRange,  // detail: the symbol index
  kNestedTooDeep,
};

// A read position in one encoded message, and the first fault met. `begin` to `end` is the
// message; `position` is the next byte to read. Reading stops at the first fault, which keeps
// the offset of the item that is wrong.
struct Cursor {
  const char* begin = nullptr;
  const char* position = nullptr;
  const char* end = nullptr;
  Fault fault = Fault::kNone;
  std::int64_t detail = 0;
  std::size_t fault_offset = 0;

  std::size_t left() const { return static_cast<std::size_t>(end - position); }

  // Records `fault` at the byte `at` and returns false.
  bool fail(Fault kind, const char* at, std::int64_t value = 0) {
    fault = kind;
    detail = value;
    fault_offset = static_cast<std::size_t>(at - begin);
    return false;
  }
};

// Describes `cursor`'s fault in words, such as "union branch 5 out of range".
std::string describe(const Cursor& cursor);

// Reads a zig-zag varint long. The inline part reads one-byte varints, the most common
// kind in alerts.
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

// Reads a string or bytes length and checks it against the bytes left.
bool read_length(Cursor& cursor, std::int64_t& out);

// Kinds of skip instruction.
enum class Op : std::uint8_t {
  kFixed,    // `size` bytes
  kVarints,  // `size` varints
  kBytes,    // one string or bytes value
  kUnion,    // a branch index, then branch instruction `first + index` of `count` branches
  kArray,    // blocks of items, each item skipped by instruction `item`
  kMap,      // blocks of string keys and items, each item skipped by instruction `item`
  kProgram,  // the instructions of program `item`
};

// One skip instruction. Instructions refer to others by index into the Skipper's list of
// nested instructions (union branches, array and map items) or of programs.
struct Instruction {
  Op op = Op::kFixed;
  std::uint64_t size = 0;   // kFixed: bytes; kVarints: count; kArray, kMap: minimum item size
  std::uint32_t item = 0;   // kArray, kMap: nested item instruction; kProgram: program index
  std::uint32_t first = 0;  // kUnion: first nested branch instruction
  std::uint32_t count = 0;  // kUnion: number of branches
};

// Skip instructions for the types of one schema, compiled once per type and shared by every
// read plan built from this object. Holds pointers into the schema, so it is valid only while
// the schema lives. Skipping is const and may run from several threads at once.
class Skipper {
 public:
  // Returns one instruction that skips a value of `node`, compiling the instructions of the
  // types it contains on first use. Records are flattened into runs of fixed-size fields and
  // varints; a record that contains itself is reached through a kProgram instruction.
  Instruction compile(const Node& node);

  // Returns the minimum size in bytes of a value of `node`. It is 0 only for values that always
  // take 0 bytes (null, fixed of size 0, records of such fields) and for a record that contains
  // itself without a union or array in between, which no input can encode.
  std::uint64_t min_size(const Node& node);

  // Moves `cursor` past one value that `instruction` describes. Returns false with the fault
  // set in `cursor` when the input is malformed; `depth` counts the nesting so far.
  bool skip(const Instruction& instruction, Cursor& cursor, int depth) const;

 private:
  using Program = std::vector<Instruction>;

  void append(const Node& node, Program& program);
  static void append_merged(const Instruction& instruction, Program& program);
  bool skip_blocks(const Instruction& instruction, Cursor& cursor, int depth) const;
  bool skip_items(const Instruction& instruction, std::int64_t count, const char* start,
                  Cursor& cursor, int depth) const;

  std::vector<Program> programs_;
  std::vector<Instruction> nested_;
  std::unordered_map<const Node*, std::uint32_t> program_of_;
  std::unordered_map<const Node*, std::uint64_t> min_size_of_;
  std::vector<const Node*> records_in_progress_;
};

}  // namespace skystream::avro::skip
