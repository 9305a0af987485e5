// UTF-8 validation for Avro strings (RFC 3629, and the well-formed byte sequences of Unicode
// 15, table 3-7): no overlong forms, no surrogates U+D800 to U+DFFF, nothing above U+10FFFF.
// These are the sequences that Python's UTF-8 codec accepts, and so fastavro.
//
// The check reads 8 bytes at a time while they are ASCII, which is nearly all the text in
// alerts, and decodes sequences one by one only from the first byte above 0x7F.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>

namespace skystream::avro::utf8 {

inline constexpr std::size_t kValid = std::string_view::npos;

// The part of find_invalid() after the first byte above 0x7F, at `from`. Out of line, so that
// the ASCII loop stays small enough to inline.
std::size_t find_invalid_from(std::string_view text, std::size_t from);

// Returns the index of the first byte of the first ill-formed sequence in `text`, or kValid
// when all of `text` is well-formed UTF-8.
inline std::size_t find_invalid(std::string_view text) {
  const char* data = text.data();
  const std::size_t size = text.size();
  std::size_t i = 0;
  for (; i + 8 <= size; i += 8) {
    std::uint64_t word;
    std::memcpy(&word, data + i, 8);
    if (word & 0x8080808080808080ull) break;
  }
  for (; i < size; ++i) {
    if (static_cast<unsigned char>(data[i]) >= 0x80) return find_invalid_from(text, i);
  }
  return kValid;
}

inline bool is_valid(std::string_view text) { return find_invalid(text) == kValid; }

// The length of the ill-formed sequence at `text[at]`, which find_invalid() reported: its
// maximal subpart in the sense of Unicode 15 section 3.9, that is the lead byte and the
// continuation bytes that fit it before the sequence breaks off, and at least 1. Replacing each
// such run with U+FFFD gives what Python's errors="replace" gives.
std::size_t ill_formed_length(std::string_view text, std::size_t at);

// Appends `text` with each ill-formed sequence replaced by U+FFFD.
void append_replacing_invalid(std::string_view text, std::string& out);

}  // namespace skystream::avro::utf8
