#include "avro/resolve.h"

#include <fmt/format.h>

#include <algorithm>
#include <bit>
#include <cstdint>
#include <cstring>
#include <deque>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "avro/codec.h"
#include "avro/skip.h"

namespace skystream::avro {
namespace resolve_detail {

enum class Action : std::uint8_t {
  kPrimitive,    // null, boolean, numbers, string, bytes and fixed, with promotions
  kEnum,         // symbols mapped by name
  kRecord,       // fields matched by name or alias
  kArray,        // items resolved
  kMap,          // values resolved
  kWriterUnion,  // the writer is a union; the reader may be one too
  kReaderUnion,  // only the reader is a union
};

struct Step;

struct FieldStep {
  const Field* writer_field = nullptr;
  int reader_index = -1;       // -1: the reader has no such field and the value is skipped
  const Step* step = nullptr;  // nullptr when skipped
  skip::Instruction skip;      // how to skip the value when reader_index is -1
};

struct BranchStep {
  int reader_branch = -1;      // branch of a reader union; -1 when the reader is not a union
  const Step* step = nullptr;  // nullptr: no reader type matches this writer branch
};

// The compiled reading of one writer/reader node pair.
struct Step {
  Action action = Action::kPrimitive;
  const Node* writer = nullptr;
  const Node* reader = nullptr;
  // The writer and reader encodings are the same, so decode_into() with the reader node reads
  // the value.
  bool identical = false;
  // False while the step's children are built, so a recursive type can find itself.
  bool complete = false;

