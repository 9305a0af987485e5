#include "avro/resolve_default.h"

#include <fmt/format.h>

#include <algorithm>
#include <cstdint>
#include <optional>
#include <utility>

#include "avro/reader.h"
#include "avro/resolve_plan.h"

namespace skystream::avro::resolve_detail {

using nlohmann::json;

std::string abbreviated(const json& value) {
  std::string text = value.dump();
  if (text.size() > 60) text = text.substr(0, 57) + "...";
  return text;
}

namespace {

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

Result<void> fill_record_default(const Node& node, const json& json_value, Value& value,
                                 int depth) {
  if (!json_value.is_object()) return std::unexpected(Error{});
  for (const Field& field : node.fields) {
    const auto it = json_value.find(field.name);
    if (it == json_value.end() && !field.default_value) {
      return std::unexpected(
          Error{fmt::format("default {} has no value for field {} of {}", abbreviated(json_value),
                            field.name, describe_type(node)),
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

}  // namespace

Result<Value> value_from_json(const Node& node, const json& json_value, int depth) {
  if (depth > kMaxValueDepth) {
    return std::unexpected(Error{"default value nested too deep", "", std::string::npos});
  }
  Value value;
  value.node = &node;
  if (auto status = fill_default(node, json_value, value, depth); !status) {
    Error error = std::move(status.error());
    if (error.message.empty()) {
      error.message =
          fmt::format("default {} is not a valid {}", abbreviated(json_value), describe_type(node));
    }
    return std::unexpected(std::move(error));
  }
  return value;
}

}  // namespace skystream::avro::resolve_detail
