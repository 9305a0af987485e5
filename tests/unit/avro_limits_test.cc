// The limits that every decoder applies to hostile input, and the valid input near them:
// arrays of items that take no bytes (allowed whatever the bytes left, but bounded per decode by
// kMaxZeroByteValues), UTF-8 in strings, and the nesting depth of values (kMaxValueDepth).
// Inputs are written out by hand from the Avro 1.11 binary encoding.

#include <fmt/format.h>
#include <gtest/gtest.h>

#include <cstdint>
#include <limits>
#include <memory>
#include <random>
#include <string>
#include <tuple>
#include <vector>

#include "avro/avro_json.h"
#include "avro/avro_json_text.h"
#include "avro/codec.h"
#include "avro/json.h"
#include "avro/partial.h"
#include "avro/projection.h"
#include "avro/reader.h"
#include "avro/resolve.h"
#include "avro/schema.h"
#include "avro/utf8.h"

namespace skystream::avro {
namespace {

std::shared_ptr<const Schema> parse_or_die(std::string_view json) {
  auto schema = Schema::parse(json, "test");
  if (!schema) throw std::runtime_error(schema.error().to_string());
  return *schema;
}

std::string varint(std::int64_t n) {
  std::string out;
  encode_long(n, out);
  return out;
}

std::string encoded(const Value& value) {
  std::string out;
  encode(value, out);
  return out;
}

bool contains(const std::string& text, std::string_view part) {
  return text.find(part) != std::string::npos;
}

// Decodes `bytes` with decode() and with decode_into(), and checks that both agree.
Result<Value> decode_both(const Node& node, std::string_view bytes) {
  auto fresh = decode_exact(node, bytes);
  Value reused;
  auto into = decode_exact_into(node, bytes, reused);
  EXPECT_EQ(fresh.has_value(), into.has_value());
  if (!fresh && !into) EXPECT_EQ(fresh.error().to_string(), into.error().to_string());
  if (fresh && into) EXPECT_EQ(encoded(*fresh), encoded(reused));
  return fresh;
}

// ---------------------------------------------------------------------------------------------
// Items that take no bytes: valid whatever the bytes left.

struct ZeroByteItems {
  const char* name;
  const char* item_type;
};

const ZeroByteItems kZeroByteItems[] = {
    {"empty record", R"({"type": "record", "name": "E", "fields": []})"},
    {"fixed of size 0", R"({"type": "fixed", "name": "Z", "size": 0})"},
    {"record of a null",
     R"({"type": "record", "name": "N", "fields": [{"name": "n", "type": "null"}]})"},
    {"null", R"("null")"},
};

std::string record_with_array(const char* item_type) {
  return std::string(R"({"type": "record", "name": "R", "fields": [{"name": "a", "type": )") +
         R"({"type": "array", "items": )" + item_type + R"(}}, {"name": "x", "type": "int"}]})";
}

TEST(ZeroByteItems, ArraysLongerThanTheBytesLeftDecodeInEveryDecoder) {
  for (const ZeroByteItems& items : kZeroByteItems) {
    SCOPED_TRACE(items.name);
    auto schema = parse_or_die(record_with_array(items.item_type));
    // As fastavro writes 300 items and x = 7: block count 300, end block, x.
    const std::string bytes = varint(300) + varint(0) + varint(7);
    auto value = decode_both(schema->root(), bytes);
    ASSERT_TRUE(value) << value.error().to_string();
    EXPECT_EQ(value->field("a").children.size(), 300u);
    EXPECT_EQ(value->field("x").integer, 7);
    EXPECT_EQ(encoded(*value), bytes);

    auto resolver = Resolver::create(schema->root(), schema->root());
    ASSERT_TRUE(resolver);
    auto resolved = resolver->resolve_decode_exact(bytes);
    ASSERT_TRUE(resolved) << resolved.error().to_string();
    EXPECT_EQ(encoded(*resolved), bytes);

    for (int chosen : {0, 1}) {
      PartialDecoder partial(schema->root(), {chosen});
      Value out;
      auto status = partial.decode(bytes, out);
      ASSERT_TRUE(status) << status.error().to_string();
      EXPECT_EQ(out.field("x").integer, chosen == 1 ? 7 : 0);
    }

    auto projection = Projection::compile(schema->root(), {"x"});
    ASSERT_TRUE(projection);
    ProjectedRecord record;
    auto status = projection->decode(bytes, record);
    ASSERT_TRUE(status) << status.error().to_string();
    EXPECT_EQ(record.value(0).integer, 7);

    // A block written with a negative count and its byte size, 0.
    const std::string sized = varint(-5) + varint(0) + varint(0) + varint(7);
    auto from_sized = decode_both(schema->root(), sized);
    ASSERT_TRUE(from_sized) << from_sized.error().to_string();
    EXPECT_EQ(from_sized->field("a").children.size(), 5u);
    ASSERT_TRUE(projection->decode(sized, record));
    EXPECT_EQ(record.value(0).integer, 7);
  }
}

TEST(ZeroByteItems, FastavroFilesOfTheTesterDecode) {
  // empty_items.py: {"a": [{}] * 5} and {"a": [{"n": None}] * 3}, as fastavro writes them.
  auto empty = parse_or_die(R"({"type": "record", "name": "R", "fields": [{"name": "a", "type":
      {"type": "array", "items": {"type": "record", "name": "E", "fields": []}}}]})");
  auto five = decode_both(empty->root(), std::string("\x0a\x00", 2));
  ASSERT_TRUE(five) << five.error().to_string();
  EXPECT_EQ(to_json(*five), R"({"a":[{},{},{},{},{}]})");

  auto nulls = parse_or_die(R"({"type": "record", "name": "R", "fields": [{"name": "a", "type":
      {"type": "array", "items": {"type": "record", "name": "N", "fields": [
          {"name": "n", "type": "null"}]}}}]})");
  auto three = decode_both(nulls->root(), std::string("\x06\x00", 2));
  ASSERT_TRUE(three) << three.error().to_string();
  EXPECT_EQ(to_json(*three), R"({"a":[{"n":null},{"n":null},{"n":null}]})");
}

