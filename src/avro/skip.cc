#include "avro/skip.h"

#include <algorithm>
#include <limits>

namespace skystream::avro::skip {
namespace {

constexpr std::uint64_t kMaxSize = std::numeric_limits<std::uint64_t>::max();

std::uint64_t saturating_add(std::uint64_t a, std::uint64_t b) {
  return a > kMaxSize - b ? kMaxSize : a + b;
}

}  // namespace

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

std::uint64_t Skipper::min_size(const Node& node) { return min_encoded_size(node, min_size_of_); }

// A union's branch is skipped in the same call, by a loop in place of a tail call, because the
// branch index lives on the stack and so keeps the compiler from turning the call into a jump.
// The branch is at the union's depth.
bool Skipper::skip(const Instruction& first, Cursor& cursor, int depth) const {
  const Instruction* instruction = &first;
  while (true) {
    if (depth > kMaxValueDepth) return cursor.fail(Fault::kNestedTooDeep, cursor.position);
    std::string_view bytes;
    switch (instruction->op) {
      case Op::kFixed:
        return read_bytes(cursor, instruction->size, bytes);
      case Op::kVarints:
        for (std::uint64_t i = 0; i < instruction->size; ++i) {
          if (!skip_varint(cursor)) return false;
        }
        return true;
      case Op::kBytes:
        return read_string(cursor, bytes);
      case Op::kUnion: {
        std::int64_t branch = 0;
        if (!read_branch(cursor, instruction->count, branch)) return false;
        instruction = &nested_[instruction->first + static_cast<std::uint32_t>(branch)];
        continue;
      }
      case Op::kArray:
      case Op::kMap:
        return skip_blocks(*instruction, cursor, depth);
      case Op::kProgram:
        for (const Instruction& step : programs_[instruction->item]) {
          if (!skip(step, cursor, depth + 1)) return false;
        }
        return true;
    }
    return false;
  }
}

// Blocks until a count of 0. A block with a negative count is passed by its byte size.
bool Skipper::skip_blocks(const Instruction& instruction, Cursor& cursor, int depth) const {
  while (true) {
    std::int64_t count = 0;
    std::int64_t size = 0;
    const char* start = nullptr;
    if (!read_block_header(cursor, count, size, start)) return false;
    if (count == 0) return true;
    if (size >= 0) {
      cursor.position += size;
      continue;
    }
    if (!skip_items(instruction, count, start, cursor, depth)) return false;
  }
}

// `count` items of a block whose count starts at `start`. The count is checked against the bytes
// left before any item is read, so a hostile count fails at once instead of after a long loop.
// Items that take no bytes are passed over at once, whatever their count.
bool Skipper::skip_items(const Instruction& instruction, std::int64_t count, const char* start,
                         Cursor& cursor, int depth) const {
  const std::uint64_t min_item_size = instruction.size;
  if (min_item_size == 0) return true;  // the items take no bytes
  if (static_cast<std::uint64_t>(count) > cursor.left() / min_item_size) [[unlikely]] {
    return check_block_count(cursor, count, min_item_size, nullptr, start);
  }

  const Instruction& item = nested_[instruction.item];
  if (instruction.op == Op::kArray && item.op == Op::kFixed) {
    cursor.position += static_cast<std::uint64_t>(count) * item.size;
    return true;
  }
  for (std::int64_t i = 0; i < count; ++i) {
    if (instruction.op == Op::kMap) {
      std::string_view key;
      if (!read_key(cursor, key)) return false;
    }
    if (!skip(item, cursor, depth + 1)) return false;
  }
  return true;
}

Error Skipper::locate_fault(const Node& node, const Cursor& failed, const char* start,
                            std::string_view prefix) const {
  Cursor cursor;
  cursor.begin = failed.begin;
  cursor.position = start;
  cursor.end = failed.end;
  ErrorPath path;
  const bool walked = walk(node, cursor, path, 1);
  // The walk makes the checks of skip() in schema order, so it meets a fault in the same bytes.
  // When it does not, the fault that skip() met is reported without the path below `node`.
  const Cursor& at = walked ? failed : cursor;
  if (walked) path = ErrorPath();
  path.add_text(prefix);
  return Error{describe(at), path.text(), at.fault_offset};
}

// The minimum item size that compile() computed for array and map items.
std::uint64_t Skipper::known_min_size(const Node& node) const {
  if (node.type == Type::kRecord) {
    const auto it = min_size_of_.find(&node);
    return it != min_size_of_.end() ? it->second : 0;
  }
  std::unordered_map<const Node*, std::uint64_t> records;  // stays empty: `node` is no record
  return min_encoded_size(node, records);
}

// Skips one value of `node` as skip() would, adding the steps to the fault to `path` as the
// calls return. Depth is counted as in the decoders, where skip() does not count the records
// that it flattens into their parent's program.
bool Skipper::walk(const Node& node, Cursor& cursor, ErrorPath& path, int depth) const {
  if (depth > kMaxValueDepth) return cursor.fail(Fault::kNestedTooDeep, cursor.position);
  std::string_view bytes;
  switch (node.type) {
    case Type::kNull:
      return true;
    case Type::kBoolean:
      return read_bytes(cursor, 1, bytes);
    case Type::kInt:
    case Type::kLong:
    case Type::kEnum:
      return skip_varint(cursor);
    case Type::kFloat:
      return read_bytes(cursor, 4, bytes);
    case Type::kDouble:
      return read_bytes(cursor, 8, bytes);
    case Type::kFixed:
      return read_bytes(cursor, known_min_size(node), bytes);
    case Type::kBytes:
    case Type::kString:
      return read_string(cursor, bytes);
    case Type::kUnion: {
      std::int64_t branch = 0;
      if (!read_branch(cursor, node.branches.size(), branch)) return false;
      return walk(*node.branches[static_cast<std::size_t>(branch)], cursor, path, depth);
    }
    case Type::kRecord:
      for (const Field& field : node.fields) {
        if (!walk(*field.type, cursor, path, depth + 1)) {
          path.add_field(field.name);
          return false;
        }
      }
      return true;
    case Type::kArray:
    case Type::kMap:
      return walk_blocks(node, cursor, path, depth);
  }
  return cursor.fail(Fault::kOther, cursor.position);
}

bool Skipper::walk_blocks(const Node& node, Cursor& cursor, ErrorPath& path, int depth) const {
  const bool is_map = node.type == Type::kMap;
  const Node& item = is_map ? *node.values : *node.items;
  const std::uint64_t min_item_size = saturating_add(known_min_size(item), is_map ? 1 : 0);
  std::size_t index = 0;
  while (true) {
    std::int64_t count = 0;
    std::int64_t size = 0;
    const char* start = nullptr;
    if (!read_block_header(cursor, count, size, start)) return false;
    if (count == 0) return true;
    if (size >= 0) {
      cursor.position += size;
      index += static_cast<std::size_t>(count);
      continue;
    }
    if (min_item_size == 0) {
      index += static_cast<std::size_t>(count);
      continue;
    }
    if (!check_block_count(cursor, count, min_item_size, nullptr, start)) return false;
    for (std::int64_t i = 0; i < count; ++i, ++index) {
      std::string_view key;
      if ((is_map && !read_key(cursor, key)) || !walk(item, cursor, path, depth + 1)) {
        path.add_index(index);
        return false;
      }
    }
  }
}

}  // namespace skystream::avro::skip
