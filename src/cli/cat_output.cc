#include "cli/cat_output.h"

#include <fmt/format.h>

#include <algorithm>
#include <utility>

#include "avro/avro_json.h"
#include "avro/json.h"

namespace skystream::cli {
namespace {

// Strips unions of one non-null branch and arrays from `node` and returns the type that the
// next step of a path looks into. Returns nullptr for a union of several non-null branches.
const avro::Node* step_into(const avro::Node* node) {
  while (node->type == avro::Type::kUnion || node->type == avro::Type::kArray) {
    if (node->type == avro::Type::kArray) {
      node = node->items;
      continue;
    }
    const avro::Node* chosen = nullptr;
    for (const avro::Node* branch : node->branches) {
      if (branch->type == avro::Type::kNull) continue;
      if (chosen != nullptr) return nullptr;
      chosen = branch;
    }
    if (chosen == nullptr) return node;
    node = chosen;
  }
  return node;
}

}  // namespace

avro::Result<FieldSelection> resolve_field(const avro::Node& root, std::string_view text) {
  FieldSelection selection{std::string(text), {}};
  const avro::Node* node = &root;
  std::size_t start = 0;
  while (start <= text.size()) {
    const std::size_t dot = std::min(text.find('.', start), text.size());
    const std::string_view name = text.substr(start, dot - start);
    const std::string_view prefix = text.substr(0, start == 0 ? 0 : start - 1);
    node = step_into(node);
    if (node == nullptr || node->type != avro::Type::kRecord) {
      return std::unexpected(avro::Error{
          fmt::format("invalid --fields path \"{}\": \"{}\" is not a record or a nullable record",
                      text, prefix)});
    }
    const int index = node->field_index(name);
    if (index < 0) {
      return std::unexpected(
          avro::Error{fmt::format("invalid --fields path \"{}\": record {} has no field \"{}\"",
                                  text, node->full_name, name)});
    }
    selection.fields.push_back(index);
    node = node->fields[static_cast<std::size_t>(index)].type;
    start = dot + 1;
  }
  return selection;
}

avro::Result<const std::vector<FieldSelection>*> RecordFormatter::selections_for(
    const std::shared_ptr<const avro::Schema>& schema) {
  auto [entry, inserted] = selections_.try_emplace(schema, std::vector<FieldSelection>{});
  if (inserted) {
    for (const std::string& path : options_.paths) {
      auto selection = resolve_field(schema->root(), path);
      if (!selection) {
        entry->second = std::unexpected(selection.error());
        break;
      }
      entry->second->push_back(std::move(*selection));
    }
  }
  if (!entry->second) return std::unexpected(entry->second.error());
  return &*entry->second;
}

avro::Result<void> RecordFormatter::append(const avro::Value& value, std::string& out) const {
  if (!options_.avro_json) {
    avro::append_json(value, out);
    return {};
  }
  return avro::append_avro_json(value, out, {.quote_non_finite = options_.quote_non_finite});
}

// NOTE: the selected fields are read from the fully decoded record, not with the projection
// decoder of avro/projection.h. Both readers of cat decode every record in full to find where
// it ends, so a projection would save nothing, and the walk prints leaves of any type.
avro::Result<void> RecordFormatter::append_fields(const avro::Value& value,
                                                  const std::vector<FieldSelection>& selections,
                                                  std::string& out) const {
  const std::size_t start = out.size();
  out.push_back('{');
  for (const FieldSelection& selection : selections) {
    if (out.size() > start + 1) out.push_back(',');
    out += fmt::format("\"{}\":", selection.text);
    if (auto status = append_selected(value, selection.fields, out); !status) return status;
  }
  out.push_back('}');
  return {};
}

// Appends the value at the end of `steps`: null when a union on the way is null, and a JSON
// array of the values below each item when the way passes through an array.
avro::Result<void> RecordFormatter::append_selected(const avro::Value& value,
                                                    std::span<const int> steps,
                                                    std::string& out) const {
  if (steps.empty()) return append(value, out);
  const avro::Value& inner = value.unwrapped();
  if (inner.type() == avro::Type::kNull) {
    out += "null";
    return {};
  }
  if (inner.type() == avro::Type::kArray) {
    out.push_back('[');
    for (std::size_t i = 0; i < inner.children.size(); ++i) {
      if (i > 0) out.push_back(',');
      if (auto status = append_selected(inner.children[i], steps, out); !status) return status;
    }
    out.push_back(']');
    return {};
  }
  return append_selected(inner.children[static_cast<std::size_t>(steps.front())], steps.subspan(1),
                         out);
}

}  // namespace skystream::cli