TEST(ZeroByteItems, ResolvedItemsTakeTheirDefaults) {
  auto writer = parse_or_die(R"({"type": "array", "items":
      {"type": "record", "name": "E", "fields": []}})");
  auto reader = parse_or_die(R"({"type": "array", "items": {"type": "record", "name": "E",
      "fields": [{"name": "k", "type": "int", "default": 3}]}})");
  auto resolver = Resolver::create(writer->root(), reader->root());
  ASSERT_TRUE(resolver);
  auto value = resolver->resolve_decode_exact(std::string("\x06\x00", 2));
  ASSERT_TRUE(value) << value.error().to_string();
  EXPECT_EQ(to_json(*value), R"([{"k":3},{"k":3},{"k":3}])");
}

TEST(ZeroByteItems, CountsPastTheBytesLeftStillFailForOtherItems) {
  struct Case {
    const char* schema;
    std::string bytes;
    const char* message;
  };
  const Case cases[] = {
      {R"({"type": "array", "items": "long"})", varint(5) + varint(1),
       "block count 5 exceeds the 1 bytes left"},
      {R"({"type": "array", "items": "double"})", varint(40) + std::string(30, '\0'),
       "block count 40 of items of at least 8 bytes exceeds the 30 bytes left"},
      {R"({"type": "map", "values": "null"})", varint(5) + varint(0),
       "block count 5 exceeds the 1 bytes left"},
      {R"({"type": "array", "items": {"type": "record", "name": "P", "fields": [
           {"name": "n", "type": "null"}, {"name": "f", "type": "float"}]}})",
       varint(9) + std::string(8, '\0'),
       "block count 9 of items of at least 4 bytes exceeds the 8 bytes left"},
  };
  for (const Case& test : cases) {
    auto schema = parse_or_die(test.schema);
    auto value = decode_both(schema->root(), test.bytes);
    ASSERT_FALSE(value) << test.schema;
    EXPECT_EQ(value.error().message, test.message);
    EXPECT_EQ(value.error().offset, 0u);
    auto resolver = Resolver::create(schema->root(), schema->root());
    ASSERT_TRUE(resolver);
    auto resolved = resolver->resolve_decode(test.bytes);
    ASSERT_FALSE(resolved);
    EXPECT_EQ(resolved.error().message, test.message);
  }
}

// ---------------------------------------------------------------------------------------------
// The bound on values that take no bytes.

const std::string kNullsError =
    "block count 10000000 of items that take no bytes passes the "
    "limit of 1000000 such values in one decode";

