#include "avro/resolve_plan.h"

#include <fmt/format.h>

#include <algorithm>
#include <map>
#include <string_view>

#include "avro/reader.h"
#include "avro/resolve_default.h"

namespace skystream::avro::resolve_detail {
namespace {

std::string_view unqualified(std::string_view name) {
  const auto dot = name.rfind('.');
  return dot == std::string_view::npos ? name : name.substr(dot + 1);
}

}  // namespace

std::string describe_type(const Node& node) {
  if (node.is_named()) return fmt::format("{} {}", type_name(node.type), node.full_name);
  return std::string(type_name(node.type));
}

namespace {

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
        return fail(fmt::format("writer type {} cannot be read as {}", describe_type(writer),
                                describe_type(reader)));
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
                    describe_type(writer), describe_type(reader)));
  }

  Result<const Step*> build_fixed(const Node& writer, const Node& reader) {
    if (auto named = check_names(writer, reader); !named) return std::unexpected(named.error());
    if (writer.fixed_size != reader.fixed_size) {
      return fail(fmt::format("writer {} of size {} cannot be read as {} of size {}",
                              describe_type(writer), writer.fixed_size, describe_type(reader),
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
                                abbreviated(*it), describe_type(reader)));
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
        step.default_descendants += descendants(*value);
        step.defaults.emplace_back(static_cast<int>(j), std::move(*value));
        all_identical = false;
      }
      path_.pop_back();
    }
    step.identical = all_identical;
    step.complete = true;
    return &step;
  }

  // The number of values below `value`, saturating.
  static std::uint64_t descendants(const Value& value) {
    std::uint64_t count = 0;
    for (const Value& child : value.children) {
      count = std::min(count + 1 + descendants(child), kMaxZeroByteValues + 1);
    }
    return count;
  }

  Result<Value> default_for(const Field& field, const Node& writer) const {
    if (!field.default_value) {
      return fail(fmt::format("reader field {} is not in the writer {} and has no default",
                              field.name, describe_type(writer)));
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
      return fail(
          fmt::format("no branch of the writer union can be read as {}", describe_type(reader)));
    }
    step.identical = all_identical;
    step.complete = true;
    return &step;
  }

  Result<const Step*> build_reader_union(const Node& writer, const Node& reader) {
    const int index = first_match(writer, reader);
    if (index < 0) {
      return fail(fmt::format("writer type {} matches no branch of the reader union",
                              describe_type(writer)));
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

}  // namespace

Result<void> build_plan(Plan& plan) {
  PlanBuilder builder(plan);
  auto root = builder.build(*plan.writer, *plan.reader);
  if (!root) return std::unexpected(root.error());
  plan.root = *root;
  return {};
}

}  // namespace skystream::avro::resolve_detail
