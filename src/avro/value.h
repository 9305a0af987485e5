// Decoded Avro values: a tree that mirrors the schema node by node.
//
// A Value points at the schema Node it was decoded with or built for, and is valid only while
// that Schema lives. Fields are stored in schema order, so record fields are reached by the
// index that Node::field_index() returns. A Value is not thread-safe to mutate.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "avro/schema.h"

namespace skystream::avro {

struct Value {
  const Node* node = nullptr;  // this value's type; for a union, the union node
  // Scalars. int and long use `integer`; float uses `float32` and double uses `float64` so that
  // re-encoding gives back the same bits; enum and union use `index` (symbol or branch).
  bool boolean = false;
  std::int64_t integer = 0;
  float float32 = 0;
  double float64 = 0;
  std::int32_t index = 0;
  std::string bytes;              // string, bytes, fixed
  std::vector<Value> children;    // record fields in schema order, array items, map values, or
                                  // the one value of the chosen union branch
  std::vector<std::string> keys;  // map keys, parallel to children

  Type type() const { return node->type; }

  // Builds the zero value of `node`: 0, "", empty containers, records with every field's zero
  // value, and unions on their null branch when they have one (else on branch 0).
  static Value zero(const Node& node);

  // Returns the record field `name`; throws std::out_of_range when the record has none.
  Value& field(std::string_view name);
  const Value& field(std::string_view name) const;

  // For a union, the value of the chosen branch; for any other type, this value.
  const Value& unwrapped() const;
  Value& unwrapped();

  // True for a null value, including a union on its null branch.
  bool is_null() const;

  // Puts a union on branch `branch`, whose value becomes the zero value of that branch, and
  // returns that value.
  Value& select(int branch);
  // Puts a union on its first branch of type `type` and returns that branch's value; throws
  // std::invalid_argument when the union has no such branch.
  Value& select_type(Type type);
};

}  // namespace skystream::avro