TEST(ZeroByteBudget, HugeCountsFailAtTheirBlockInEveryMaterialisingDecoder) {
  auto schema = parse_or_die(R"({"type": "record", "name": "R", "fields": [
      {"name": "id", "type": "long"},
      {"name": "a", "type": {"type": "array", "items": "null"}}]})");
  // amplify.py: 20 blocks that each declare 10^7 nulls, after a one-byte id.
  std::string bytes = varint(1);
  for (int i = 0; i < 20; ++i) bytes += varint(10'000'000);
  bytes += varint(0);

  auto value = decode_both(schema->root(), bytes);
  ASSERT_FALSE(value);
  EXPECT_EQ(value.error().message, kNullsError);
  EXPECT_EQ(value.error().where, "a");
  EXPECT_EQ(value.error().offset, 1u);
  EXPECT_EQ(value.error().to_string(), "a at byte 1: " + kNullsError);

  // Read as an identical schema (decode_nested) and through a plan (null read as a union).
  auto promoted = parse_or_die(R"({"type": "record", "name": "R", "fields": [
      {"name": "id", "type": "long"},
      {"name": "a", "type": {"type": "array", "items": ["int", "null"]}}]})");
  for (const auto& reader : {schema, promoted}) {
    auto resolver = Resolver::create(schema->root(), reader->root());
    ASSERT_TRUE(resolver);
    auto resolved = resolver->resolve_decode(bytes);
    ASSERT_FALSE(resolved);
    EXPECT_EQ(resolved.error().to_string(), "a at byte 1: " + kNullsError);
  }

  PartialDecoder partial(schema->root(), {1});
  Value out;
  auto status = partial.decode(bytes, out);
  ASSERT_FALSE(status);
  EXPECT_EQ(status.error().to_string(), "a at byte 1: " + kNullsError);

  // The largest count a varint holds.
  const std::string largest = varint(1) + varint(std::numeric_limits<std::int64_t>::max());
  auto huge = decode_both(schema->root(), largest);
  ASSERT_FALSE(huge);
  EXPECT_TRUE(contains(huge.error().message, "of items that take no bytes passes the limit"))
      << huge.error().to_string();
}

TEST(ZeroByteBudget, LimitIsPerDecodeAcrossBlocks) {
  auto schema = parse_or_die(R"({"type": "array", "items": "null"})");
  // 600,000 and 400,000 nulls reach the limit exactly.
  const std::string full = varint(600'000) + varint(-400'000) + varint(0) + varint(0);
  auto value = decode_exact(schema->root(), full);
  ASSERT_TRUE(value) << value.error().to_string();
  EXPECT_EQ(value->children.size(), kMaxZeroByteValues);

  // One more null, in a block of its own, passes it.
  const std::string past = varint(600'000) + varint(400'000) + varint(1) + varint(0);
  auto failed = decode_both(schema->root(), past);
  ASSERT_FALSE(failed);
  const std::size_t third_block = varint(600'000).size() + varint(400'000).size();
  EXPECT_EQ(failed.error().offset, third_block);
  EXPECT_EQ(failed.error().message,
            "block count 1 of items that take no bytes passes the limit of 1000000 such values "
            "in one decode");
}

