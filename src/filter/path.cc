#include "filter/path.h"

#include <fmt/format.h>

namespace skystream::filter {
namespace {

// Returns the one non-null branch of `node` when it is a union, `node` itself otherwise, or
// nullptr for a union of several non-null types. A union of only "null" returns its null branch.
const avro::Node* strip_union(const avro::Node& node, bool* nullable) {
  if (node.type != avro::Type::kUnion) return &node;

  const avro::Node* chosen = nullptr;
  for (const avro::Node* branch : node.branches) {
    if (branch->type == avro::Type::kNull) {
      *nullable = true;
    } else if (chosen != nullptr) {
      return nullptr;
    } else {
      chosen = branch;
    }
  }
  if (chosen == nullptr && !node.branches.empty()) chosen = node.branches.front();
  return chosen;
}

std::string describe_type(const avro::Node& node) {
  if (node.is_named()) return fmt::format("{} {}", avro::type_name(node.type), node.full_name);
  return std::string(avro::type_name(node.type));
}

std::string join(std::span<const std::string> names, std::size_t count) {
  std::string out;
  for (std::size_t i = 0; i < count; ++i) {
    if (i > 0) out += '.';
    out += names[i];
  }
  return out;
}

}  // namespace

Result<FieldPath> resolve_path(const avro::Node& root, std::span<const std::string> names) {
  FieldPath path;
  path.text = join(names, names.size());
  const avro::Node* node = &root;

  for (std::size_t i = 0; i < names.size(); ++i) {
    if (node->type != avro::Type::kRecord) {
      return std::unexpected(Error{fmt::format("cannot read '{}': '{}' has type {}, not record",
                                               path.text, join(names, i), describe_type(*node))});
    }
    int index = node->field_index(names[i]);
    if (index < 0) {
      return std::unexpected(Error{fmt::format("unknown field '{}': record {} has no field '{}'",
                                               path.text, node->full_name, names[i])});
    }
    path.fields.push_back(index);

    const avro::Node& field_type = *node->fields[static_cast<std::size_t>(index)].type;
    path.field_types.push_back(field_type.type);
    node = strip_union(field_type, &path.nullable);
    if (node == nullptr) {
      return std::unexpected(Error{fmt::format(
          "cannot read '{}': '{}' is a union of several non-null types, which filters do not "
          "support",
          path.text, join(names, i + 1))});
    }
  }
  path.leaf = node;
  return path;
}

Result<FieldPath> resolve_path(const avro::Node& root, std::string_view dotted) {
  std::vector<std::string> names;
  std::size_t start = 0;
  while (true) {
    std::size_t dot = dotted.find('.', start);
    names.emplace_back(dotted.substr(start, dot - start));
    if (dot == std::string_view::npos) break;
    start = dot + 1;
  }
  return resolve_path(root, names);
}

Scalar::Kind scalar_kind(const avro::Node& node) {
  switch (node.type) {
    case avro::Type::kNull:
      return Scalar::Kind::kNull;
    case avro::Type::kBoolean:
      return Scalar::Kind::kBoolean;
    case avro::Type::kInt:
    case avro::Type::kLong:
      return Scalar::Kind::kInteger;
    case avro::Type::kFloat:
    case avro::Type::kDouble:
      return Scalar::Kind::kReal;
    case avro::Type::kString:
    case avro::Type::kEnum:
      return Scalar::Kind::kString;
    default:
      return Scalar::Kind::kOther;
  }
}

ReadStatus read_path(const FieldPath& path, const avro::Value& root, Scalar* out) {
  const avro::Value* value = &root;
  for (std::size_t step = 0; step < path.fields.size(); ++step) {
    if (value->node == nullptr || value->type() != avro::Type::kRecord)
      return ReadStatus::kMismatch;
    auto position = static_cast<std::size_t>(path.fields[step]);
    if (position >= value->children.size()) return ReadStatus::kMismatch;
    value = &value->children[position];

    if (value->node == nullptr || value->type() != path.field_types[step]) {
      return ReadStatus::kMismatch;
    }
    if (value->type() == avro::Type::kUnion) {
      if (value->children.size() != 1) return ReadStatus::kMismatch;
      value = &value->children.front();
      if (value->node == nullptr) return ReadStatus::kMismatch;
      if (value->type() == avro::Type::kNull) {
        *out = Scalar{};
        return ReadStatus::kOk;
      }
    }
  }
  if (value->node == nullptr || value->type() != path.leaf->type) return ReadStatus::kMismatch;

  Scalar scalar;
  scalar.kind = scalar_kind(*path.leaf);
  switch (path.leaf->type) {
    case avro::Type::kBoolean:
      scalar.boolean = value->boolean;
      break;
    case avro::Type::kInt:
    case avro::Type::kLong:
      scalar.integer = value->integer;
      break;
    case avro::Type::kFloat:
      scalar.real = value->float32;
      break;
    case avro::Type::kDouble:
      scalar.real = value->float64;
      break;
    case avro::Type::kString:
      scalar.text = value->bytes;
      break;
    case avro::Type::kEnum: {
      const auto& symbols = value->node->symbols;
      if (value->index < 0 || static_cast<std::size_t>(value->index) >= symbols.size()) {
        return ReadStatus::kMismatch;
      }
      scalar.text = symbols[static_cast<std::size_t>(value->index)];
      break;
    }
    default:
      break;
  }
  *out = scalar;
  return ReadStatus::kOk;
}

}  // namespace skystream::filter
