// Content digests of Kafka messages: XXH3-128 (xxHash 0.8) of the whole framed message value,
// the 5-byte Confluent header included, so that a changed schema id counts as a change.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace skystream::verify {

struct Digest {
  std::uint64_t high = 0;
  std::uint64_t low = 0;

  friend bool operator==(const Digest&, const Digest&) = default;

  // 32 lowercase hexadecimal digits, high half first: the form `xxhsum -H2` prints.
  std::string to_hex() const;
  // Parses to_hex()'s form; nothing unless `text` is exactly 32 hexadecimal digits.
  static std::optional<Digest> from_hex(std::string_view text);
};

Digest digest_of(std::string_view bytes);

}  // namespace skystream::verify