TEST(ZeroByteBudget, NestedArraysShareTheLimit) {
  // An array of arrays of nulls: each inner block fits in the bytes left and under the limit on
  // its own, but together they pass it, in the third inner array.
  auto schema = parse_or_die(R"({"type": "array", "items": {"type": "array", "items": "null"}})");
  std::string bytes = varint(3);
  for (int i = 0; i < 3; ++i) bytes += varint(400'000) + varint(0);
  bytes += varint(0);
  auto value = decode_both(schema->root(), bytes);
  ASSERT_FALSE(value);
  EXPECT_EQ(value.error().where, "[2]");
  EXPECT_EQ(value.error().offset, varint(3).size() + 2 * (varint(400'000).size() + 1));
  EXPECT_TRUE(contains(value.error().message, "block count 400000 of items that take no bytes"));
}

TEST(ZeroByteBudget, FieldsOfRecordsThatTakeNoBytesCount) {
  // Each item holds two values that take no bytes: the record and its field.
  auto schema = parse_or_die(R"({"type": "array", "items": {"type": "record", "name": "N",
      "fields": [{"name": "n", "type": "null"}]}})");
  auto fits = decode_exact(schema->root(), varint(500'000) + varint(0));
  ASSERT_TRUE(fits) << fits.error().to_string();
  auto value = decode_both(schema->root(), varint(500'001) + varint(0));
  ASSERT_FALSE(value);
  EXPECT_TRUE(contains(value.error().message, "take no bytes")) << value.error().to_string();
}

TEST(ZeroByteBudget, RecordThatTakesNoBytesCannotExplode) {
  // R0 has two fields of type R1, R1 two of R2, and so on: one value of R0 that takes no bytes
  // holds 2^22 nulls. Decoding it fails once the limit is passed instead of building them.
  const int levels = 22;
  std::string json =
      R"({"type": "record", "name": "R22", "fields": [{"name": "n", "type": "null"}]})";
  for (int level = levels - 1; level >= 0; --level) {
    json =
        fmt::format(R"({{"type": "record", "name": "R{0}", "fields": [{{"name": "a", "type": {1}}},
        {{"name": "b", "type": "R{2}"}}]}})",
                    level, json, level + 1);
  }
  auto schema = parse_or_die(json);
  auto value = decode_both(schema->root(), "");
  ASSERT_FALSE(value);
  EXPECT_EQ(value.error().message, "more than 1000000 values that take no bytes in one decode");
  EXPECT_EQ(value.error().offset, 0u);

  auto resolver = Resolver::create(schema->root(), schema->root());
  ASSERT_TRUE(resolver);
  auto resolved = resolver->resolve_decode("");
  ASSERT_FALSE(resolved);
  EXPECT_EQ(resolved.error().message, value.error().message);
}

TEST(ZeroByteBudget, ResolvedDefaultsCount) {
  // Each writer item takes no bytes, but the reader gives it a default of 1,000 ints.
  auto writer = parse_or_die(R"({"type": "array", "items":
      {"type": "record", "name": "E", "fields": []}})");
  std::string zeros = "[0";
  for (int i = 1; i < 1000; ++i) zeros += ",0";
  zeros += "]";
  auto reader = parse_or_die(R"({"type": "array", "items": {"type": "record", "name": "E",
      "fields": [{"name": "big", "type": {"type": "array", "items": "int"}, "default": )" +
                             zeros + "}]}}");
  auto resolver = Resolver::create(writer->root(), reader->root());
  ASSERT_TRUE(resolver) << resolver.error().to_string();
  auto fits = resolver->resolve_decode_exact(varint(900) + varint(0));
  ASSERT_TRUE(fits) << fits.error().to_string();
  EXPECT_EQ(fits->children.size(), 900u);
  auto value = resolver->resolve_decode_exact(varint(1000) + varint(0));
  ASSERT_FALSE(value);
  EXPECT_TRUE(contains(value.error().message, "take no bytes")) << value.error().to_string();
}

TEST(ZeroByteBudget, SkippingHugeCountsIsImmediate) {
  // A count of 2^62 items that take no bytes, in a field that the decoder passes over: the
  // skipper, the projection, the partial decoder and the resolver skip it without a loop.
  auto schema = parse_or_die(R"({"type": "record", "name": "R", "fields": [
      {"name": "a", "type": {"type": "array", "items": {"type": "record", "name": "E",
          "fields": [{"name": "n", "type": "null"}]}}},
      {"name": "m", "type": {"type": "array", "items": {"type": "array", "items": "null"}}},
      {"name": "x", "type": "int"}]})");
  const std::int64_t huge = std::int64_t{1} << 62;
  // a: 2^62 items; m: 3 arrays of 2^62 nulls each; x = 7.
  std::string bytes = varint(huge) + varint(0) + varint(3);
  for (int i = 0; i < 3; ++i) bytes += varint(huge) + varint(0);
  bytes += varint(0) + varint(7);

  auto projection = Projection::compile(schema->root(), {"x"});
  ASSERT_TRUE(projection);
  ProjectedRecord record;
  auto projected = projection->decode(bytes, record);
  ASSERT_TRUE(projected) << projected.error().to_string();
  EXPECT_EQ(record.value(0).integer, 7);

  PartialDecoder partial(schema->root(), {2});
  Value out;
  auto status = partial.decode(bytes, out);
  ASSERT_TRUE(status) << status.error().to_string();
  EXPECT_EQ(out.field("x").integer, 7);

  auto reader = parse_or_die(R"({"type": "record", "name": "R", "fields": [
      {"name": "x", "type": "int"}]})");
  auto resolver = Resolver::create(schema->root(), reader->root());
  ASSERT_TRUE(resolver);
  auto resolved = resolver->resolve_decode_exact(bytes);
  ASSERT_TRUE(resolved) << resolved.error().to_string();
  EXPECT_EQ(resolved->field("x").integer, 7);

  // Without x, the fault is found again by walking the skipped fields, as fast.
  const std::string truncated = bytes.substr(0, bytes.size() - 1);
  auto failed = projection->decode(truncated, record);
  ASSERT_FALSE(failed);
  EXPECT_EQ(failed.error().where, "x");
  EXPECT_EQ(failed.error().offset, truncated.size());
  std::string cut = varint(huge) + varint(0) + varint(3);
  for (int i = 0; i < 3; ++i) cut += varint(huge) + (i < 2 ? varint(0) : "");
  auto walked = projection->decode(cut, record);
  ASSERT_FALSE(walked);
  EXPECT_EQ(walked.error().to_string(),
            fmt::format("m[2] at byte {}: varint runs past the end of the input", cut.size()));

  // The full decoders hold values, and stop at the limit.
  auto value = decode_both(schema->root(), bytes);
  ASSERT_FALSE(value);
  EXPECT_EQ(value.error().where, "a");
}