  std::vector<FieldStep> fields;                // kRecord, in writer field order
  std::vector<std::pair<int, Value>> defaults;  // kRecord: reader field index and its default
  std::vector<int> symbols;                     // kEnum: reader symbol per writer symbol, or -1
  int default_symbol = -1;                      // kEnum: the reader's default symbol, or -1
  const Step* element = nullptr;                // kArray, kMap
  std::vector<BranchStep> branches;             // kWriterUnion, per writer branch
  BranchStep branch;                            // kReaderUnion
};

struct Plan {
  const Node* writer = nullptr;
  const Node* reader = nullptr;
  std::deque<Step> steps;  // a deque, so that steps keep their addresses as it grows
  const Step* root = nullptr;
  skip::Skipper skipper;  // the instructions that FieldStep::skip refers to
};

}  // namespace resolve_detail

namespace {

using nlohmann::json;
using resolve_detail::Action;
using resolve_detail::BranchStep;
using resolve_detail::FieldStep;
using resolve_detail::Plan;
using resolve_detail::Step;

// Nesting deeper than this is rejected, as in decode(), so hostile bytes or defaults against a
// recursive schema cannot exhaust the stack.
constexpr int kMaxDepth = 128;

static_assert(std::endian::native == std::endian::little,
              "floats and doubles are copied as little-endian bytes");

std::string_view unqualified(std::string_view name) {
  const auto dot = name.rfind('.');
  return dot == std::string_view::npos ? name : name.substr(dot + 1);
}

// "int", "array", "union", or "record lsst.v11_0.diaSource" for named types.
std::string describe(const Node& node) {
  if (node.is_named()) return fmt::format("{} {}", type_name(node.type), node.full_name);
  return std::string(type_name(node.type));
}

bool names_match(const Node& writer, const Node& reader) {
  const std::string_view name = unqualified(writer.full_name);
  if (name == unqualified(reader.full_name)) return true;
  for (const std::string& alias : reader.aliases) {
    if (unqualified(alias) == name) return true;
  }
  return false;
}

bool promotes(Type writer, Type reader) {
  switch (writer) {
    case Type::kInt:
      return reader == Type::kLong || reader == Type::kFloat || reader == Type::kDouble;
    case Type::kLong:
      return reader == Type::kFloat || reader == Type::kDouble;
    case Type::kFloat:
      return reader == Type::kDouble;
    case Type::kString:
      return reader == Type::kBytes;
    case Type::kBytes:
      return reader == Type::kString;
    default:
      return false;
  }
}

// Whether a writer value of type `writer` may be read as `reader`, judged by type, promotion
// and name only, as the specification's "match" that selects a union branch.
bool matches(const Node& writer, const Node& reader) {
  if (writer.type == Type::kUnion) {
    for (const Node* branch : writer.branches) {
      if (matches(*branch, reader)) return true;
    }
    return false;
  }
  if (reader.type == Type::kUnion) {
    for (const Node* branch : reader.branches) {
      if (matches(writer, *branch)) return true;
    }
    return false;
  }
  if (writer.type != reader.type) return promotes(writer.type, reader.type);
  switch (writer.type) {
    case Type::kRecord:
    case Type::kEnum:
      return names_match(writer, reader);
    case Type::kFixed:
      return names_match(writer, reader) && writer.fixed_size == reader.fixed_size;
    case Type::kArray:
      return matches(*writer.items, *reader.items);
    case Type::kMap:
      return matches(*writer.values, *reader.values);
    default:
      return true;
  }
}

// Returns the first branch of the reader union that `writer` matches, or -1.
int first_match(const Node& writer, const Node& reader_union) {
  for (std::size_t i = 0; i < reader_union.branches.size(); ++i) {
    if (matches(writer, *reader_union.branches[i])) return static_cast<int>(i);
  }
  return -1;
}

// ---- Default values ----------------------------------------------------------------------------

std::string abbreviated(const json& value) {
  std::string text = value.dump();
  if (text.size() > 60) text = text.substr(0, 57) + "...";
  return text;
}

// Decodes a bytes or fixed default: a JSON string whose code points U+0000 to U+00FF are the
// bytes, as the specification defines.
std::optional<std::string> latin1_bytes(const std::string& utf8) {
  std::string out;
  for (std::size_t i = 0; i < utf8.size(); ++i) {
    const auto lead = static_cast<unsigned char>(utf8[i]);
    if (lead < 0x80) {
      out.push_back(static_cast<char>(lead));
    } else if ((lead == 0xc2 || lead == 0xc3) && i + 1 < utf8.size() &&
               (static_cast<unsigned char>(utf8[i + 1]) & 0xc0) == 0x80) {
      const auto next = static_cast<unsigned char>(utf8[++i]);
      out.push_back(static_cast<char>(((lead & 0x03) << 6) | (next & 0x3f)));
    } else {
      return std::nullopt;
    }
  }
  return out;
}

Result<Value> value_from_json(const Node& node, const json& json_value, int depth);

Result<void> fill_record_default(const Node& node, const json& json_value, Value& value,
                                 int depth) {
  if (!json_value.is_object()) return std::unexpected(Error{});
  for (const Field& field : node.fields) {
    const auto it = json_value.find(field.name);
    if (it == json_value.end() && !field.default_value) {
      return std::unexpected(Error{fmt::format("default {} has no value for field {} of {}",
                                               abbreviated(json_value), field.name, describe(node)),
                                   "", std::string::npos});
    }
    auto child = value_from_json(*field.type, it != json_value.end() ? *it : *field.default_value,
                                 depth + 1);
    if (!child) return std::unexpected(child.error());
    value.children.push_back(std::move(*child));
  }
  return {};
}

Result<void> fill_container_default(const Node& node, const json& json_value, Value& value,
                                    int depth) {
  const bool is_array = node.type == Type::kArray;
  if (is_array ? !json_value.is_array() : !json_value.is_object()) {
    return std::unexpected(Error{});
  }
  for (auto it = json_value.begin(); it != json_value.end(); ++it) {
    auto child = value_from_json(is_array ? *node.items : *node.values, it.value(), depth + 1);
    if (!child) return std::unexpected(child.error());
    if (!is_array) value.keys.push_back(it.key());
    value.children.push_back(std::move(*child));
  }
  return {};
}

// Fills `value` from a JSON default; an Error with an empty message means the JSON is not a
// value of `node`'s type.
Result<void> fill_default(const Node& node, const json& json_value, Value& value, int depth) {
  const std::unexpected<Error> invalid{Error{}};
  switch (node.type) {
    case Type::kNull:
      if (!json_value.is_null()) return invalid;
      return {};
    case Type::kBoolean:
      if (!json_value.is_boolean()) return invalid;
      value.boolean = json_value.get<bool>();
      return {};
    case Type::kInt:
    case Type::kLong: {
      if (!json_value.is_number_integer()) return invalid;
      if (json_value.is_number_unsigned() && json_value.get<std::uint64_t>() > INT64_MAX) {
        return invalid;
      }
      value.integer = json_value.get<std::int64_t>();
      if (node.type == Type::kInt && (value.integer < INT32_MIN || value.integer > INT32_MAX)) {
        return invalid;
      }
      return {};
    }
    case Type::kFloat:
      if (!json_value.is_number()) return invalid;
      value.float32 = static_cast<float>(json_value.get<double>());
      return {};
    case Type::kDouble:
      if (!json_value.is_number()) return invalid;
      value.float64 = json_value.get<double>();
      return {};
    case Type::kString:
      if (!json_value.is_string()) return invalid;
      value.bytes = json_value.get<std::string>();
      return {};
    case Type::kBytes:
    case Type::kFixed: {
      if (!json_value.is_string()) return invalid;
      auto bytes = latin1_bytes(json_value.get<std::string>());
      if (!bytes) return invalid;
      if (node.type == Type::kFixed && bytes->size() != static_cast<std::size_t>(node.fixed_size)) {
        return invalid;
      }
      value.bytes = std::move(*bytes);
      return {};
    }
    case Type::kEnum: {
      if (!json_value.is_string()) return invalid;
      const auto& symbols = node.symbols;
      const auto it = std::find(symbols.begin(), symbols.end(), json_value.get<std::string>());
      if (it == symbols.end()) return invalid;
      value.index = static_cast<std::int32_t>(it - symbols.begin());
      return {};
    }
    case Type::kRecord:
      return fill_record_default(node, json_value, value, depth);
    case Type::kArray:
    case Type::kMap:
      return fill_container_default(node, json_value, value, depth);
    case Type::kUnion: {
      auto branch = value_from_json(*node.branches.front(), json_value, depth + 1);
      if (!branch) {
        branch.error().message += " (a union default is a value of the union's first branch)";
        return std::unexpected(branch.error());
      }
      value.index = 0;
      value.children.push_back(std::move(*branch));
      return {};
    }
  }
  return invalid;
}

// Converts the JSON default of a field into a Value of `node`.
Result<Value> value_from_json(const Node& node, const json& json_value, int depth) {
  if (depth > kMaxDepth) {
    return std::unexpected(Error{"default value nested too deep", "", std::string::npos});
  }
  Value value;
  value.node = &node;
  if (auto status = fill_default(node, json_value, value, depth); !status) {
    Error error = std::move(status.error());
    if (error.message.empty()) {
      error.message =
          fmt::format("default {} is not a valid {}", abbreviated(json_value), describe(node));
    }
    return std::unexpected(std::move(error));
  }
  return value;
}

// ---- Plan building ------------------------------------------------------------------------------

// Builds the steps for a writer/reader pair depth-first, failing with the reader field path on
// the first incompatibility.
class PlanBuilder {
 public:
  explicit PlanBuilder(Plan& plan) : plan_(plan) {}

