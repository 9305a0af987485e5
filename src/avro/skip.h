// Passing over encoded Avro values without decoding them, for the projection, partial and
// resolving decoders.
//
// Skipping follows the binary encoding that codec.h describes, but it reads only what it needs
// to find the end of a value. Varints are passed by their continuation bits, and strings and
// bytes by their length. An array or map block written with a negative count is passed by its
// byte size, without looking at its items. Skipped values are checked for structure only (lengths,
// block counts and union branch indices, all against the end of the input). Values that only a full
// decode checks, such as a boolean byte of 2, an int out of range, an enum symbol out of range
// or a string that is not UTF-8, are accepted. Array and map items that take no bytes (null,
// fixed of size 0, records of only such fields) are passed over at once, whatever their count.
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
#include <string_view>
#include <unordered_map>
#include <vector>

#include "avro/error.h"
#include "avro/reader.h"
#include "avro/schema.h"

namespace skystream::avro::skip {

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
  // set in `cursor` when the input is malformed; `depth` is the nesting of the value (see
  // kMaxValueDepth in reader.h). Records that compile() flattened into their parent's
  // instructions add no level, since skipping them takes no stack; every other record, array
  // and map adds one, unions none. The fault carries no field path, which locate_fault() finds.
  bool skip(const Instruction& instruction, Cursor& cursor, int depth) const;

  // Builds the error for a value of `node` that skip() failed on. `failed` is the cursor that
  // skip() left, and `start` the first byte of the value, where skip() began. The value is
  // walked again by the schema, which must be the one compiled, with the same checks as skip(),
  // so the error names the path below `node` down to the item at fault, such as "[3].psfFlux",
  // and the offset of that item. The error's `where` is `prefix` followed by that path. Runs
  // only after a failure, so skip() itself stays free of path bookkeeping.
  Error locate_fault(const Node& node, const Cursor& failed, const char* start,
                     std::string_view prefix) const;

 private:
  using Program = std::vector<Instruction>;

  void append(const Node& node, Program& program);
  static void append_merged(const Instruction& instruction, Program& program);
  bool skip_blocks(const Instruction& instruction, Cursor& cursor, int depth) const;
  bool skip_items(const Instruction& instruction, std::int64_t count, const char* start,
                  Cursor& cursor, int depth) const;
  std::uint64_t known_min_size(const Node& node) const;
  bool walk(const Node& node, Cursor& cursor, ErrorPath& path, int depth) const;
  bool walk_blocks(const Node& node, Cursor& cursor, ErrorPath& path, int depth) const;

  std::vector<Program> programs_;
  std::vector<Instruction> nested_;
  std::unordered_map<const Node*, std::uint32_t> program_of_;
  std::unordered_map<const Node*, std::uint64_t> min_size_of_;
  std::vector<const Node*> records_in_progress_;
};

}  // namespace skystream::avro::skip