// ---------------------------------------------------------------------------------------------
// UTF-8 in strings.

// The index of the first ill-formed sequence as a straightforward decoder finds it.
std::size_t reference_invalid(std::string_view text) {
  std::size_t pos = 0;
  while (pos < text.size()) {
    if (json_text::next_code_point(text, &pos) < 0) return pos;
  }
  return utf8::kValid;
}

TEST(Utf8, KnownSequences) {
  struct Case {
    std::string text;
    std::size_t invalid_at;
  };
  const std::size_t ok = utf8::kValid;
  const Case cases[] = {
      {"", ok},
      {"plain ASCII text, longer than eight bytes", ok},
      {std::string("\0", 1), ok},
      {"\xc3\xa9\xe2\x82\xac\xf0\x90\x8d\x88", ok},  // e acute, euro sign, gothic hwair
      {"\xed\x9f\xbf", ok},                          // U+D7FF, below the surrogates
      {"\xee\x80\x80", ok},                          // U+E000, above them
      {"\xef\xbf\xbf", ok},                          // U+FFFF
      {"\xf4\x8f\xbf\xbf", ok},                      // U+10FFFF
      {"\xff\xc0", 0},
      {"\x80", 0},
      {"\xbf", 0},
      {"\xc0\x80", 0},  // overlong U+0000
      {"\xc1\xbf", 0},  // overlong U+007F
      {"\xe0\x80\x80", 0},
      {"\xe0\x9f\xbf", 0},  // overlong U+07FF
      {"\xed\xa0\x80", 0},  // U+D800
      {"\xed\xbf\xbf", 0},  // U+DFFF
      {"\xf0\x80\x80\x80", 0},
      {"\xf0\x8f\xbf\xbf", 0},  // overlong U+FFFF
      {"\xf4\x90\x80\x80", 0},  // U+110000
      {"\xf5\x80\x80\x80", 0},
      {"\xf8\x88\x80\x80\x80", 0},
      {"\xc3", 0},
      {"a\xe2\x82", 1},
      {"\xe2\x82\xac\xe2\x82", 3},
      {"abcdefgh\xff", 8},
      {"abcdefg\xc3\xa9\xff", 9},
      {"abcdefghijklmnop\xc3\xa9qrstuvwxyz0123\x80", 32},
  };
  for (const Case& test : cases) {
    EXPECT_EQ(utf8::find_invalid(test.text), test.invalid_at) << testing::PrintToString(test.text);
    EXPECT_EQ(reference_invalid(test.text), test.invalid_at) << testing::PrintToString(test.text);
  }
}

TEST(Utf8, AgreesWithReferenceOnEveryShortString) {
  // Every string of 1 to 3 bytes.
  std::string text;
  for (int length = 1; length <= 3; ++length) {
    text.assign(static_cast<std::size_t>(length), '\0');
    const std::uint32_t total = 1u << (8 * length);
    for (std::uint32_t n = 0; n < total; ++n) {
      for (int i = 0; i < length; ++i)
        text[static_cast<std::size_t>(i)] = static_cast<char>(n >> (8 * i));
      const std::size_t ours = utf8::find_invalid(text);
      if (ours != reference_invalid(text)) {
        FAIL() << "differs on " << testing::PrintToString(text);
      }
    }
  }
  // Every 4-byte string of boundary bytes, at each position of a longer ASCII string, so that
  // both the 8-byte loop and the byte loop meet it.
  const unsigned char edges[] = {0x00, 0x41, 0x7f, 0x80, 0x8f, 0x90, 0x9f, 0xa0, 0xbf,
                                 0xc0, 0xc1, 0xc2, 0xdf, 0xe0, 0xe1, 0xec, 0xed, 0xee,
                                 0xef, 0xf0, 0xf1, 0xf3, 0xf4, 0xf5, 0xff};
  std::mt19937 random(7);
  for (unsigned char a : edges) {
    for (unsigned char b : edges) {
      for (unsigned char c : edges) {
        for (unsigned char d : edges) {
          const std::size_t at = random() % 18;
          std::string sample(at, 'x');
          sample += {static_cast<char>(a), static_cast<char>(b), static_cast<char>(c),
                     static_cast<char>(d)};
          sample += std::string(random() % 10, 'y');
          if (utf8::find_invalid(sample) != reference_invalid(sample)) {
            FAIL() << "differs on " << testing::PrintToString(sample);
          }
        }
      }
    }
  }
}

