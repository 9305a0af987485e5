// Comparing values that skystream decoded with the JSON that reference Avro implementations
// print for the same data: fastavro through tests/tools/fastavro_dump.py, and Avro C's avrocat.
#pragma once

#include <cmath>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

#include "avro/value.h"

namespace skystream::testing {

// Returns `bytes` as lowercase hex digits, as fastavro_dump.py writes bytes and fixed values.
inline std::string hex(std::string_view bytes) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out;
  out.reserve(bytes.size() * 2);
  for (unsigned char c : bytes) {
    out.push_back(kDigits[c >> 4]);
    out.push_back(kDigits[c & 15]);
  }
  return out;
}

// True when `ours` equals the number fastavro_dump.py wrote: a JSON number, or "NaN",
// "Infinity" or "-Infinity". fastavro widens a float to a Python float (double), and
// narrowing it back is exact.
template <typename Float>
bool same_number(Float ours, const nlohmann::json& theirs) {
  if (theirs.is_string()) {
    const std::string text = theirs.get<std::string>();
    if (text == "NaN") return std::isnan(ours);
    if (text == "Infinity") return std::isinf(ours) && ours > 0;
    if (text == "-Infinity") return std::isinf(ours) && ours < 0;
    return false;
  }
  return theirs.is_number() && static_cast<Float>(theirs.get<double>()) == ours;
}

// Returns the path of the first place where `value` differs from fastavro_dump.py's JSON for
// the same datum, or an empty string when they are equal. `path` names `value` itself.
inline std::string first_difference(const avro::Value& value, const nlohmann::json& theirs,
                                    const std::string& path) {
  using avro::Type;
  const avro::Value& v = value.unwrapped();
  const avro::Node& node = *v.node;
  const auto differs = [&](bool same) { return same ? std::string() : path; };
  switch (node.type) {
    case Type::kNull:
      return differs(theirs.is_null());
    case Type::kBoolean:
      return differs(theirs.is_boolean() && theirs.get<bool>() == v.boolean);
    case Type::kInt:
    case Type::kLong:
      return differs(theirs.is_number_integer() && theirs.get<std::int64_t>() == v.integer);
    case Type::kFloat:
      return differs(same_number(v.float32, theirs));
    case Type::kDouble:
      return differs(same_number(v.float64, theirs));
    case Type::kString:
      return differs(theirs.is_string() && theirs.get<std::string>() == v.bytes);
    case Type::kBytes:
    case Type::kFixed:
      return differs(theirs.is_string() && theirs.get<std::string>() == hex(v.bytes));
    case Type::kEnum:
      return differs(theirs.is_string() &&
                     theirs.get<std::string>() == node.symbols[static_cast<std::size_t>(v.index)]);
    case Type::kRecord:
      if (!theirs.is_object() || theirs.size() != node.fields.size()) return path;
      for (std::size_t i = 0; i < node.fields.size(); ++i) {
        const std::string field_path = path + "." + node.fields[i].name;
        auto it = theirs.find(node.fields[i].name);
        if (it == theirs.end()) return field_path;
        auto difference = first_difference(v.children[i], *it, field_path);
        if (!difference.empty()) return difference;
      }
      return {};
    case Type::kArray:
      if (!theirs.is_array() || theirs.size() != v.children.size()) return path;
      for (std::size_t i = 0; i < v.children.size(); ++i) {
        auto difference =
            first_difference(v.children[i], theirs[i], path + "[" + std::to_string(i) + "]");
        if (!difference.empty()) return difference;
      }
      return {};
    case Type::kMap:
      if (!theirs.is_object() || theirs.size() != v.children.size()) return path;
      for (std::size_t i = 0; i < v.children.size(); ++i) {
        const std::string key_path = path + "." + v.keys[i];
        auto it = theirs.find(v.keys[i]);
        if (it == theirs.end()) return key_path;
        auto difference = first_difference(v.children[i], *it, key_path);
        if (!difference.empty()) return difference;
      }
      return {};
    case Type::kUnion:
      break;
  }
  return path;
}

// Returns `value` with every object key cut to the part after its last '.', because Avro C
// labels union branches of named types by short name ("diaObject") where the specification
// and skystream use the full name ("lsst.v11_0.diaObject").
inline nlohmann::json short_branch_names(const nlohmann::json& value) {
  if (value.is_array()) {
    nlohmann::json out = nlohmann::json::array();
    for (const nlohmann::json& item : value) out.push_back(short_branch_names(item));
    return out;
  }
  if (!value.is_object()) return value;
  nlohmann::json out = nlohmann::json::object();
  for (const auto& [key, item] : value.items()) {
    out[key.substr(key.rfind('.') + 1)] = short_branch_names(item);
  }
  return out;
}

}  // namespace skystream::testing
