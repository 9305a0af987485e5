#include "avro/projection.h"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <cstring>
#include <limits>
#include <utility>

#include "avro/skip.h"

namespace skystream::avro {
namespace projection_detail {

// Kinds of read plan instruction. A plan is a list of programs. Program 0 reads the root
// record, and kNullable and kArray run another program for a union's value or an array's
// items.
enum class Step : std::uint8_t {
  kSkip,      // pass over a field that no path reads, by `skip`
  kRead,      // read a value of type `type` into `slot`
  kPresent,   // mark `slot` as not null: a path that ends at a record, array or map
  kNullable,  // a union: on `value_branch` run `program`, on a null branch append a null item
              // to each slot of `slots`
  kArray,     // array blocks: mark the slots of `slots` as not null, then run `program` on
              // each item
};

struct Instruction {
  Step step = Step::kSkip;
  Type type = Type::kNull;  // kRead
  bool append = false;      // kRead, kPresent: the slot is a list of array items
  std::uint32_t slot = 0;
  std::uint32_t program = 0;
  std::int32_t value_branch = -1;  // kNullable: the union's non-null branch, or -1
  std::uint32_t branch_count = 0;  // kNullable
  std::uint32_t first = 0;         // kNullable, kArray: range of Plan::slot_lists
  std::uint32_t count = 0;
  std::uint64_t min_item_size = 0;  // kArray
  std::uint32_t where = 0;          // index of the field path in Plan::where
  const Node* node = nullptr;       // kRead: the leaf type; kSkip: the type skipped
  skip::Instruction skip;           // kSkip
};

struct PathInfo {
  std::string text;
  const Node* leaf = nullptr;
  std::uint32_t slot = 0;
};

struct Plan {
  std::vector<std::vector<Instruction>> programs;
  std::vector<std::uint32_t> slot_lists;
  // Field paths for errors, in which "[]" is replaced by the index of an array item.
  std::vector<std::string> where;
  std::vector<PathInfo> paths;
  std::vector<std::uint32_t> slot_of_path;
  std::vector<bool> slot_through_array;
  skip::Skipper skipper;
};

namespace {

// The requested paths as a tree of field names, so that a field shared by several paths is
// read once.
struct Trie {
  std::vector<std::pair<std::string, std::unique_ptr<Trie>>> children;
  int slot = -1;
};

std::unexpected<Error> compile_error(std::string message, const std::string& path) {
  return std::unexpected(Error{std::move(message), path, std::string::npos});
}

// Returns the branch index of the one non-null branch of a union, -1 when all branches are
// null, or -2 when there is more than one non-null branch.
int value_branch(const Node& node) {
  int found = -1;
  for (std::size_t i = 0; i < node.branches.size(); ++i) {
    if (node.branches[i]->type == Type::kNull) continue;
    if (found >= 0) return -2;
    found = static_cast<int>(i);
  }
  return found;
}

bool is_scalar(Type type) {
  return type != Type::kRecord && type != Type::kArray && type != Type::kMap &&
         type != Type::kUnion;
}

class Compiler {
 public:
  explicit Compiler(Plan& plan) : plan_(plan) {}

  Result<void> add_paths(const std::vector<std::string>& paths);
  Result<void> compile_root(const Node& root);

 private:
  using Program = std::vector<Instruction>;

  Result<void> compile_record(const Node& record, const Trie& trie, const std::string& prefix,
                              int arrays, bool tail_needed, Program& out);
  Result<void> compile_value(const Node& node, const Trie& trie, const std::string& where,
                             int arrays, bool tail_needed, Program& out);
  Result<void> compile_union(const Node& node, const Trie& trie, const std::string& where,
                             int arrays, bool tail_needed, Program& out);
  Result<void> compile_array(const Node& node, const Trie& trie, const std::string& where,
                             int arrays, Program& out);
  void compile_leaf(const Node& node, const Trie& trie, const std::string& where, int arrays,
                    Program& out);
  void register_slot(const Trie& trie, const Node& leaf, int arrays);
  void collect_slots(const Trie& trie, int arrays, bool exact, std::vector<std::uint32_t>& out);
  std::uint32_t add_where(const std::string& where);
  std::uint32_t add_program(Program program);
  std::string first_path(const Trie& trie) const;