  Result<const Step*> build(const Node& writer, const Node& reader) {
    if (auto it = memo_.find({&writer, &reader}); it != memo_.end()) return it->second;
    if (writer.type == Type::kUnion) return build_writer_union(writer, reader);
    if (reader.type == Type::kUnion) return build_reader_union(writer, reader);

    if (writer.type != reader.type) {
      if (!promotes(writer.type, reader.type)) {
        return fail(
            fmt::format("writer type {} cannot be read as {}", describe(writer), describe(reader)));
      }
      Step& step = add_step(Action::kPrimitive, writer, reader);
      step.complete = true;
      return &step;
    }
    switch (writer.type) {
      case Type::kRecord:
        return build_record(writer, reader);
      case Type::kEnum:
        return build_enum(writer, reader);
      case Type::kArray:
      case Type::kMap:
        return build_container(writer, reader);
      case Type::kFixed:
        return build_fixed(writer, reader);
      default: {
        Step& step = add_step(Action::kPrimitive, writer, reader);
        step.identical = true;
        step.complete = true;
        return &step;
      }
    }
  }

 private:
  std::unexpected<Error> fail(std::string message) const {
    std::string where;
    for (const std::string& part : path_) {
      if (!where.empty() && part.front() != '[') where += '.';
      where += part;
    }
    return std::unexpected(Error{std::move(message), std::move(where), std::string::npos});
  }

