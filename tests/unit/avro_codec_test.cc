// Golden bytes for the Avro binary encoding, and decoding of corrupt and truncated input.
// Every expected byte string is written out by hand from the Avro 1.11 specification.

#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <string>

#include "avro/codec.h"
#include "avro/json.h"
#include "avro/schema.h"

namespace skystream::avro {
namespace {

std::shared_ptr<const Schema> parse_or_die(std::string_view json) {
  auto schema = Schema::parse(json, "test");
  if (!schema) throw std::runtime_error(schema.error().to_string());
  return *schema;
}

std::string bytes(std::initializer_list<int> values) {
  std::string out;
  for (int value : values) out.push_back(static_cast<char>(value));
  return out;
}

std::string encoded(const Value& value) {
  std::string out;
  encode(value, out);
  return out;
}

struct LongCase {
  std::int64_t value;
  std::string expected;
};

TEST(AvroLong, ZigZagVarintGoldenBytes) {
  const LongCase cases[] = {
      {0, bytes({0x00})},
      {-1, bytes({0x01})},  // zig-zag maps -1 to 1
      {1, bytes({0x02})},
      {63, bytes({0x7e})},
      {-64, bytes({0x7f})},
      {64, bytes({0x80, 0x01})},  // 128 in two 7-bit groups, low group first
      {-65, bytes({0x81, 0x01})},
      {std::numeric_limits<std::int64_t>::max(),
       bytes({0xfe, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01})},
      {std::numeric_limits<std::int64_t>::min(),
       bytes({0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01})},
  };
  for (const LongCase& test : cases) {
    std::string out;
    encode_long(test.value, out);
    EXPECT_EQ(out, test.expected) << "value " << test.value;
    std::size_t pos = 0;
    auto decoded = decode_long(test.expected, &pos);
    ASSERT_TRUE(decoded) << "value " << test.value;
    EXPECT_EQ(*decoded, test.value);
    EXPECT_EQ(pos, test.expected.size());
  }
}

TEST(AvroLong, RejectsOverlongAndTruncated) {
  std::size_t pos = 0;
  EXPECT_FALSE(decode_long(bytes({0x80, 0x80}), &pos));  // continuation bit on the last byte
  pos = 0;
  EXPECT_FALSE(decode_long(std::string(11, '\x80'), &pos));
}

TEST(AvroPrimitive, GoldenBytesPerType) {
  auto schema = parse_or_die(R"({"type": "record", "name": "p", "fields": [
      {"name": "b", "type": "boolean"}, {"name": "i", "type": "int"},
      {"name": "f", "type": "float"}, {"name": "d", "type": "double"},
      {"name": "s", "type": "string"}, {"name": "y", "type": "bytes"},
      {"name": "x", "type": {"type": "fixed", "name": "two", "size": 2}},
      {"name": "e", "type": {"type": "enum", "name": "band", "symbols": ["g", "r", "i"]}},
      {"name": "n", "type": "null"}]})");
  Value value = Value::zero(schema->root());
  value.field("b").boolean = true;
  value.field("i").integer = -2;
  value.field("f").float32 = 1.0f;
  value.field("d").float64 = -2.0;
  value.field("s").bytes = "foo";
  value.field("y").bytes = bytes({0x00, 0xff});
  value.field("x").bytes = "ab";
  value.field("e").index = 2;

  const std::string expected = bytes({
      0x01,                                            // boolean true
      0x03,                                            // int -2, zig-zag 3
      0x00, 0x00, 0x80, 0x3f,                          // float 1.0, little-endian binary32
      0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0xc0,  // double -2.0, little-endian binary64
      0x06, 'f',  'o',  'o',                           // string: length 3, then UTF-8
      0x04, 0x00, 0xff,                                // bytes: length 2, then the bytes
      'a',  'b',                                       // fixed(2): the bytes, no length
      0x04,                                            // enum symbol 2 ("i")
  });                                                  // null: nothing
  EXPECT_EQ(encoded(value), expected);

  auto decoded = decode_exact(schema->root(), expected);
  ASSERT_TRUE(decoded) << decoded.error().to_string();
  EXPECT_EQ(encoded(*decoded), expected);
  EXPECT_EQ(decoded->field("s").bytes, "foo");
  EXPECT_EQ(decoded->field("e").index, 2);
  EXPECT_EQ(decoded->field("f").float32, 1.0f);
}

TEST(AvroComplex, UnionArrayMapGoldenBytes) {
  auto schema = parse_or_die(R"({"type": "record", "name": "c", "fields": [
      {"name": "u", "type": ["null", "long"]},
      {"name": "a", "type": {"type": "array", "items": "long"}},
      {"name": "m", "type": {"type": "map", "values": "int"}},
      {"name": "empty", "type": {"type": "array", "items": "long"}}]})");
  Value value = Value::zero(schema->root());
  value.field("u").select_type(Type::kLong).integer = 1;
  Value& array = value.field("a");
  for (int n : {1, 2}) {
    Value item = Value::zero(*array.node->items);
    item.integer = n;
    array.children.push_back(item);
  }
  Value& map = value.field("m");
  Value entry = Value::zero(*map.node->values);
  entry.integer = 1;
  map.keys.push_back("a");
  map.children.push_back(entry);

  const std::string expected = bytes({
      0x02, 0x02,              // union branch 1 (long), then long 1
      0x04, 0x02, 0x04, 0x00,  // array: block of 2 items (1, 2), then the end block 0
      0x02, 0x02, 'a', 0x02,   // map: block of 1 entry, key "a", value 1
      0x00,                    // map end block
      0x00,                    // empty array: just the end block
  });
  EXPECT_EQ(encoded(value), expected);
}

