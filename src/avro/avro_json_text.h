// UTF-8 and JSON string helpers shared by the Avro JSON encoder and decoder (RFC 3629 for
// UTF-8, RFC 8259 for JSON strings). Internal to src/avro.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace skystream::avro::json_text {

// Decodes the UTF-8 sequence at text[*pos] and advances *pos past it. Returns -1, leaving
// *pos unchanged, for an invalid sequence: a stray continuation byte, a truncated or overlong
// sequence, a surrogate, or a code point above U+10FFFF.
inline std::int32_t next_code_point(std::string_view text, std::size_t* pos) {
  const auto lead = static_cast<unsigned char>(text[*pos]);
  if (lead < 0x80) {
    ++*pos;
    return lead;
  }
  std::size_t length = 0;
  std::int32_t code_point = 0;
  std::int32_t smallest = 0;
  if ((lead & 0xe0) == 0xc0) {
    length = 2, code_point = lead & 0x1f, smallest = 0x80;
  } else if ((lead & 0xf0) == 0xe0) {
    length = 3, code_point = lead & 0x0f, smallest = 0x800;
  } else if ((lead & 0xf8) == 0xf0) {
    length = 4, code_point = lead & 0x07, smallest = 0x10000;
  } else {
    return -1;
  }
  if (text.size() - *pos < length) return -1;
  for (std::size_t i = 1; i < length; ++i) {
    const auto byte = static_cast<unsigned char>(text[*pos + i]);
    if ((byte & 0xc0) != 0x80) return -1;
    code_point = code_point << 6 | (byte & 0x3f);
  }
  if (code_point < smallest || code_point > 0x10ffff ||
      (code_point >= 0xd800 && code_point <= 0xdfff)) {
    return -1;
  }
  *pos += length;
  return code_point;
}

// Appends `code_point` (at most U+10FFFF, not a surrogate) as UTF-8.
inline void append_utf8(std::int32_t code_point, std::string& out) {
  const auto c = static_cast<std::uint32_t>(code_point);
  if (c < 0x80) {
    out.push_back(static_cast<char>(c));
  } else if (c < 0x800) {
    out.push_back(static_cast<char>(0xc0 | c >> 6));
    out.push_back(static_cast<char>(0x80 | (c & 0x3f)));
  } else if (c < 0x10000) {
    out.push_back(static_cast<char>(0xe0 | c >> 12));
    out.push_back(static_cast<char>(0x80 | (c >> 6 & 0x3f)));
    out.push_back(static_cast<char>(0x80 | (c & 0x3f)));
  } else {
    out.push_back(static_cast<char>(0xf0 | c >> 18));
    out.push_back(static_cast<char>(0x80 | (c >> 12 & 0x3f)));
    out.push_back(static_cast<char>(0x80 | (c >> 6 & 0x3f)));
    out.push_back(static_cast<char>(0x80 | (c & 0x3f)));
  }
}

// Appends the ASCII character `c` (below 0x80) as it appears inside a JSON string: quote and
// backslash escaped, control characters as \b \f \n \r \t or \u00XX, the rest as they are.
inline void append_escaped_ascii(char c, std::string& out) {
  static constexpr char kHex[] = "0123456789abcdef";
  switch (c) {
    case '"':
      out += "\\\"";
      return;
    case '\\':
      out += "\\\\";
      return;
    case '\b':
      out += "\\b";
      return;
    case '\f':
      out += "\\f";
      return;
    case '\n':
      out += "\\n";
      return;
    case '\r':
      out += "\\r";
      return;
    case '\t':
      out += "\\t";
      return;
    default:
      break;
  }
  if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) {
    out += "\\u00";
    out.push_back(kHex[static_cast<unsigned char>(c) >> 4]);
    out.push_back(kHex[c & 15]);
  } else {
    out.push_back(c);
  }
}

}  // namespace skystream::avro::json_text