TEST(Utf8, ReplacementFollowsPython) {
  // What bytes.decode("utf-8", errors="replace") gives.
  const std::string fffd = "\xef\xbf\xbd";
  struct Case {
    std::string text;
    std::string expected;
  };
  const Case cases[] = {
      {"\xff\xc0", fffd + fffd},
      {"\xe2\x82"
       "A",
       fffd + "A"},
      {"\xe0\x80", fffd + fffd},
      {"\xed\xa0\x80", fffd + fffd + fffd},
      {"\xf0\x90\x80", fffd},
      {"ok \xc3\xa9", "ok \xc3\xa9"},
  };
  for (const Case& test : cases) {
    std::string out;
    utf8::append_replacing_invalid(test.text, out);
    EXPECT_EQ(out, test.expected) << testing::PrintToString(test.text);
  }
}

class InvalidUtf8 : public ::testing::Test {
 protected:
  std::shared_ptr<const Schema> schema_ = parse_or_die(R"({"type": "record", "name": "R",
      "fields": [{"name": "id", "type": "long"}, {"name": "s", "type": ["null", "string"]},
                 {"name": "m", "type": {"type": "map", "values": "int"}},
                 {"name": "x", "type": "int"}]})");
  // id 1, s on branch 1 = "\xff\xc0", empty map, x = 7.
  std::string bad_string_ = std::string("\x02\x02\x04\xff\xc0\x00\x0e", 7);
  // id 1, s null, map {"a\xc3": 1}, x = 7.
  std::string bad_key_ = std::string(
      "\x02\x00\x02\x04"
      "a\xc3"
      "\x02\x00\x0e",
      9);
};

TEST_F(InvalidUtf8, FullDecodersRejectItWithPathAndOffset) {
  auto value = decode_both(schema_->root(), bad_string_);
  ASSERT_FALSE(value);
  EXPECT_EQ(value.error().to_string(), "s at byte 3: invalid UTF-8 in string");

  auto key = decode_both(schema_->root(), bad_key_);
  ASSERT_FALSE(key);
  EXPECT_EQ(key.error().to_string(), "m[0] at byte 5: invalid UTF-8 in string");

  auto resolver = Resolver::create(schema_->root(), schema_->root());
  ASSERT_TRUE(resolver);
  for (const std::string* bytes : {&bad_string_, &bad_key_}) {
    auto resolved = resolver->resolve_decode_exact(*bytes);
    ASSERT_FALSE(resolved);
    EXPECT_EQ(resolved.error().to_string(), decode(schema_->root(), *bytes).error().to_string());
  }

  PartialDecoder chosen(schema_->root(), {1, 2});
  Value out;
  auto status = chosen.decode(bad_string_, out);
  ASSERT_FALSE(status);
  EXPECT_EQ(status.error().to_string(), "s at byte 3: invalid UTF-8 in string");
}

TEST_F(InvalidUtf8, ResolvingChecksStringsReadAsBytesAndBack) {
  auto as_string = parse_or_die(R"("string")");
  auto as_bytes = parse_or_die(R"("bytes")");
  const std::string bad = "\x04\xff\xc0";
  for (const auto& [writer, reader, fails] :
       {std::tuple{as_string, as_bytes, true}, std::tuple{as_bytes, as_string, true},
        std::tuple{as_bytes, as_bytes, false}}) {
    auto resolver = Resolver::create(writer->root(), reader->root());
    ASSERT_TRUE(resolver);
    auto value = resolver->resolve_decode_exact(bad);
    EXPECT_EQ(value.has_value(), !fails);
    if (!value) EXPECT_EQ(value.error().to_string(), "byte 1: invalid UTF-8 in string");
  }
}

TEST_F(InvalidUtf8, ProjectionChecksProjectedStringsOnly) {
  auto read = Projection::compile(schema_->root(), {"s"});
  ASSERT_TRUE(read);
  ProjectedRecord record;
  auto status = read->decode(bad_string_, record);
  ASSERT_FALSE(status);
  EXPECT_EQ(status.error().to_string(), "s at byte 3: invalid UTF-8 in string");

  // Strings passed over are checked for structure only.
  auto skip = Projection::compile(schema_->root(), {"x"});
  ASSERT_TRUE(skip);
  for (const std::string* bytes : {&bad_string_, &bad_key_}) {
    auto skipped = skip->decode(*bytes, record);
    ASSERT_TRUE(skipped) << skipped.error().to_string();
    EXPECT_EQ(record.value(0).integer, 7);
  }
  PartialDecoder partial(schema_->root(), {3});
  Value out;
  EXPECT_TRUE(partial.decode(bad_string_, out));
}

