// Encodes values as Avro JSON. avro_json_decode.cc decodes it.

#include "avro/avro_json.h"

#include <fmt/format.h>

#include <cmath>

#include "avro/avro_json_text.h"

namespace skystream::avro {
namespace {

// The writers of scalars are kept out of line, so that the recursion through encode_json() takes
// little stack.

// Escapes a string value. Fails on invalid UTF-8, which JSON text cannot carry.
[[gnu::noinline]] Result<void> append_string(std::string_view text, std::string& out) {
  out.push_back('"');
  std::size_t pos = 0;
  while (pos < text.size()) {
    const auto c = static_cast<unsigned char>(text[pos]);
    if (c >= 0x80) {
      const std::size_t start = pos;
      if (json_text::next_code_point(text, &pos) < 0) {
        return std::unexpected(
            Error{fmt::format("string is not valid UTF-8 (byte {} of the string)", start)});
      }
      out.append(text.substr(start, pos - start));
      continue;
    }
    json_text::append_escaped_ascii(static_cast<char>(c), out);
    ++pos;
  }
  out.push_back('"');
  return {};
}

// Bytes and fixed: one code point per byte, so bytes 0x80-0xff are written as \u0080-\u00ff.
[[gnu::noinline]] void append_byte_string(std::string_view bytes, std::string& out) {
  out.push_back('"');
  for (const char c : bytes) {
    if (static_cast<unsigned char>(c) >= 0x80) {
      fmt::format_to(std::back_inserter(out), "\\u{:04x}", static_cast<unsigned char>(c));
    } else {
      json_text::append_escaped_ascii(c, out);
    }
  }
  out.push_back('"');
}

[[gnu::noinline]] void append_real(double number, const AvroJsonOptions& options,
                                   std::string& out) {
  if (std::isnan(number)) {
    out += options.quote_non_finite ? "\"NaN\"" : "NaN";
  } else if (std::isinf(number)) {
    if (options.quote_non_finite) out.push_back('"');
    out += number > 0 ? "Infinity" : "-Infinity";
    if (options.quote_non_finite) out.push_back('"');
  } else {
    const std::size_t start = out.size();
    fmt::format_to(std::back_inserter(out), "{}", number);
    // Integral values get ".0", as Python's repr() writes them, so that readers that tell 1
    // from 1.0 see a floating-point number.
    if (out.find_first_of(".e", start) == std::string::npos) out += ".0";
  }
}

[[gnu::noinline]] void append_integer(std::int64_t number, std::string& out) {
  fmt::format_to(std::back_inserter(out), "{}", number);
}

// The union branch label: a named type's full name, else the type's name.
std::string_view branch_name(const Node& node) {
  return node.is_named() ? std::string_view(node.full_name) : type_name(node.type);
}

// Adds the step `step` ("psfFlux" or "[3]") in front of the error's field path.
Error prefix_path(Error error, std::string_view step) {
  if (error.where.empty()) {
    error.where = std::string(step);
  } else {
    error.where = fmt::format("{}{}{}", step, error.where.front() == '[' ? "" : ".", error.where);
  }
  return error;
}

Result<void> encode_json(const Value& value, const AvroJsonOptions& options, std::string& out);

// Returns the error of child `i` of `value` with the step to the child (a field name, "[index]"
// or "[key]") added in front of its field path. Out of line, so that the step is formatted only
// for an error and the recursion through encode_json() takes little stack.
[[gnu::noinline, gnu::cold]] Result<void> fail_child(Error& error, const Value& value,
                                                     std::size_t i) {
  const Node& node = *value.node;
  if (node.type == Type::kRecord) {
    return std::unexpected(prefix_path(std::move(error), node.fields[i].name));
  }
  if (node.type == Type::kMap) {
    return std::unexpected(prefix_path(std::move(error), fmt::format("[{}]", value.keys[i])));
  }
  return std::unexpected(prefix_path(std::move(error), fmt::format("[{}]", i)));
}

[[gnu::noinline]] Result<void> encode_children(const Value& value, const AvroJsonOptions& options,
                                               std::string& out) {
  const Node& node = *value.node;
  const bool array = node.type == Type::kArray;
  out.push_back(array ? '[' : '{');
  for (std::size_t i = 0; i < value.children.size(); ++i) {
    if (i > 0) out.push_back(',');
    Result<void> status;
    if (!array) {
      const std::string_view key =
          node.type == Type::kRecord ? std::string_view(node.fields[i].name) : value.keys[i];
      status = append_string(key, out);
      out.push_back(':');
    }
    if (status) status = encode_json(value.children[i], options, out);
    if (!status) return fail_child(status.error(), value, i);
  }
  out.push_back(array ? ']' : '}');
  return {};
}

Result<void> encode_json(const Value& value, const AvroJsonOptions& options, std::string& out) {
  const Node& node = *value.node;
  switch (node.type) {
    case Type::kNull:
      out += "null";
      return {};
    case Type::kBoolean:
      out += value.boolean ? "true" : "false";
      return {};
    case Type::kInt:
    case Type::kLong:
      append_integer(value.integer, out);
      return {};
    case Type::kFloat:
      append_real(static_cast<double>(value.float32), options, out);
      return {};
    case Type::kDouble:
      append_real(value.float64, options, out);
      return {};
    case Type::kString:
      return append_string(value.bytes, out);
    case Type::kBytes:
    case Type::kFixed:
      append_byte_string(value.bytes, out);
      return {};
    case Type::kEnum:
      append_byte_string(node.symbols[static_cast<std::size_t>(value.index)], out);
      return {};
    case Type::kUnion: {
      const Value& chosen = value.children.front();
      if (chosen.node->type == Type::kNull) {
        out += "null";
        return {};
      }
      out.push_back('{');
      append_byte_string(branch_name(*chosen.node), out);
      out.push_back(':');
      if (auto status = encode_json(chosen, options, out); !status) return status;
      out.push_back('}');
      return {};
    }
    case Type::kRecord:
    case Type::kArray:
    case Type::kMap:
      return encode_children(value, options, out);
  }
  return std::unexpected(Error{"unknown type"});
}

}  // namespace

Result<void> append_avro_json(const Value& value, std::string& out, AvroJsonOptions options) {
  const std::size_t start = out.size();
  auto status = encode_json(value, options, out);
  if (!status) out.resize(start);  // no partial, unterminated JSON text
  return status;
}

Result<std::string> to_avro_json(const Value& value, AvroJsonOptions options) {
  std::string out;
  if (auto status = encode_json(value, options, out); !status) {
    return std::unexpected(std::move(status.error()));
  }
  return out;
}

}  // namespace skystream::avro
