// Decode errors name the full field path and the byte offset in every decoder, including when
// the corrupt byte is inside a value that the decoder passes over by length.

#include <gtest/gtest.h>

#include <stdexcept>
#include <string>

#include "avro/codec.h"
#include "avro/partial.h"
#include "avro/projection.h"
#include "avro/resolve.h"
#include "avro/schema.h"
#include "avro/skip.h"

namespace skystream::avro {
namespace {

// An alert in miniature: an id, a history array of records that each hold a nested record, and
// a string after the array.
constexpr std::string_view kSchema = R"({
  "type": "record", "name": "alert", "fields": [
    {"name": "id", "type": "long"},
    {"name": "history", "type": {"type": "array", "items": {
      "type": "record", "name": "source", "fields": [
        {"name": "n", "type": "long"},
        {"name": "src", "type": {"type": "record", "name": "flux", "fields": [
          {"name": "psfFlux", "type": ["null", "float"]}]}}]}}},
    {"name": "tail", "type": "string"}]})";

// The same alert without the history, so that a resolving reader passes over it.
constexpr std::string_view kReaderSchema = R"({
  "type": "record", "name": "alert", "fields": [
    {"name": "id", "type": "long"},
    {"name": "tail", "type": "string"}]})";

// id = 1, then a history of 4 items whose last psfFlux has union branch 3, then tail = "x".
//   byte 0       0x02        id: zig-zag 1
//   byte 1       0x08        history block count: zig-zag 4
//   bytes 2-7    00 00 (x3)  items 0-2: n = 0, psfFlux branch 0 (null)
//   byte 8       0x00        item 3: n = 0
//   byte 9       0x06        item 3: psfFlux branch 3, out of range for a union of 2 branches
//   byte 10      0x00        end of the history
//   bytes 11-12  0x02 'x'    tail: length 1, "x"
const std::string kCorrupt("\x02\x08\x00\x00\x00\x00\x00\x00\x00\x06\x00\x02x", 13);

constexpr std::string_view kWhere = "history[3].src.psfFlux";
constexpr std::string_view kMessage = "union branch 3 out of range (union has 2 branches)";
constexpr std::size_t kOffset = 9;

std::shared_ptr<const Schema> parse_or_die(std::string_view json_text) {
  auto schema = Schema::parse(json_text, "test");
  if (!schema) throw std::runtime_error(schema.error().to_string());
  return *schema;
}

void expect_deep_error(const Error& error) {
  EXPECT_EQ(error.where, kWhere);
  EXPECT_EQ(error.offset, kOffset);
  EXPECT_EQ(error.message, kMessage);
}

TEST(ErrorPath, FullDecodeNamesFullPath) {
  const auto schema = parse_or_die(kSchema);
  auto value = decode(schema->root(), kCorrupt);
  ASSERT_FALSE(value);
  expect_deep_error(value.error());
  EXPECT_EQ(value.error().to_string(),
            "history[3].src.psfFlux at byte 9: union branch 3 out of range (union has 2 "
            "branches)");
}

TEST(ErrorPath, DecodeIntoNamesFullPath) {
  const auto schema = parse_or_die(kSchema);
  Value reused;
  auto status = decode_into(schema->root(), kCorrupt, reused);
  ASSERT_FALSE(status);
  expect_deep_error(status.error());
}

TEST(ErrorPath, ProjectionSkippingArrayNamesFullPath) {
  const auto schema = parse_or_die(kSchema);
  auto projection = Projection::compile(schema->root(), {"tail"});
  ASSERT_TRUE(projection) << projection.error().to_string();
  ProjectedRecord out;
  auto status = projection->decode(kCorrupt, out);
  ASSERT_FALSE(status);
  expect_deep_error(status.error());
}

TEST(ErrorPath, ProjectionSkippingInsideItemsNamesFullPath) {
  // The path reads n of each item and passes over src, whose errors carry the item index.
  const auto schema = parse_or_die(kSchema);
  auto projection = Projection::compile(schema->root(), {"history.n"});
  ASSERT_TRUE(projection) << projection.error().to_string();
  ProjectedRecord out;
  auto status = projection->decode(kCorrupt, out);
  ASSERT_FALSE(status);
  expect_deep_error(status.error());
}

