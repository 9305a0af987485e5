#include "avro/skip.h"

#include <fmt/format.h>

#include <algorithm>
#include <limits>

namespace skystream::avro::skip {
namespace {

constexpr std::uint64_t kMaxSize = std::numeric_limits<std::uint64_t>::max();

std::uint64_t saturating_add(std::uint64_t a, std::uint64_t b) {
  return a > kMaxSize - b ? kMaxSize : a + b;
}

// Moves past one varint without decoding it.
bool skip_varint(Cursor& cursor) {
  const char* start = cursor.position;
  for (int i = 0; i < 10; ++i) {
    if (cursor.position == cursor.end) return cursor.fail(Fault::kVarintPastEnd, start);
    if ((static_cast<std::uint8_t>(*cursor.position++) & 0x80) == 0) return true;
  }
  return cursor.fail(Fault::kVarintTooLong, start);
}

}  // namespace

std::string describe(const Cursor& cursor) {
  const std::size_t left =
      static_cast<std::size_t>(cursor.end - cursor.begin) - cursor.fault_offset;
  switch (cursor.fault) {
    case Fault::kNone:
      return "no error";
    case Fault::kTruncated:
      return fmt::format("needs {} bytes, {} left", cursor.detail, left);
    case Fault::kVarintPastEnd:
      return "varint runs past the end of the input";
    case Fault::kVarintTooLong:
      return "varint longer than 10 bytes";
    case Fault::kNegativeLength:
      return fmt::format("negative length {}", cursor.detail);
    case Fault::kLengthPastEnd:
      return fmt::format("length {} runs past the end of the input", cursor.detail);
    case Fault::kBranchOutOfRange:
      return fmt::format("union branch {} out of range", cursor.detail);
    case Fault::kInvalidBlockCount:
      return "invalid block count";
    case Fault::kBlockCountTooLarge:
      return fmt::format("block count {} exceeds what the {} bytes left can hold", cursor.detail,
                         left);
    case Fault::kNegativeBlockSize:
      return fmt::format("negative block size {}", cursor.detail);
    case Fault::kBlockSizePastEnd:
      return fmt::format("block size {} runs past the end of the input", cursor.detail);
    case Fault::kBooleanNotZeroOrOne:
      return "boolean byte is neither 0 nor 1";
    case Fault::kIntOutOfRange:
      return fmt::format("int value {} out of range", cursor.detail);
    case Fault::kSymbolOutOfRange:
      return fmt::format("enum symbol {} out of range", cursor.detail);
    case Fault::kNestedTooDeep:
      return "values nested too deep";
  }
  return "unknown fault";
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

bool read_length(Cursor& cursor, std::int64_t& out) {
  const char* start = cursor.position;
  if (!read_long(cursor, out)) return false;
  if (out < 0) return cursor.fail(Fault::kNegativeLength, start, out);
  if (static_cast<std::uint64_t>(out) > cursor.left()) {
    return cursor.fail(Fault::kLengthPastEnd, start, out);
  }
  return true;
}

Instruction Skipper::compile(const Node& node) {
  switch (node.type) {
    case Type::kNull:
      return {Op::kFixed, 0};
    case Type::kBoolean:
      return {Op::kFixed, 1};
    case Type::kInt:
    case Type::kLong:
    case Type::kEnum:
      return {Op::kVarints, 1};
    case Type::kFloat:
      return {Op::kFixed, 4};
    case Type::kDouble:
      return {Op::kFixed, 8};
    case Type::kFixed:
      return {Op::kFixed, static_cast<std::uint64_t>(std::max<std::int64_t>(node.fixed_size, 0))};
    case Type::kBytes:
    case Type::kString:
      return {Op::kBytes};
    case Type::kUnion: {
      // Branches are compiled first, because compiling one may add nested instructions, and a
      // union's branches must be contiguous.
      std::vector<Instruction> branches;
      for (const Node* branch : node.branches) branches.push_back(compile(*branch));
      const auto first = static_cast<std::uint32_t>(nested_.size());
      nested_.insert(nested_.end(), branches.begin(), branches.end());
      return {Op::kUnion, 0, 0, first, static_cast<std::uint32_t>(branches.size())};
    }
    case Type::kArray:
    case Type::kMap: {
      const bool is_map = node.type == Type::kMap;
      const Node& item = is_map ? *node.values : *node.items;
      const Instruction item_instruction = compile(item);
      nested_.push_back(item_instruction);
      const std::uint64_t size = saturating_add(min_size(item), is_map ? 1 : 0);
      return {is_map ? Op::kMap : Op::kArray, size, static_cast<std::uint32_t>(nested_.size() - 1)};
    }
    case Type::kRecord:
      break;
  }

  // A record gets one program, registered before its fields are compiled so that a field of
  // the record's own type refers to it.
  if (auto it = program_of_.find(&node); it != program_of_.end()) {
    return {Op::kProgram, 0, it->second};
  }
  const auto index = static_cast<std::uint32_t>(programs_.size());
  programs_.emplace_back();
  program_of_.emplace(&node, index);
  Program program;
  records_in_progress_.push_back(&node);
  for (const Field& field : node.fields) append(*field.type, program);
  records_in_progress_.pop_back();
  programs_[index] = std::move(program);
  return {Op::kProgram, 0, index};
}

// Appends the instructions for `node` to `program`, flattening a record's fields into it
// unless the record is already being compiled further up (a record that contains itself).
void Skipper::append(const Node& node, Program& program) {
  const bool recursive = std::find(records_in_progress_.begin(), records_in_progress_.end(),
                                   &node) != records_in_progress_.end();
  if (node.type != Type::kRecord || recursive || program_of_.count(&node)) {
    append_merged(compile(node), program);
    return;
  }
  records_in_progress_.push_back(&node);
  for (const Field& field : node.fields) append(*field.type, program);
  records_in_progress_.pop_back();
}

void Skipper::append_merged(const Instruction& instruction, Program& program) {
  if (instruction.op == Op::kFixed && instruction.size == 0) return;
  if (!program.empty()) {
    Instruction& last = program.back();
    if (last.op == instruction.op && (last.op == Op::kFixed || last.op == Op::kVarints)) {
      last.size = saturating_add(last.size, instruction.size);
      return;
    }
  }
  program.push_back(instruction);
}

std::uint64_t Skipper::min_size(const Node& node) {
  switch (node.type) {
    case Type::kNull:
      return 0;
    case Type::kFloat:
      return 4;
    case Type::kDouble:
      return 8;
    case Type::kFixed:
      return static_cast<std::uint64_t>(std::max<std::int64_t>(node.fixed_size, 0));
    case Type::kRecord:
      break;
    default:
      // One byte: a boolean, a varint, a length, a branch index or a block count.
      return 1;
  }
  if (auto it = min_size_of_.find(&node); it != min_size_of_.end()) return it->second;
  // A record met again while its size is being summed contributes 0, a lower bound.
  min_size_of_.emplace(&node, 0);
  std::uint64_t size = 0;
  for (const Field& field : node.fields) size = saturating_add(size, min_size(*field.type));
  min_size_of_[&node] = size;
  return size;
}

bool Skipper::skip(const Instruction& instruction, Cursor& cursor, int depth) const {
  if (depth > kMaxDepth) return cursor.fail(Fault::kNestedTooDeep, cursor.position);
  switch (instruction.op) {
    case Op::kFixed:
      if (instruction.size > cursor.left()) {
        return cursor.fail(Fault::kTruncated, cursor.position,
                           static_cast<std::int64_t>(std::min<std::uint64_t>(
                               instruction.size, std::numeric_limits<std::int64_t>::max())));
      }
      cursor.position += instruction.size;
      return true;
    case Op::kVarints:
      for (std::uint64_t i = 0; i < instruction.size; ++i) {
        if (!skip_varint(cursor)) return false;
      }
      return true;
    case Op::kBytes: {
      std::int64_t length = 0;
      if (!read_length(cursor, length)) return false;
      cursor.position += length;
      return true;
    }
    case Op::kUnion: {
      const char* start = cursor.position;
      std::int64_t branch = 0;
      if (!read_long(cursor, branch)) return false;
      if (branch < 0 || branch >= static_cast<std::int64_t>(instruction.count)) {
        return cursor.fail(Fault::kBranchOutOfRange, start, branch);
      }
      return skip(nested_[instruction.first + static_cast<std::uint32_t>(branch)], cursor,
                  depth + 1);
    }
    case Op::kArray:
    case Op::kMap:
      return skip_blocks(instruction, cursor, depth);
    case Op::kProgram:
      for (const Instruction& step : programs_[instruction.item]) {
        if (!skip(step, cursor, depth + 1)) return false;
      }
      return true;
  }
  return false;
}

// Blocks until a count of 0. A block with a negative count is passed by its byte size.
bool Skipper::skip_blocks(const Instruction& instruction, Cursor& cursor, int depth) const {
  while (true) {
    const char* start = cursor.position;
    std::int64_t count = 0;
    if (!read_long(cursor, count)) return false;
    if (count == 0) return true;
    if (count > 0) {
      if (!skip_items(instruction, count, start, cursor, depth)) return false;
      continue;
    }
    if (count == std::numeric_limits<std::int64_t>::min()) {
      return cursor.fail(Fault::kInvalidBlockCount, start);
    }
    const char* size_start = cursor.position;
    std::int64_t size = 0;
    if (!read_long(cursor, size)) return false;
    if (size < 0) return cursor.fail(Fault::kNegativeBlockSize, size_start, size);
    if (static_cast<std::uint64_t>(size) > cursor.left()) {
      return cursor.fail(Fault::kBlockSizePastEnd, size_start, size);
    }
    cursor.position += size;
  }
}

// `count` items of a block whose count starts at `start`. The count is checked against the bytes
// left before any item is read, so a hostile count fails at once instead of after a long loop.
bool Skipper::skip_items(const Instruction& instruction, std::int64_t count, const char* start,
                         Cursor& cursor, int depth) const {
  const std::uint64_t min_item_size = instruction.size;
  if (min_item_size == 0) return true;  // the items take no bytes
  if (static_cast<std::uint64_t>(count) > cursor.left() / min_item_size) {
    return cursor.fail(Fault::kBlockCountTooLarge, start, count);
  }

  const Instruction& item = nested_[instruction.item];
  if (instruction.op == Op::kArray && item.op == Op::kFixed) {
    cursor.position += static_cast<std::uint64_t>(count) * item.size;
    return true;
  }
  for (std::int64_t i = 0; i < count; ++i) {
    if (instruction.op == Op::kMap) {
      std::int64_t key_length = 0;
      if (!read_length(cursor, key_length)) return false;
      cursor.position += key_length;
    }
    if (!skip(item, cursor, depth + 1)) return false;
  }
  return true;
}

}  // namespace skystream::avro::skip