  Plan& plan_;
  Trie root_;
  std::vector<int> slot_arrays_;  // per slot: the arrays on its path
  std::vector<const Node*> slot_leaf_;
};

Result<void> Compiler::add_paths(const std::vector<std::string>& paths) {
  for (const std::string& path : paths) {
    Trie* trie = &root_;
    std::size_t start = 0;
    while (true) {
      const std::size_t dot = std::min(path.find('.', start), path.size());
      const std::string name = path.substr(start, dot - start);
      if (name.empty()) return compile_error("empty field name in path", path);
      auto it = std::find_if(trie->children.begin(), trie->children.end(),
                             [&](const auto& child) { return child.first == name; });
      if (it == trie->children.end()) {
        trie->children.emplace_back(name, std::make_unique<Trie>());
        it = std::prev(trie->children.end());
      }
      trie = it->second.get();
      if (dot == path.size()) break;
      start = dot + 1;
    }
    if (trie->slot < 0) {
      trie->slot = static_cast<int>(slot_arrays_.size());
      slot_arrays_.push_back(0);
      slot_leaf_.push_back(nullptr);
    }
    plan_.slot_of_path.push_back(static_cast<std::uint32_t>(trie->slot));
    plan_.paths.push_back({path, nullptr, static_cast<std::uint32_t>(trie->slot)});
  }
  return {};
}

Result<void> Compiler::compile_root(const Node& root) {
  if (root.type != Type::kRecord) {
    return compile_error(fmt::format("the root type is {}, not a record", type_name(root.type)),
                         "");
  }
  plan_.programs.emplace_back();
  Program program;
  if (auto status = compile_record(root, root_, "", 0, false, program); !status) return status;
  plan_.programs[0] = std::move(program);

  plan_.slot_through_array.resize(slot_arrays_.size());
  for (std::size_t slot = 0; slot < slot_arrays_.size(); ++slot) {
    plan_.slot_through_array[slot] = slot_arrays_[slot] > 0;
  }
  for (PathInfo& path : plan_.paths) path.leaf = slot_leaf_[path.slot];
  return {};
}

// Reads the fields of `record` that `trie` names and skips the others. Fields after the last
// one read are skipped only when `tail_needed`, because something after the record is read.
Result<void> Compiler::compile_record(const Node& record, const Trie& trie,
                                      const std::string& prefix, int arrays, bool tail_needed,
                                      Program& out) {
  std::vector<std::pair<int, const Trie*>> requested;
  for (const auto& [name, child] : trie.children) {
    const int index = record.field_index(name);
    if (index < 0) {
      return compile_error(
          fmt::format("unknown field: record {} has no field '{}'", record.full_name, name),
          first_path(*child));
    }
    requested.emplace_back(index, child.get());
  }
  if (requested.empty()) return {};  // a root record with no paths
  std::sort(requested.begin(), requested.end());
  const int last = requested.back().first;
  const int end = tail_needed ? static_cast<int>(record.fields.size()) : last + 1;

  auto next = requested.begin();
  for (int i = 0; i < end; ++i) {
    const Field& field = record.fields[static_cast<std::size_t>(i)];
    const std::string where = prefix.empty() ? field.name : prefix + "." + field.name;
    if (next != requested.end() && next->first == i) {
      const bool more_after = tail_needed || i < last;
      auto status = compile_value(*field.type, *next->second, where, arrays, more_after, out);
      if (!status) return status;
      ++next;
      continue;
    }
    Instruction skip{.step = Step::kSkip, .where = add_where(where), .node = field.type};
    skip.skip = plan_.skipper.compile(*field.type);
    out.push_back(skip);
  }
  return {};
}

Result<void> Compiler::compile_value(const Node& node, const Trie& trie, const std::string& where,
                                     int arrays, bool tail_needed, Program& out) {
  if (node.type == Type::kUnion) return compile_union(node, trie, where, arrays, tail_needed, out);
  if (node.type == Type::kArray) return compile_array(node, trie, where, arrays, out);
  if (trie.children.empty()) {
    compile_leaf(node, trie, where, arrays, out);
    return {};
  }
  if (trie.slot >= 0) {
    register_slot(trie, node, arrays);
    out.push_back({.step = Step::kPresent,
                   .append = arrays > 0,
                   .slot = static_cast<std::uint32_t>(trie.slot),
                   .where = add_where(where)});
  }
  if (node.type == Type::kRecord) {
    return compile_record(node, trie, where, arrays, tail_needed, out);
  }
  return compile_error(fmt::format("'{}' is a {}, not a record", where, type_name(node.type)),
                       first_path(trie));
}

Result<void> Compiler::compile_union(const Node& node, const Trie& trie, const std::string& where,
                                     int arrays, bool tail_needed, Program& out) {
  const int branch = value_branch(node);
  if (branch == -2) {
    return compile_error(fmt::format("'{}' is a union of more than one non-null type", where),
                         first_path(trie));
  }
  Instruction instruction{.step = Step::kNullable,
                          .value_branch = branch,
                          .branch_count = static_cast<std::uint32_t>(node.branches.size()),
                          .where = add_where(where)};
  if (branch >= 0) {
    Program program;
    const Node& value = *node.branches[static_cast<std::size_t>(branch)];
    if (auto status = compile_value(value, trie, where, arrays, tail_needed, program); !status) {
      return status;
    }
    instruction.program = add_program(std::move(program));
  } else if (!trie.children.empty()) {
    return compile_error(fmt::format("'{}' is always null, not a record", where), first_path(trie));
  } else {
    register_slot(trie, node, arrays);
  }

  // On the null branch, a slot whose last array is the one being read gets a null item.
  // Other slots need nothing: scalars and lists start out null for each record.
  std::vector<std::uint32_t> slots;
  if (arrays > 0) collect_slots(trie, arrays, true, slots);
  instruction.first = static_cast<std::uint32_t>(plan_.slot_lists.size());
  instruction.count = static_cast<std::uint32_t>(slots.size());
  plan_.slot_lists.insert(plan_.slot_lists.end(), slots.begin(), slots.end());
  out.push_back(instruction);
  return {};
}

Result<void> Compiler::compile_array(const Node& node, const Trie& trie, const std::string& where,
                                     int arrays, Program& out) {
  const Node& items = *node.items;
  Instruction instruction{.step = Step::kArray,
                          .min_item_size = plan_.skipper.min_size(items),
                          .where = add_where(where)};
  if (instruction.min_item_size == 0) {
    return compile_error(fmt::format("the items of array '{}' take no bytes", where),
                         first_path(trie));
  }
  Program program;
  if (auto status = compile_value(items, trie, where + "[]", arrays + 1, true, program); !status) {
    return status;
  }
  instruction.program = add_program(std::move(program));

  // Entering the array makes the lists of the paths below it not null.
  std::vector<std::uint32_t> slots;
  collect_slots(trie, arrays + 1, false, slots);
  instruction.first = static_cast<std::uint32_t>(plan_.slot_lists.size());
  instruction.count = static_cast<std::uint32_t>(slots.size());
  plan_.slot_lists.insert(plan_.slot_lists.end(), slots.begin(), slots.end());
  out.push_back(instruction);
  return {};
}

// A path ends at `node`: a scalar is read, and a record or map is marked present and skipped.
void Compiler::compile_leaf(const Node& node, const Trie& trie, const std::string& where,
                            int arrays, Program& out) {
  register_slot(trie, node, arrays);
  const auto slot = static_cast<std::uint32_t>(trie.slot);
  const std::uint32_t where_index = add_where(where);
  if (is_scalar(node.type)) {
    out.push_back({.step = Step::kRead,
                   .type = node.type,
                   .append = arrays > 0,
                   .slot = slot,
                   .where = where_index,
                   .node = &node});
    return;
  }
  out.push_back({.step = Step::kPresent, .append = arrays > 0, .slot = slot, .where = where_index});
  Instruction skip{.step = Step::kSkip, .where = where_index, .node = &node};
  skip.skip = plan_.skipper.compile(node);
  out.push_back(skip);
}

void Compiler::register_slot(const Trie& trie, const Node& leaf, int arrays) {
  if (trie.slot < 0) return;
  slot_arrays_[static_cast<std::size_t>(trie.slot)] = arrays;
  slot_leaf_[static_cast<std::size_t>(trie.slot)] = &leaf;
}

// Collects the slots of `trie` and below. With `exact`, only those whose path passes through
// exactly `arrays` arrays; otherwise those that pass through at least `arrays`.
void Compiler::collect_slots(const Trie& trie, int arrays, bool exact,
                             std::vector<std::uint32_t>& out) {
  if (trie.slot >= 0) {
    const int through = slot_arrays_[static_cast<std::size_t>(trie.slot)];
    if (exact ? through == arrays : through >= arrays) {
      out.push_back(static_cast<std::uint32_t>(trie.slot));
    }
  }
  for (const auto& [name, child] : trie.children) collect_slots(*child, arrays, exact, out);
}

std::uint32_t Compiler::add_where(const std::string& where) {
  plan_.where.push_back(where);
  return static_cast<std::uint32_t>(plan_.where.size() - 1);
}

std::uint32_t Compiler::add_program(Program program) {
  plan_.programs.push_back(std::move(program));
  return static_cast<std::uint32_t>(plan_.programs.size() - 1);
}

// The first requested path that passes through `trie`, for errors.
std::string Compiler::first_path(const Trie& trie) const {
  const Trie* node = &trie;
  while (node->slot < 0 && !node->children.empty()) node = node->children.front().second.get();
  if (node->slot < 0) return "";
  for (const PathInfo& path : plan_.paths) {
    if (path.slot == static_cast<std::uint32_t>(node->slot)) return path.text;
  }
  return "";
}

}  // namespace

// Runs a plan over one encoded record. Reading stops at the first fault. The error's field path
// is the one of the instruction that met the fault, with the indices of the array items being
// read in place of its "[]" markers. A fault inside a skipped value is located again by the
// skipper, which adds the path below the skipped field.
class Run {
 public:
  Run(const Plan& plan, std::string_view bytes, ProjectedRecord& out)
      : plan_(plan), out_(out), cursor_(bytes) {}