TEST_F(InvalidUtf8, ValidTextOfEveryLengthDecodes) {
  auto schema = parse_or_die(R"("string")");
  const std::string pieces[] = {"a", "\xc3\xa9", "\xe2\x82\xac", "\xf0\x90\x8d\x88"};
  std::string text;
  for (int i = 0; i < 40; ++i) {
    text += pieces[static_cast<std::size_t>(i) % 4];
    const std::string bytes = varint(static_cast<std::int64_t>(text.size())) + text;
    auto value = decode_both(schema->root(), bytes);
    ASSERT_TRUE(value) << value.error().to_string();
    EXPECT_EQ(value->bytes, text);
  }
}

TEST_F(InvalidUtf8, JsonWritersNeverWriteInvalidJson) {
  // Only a Value built by hand can hold such strings.
  auto schema = parse_or_die(R"({"type": "record", "name": "R", "fields": [
      {"name": "s", "type": "string"}, {"name": "m", "type": {"type": "map", "values": "int"}}]})");
  Value value = Value::zero(schema->root());
  value.field("s").bytes = "\xff\xc0ok";
  value.field("m").keys.push_back("k\xe2\x82");
  value.field("m").children.push_back(Value::zero(*schema->root().fields[1].type->values));
  const std::string json = to_json(value);
  EXPECT_EQ(json, "{\"s\":\"\xef\xbf\xbd\xef\xbf\xbdok\",\"m\":{\"k\xef\xbf\xbd\":0}}");
  EXPECT_TRUE(utf8::is_valid(json));

  std::string out = "before";
  auto status = append_avro_json(value, out);
  ASSERT_FALSE(status);
  EXPECT_EQ(status.error().where, "s");
  EXPECT_EQ(out, "before");
}

// ---------------------------------------------------------------------------------------------
// Nesting depth.

constexpr const char* kList =
    R"({"type": "record", "name": "L", "fields": [{"name": "next", "type": ["null", "L"]}]})";

// A list of `nodes` records: branch 1 and the next node for each but the last, then null.
std::string list_bytes(int nodes) {
  std::string bytes(static_cast<std::size_t>(nodes - 1), '\x02');
  bytes.push_back('\0');
  return bytes;
}

std::string list_json(int nodes) {
  std::string json;
  for (int i = 1; i < nodes; ++i) json += R"({"next": {"L": )";
  json += R"({"next": null})";
  for (int i = 1; i < nodes; ++i) json += "}}";
  return json;
}

bool is_too_deep(const Error& error) {
  return error.message ==
         "values nested too deep (more than 1000 levels of records, arrays and maps)";
}

TEST(ValueDepth, ListsOf1000NodesDecodeAndLongerOnesFail) {
  auto schema = parse_or_die(kList);
  for (int nodes : {65, 501, 900, 1000}) {
    SCOPED_TRACE(nodes);
    auto value = decode_both(schema->root(), list_bytes(nodes));
    ASSERT_TRUE(value) << value.error().to_string();
    EXPECT_EQ(encoded(*value), list_bytes(nodes));
    auto json = to_avro_json(*value);
    ASSERT_TRUE(json);
    EXPECT_TRUE(json->starts_with(R"({"next":{"L":{"next":{"L":)"));
  }
  for (int nodes : {1001, 1100}) {
    SCOPED_TRACE(nodes);
    auto value = decode_both(schema->root(), list_bytes(nodes));
    ASSERT_FALSE(value);
    EXPECT_TRUE(is_too_deep(value.error())) << value.error().to_string();
    EXPECT_EQ(value.error().offset, 1000u);
  }
}