TEST(AvroComplex, NegativeBlockCountWithSize) {
  auto schema = parse_or_die(R"({"type": "array", "items": "long"})");
  // Block count -2 means 2 items preceded by the block's byte size (2 bytes).
  const std::string input = bytes({0x03, 0x04, 0x02, 0x04, 0x00});
  auto decoded = decode_exact(schema->root(), input);
  ASSERT_TRUE(decoded) << decoded.error().to_string();
  ASSERT_EQ(decoded->children.size(), 2u);
  EXPECT_EQ(decoded->children[1].integer, 2);
}

struct CorruptCase {
  const char* name;
  std::string input;
  std::string message_part;
  std::string where;
  std::size_t offset;
};

TEST(AvroDecode, CorruptInputNamesFieldAndOffset) {
  auto schema = parse_or_die(R"({"type": "record", "name": "r", "fields": [
      {"name": "id", "type": "long"},
      {"name": "inner", "type": {"type": "record", "name": "i", "fields": [
          {"name": "s", "type": "string"}, {"name": "u", "type": ["null", "int"]},
          {"name": "a", "type": {"type": "array", "items": "double"}},
          {"name": "b", "type": "boolean"}]}}]})");
  const CorruptCase cases[] = {
      {"string longer than input", bytes({0x02, 0x14, 'a', 'b'}), "runs past the end", "inner.s",
       1},
      {"negative string length", bytes({0x02, 0x01}), "negative length", "inner.s", 1},
      {"union branch out of range", bytes({0x02, 0x00, 0x04}), "union branch 2 out of range",
       "inner.u", 2},
      {"array count past input", bytes({0x02, 0x00, 0x00, 0xfe, 0xff, 0xff, 0x0f}), "exceeds the",
       "inner.a", 3},
      {"boolean byte 2", bytes({0x02, 0x00, 0x00, 0x00, 0x02}), "neither 0 nor 1", "inner.b", 4},
      {"truncated varint", bytes({0x80}), "varint runs past the end", "id", 0},
      {"empty input", "", "varint runs past the end", "id", 0},
  };
  for (const CorruptCase& test : cases) {
    auto decoded = decode(schema->root(), test.input);
    ASSERT_FALSE(decoded) << test.name;
    EXPECT_NE(decoded.error().message.find(test.message_part), std::string::npos)
        << test.name << ": " << decoded.error().to_string();
    EXPECT_EQ(decoded.error().where, test.where) << test.name;
    EXPECT_EQ(decoded.error().offset, test.offset) << test.name;
  }
}

TEST(AvroDecode, EveryTruncationOfValidInputFails) {
  auto schema = parse_or_die(R"({"type": "record", "name": "r", "fields": [
      {"name": "s", "type": "string"}, {"name": "d", "type": "double"},
      {"name": "a", "type": {"type": "array", "items": ["null", "string"]}}]})");
  const std::string valid =
      bytes({0x04, 'h', 'i', 0, 0, 0, 0, 0, 0, 0xf0, 0x3f, 0x02, 0x02, 0x02, 'x', 0x00});
  ASSERT_TRUE(decode_exact(schema->root(), valid));
  for (std::size_t length = 0; length < valid.size(); ++length) {
    EXPECT_FALSE(decode(schema->root(), valid.substr(0, length))) << "length " << length;
  }
}

TEST(AvroDecode, LeftoverBytesRejectedByExact) {
  auto schema = parse_or_die(R"("long")");
  auto decoded = decode_exact(schema->root(), bytes({0x02, 0x02}));
  ASSERT_FALSE(decoded);
  EXPECT_EQ(decoded.error().offset, 1u);
}

TEST(AvroJson, RendersEachTypePlainly) {
  auto schema = parse_or_die(R"({"type": "record", "name": "j", "fields": [
      {"name": "f", "type": "float"}, {"name": "nan", "type": "double"},
      {"name": "y", "type": "bytes"}, {"name": "u", "type": ["null", "string"]},
      {"name": "n", "type": ["null", "string"]},
      {"name": "e", "type": {"type": "enum", "name": "band", "symbols": ["g", "r"]}},
      {"name": "s", "type": "string"}]})");
  Value value = Value::zero(schema->root());
  value.field("f").float32 = 0.1f;
  value.field("nan").float64 = std::nan("");
  value.field("y").bytes = "abcd";
  value.field("u").select_type(Type::kString).bytes = "r";
  value.field("e").index = 1;
  value.field("s").bytes = "a\"b\n";
  EXPECT_EQ(to_json(value),
            R"({"f":0.1,"nan":"NaN","y":"YWJjZA==","u":"r","n":null,"e":"r","s":"a\"b\n"})");
}

}  // namespace
}  // namespace skystream::avro