  bool run_program(std::uint32_t program, int depth) {
    if (depth > kMaxValueDepth) return cursor_.fail(Fault::kNestedTooDeep, cursor_.position);
    for (const Instruction& instruction : plan_.programs[program]) {
      if (!execute(instruction, depth)) {
        if (failed_ == nullptr) failed_ = &instruction;
        return false;
      }
    }
    return true;
  }

  Error error() const {
    std::string where = plan_.where[failed_ != nullptr ? failed_->where : 0];
    std::size_t search = 0;
    for (std::size_t i = 0; i < arrays_; ++i) {
      const std::size_t marker = where.find("[]", search);
      if (marker == std::string::npos) break;
      const std::string index = fmt::format("[{}]", item_index_[i]);
      where.replace(marker, 2, index);
      search = marker + index.size();
    }
    if (failed_ != nullptr && failed_->step == Step::kSkip) {
      return plan_.skipper.locate_fault(*failed_->node, cursor_, skip_start_, where);
    }
    return Error{describe(cursor_), std::move(where), cursor_.fault_offset};
  }

 private:
  bool execute(const Instruction& instruction, int depth) {
    switch (instruction.step) {
      case Step::kSkip:
        skip_start_ = cursor_.position;
        return plan_.skipper.skip(instruction.skip, cursor_, depth + 1);
      case Step::kRead:
        return read(instruction, target(instruction));
      case Step::kPresent:
        target(instruction).is_null = false;
        return true;
      case Step::kNullable:
        return nullable(instruction, depth);
      case Step::kArray:
        return array(instruction, depth);
    }
    return false;
  }

