// Partial decoding of top-level fields: chosen fields equal a full decode, the others keep
// their zero value, and corrupt bytes anywhere in the record are still found.

#include <gtest/gtest.h>

#include "avro/codec.h"
#include "avro/container.h"
#include "avro/partial.h"
#include "wire/schemas.h"

namespace skystream::avro {
namespace {

namespace fs = std::filesystem;

struct Sample {
  std::shared_ptr<const Schema> schema;
  std::string body;
};

Sample sample_11() {
  wire::SchemaCatalog catalog(SKYSTREAM_SCHEMA_ROOT);
  auto schema = catalog.by_version({11, 0});
  if (!schema) throw std::runtime_error(schema.error().to_string());
  auto reader = ContainerReader::open(fs::path(SKYSTREAM_SCHEMA_ROOT) / "11" / "0" / "sample_data" /
                                      "fakeAlert.avro");
  if (!reader) throw std::runtime_error(reader.error().to_string());
  return {*schema, std::string(reader->objects().front())};
}

std::string encoded(const Value& value) {
  std::string out;
  encode(value, out);
  return out;
}

TEST(PartialDecoder, ChosenFieldsEqualFullDecode) {
  const Sample sample = sample_11();
  const Node& root = sample.schema->root();
  const int dia_source = root.field_index("diaSource");
  const int dia_object = root.field_index("diaObject");
  ASSERT_GE(dia_source, 0);
  ASSERT_GE(dia_object, 0);

  auto full = decode_exact(root, sample.body);
  ASSERT_TRUE(full);
  PartialDecoder decoder(root, {dia_source, dia_object});
  Value partial;
  for (int round = 0; round < 2; ++round) {  // the second round reuses the Value
    ASSERT_TRUE(decoder.decode(sample.body, partial)) << round;
    EXPECT_EQ(encoded(partial.children[dia_source]), encoded(full->children[dia_source]));
    EXPECT_EQ(encoded(partial.children[dia_object]), encoded(full->children[dia_object]));
  }

  // A field that was not chosen keeps its zero value: diaSourceId 0 instead of the sample's.
  const int id = root.field_index("diaSourceId");
  EXPECT_NE(full->children[id].integer, 0);
  EXPECT_EQ(partial.children[id].integer, 0);
}

TEST(PartialDecoder, EveryTruncationFails) {
  const Sample sample = sample_11();
  PartialDecoder decoder(sample.schema->root(), {sample.schema->root().field_index("diaSource")});
  Value value;
  for (std::size_t length = 0; length < sample.body.size(); ++length) {
    EXPECT_FALSE(decoder.decode(std::string_view(sample.body).substr(0, length), value))
        << "length " << length;
  }
}

TEST(PartialDecoder, ErrorInSkippedFieldNamesIt) {
  const Sample sample = sample_11();
  const Node& root = sample.schema->root();
  PartialDecoder decoder(root, {root.field_index("diaSource")});
  Value value;

  // The sample's last field, cutoutTemplate, is null: branch index 0 in the last byte. Branch
  // 5 does not exist.
  std::string corrupt = sample.body;
  ASSERT_EQ(corrupt.back(), '\0');
  corrupt.back() = 10;  // zig-zag 5
  auto status = decoder.decode(corrupt, value);
  ASSERT_FALSE(status);
  EXPECT_EQ(status.error().where, "cutoutTemplate");
  EXPECT_EQ(status.error().offset, corrupt.size() - 1);

  auto leftover = decoder.decode(sample.body + "x", value);
  ASSERT_FALSE(leftover);
  EXPECT_EQ(leftover.error().offset, sample.body.size());
}

}  // namespace
}  // namespace skystream::avro