  Step& add_step(Action action, const Node& writer, const Node& reader) {
    Step& step = plan_.steps.emplace_back();
    step.action = action;
    step.writer = &writer;
    step.reader = &reader;
    memo_.emplace(std::make_pair(&writer, &reader), &step);
    return step;
  }

  // A child that is still being built is part of a cycle. It counts as not identical, which is
  // safe because the step then reads field by field.
  static bool identical(const Step* step) { return step->complete && step->identical; }

  Result<void> check_names(const Node& writer, const Node& reader) const {
    if (names_match(writer, reader)) return {};
    return fail(
        fmt::format("writer {} cannot be read as {}: the names differ and no reader alias "
                    "matches",
                    describe(writer), describe(reader)));
  }

  Result<const Step*> build_fixed(const Node& writer, const Node& reader) {
    if (auto named = check_names(writer, reader); !named) return std::unexpected(named.error());
    if (writer.fixed_size != reader.fixed_size) {
      return fail(fmt::format("writer {} of size {} cannot be read as {} of size {}",
                              describe(writer), writer.fixed_size, describe(reader),
                              reader.fixed_size));
    }
    Step& step = add_step(Action::kPrimitive, writer, reader);
    step.identical = true;
    step.complete = true;
    return &step;
  }

  Result<const Step*> build_enum(const Node& writer, const Node& reader) {
    if (auto named = check_names(writer, reader); !named) return std::unexpected(named.error());
    Step& step = add_step(Action::kEnum, writer, reader);

    if (auto it = reader.attributes.find("default"); it != reader.attributes.end()) {
      const auto symbol = it->is_string() ? std::find(reader.symbols.begin(), reader.symbols.end(),
                                                      it->get<std::string>())
                                          : reader.symbols.end();
      if (symbol == reader.symbols.end()) {
        return fail(fmt::format("the default {} of reader {} is not one of its symbols",
                                abbreviated(*it), describe(reader)));
      }
      step.default_symbol = static_cast<int>(symbol - reader.symbols.begin());
    }

    step.identical = writer.symbols.size() == reader.symbols.size();
    for (std::size_t i = 0; i < writer.symbols.size(); ++i) {
      const auto symbol =
          std::find(reader.symbols.begin(), reader.symbols.end(), writer.symbols[i]);
      const int index =
          symbol == reader.symbols.end() ? -1 : static_cast<int>(symbol - reader.symbols.begin());
      step.symbols.push_back(index);
      step.identical = step.identical && index == static_cast<int>(i);
    }
    step.complete = true;
    return &step;
  }

  Result<const Step*> build_container(const Node& writer, const Node& reader) {
    const bool is_array = writer.type == Type::kArray;
    Step& step = add_step(is_array ? Action::kArray : Action::kMap, writer, reader);
    path_.emplace_back("[]");
    auto element =
        is_array ? build(*writer.items, *reader.items) : build(*writer.values, *reader.values);
    if (!element) return std::unexpected(element.error());
    path_.pop_back();
    step.element = *element;
    step.identical = identical(*element);
    step.complete = true;
    return &step;
  }

  // Returns, for each reader field, the index of the writer field it reads, or -1. Exact names
  // are matched before aliases, and each writer field feeds at most one reader field.
  static std::vector<int> match_fields(const Node& writer, const Node& reader) {
    std::vector<int> source(reader.fields.size(), -1);
    std::vector<bool> taken(writer.fields.size(), false);
    for (std::size_t j = 0; j < reader.fields.size(); ++j) {
      const int index = writer.field_index(reader.fields[j].name);
      if (index >= 0 && !taken[static_cast<std::size_t>(index)]) {
        source[j] = index;
        taken[static_cast<std::size_t>(index)] = true;
      }
    }
    for (std::size_t j = 0; j < reader.fields.size(); ++j) {
      for (const std::string& alias : reader.fields[j].aliases) {
        const int index = writer.field_index(alias);
        if (source[j] >= 0 || index < 0 || taken[static_cast<std::size_t>(index)]) continue;
        source[j] = index;
        taken[static_cast<std::size_t>(index)] = true;
      }
    }
    return source;
  }

