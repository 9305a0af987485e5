#include "verify/digest.h"

#include <fmt/format.h>
#include <xxhash.h>

#include <charconv>

namespace skystream::verify {

std::string Digest::to_hex() const { return fmt::format("{:016x}{:016x}", high, low); }

std::optional<Digest> Digest::from_hex(std::string_view text) {
  if (text.size() != 32) return std::nullopt;
  Digest digest;
  for (auto [half, part] :
       {std::pair{&digest.high, text.substr(0, 16)}, std::pair{&digest.low, text.substr(16)}}) {
    const char* end = part.data() + part.size();
    const auto [after, status] = std::from_chars(part.data(), end, *half, 16);
    if (status != std::errc() || after != end) return std::nullopt;
  }
  return digest;
}

Digest digest_of(std::string_view bytes) {
  const XXH128_hash_t hash = XXH3_128bits(bytes.data(), bytes.size());
  return Digest{hash.high64, hash.low64};
}

}  // namespace skystream::verify