TEST(ErrorPath, PartialSkippingArrayNamesFullPath) {
  const auto schema = parse_or_die(kSchema);
  PartialDecoder decoder(schema->root(), {schema->root().field_index("tail")});
  Value value;
  auto status = decoder.decode(kCorrupt, value);
  ASSERT_FALSE(status);
  expect_deep_error(status.error());
}

TEST(ErrorPath, PartialDecodingArrayNamesFullPath) {
  const auto schema = parse_or_die(kSchema);
  PartialDecoder decoder(schema->root(), {schema->root().field_index("history")});
  Value value;
  auto status = decoder.decode(kCorrupt, value);
  ASSERT_FALSE(status);
  expect_deep_error(status.error());
}

TEST(ErrorPath, ResolveSkippingWriterFieldNamesFullPath) {
  const auto writer = parse_or_die(kSchema);
  const auto reader = parse_or_die(kReaderSchema);
  auto resolver = Resolver::create(writer->root(), reader->root());
  ASSERT_TRUE(resolver) << resolver.error().to_string();
  auto value = resolver->resolve_decode(kCorrupt);
  ASSERT_FALSE(value);
  expect_deep_error(value.error());
}

TEST(ErrorPath, ResolveReadingArrayNamesFullPath) {
  const auto schema = parse_or_die(kSchema);
  auto resolver = Resolver::create(schema->root(), schema->root());
  ASSERT_TRUE(resolver) << resolver.error().to_string();
  auto value = resolver->resolve_decode(kCorrupt);
  ASSERT_FALSE(value);
  expect_deep_error(value.error());
}

TEST(ErrorPath, SkipperLocatesFaultBelowField) {
  const auto schema = parse_or_die(kSchema);
  const Node& history = *schema->root().fields[1].type;
  skip::Skipper skipper;
  const skip::Instruction instruction = skipper.compile(history);

  Cursor cursor(kCorrupt);
  cursor.position += 1;  // the history starts after the one-byte id
  const char* start = cursor.position;
  ASSERT_FALSE(skipper.skip(instruction, cursor, 1));
  expect_deep_error(skipper.locate_fault(history, cursor, start, "history"));
}

TEST(ErrorPath, TruncationInFlattenedRecordNamesField) {
  // The skipper passes the two doubles of an item as one run of 16 bytes, and the walk after the
  // failure names the double that is cut off.
  const auto schema = parse_or_die(R"({
    "type": "record", "name": "r", "fields": [
      {"name": "xs", "type": {"type": "array", "items": {"type": "record", "name": "p",
        "fields": [{"name": "s", "type": "string"}, {"name": "a", "type": "double"},
                   {"name": "b", "type": "double"}]}}},
      {"name": "tail", "type": "long"}]})");
  //   byte 0       0x02         block count: zig-zag 1
  //   bytes 1-6    0x0a hello   s: length 5, "hello"
  //   bytes 7-14   8 x 0x00     a
  //   bytes 15-17  3 x 0x00     b, 5 bytes short
  // The 17 bytes after the count pass the check against the minimum item size of 17.
  const std::string bytes = std::string("\x02\x0ahello", 7) + std::string(11, '\0');
  auto projection = Projection::compile(schema->root(), {"tail"});
  ASSERT_TRUE(projection) << projection.error().to_string();
  ProjectedRecord out;
  auto status = projection->decode(bytes, out);
  ASSERT_FALSE(status);
  EXPECT_EQ(status.error().where, "xs[0].b");
  EXPECT_EQ(status.error().offset, 15u);
  EXPECT_EQ(status.error().message, "needs 8 bytes, 3 left");

  auto full = decode(schema->root(), bytes);
  ASSERT_FALSE(full);
  EXPECT_EQ(full.error().to_string(), status.error().to_string());
}

}  // namespace
}  // namespace skystream::avro
