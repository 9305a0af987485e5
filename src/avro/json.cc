#include "avro/json.h"

#include <fmt/format.h>

#include <cmath>

#include "avro/utf8.h"

namespace skystream::avro {
namespace {

constexpr char kBase64Alphabet[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

void append_base64(std::string_view bytes, std::string& out) {
  out.push_back('"');
  std::size_t i = 0;
  for (; i + 3 <= bytes.size(); i += 3) {
    const std::uint32_t group = static_cast<std::uint8_t>(bytes[i]) << 16 |
                                static_cast<std::uint8_t>(bytes[i + 1]) << 8 |
                                static_cast<std::uint8_t>(bytes[i + 2]);
    for (int shift = 18; shift >= 0; shift -= 6)
      out.push_back(kBase64Alphabet[group >> shift & 63]);
  }
  if (const std::size_t rest = bytes.size() - i; rest > 0) {
    std::uint32_t group = static_cast<std::uint8_t>(bytes[i]) << 16;
    if (rest == 2) group |= static_cast<std::uint8_t>(bytes[i + 1]) << 8;
    out.push_back(kBase64Alphabet[group >> 18 & 63]);
    out.push_back(kBase64Alphabet[group >> 12 & 63]);
    out.push_back(rest == 2 ? kBase64Alphabet[group >> 6 & 63] : '=');
    out.push_back('=');
  }
  out.push_back('"');
}

// Writes `text` as a JSON string. The decoders reject strings that are not UTF-8, but a Value
// built by hand may hold one; its ill-formed sequences are written as U+FFFD, as Python's
// errors="replace" does, so that the output is always UTF-8 and so valid JSON.
void append_string(std::string_view text, std::string& out) {
  std::string repaired;
  if (!utf8::is_valid(text)) [[unlikely]] {
    utf8::append_replacing_invalid(text, repaired);
    text = repaired;
  }
  out.push_back('"');
  for (const char c : text) {
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\t':
        out += "\\t";
        break;
      default:
        if (static_cast<unsigned char>(c) < 0x20) {
          fmt::format_to(std::back_inserter(out), "\\u{:04x}", static_cast<int>(c));
        } else {
          out.push_back(c);
        }
    }
  }
  out.push_back('"');
}

template <typename Float>
void append_number(Float number, std::string& out) {
  if (std::isnan(number)) {
    out += "\"NaN\"";
  } else if (std::isinf(number)) {
    out += number > 0 ? "\"Infinity\"" : "\"-Infinity\"";
  } else {
    fmt::format_to(std::back_inserter(out), "{}", number);
  }
}

}  // namespace

void append_json(const Value& value, std::string& out) {
  const Node& node = *value.node;
  switch (node.type) {
    case Type::kNull:
      out += "null";
      return;
    case Type::kBoolean:
      out += value.boolean ? "true" : "false";
      return;
    case Type::kInt:
    case Type::kLong:
      fmt::format_to(std::back_inserter(out), "{}", value.integer);
      return;
    case Type::kFloat:
      append_number(value.float32, out);
      return;
    case Type::kDouble:
      append_number(value.float64, out);
      return;
    case Type::kString:
      append_string(value.bytes, out);
      return;
    case Type::kBytes:
    case Type::kFixed:
      append_base64(value.bytes, out);
      return;
    case Type::kEnum:
      append_string(node.symbols[static_cast<std::size_t>(value.index)], out);
      return;
    case Type::kUnion:
      append_json(value.children.front(), out);
      return;
    case Type::kRecord:
    case Type::kMap:
      out.push_back('{');
      for (std::size_t i = 0; i < value.children.size(); ++i) {
        if (i > 0) out.push_back(',');
        append_string(node.type == Type::kRecord ? node.fields[i].name : value.keys[i], out);
        out.push_back(':');
        append_json(value.children[i], out);
      }
      out.push_back('}');
      return;
    case Type::kArray:
      out.push_back('[');
      for (std::size_t i = 0; i < value.children.size(); ++i) {
        if (i > 0) out.push_back(',');
        append_json(value.children[i], out);
      }
      out.push_back(']');
      return;
  }
}

std::string to_json(const Value& value) {
  std::string out;
  append_json(value, out);
  return out;
}

}  // namespace skystream::avro