  Result<const Step*> build_record(const Node& writer, const Node& reader) {
    if (auto named = check_names(writer, reader); !named) return std::unexpected(named.error());
    Step& step = add_step(Action::kRecord, writer, reader);

    // The steps run in writer order, because that is the order of the bytes.
    const std::vector<int> source = match_fields(writer, reader);
    step.fields.resize(writer.fields.size());
    for (std::size_t i = 0; i < writer.fields.size(); ++i) {
      step.fields[i].writer_field = &writer.fields[i];
      if (std::find(source.begin(), source.end(), static_cast<int>(i)) == source.end()) {
        step.fields[i].skip = plan_.skipper.compile(*writer.fields[i].type);
      }
    }
    bool all_identical = writer.fields.size() == reader.fields.size();
    for (std::size_t j = 0; j < reader.fields.size(); ++j) {
      const Field& field = reader.fields[j];
      path_.push_back(field.name);
      if (source[j] >= 0) {
        const auto i = static_cast<std::size_t>(source[j]);
        auto child = build(*writer.fields[i].type, *field.type);
        if (!child) return std::unexpected(child.error());
        step.fields[i].reader_index = static_cast<int>(j);
        step.fields[i].step = *child;
        all_identical = all_identical && i == j && identical(*child);
      } else {
        auto value = default_for(field, writer);
        if (!value) return std::unexpected(value.error());
        step.defaults.emplace_back(static_cast<int>(j), std::move(*value));
        all_identical = false;
      }
      path_.pop_back();
    }
    step.identical = all_identical;
    step.complete = true;
    return &step;
  }

  Result<Value> default_for(const Field& field, const Node& writer) const {
    if (!field.default_value) {
      return fail(fmt::format("reader field {} is not in the writer {} and has no default",
                              field.name, describe(writer)));
    }
    auto value = value_from_json(*field.type, *field.default_value, 0);
    if (!value) return fail(fmt::format("invalid default: {}", value.error().message));
    return value;
  }

  Result<const Step*> build_writer_union(const Node& writer, const Node& reader) {
    Step& step = add_step(Action::kWriterUnion, writer, reader);
    step.branches.resize(writer.branches.size());
    bool any_match = false;
    bool all_identical =
        reader.type == Type::kUnion && reader.branches.size() == writer.branches.size();
    for (std::size_t i = 0; i < writer.branches.size(); ++i) {
      const Node& branch = *writer.branches[i];
      BranchStep& target = step.branches[i];
      if (reader.type == Type::kUnion) {
        target.reader_branch = first_match(branch, reader);
        if (target.reader_branch < 0) {
          all_identical = false;
          continue;
        }
      } else if (!matches(branch, reader)) {
        continue;
      }
      const Node& reader_type =
          reader.type == Type::kUnion
              ? *reader.branches[static_cast<std::size_t>(target.reader_branch)]
              : reader;
      auto child = build(branch, reader_type);
      if (!child) return std::unexpected(child.error());
      target.step = *child;
      any_match = true;
      all_identical =
          all_identical && target.reader_branch == static_cast<int>(i) && identical(*child);
    }
    if (!any_match) {
      return fail(fmt::format("no branch of the writer union can be read as {}", describe(reader)));
    }
    step.identical = all_identical;
    step.complete = true;
    return &step;
  }

  Result<const Step*> build_reader_union(const Node& writer, const Node& reader) {
    const int index = first_match(writer, reader);
    if (index < 0) {
      return fail(
          fmt::format("writer type {} matches no branch of the reader union", describe(writer)));
    }
    Step& step = add_step(Action::kReaderUnion, writer, reader);
    auto child = build(writer, *reader.branches[static_cast<std::size_t>(index)]);
    if (!child) return std::unexpected(child.error());
    step.branch = BranchStep{index, *child};
    step.complete = true;
    return &step;
  }

