// Message digests: XXH3-128 in the hexadecimal form xxhsum prints. The expected digests were
// printed by `xxhsum -H2` (xxHash 0.8.1) for the same bytes.

#include <gtest/gtest.h>

#include <string>

#include "verify/digest.h"

namespace skystream::verify {
namespace {

TEST(VerifyDigest, EmptyInputMatchesXxhsum) {
  EXPECT_EQ(digest_of("").to_hex(), "99aa06d3014798d86001c324468d497f");
}

TEST(VerifyDigest, TextMatchesXxhsum) {
  EXPECT_EQ(digest_of("skystream").to_hex(), "3a33cde6fca75bafdfeb4bc73afa3a79");
}

TEST(VerifyDigest, FramedBytesMatchXxhsum) {
  // A Confluent header for schema id 1100 (0x0000044c), then "abc".
  const std::string framed(
      "\x00\x00\x00\x04\x4c"
      "abc",
      8);
  EXPECT_EQ(digest_of(framed).to_hex(), "f3c7a24250dd90cb31b13e6fd3f8c815");
}

TEST(VerifyDigest, OneChangedByteChangesDigest) {
  EXPECT_NE(digest_of("skystream"), digest_of("skystreaM"));
}

TEST(VerifyDigest, HexRoundTrips) {
  const Digest digest = digest_of("skystream");
  const auto parsed = Digest::from_hex(digest.to_hex());
  ASSERT_TRUE(parsed.has_value());
  EXPECT_EQ(*parsed, digest);
}

TEST(VerifyDigest, HexPutsHighHalfFirst) {
  const auto parsed = Digest::from_hex("0000000000000001000000000000000f");
  ASSERT_TRUE(parsed.has_value());
  EXPECT_EQ(parsed->high, 1u);
  EXPECT_EQ(parsed->low, 15u);
}

TEST(VerifyDigest, FromHexRejectsWrongLength) {
  EXPECT_FALSE(Digest::from_hex("99aa06d3014798d86001c324468d497").has_value());
  EXPECT_FALSE(Digest::from_hex("99aa06d3014798d86001c324468d497f0").has_value());
}

TEST(VerifyDigest, FromHexRejectsNonHexDigit) {
  EXPECT_FALSE(Digest::from_hex("99aa06d3014798d86001c324468d497g").has_value());
  EXPECT_FALSE(Digest::from_hex("-9aa06d3014798d86001c324468d497f").has_value());
}

}  // namespace
}  // namespace skystream::verify