  // The value that `instruction` writes: the slot's value, or a new item of its list.
  ProjectedValue& target(const Instruction& instruction) {
    ProjectedRecord::Slot& slot = out_.slots_[instruction.slot];
    if (!instruction.append) return slot.value;
    return slot.items.emplace_back();
  }

  bool read(const Instruction& instruction, ProjectedValue& value) {
    bool read = false;
    switch (instruction.type) {
      case Type::kNull:
        return true;
      case Type::kBoolean:
        read = read_boolean(cursor_, value.boolean);
        break;
      case Type::kInt:
        read = read_int(cursor_, value.integer);
        break;
      case Type::kLong:
        read = read_long(cursor_, value.integer);
        break;
      case Type::kFloat:
        read = read_float(cursor_, value.float32);
        break;
      case Type::kDouble:
        read = read_double(cursor_, value.float64);
        break;
      case Type::kString:
        read = read_text(cursor_, value.bytes);
        break;
      case Type::kBytes:
        read = read_string(cursor_, value.bytes);
        break;
      case Type::kFixed:
        read = read_bytes(cursor_, static_cast<std::uint64_t>(instruction.node->fixed_size),
                          value.bytes);
        break;
      case Type::kEnum: {
        std::int64_t symbol = 0;
        read = read_symbol(cursor_, instruction.node->symbols.size(), symbol);
        value.index = static_cast<std::int32_t>(symbol);
        break;
      }
      default:
        return cursor_.fail(Fault::kOther, cursor_.position);
    }
    if (read) value.is_null = false;
    return read;
  }