  Plan& plan_;
  std::map<std::pair<const Node*, const Node*>, Step*> memo_;
  std::vector<std::string> path_;  // reader field names, and "[]" for array items and map values
};

// ---- Decoding -----------------------------------------------------------------------------------

// Decoding state: the input, the read position, and the reader field path for error messages.
// The path contains pointers to field names and item indices, and becomes a string only on error.
class PlanReader {
 public:
  PlanReader(const skip::Skipper& skipper, std::string_view bytes)
      : skipper_(skipper), bytes_(bytes) {}

  std::size_t position() const { return position_; }

  Result<void> read(const Step& step, Value& value, int depth) {
    if (depth > kMaxDepth) return fail("values nested too deep");
    value.node = step.reader;
    // Scalars are read in place; a decode_into() call pays off only for a whole subtree.
    const bool scalar = step.action == Action::kPrimitive || step.action == Action::kEnum;
    if (step.identical && !scalar) return read_identical(step, value);
    switch (step.action) {
      case Action::kPrimitive:
        return read_primitive(*step.writer, *step.reader, value);
      case Action::kEnum:
        return read_enum(step, value);
      case Action::kRecord:
        return read_record(step, value, depth);
      case Action::kArray:
      case Action::kMap:
        return read_blocks(step, value, depth);
      case Action::kWriterUnion:
        return read_writer_union(step, value, depth);
      case Action::kReaderUnion:
        value.index = step.branch.reader_branch;
        value.children.resize(1);
        return read(*step.branch.step, value.children.front(), depth + 1);
    }
    return fail("unknown plan step");
  }

 private:
  struct PathPart {
    const std::string* name = nullptr;  // a field name, or nullptr for an item index
    std::size_t index = 0;
  };

  std::string path_string() const {
    std::string where;
    for (const PathPart& part : path_) {
      if (part.name == nullptr) {
        where += fmt::format("[{}]", part.index);
      } else {
        if (!where.empty()) where += '.';
        where += *part.name;
      }
    }
    return where;
  }

  std::unexpected<Error> fail(std::string message) const {
    return std::unexpected(Error{std::move(message), path_string(), position_});
  }

  // Fails with the position rewound to `start`, the first byte of the item that is wrong.
  std::unexpected<Error> fail_at(std::size_t start, std::string message) {
    position_ = start;
    return fail(std::move(message));
  }

  // Reads a subtree with decode_into(), then moves its error into this input's path and offsets.
  Result<void> read_identical(const Step& step, Value& value) {
    std::size_t used = 0;
    auto decoded = decode_into(*step.reader, bytes_.substr(position_), value, &used);
    if (!decoded) {
      Error error = std::move(decoded.error());
      if (error.offset != std::string::npos) error.offset += position_;
      std::string where = path_string();
      if (!where.empty() && !error.where.empty() && error.where.front() != '[') where += '.';
      error.where = where + error.where;
      return std::unexpected(std::move(error));
    }
    position_ += used;
    return {};
  }

  Result<std::int64_t> read_long() {
    const std::size_t start = position_;
    auto value = decode_long(bytes_, &position_);
    if (!value) return fail_at(start, value.error().message);
    return value;
  }

