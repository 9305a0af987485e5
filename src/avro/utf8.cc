#include "avro/utf8.h"

namespace skystream::avro::utf8 {
namespace {

// The well-formed sequence that starts with `lead`: its length, and the range of its second
// byte (the later bytes are always 0x80 to 0xBF). A length of 0 marks a byte that cannot
// start a sequence: a continuation byte, C0, C1 (overlong) or F5 to FF (above U+10FFFF).
struct Lead {
  std::uint8_t length;
  std::uint8_t low;
  std::uint8_t high;
};

constexpr Lead lead_of(unsigned char lead) {
  if (lead < 0x80) return {1, 0, 0};
  if (lead >= 0xC2 && lead <= 0xDF) return {2, 0x80, 0xBF};
  if (lead == 0xE0) return {3, 0xA0, 0xBF};  // no overlong 3-byte forms
  if (lead == 0xED) return {3, 0x80, 0x9F};  // no surrogates
  if (lead >= 0xE1 && lead <= 0xEF) return {3, 0x80, 0xBF};
  if (lead == 0xF0) return {4, 0x90, 0xBF};  // no overlong 4-byte forms
  if (lead >= 0xF1 && lead <= 0xF3) return {4, 0x80, 0xBF};
  if (lead == 0xF4) return {4, 0x80, 0x8F};  // nothing above U+10FFFF
  return {0, 0, 0};
}

// The number of bytes of the sequence at `text[at]` that are well-formed so far: its full
// length when the sequence is complete, fewer when it breaks off.
std::size_t valid_prefix(std::string_view text, std::size_t at, const Lead& lead) {
  if (lead.length == 0) return 0;
  std::size_t length = 1;
  for (; length < lead.length && at + length < text.size(); ++length) {
    const auto byte = static_cast<unsigned char>(text[at + length]);
    const unsigned char low = length == 1 ? lead.low : 0x80;
    const unsigned char high = length == 1 ? lead.high : 0xBF;
    if (byte < low || byte > high) break;
  }
  return length;
}

}  // namespace

std::size_t find_invalid_from(std::string_view text, std::size_t from) {
  const char* data = text.data();
  const std::size_t size = text.size();
  std::size_t i = from;
  while (i < size) {
    const auto byte = static_cast<unsigned char>(data[i]);
    if (byte < 0x80) {
      ++i;
      while (i + 8 <= size) {
        std::uint64_t word;
        std::memcpy(&word, data + i, 8);
        if (word & 0x8080808080808080ull) break;
        i += 8;
      }
      continue;
    }
    const Lead lead = lead_of(byte);
    if (lead.length == 0 || valid_prefix(text, i, lead) != lead.length) return i;
    i += lead.length;
  }
  return kValid;
}

std::size_t ill_formed_length(std::string_view text, std::size_t at) {
  const std::size_t length = valid_prefix(text, at, lead_of(static_cast<unsigned char>(text[at])));
  return length == 0 ? 1 : length;
}

void append_replacing_invalid(std::string_view text, std::string& out) {
  std::size_t position = 0;
  while (position < text.size()) {
    const std::string_view rest = text.substr(position);
    const std::size_t bad = find_invalid(rest);
    if (bad == kValid) {
      out.append(rest);
      return;
    }
    out.append(rest.substr(0, bad));
    out.append("\xEF\xBF\xBD");  // U+FFFD REPLACEMENT CHARACTER
    position += bad + ill_formed_length(rest, bad);
  }
}

}  // namespace skystream::avro::utf8