TEST(ValueDepth, EveryDecoderReads900NodesAndRejects1100) {
  auto list = parse_or_die(kList);
  // The resolver reads the list into a reader type with one more field, so through its plan.
  auto wider = parse_or_die(R"({"type": "record", "name": "L", "fields": [
      {"name": "next", "type": ["null", "L"]}, {"name": "k", "type": "int", "default": 1}]})");
  auto holder = parse_or_die(R"({"type": "record", "name": "H", "fields": [
      {"name": "l", "type": )" +
                             std::string(kList) + R"(}, {"name": "x", "type": "int"}]})");
  auto same = Resolver::create(list->root(), list->root());
  auto plan = Resolver::create(list->root(), wider->root());
  ASSERT_TRUE(same && plan);
  auto skip = Projection::compile(holder->root(), {"x"});
  ASSERT_TRUE(skip);
  PartialDecoder skip_list(holder->root(), {1});
  PartialDecoder read_list(holder->root(), {0, 1});

  for (int nodes : {900, 1100}) {
    SCOPED_TRACE(nodes);
    const bool fits = nodes == 900;
    const std::string bytes = list_bytes(nodes);
    const std::string held = bytes + "\x0e";  // H{l, x = 7}

    for (const Resolver* resolver : {&*same, &*plan}) {
      auto value = resolver->resolve_decode_exact(bytes);
      EXPECT_EQ(value.has_value(), fits);
      if (!value) EXPECT_TRUE(is_too_deep(value.error())) << value.error().to_string();
    }

    ProjectedRecord record;
    auto projected = skip->decode(held, record);
    EXPECT_EQ(projected.has_value(), fits);
    if (!projected) EXPECT_TRUE(is_too_deep(projected.error())) << projected.error().to_string();
    if (projected) EXPECT_EQ(record.value(0).integer, 7);

    // A path down the list.
    std::string path = "next";
    for (int i = 2; i < nodes; ++i) path += ".next";
    auto down = Projection::compile(list->root(), {path});
    ASSERT_TRUE(down) << down.error().to_string();
    auto walked = down->decode(bytes, record);
    EXPECT_EQ(walked.has_value(), fits);
    if (!walked) EXPECT_TRUE(is_too_deep(walked.error())) << walked.error().to_string();

    for (const PartialDecoder* partial : {&skip_list, &read_list}) {
      Value out;
      auto status = partial->decode(held, out);
      EXPECT_EQ(status.has_value(), fits);
      if (!status) EXPECT_TRUE(is_too_deep(status.error())) << status.error().to_string();
    }

    auto from_json = from_avro_json(list->root(), list_json(nodes));
    EXPECT_EQ(from_json.has_value(), fits);
    if (!from_json) EXPECT_TRUE(is_too_deep(from_json.error())) << from_json.error().to_string();
    if (from_json) EXPECT_EQ(encoded(*from_json), bytes);
  }
}

TEST(ValueDepth, SkipperLocatesFaultsInDeepLists) {
  // A list of 900 nodes without its last byte: the skipper fails, and walking the list again
  // finds the fault at the end, 900 levels down.
  auto holder = parse_or_die(R"({"type": "record", "name": "H", "fields": [
      {"name": "l", "type": )" +
                             std::string(kList) + R"(}, {"name": "x", "type": "int"}]})");
  auto skip = Projection::compile(holder->root(), {"x"});
  ASSERT_TRUE(skip);
  const std::string truncated = list_bytes(900).substr(0, 899);
  ProjectedRecord record;
  auto status = skip->decode(truncated, record);
  ASSERT_FALSE(status);
  EXPECT_EQ(status.error().message, "varint runs past the end of the input");
  EXPECT_EQ(status.error().offset, 899u);
  std::string path = "l";
  for (int i = 0; i < 900; ++i) path += ".next";
  EXPECT_EQ(status.error().where, path);
}

TEST(ValueDepth, ArraysAndMapsCountLikeRecords) {
  // A tree of records whose one child is an array or map item: each node takes two levels, one
  // for the record's field and one for the item, so 500 nodes fit and 501 do not.
  const char* schemas[] = {
      R"({"type": "record", "name": "T", "fields": [
          {"name": "c", "type": {"type": "array", "items": "T"}}]})",
      R"({"type": "record", "name": "T", "fields": [
          {"name": "c", "type": {"type": "map", "values": "T"}}]})",
  };
  for (const char* json : schemas) {
    auto schema = parse_or_die(json);
    const bool map = schema->root().fields[0].type->type == Type::kMap;
    for (int nodes : {500, 501}) {
      std::string bytes;
      for (int i = 1; i < nodes; ++i) bytes += varint(1) + (map ? varint(1) + "k" : "");
      bytes += varint(0);
      for (int i = 1; i < nodes; ++i) bytes += varint(0);
      auto value = decode_both(schema->root(), bytes);
      EXPECT_EQ(value.has_value(), nodes == 500) << json << nodes;
      if (!value) EXPECT_TRUE(is_too_deep(value.error())) << value.error().to_string();
      auto resolver = Resolver::create(schema->root(), schema->root());
      ASSERT_TRUE(resolver);
      auto resolved = resolver->resolve_decode_exact(bytes);
      EXPECT_EQ(resolved.has_value(), nodes == 500);
    }
  }
}

}  // namespace
}  // namespace skystream::avro
