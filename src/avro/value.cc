#include "avro/value.h"

#include <fmt/format.h>

#include <stdexcept>

namespace skystream::avro {

Value Value::zero(const Node& node) {
  Value value;
  value.node = &node;
  switch (node.type) {
    case Type::kRecord:
      value.children.reserve(node.fields.size());
      for (const Field& field : node.fields) value.children.push_back(zero(*field.type));
      break;
    case Type::kUnion: {
      const int null_branch = node.null_branch();
      value.select(null_branch >= 0 ? null_branch : 0);
      break;
    }
    case Type::kFixed:
      value.bytes.assign(static_cast<std::size_t>(node.fixed_size), '\0');
      break;
    default:
      break;
  }
  return value;
}

Value& Value::field(std::string_view name) {
  const int index = node->field_index(name);
  if (index < 0) {
    throw std::out_of_range(fmt::format("record {} has no field {}", node->full_name, name));
  }
  return children[static_cast<std::size_t>(index)];
}

const Value& Value::field(std::string_view name) const {
  return const_cast<Value*>(this)->field(name);
}

const Value& Value::unwrapped() const {
  return node->type == Type::kUnion ? children.front() : *this;
}

Value& Value::unwrapped() { return node->type == Type::kUnion ? children.front() : *this; }

bool Value::is_null() const { return unwrapped().node->type == Type::kNull; }

Value& Value::select(int branch) {
  index = branch;
  children.clear();
  children.push_back(zero(*node->branches.at(static_cast<std::size_t>(branch))));
  return children.front();
}

Value& Value::select_type(Type type) {
  for (std::size_t i = 0; i < node->branches.size(); ++i) {
    if (node->branches[i]->type == type) return select(static_cast<int>(i));
  }
  throw std::invalid_argument(fmt::format("union has no branch of type {}", type_name(type)));
}

}  // namespace skystream::avro