  bool nullable(const Instruction& instruction, int depth) {
    std::int64_t branch = 0;
    if (!read_branch(cursor_, instruction.branch_count, branch)) return false;
    if (branch == instruction.value_branch) return run_program(instruction.program, depth + 1);
    for (std::uint32_t i = 0; i < instruction.count; ++i) {
      out_.slots_[plan_.slot_lists[instruction.first + i]].items.emplace_back();
    }
    return true;
  }

  // Reads array blocks. A block with a negative count has its byte size checked against the
  // input, but its items are read one by one because the paths need their values.
  bool array(const Instruction& instruction, int depth) {
    for (std::uint32_t i = 0; i < instruction.count; ++i) {
      out_.slots_[plan_.slot_lists[instruction.first + i]].list_null = false;
    }
    if (arrays_ == item_index_.size()) {
      return cursor_.fail(Fault::kNestedTooDeep, cursor_.position);
    }
    const std::size_t level = arrays_++;
    item_index_[level] = 0;
    while (true) {
      std::int64_t count = 0;
      std::int64_t size = 0;
      const char* start = nullptr;
      if (!read_block_header(cursor_, count, size, start)) return false;
      if (count == 0) break;
      if (static_cast<std::uint64_t>(count) > cursor_.left() / instruction.min_item_size) {
        return check_block_count(cursor_, count, instruction.min_item_size, nullptr, start);
      }
      for (std::int64_t i = 0; i < count; ++i) {
        if (!run_program(instruction.program, depth + 1)) return false;
        ++item_index_[level];
      }
    }
    --arrays_;
    return true;
  }

  const Plan& plan_;
  ProjectedRecord& out_;
  Cursor cursor_;
  const char* skip_start_ = nullptr;  // where the last kSkip began, for locate_fault()
  const Instruction* failed_ = nullptr;
  // The index of the item being read in each array on the path; entries up to arrays_ are set.
  std::array<std::size_t, kMaxValueDepth + 1> item_index_;
  std::size_t arrays_ = 0;
};

}  // namespace projection_detail

using projection_detail::Plan;

Result<Projection> Projection::compile(const Node& root, const std::vector<std::string>& paths) {
  auto plan = std::make_shared<Plan>();
  projection_detail::Compiler compiler(*plan);
  if (auto status = compiler.add_paths(paths); !status) return std::unexpected(status.error());
  if (auto status = compiler.compile_root(root); !status) {
    return std::unexpected(status.error());
  }
  return Projection(std::move(plan));
}

std::size_t Projection::path_count() const { return plan_->paths.size(); }

const std::string& Projection::path(std::size_t index) const { return plan_->paths[index].text; }

const Node& Projection::leaf(std::size_t index) const { return *plan_->paths[index].leaf; }

bool Projection::through_array(std::size_t index) const {
  return plan_->slot_through_array[plan_->paths[index].slot];
}

// Sizes `out` for this plan on first use, then clears the values of the previous record while
// keeping the capacity of its lists.
void Projection::prepare(ProjectedRecord& out) const {
  if (out.plan_ != plan_) {
    out.plan_ = plan_;
    out.slot_of_path_ = plan_->slot_of_path;
    out.slots_.assign(plan_->slot_through_array.size(), {});
    for (std::size_t slot = 0; slot < out.slots_.size(); ++slot) {
      out.slots_[slot].through_array = plan_->slot_through_array[slot];
    }
  }
  for (ProjectedRecord::Slot& slot : out.slots_) {
    slot.value = ProjectedValue{};
    slot.items.clear();
    slot.list_null = true;
  }
}

Result<void> Projection::decode(std::string_view bytes, ProjectedRecord& out) const {
  prepare(out);
  projection_detail::Run run(*plan_, bytes, out);
  if (!run.run_program(0, 0)) return std::unexpected(run.error());
  return {};
}

const ProjectedValue& ProjectedRecord::value(std::size_t path) const {
  static const ProjectedValue kNull;
  const Slot& slot = slots_[slot_of_path_[path]];
  if (!slot.through_array) return slot.value;
  return slot.items.empty() ? kNull : slot.items.front();
}

std::span<const ProjectedValue> ProjectedRecord::values(std::size_t path) const {
  const Slot& slot = slots_[slot_of_path_[path]];
  if (!slot.through_array) return {&slot.value, 1};
  return slot.items;
}

bool ProjectedRecord::is_null(std::size_t path) const {
  const Slot& slot = slots_[slot_of_path_[path]];
  return slot.through_array ? slot.list_null : slot.value.is_null;
}

}  // namespace skystream::avro