  // Reads a length or size, which must fit in the bytes left; `name` is "length", "block
  // size" or "map key length" in errors.
  Result<std::int64_t> read_length(std::string_view name) {
    const std::size_t start = position_;
    auto length = read_long();
    if (!length) return length;
    if (*length < 0) return fail_at(start, fmt::format("negative {} {}", name, *length));
    if (static_cast<std::uint64_t>(*length) > bytes_.size() - position_) {
      return fail_at(start, fmt::format("{} {} runs past the end of the input ({} bytes left)",
                                        name, *length, bytes_.size() - position_));
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

  // Reads an int or long of the writer and stores it as the reader's int, long, float or double.
  Result<void> read_integer(const Node& writer, const Node& reader, Value& value) {
    const std::size_t start = position_;
    auto n = read_long();
    if (!n) return std::unexpected(n.error());
    if (writer.type == Type::kInt && (*n < INT32_MIN || *n > INT32_MAX)) {
      return fail_at(start, fmt::format("int value {} out of range", *n));
    }
    if (reader.type == Type::kFloat) {
      value.float32 = static_cast<float>(*n);
    } else if (reader.type == Type::kDouble) {
      value.float64 = static_cast<double>(*n);
    } else {
      value.integer = *n;
    }
    return {};
  }

  Result<void> read_primitive(const Node& writer, const Node& reader, Value& value) {
    switch (writer.type) {
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
      case Type::kLong:
        return read_integer(writer, reader, value);
      case Type::kFloat: {
        auto raw = read_bytes(4);
        if (!raw) return std::unexpected(raw.error());
        std::memcpy(&value.float32, raw->data(), 4);
        if (reader.type == Type::kDouble) value.float64 = static_cast<double>(value.float32);
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
        auto raw = read_bytes(static_cast<std::size_t>(writer.fixed_size));
        if (!raw) return std::unexpected(raw.error());
        value.bytes.assign(raw->data(), raw->size());
        return {};
      }
      default:
        return fail(fmt::format("{} is not a primitive type", describe(writer)));
    }
  }

  Result<void> read_enum(const Step& step, Value& value) {
    const std::size_t start = position_;
    auto symbol = read_long();
    if (!symbol) return std::unexpected(symbol.error());
    const auto& writer_symbols = step.writer->symbols;
    if (*symbol < 0 || static_cast<std::size_t>(*symbol) >= writer_symbols.size()) {
      return fail_at(start, fmt::format("enum symbol {} out of range (enum has {} symbols)",
                                        *symbol, writer_symbols.size()));
    }
    int index = step.symbols[static_cast<std::size_t>(*symbol)];
    if (index < 0) index = step.default_symbol;
    if (index < 0) {
      return fail_at(start, fmt::format("enum symbol {} is not in the reader {}, which has no "
                                        "default",
                                        writer_symbols[static_cast<std::size_t>(*symbol)],
                                        describe(*step.reader)));
    }
    value.index = index;
    return {};
  }

  Result<void> read_record(const Step& step, Value& value, int depth) {
    const Node& reader = *step.reader;
    value.children.resize(reader.fields.size());
    for (const FieldStep& field : step.fields) {
      if (field.reader_index < 0) {
        path_.push_back({&field.writer_field->name, 0});
        if (auto status = skip_value(field.skip, depth + 1); !status) return status;
        path_.pop_back();
        continue;
      }
      const auto index = static_cast<std::size_t>(field.reader_index);
      path_.push_back({&reader.fields[index].name, 0});
      if (auto status = read(*field.step, value.children[index], depth + 1); !status) {
        return status;
      }
      path_.pop_back();
    }
    for (const auto& [index, default_value] : step.defaults) {
      value.children[static_cast<std::size_t>(index)] = default_value;
    }
    return {};
  }

  Result<void> read_writer_union(const Step& step, Value& value, int depth) {
    const std::size_t start = position_;
    auto branch = read_long();
    if (!branch) return std::unexpected(branch.error());
    const Node& writer = *step.writer;
    if (*branch < 0 || static_cast<std::size_t>(*branch) >= writer.branches.size()) {
      return fail_at(start, fmt::format("union branch {} out of range (union has {} branches)",
                                        *branch, writer.branches.size()));
    }
    const BranchStep& target = step.branches[static_cast<std::size_t>(*branch)];
    if (target.step == nullptr) {
      return fail_at(start,
                     fmt::format("writer union branch {} ({}) cannot be read as {}", *branch,
                                 describe(*writer.branches[static_cast<std::size_t>(*branch)]),
                                 describe(*step.reader)));
    }
    if (step.reader->type != Type::kUnion) return read(*target.step, value, depth + 1);
    value.index = target.reader_branch;
    value.children.resize(1);
    return read(*target.step, value.children.front(), depth + 1);
  }

  // Reads the block count of an array or map, and the byte size that follows a negative count.
  // Returns the item count, 0 at the end of the value.
  Result<std::int64_t> read_block_header(const Node& element, std::int64_t* byte_size) {
    const std::size_t start = position_;
    auto count = read_long();
    if (!count) return count;
    *byte_size = -1;
    if (*count < 0) {
      if (*count == INT64_MIN) return fail_at(start, "invalid block count");
      *count = -*count;
      auto size = read_length("block size");
      if (!size) return size;
      *byte_size = *size;
    }
    // Each item takes at least one byte unless it is null, so a count larger than the bytes
    // left is corrupt. Checking before reserving keeps a hostile count from allocating.
    const std::size_t left = bytes_.size() - position_;
    if (element.type != Type::kNull && static_cast<std::uint64_t>(*count) > left) {
      return fail_at(start, fmt::format("block count {} exceeds the {} bytes left", *count, left));
    }
    if (element.type == Type::kNull && *count > (std::int64_t{1} << 24)) {
      return fail_at(start, fmt::format("block count {} of nulls is implausible", *count));
    }
    return count;
  }

  Result<void> read_blocks(const Step& step, Value& value, int depth) {
    const Node& writer = *step.writer;
    const Node& element = writer.type == Type::kArray ? *writer.items : *writer.values;
    while (true) {
      std::int64_t byte_size = 0;
      auto count = read_block_header(element, &byte_size);
      if (!count) return std::unexpected(count.error());
      if (*count == 0) return {};
      value.children.reserve(value.children.size() + static_cast<std::size_t>(*count));
      for (std::int64_t i = 0; i < *count; ++i) {
        path_.push_back({nullptr, value.children.size()});
        if (writer.type == Type::kMap) {
          auto length = read_length("map key length");
          if (!length) return std::unexpected(length.error());
          auto key = read_bytes(static_cast<std::size_t>(*length));
          value.keys.emplace_back(*key);
        }
        if (auto status = read(*step.element, value.children.emplace_back(), depth + 1); !status) {
          return status;
        }
        path_.pop_back();
      }
    }
  }

  // Advances past one writer value that the reader does not keep, without building it.
  Result<void> skip_value(const skip::Instruction& instruction, int depth) {
    skip::Cursor cursor{bytes_.data(), bytes_.data() + position_, bytes_.data() + bytes_.size()};
    if (!skipper_.skip(instruction, cursor, depth)) {
      return fail_at(cursor.fault_offset, skip::describe(cursor));
    }
    position_ = static_cast<std::size_t>(cursor.position - cursor.begin);
    return {};
  }

  const skip::Skipper& skipper_;
  std::string_view bytes_;
  std::size_t position_ = 0;
  std::vector<PathPart> path_;
};

}  // namespace

Result<Resolver> Resolver::create(const Node& writer, const Node& reader) {
  auto plan = std::make_shared<Plan>();
  plan->writer = &writer;
  plan->reader = &reader;
  PlanBuilder builder(*plan);
  auto root = builder.build(writer, reader);
  if (!root) return std::unexpected(root.error());
  plan->root = *root;
  return Resolver(std::move(plan));
}

Result<Value> Resolver::resolve_decode(std::string_view bytes, std::size_t* consumed) const {
  PlanReader reader(plan_->skipper, bytes);
  Value value;
  if (auto status = reader.read(*plan_->root, value, 0); !status) {
    return std::unexpected(status.error());
  }
  if (consumed) *consumed = reader.position();
  return value;
}

Result<Value> Resolver::resolve_decode_exact(std::string_view bytes) const {
  std::size_t consumed = 0;
  auto value = resolve_decode(bytes, &consumed);
  if (value && consumed != bytes.size()) {
    return std::unexpected(
        Error{fmt::format("{} bytes left over after the value", bytes.size() - consumed),
              plan_->reader->full_name, consumed});
  }
  return value;
}

const Node& Resolver::writer() const { return *plan_->writer; }

const Node& Resolver::reader() const { return *plan_->reader; }

}  // namespace skystream::avro
