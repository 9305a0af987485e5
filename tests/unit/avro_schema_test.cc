// Schema loading: named types across files, and errors that name the file, position or type.

#include <fmt/format.h>
#include <gtest/gtest.h>

#include <fstream>
#include <string>
#include <vector>

#include "../support/process.h"
#include "avro/schema.h"
#include "wire/framing.h"
#include "wire/schemas.h"

namespace skystream::avro {
namespace {

namespace fs = std::filesystem;
using testing::TempDir;

void write_file(const fs::path& path, std::string_view text) {
  std::ofstream out(path);
  out << text;
}

bool contains(const std::string& text, std::string_view part) {
  return text.find(part) != std::string::npos;
}

TEST(SchemaLoad, EveryPackageVersionResolves) {
  wire::SchemaCatalog catalog(SKYSTREAM_SCHEMA_ROOT);
  int loaded = 0;
  for (const auto& major : fs::directory_iterator(SKYSTREAM_SCHEMA_ROOT)) {
    if (!major.is_directory() || !std::isdigit(major.path().filename().string()[0])) continue;
    for (const auto& minor : fs::directory_iterator(major)) {
      const wire::SchemaVersion version{std::stoi(major.path().filename()),
                                        std::stoi(minor.path().filename())};
      auto schema = catalog.by_version(version);
      ASSERT_TRUE(schema) << schema.error().to_string();
      const Node& root = (*schema)->root();
      EXPECT_EQ(root.type, Type::kRecord);
      const int dia_source = root.field_index("diaSource");
      ASSERT_GE(dia_source, 0) << version.to_string();
      EXPECT_EQ(root.fields[static_cast<std::size_t>(dia_source)].type->full_name,
                fmt::format("lsst.v{}_{}.diaSource", version.major, version.minor));
      ++loaded;
    }
  }
  EXPECT_GE(loaded, 9);
}

TEST(SchemaLoad, MissingDirectoryNamesIt) {
  auto schema = Schema::load("/nonexistent/schema/dir", "a.b");
  ASSERT_FALSE(schema);
  EXPECT_EQ(schema.error().where, "/nonexistent/schema/dir");
}

TEST(SchemaLoad, UnknownTypeNamesTypeAndFile) {
  TempDir dir;
  write_file(dir.path() / "ns.top.avsc", R"({"namespace": "ns", "type": "record", "name": "top",
      "fields": [{"name": "x", "type": "ns.missing"}]})");
  auto schema = Schema::load(dir.path(), "ns.top");
  ASSERT_FALSE(schema);
  EXPECT_TRUE(contains(schema.error().message, "unknown type ns.missing"))
      << schema.error().to_string();
  EXPECT_TRUE(contains(schema.error().where, "ns.top.avsc")) << schema.error().to_string();
}

TEST(SchemaLoad, InvalidJsonGivesLineAndColumn) {
  TempDir dir;
  write_file(dir.path() / "bad.avsc",
             "{\"type\": \"record\",\n \"name\": \"r\",\n \"fields\": [,]}");
  auto schema = Schema::load(dir.path(), "r");
  ASSERT_FALSE(schema);
  EXPECT_TRUE(contains(schema.error().where, "bad.avsc"));
  EXPECT_TRUE(contains(schema.error().message, "line 3, column 13")) << schema.error().to_string();
}

TEST(SchemaLoad, ForwardReferenceAcrossFiles) {
  TempDir dir;
  // a.avsc sorts first and refers to a type that b.avsc defines.
  write_file(dir.path() / "a.avsc", R"({"namespace": "n", "type": "record", "name": "outer",
      "fields": [{"name": "inner", "type": ["null", "inner"]}]})");
  write_file(dir.path() / "b.avsc", R"({"namespace": "n", "type": "record", "name": "inner",
      "fields": [{"name": "self", "type": ["null", "n.inner"]}]})");
  auto schema = Schema::load(dir.path(), "n.outer");
  ASSERT_TRUE(schema) << schema.error().to_string();
  const Node* inner = (*schema)->find("n.inner");
  ASSERT_NE(inner, nullptr);
  EXPECT_EQ(inner->fields[0].type->branches[1], inner);  // recursive reference, one node
}

TEST(SchemaParse, RejectsMalformedDefinitions) {
  const std::pair<const char*, const char*> cases[] = {
      {R"({"type": "record", "fields": []})", "without a \"name\""},
      {R"({"type": "enum", "name": "e", "symbols": []})", "without symbols"},
      {R"({"type": "fixed", "name": "f"})", "without a valid size"},
      {R"({"type": "array"})", "without \"items\""},
      {R"([["null"]])", "a union cannot contain a union"},
      {R"("nosuchtype")", "unknown type nosuchtype"},
  };
  for (const auto& [text, message] : cases) {
    auto schema = Schema::parse(text, "inline");
    ASSERT_FALSE(schema) << text;
    EXPECT_TRUE(contains(schema.error().message, message)) << schema.error().to_string();
  }
}

TEST(SchemaJson, WrittenSchemaParsesToSameJson) {
  wire::SchemaCatalog catalog(SKYSTREAM_SCHEMA_ROOT);
  auto schema = catalog.by_version({11, 0});
  ASSERT_TRUE(schema);
  const std::string written = (*schema)->to_json();
  auto reparsed = Schema::parse(written, "written");
  ASSERT_TRUE(reparsed) << reparsed.error().to_string();
  EXPECT_EQ((*reparsed)->to_json(), written);
  EXPECT_EQ((*reparsed)->root().full_name, "lsst.v11_0.alert");
}

TEST(SchemaCatalog, UnknownIdIsAnError) {
  wire::SchemaCatalog catalog(SKYSTREAM_SCHEMA_ROOT);
  auto schema = catalog.by_id(9999);
  ASSERT_FALSE(schema);
  EXPECT_TRUE(contains(schema.error().message, "unknown schema id 9999"));
  EXPECT_FALSE(catalog.by_id(-5));
}

TEST(SchemaVersionText, ParsesAndRejects) {
  auto version = wire::parse_schema_version("11.0");
  ASSERT_TRUE(version);
  EXPECT_EQ(version->id(), 1100);
  EXPECT_EQ(wire::parse_schema_version("7")->id(), 700);
  for (const char* bad : {"", "11.", "x", "11.0.1", "-1.0", "11.100"}) {
    EXPECT_FALSE(wire::parse_schema_version(bad)) << bad;
  }
}

TEST(WireFrame, GoldenHeaderBytes) {
  std::string framed;
  wire::append_header(1100, framed);
  // Magic byte 0, then 1100 = 0x0000044c as a big-endian int32.
  EXPECT_EQ(framed, std::string("\x00\x00\x00\x04\x4c", 5));
  framed += "body";
  auto frame = wire::parse_frame(framed);
  ASSERT_TRUE(frame);
  EXPECT_EQ(frame->schema_id, 1100);
  EXPECT_EQ(frame->body, "body");
}

TEST(WireFrame, RejectsWrongMagicAndShort) {
  EXPECT_EQ(wire::parse_frame(std::string("\x01\x00\x00\x04\x4c", 5)).error(),
            wire::FrameError::kWrongMagic);
  EXPECT_EQ(wire::parse_frame(std::string("\x00\x00\x00\x04", 4)).error(),
            wire::FrameError::kTooShort);
}

// Each schema breaks one rule of the specification; parsing fails with the message shown.
TEST(SchemaRules, InvalidSchemasRejected) {
  struct Case {
    std::string schema;
    std::string message;
  };
  const std::vector<Case> cases = {
      {R"({"type": "record", "name": "r", "fields": [
           {"name": "a", "type": {"type": "enum", "name": "X", "symbols": ["P", "Q"]}},
           {"name": "b", "type": {"type": "enum", "name": "X", "symbols": ["Q", "P"]}}]})",
       "type X is defined twice"},
      {R"({"type": "record", "name": "r", "fields": [
           {"name": "a", "type": "int"}, {"name": "a", "type": "long"}]})",
       "record r: field a is defined twice"},
      {R"({"type": "enum", "name": "e", "symbols": ["A", "B", "A"]})",
       "enum e: symbol A is listed twice"},
      {R"({"type": "enum", "name": "e", "symbols": ["A", "B"], "default": "C"})",
       "enum e: default \"C\" is not one of its symbols"},
      {R"({"type": "enum", "name": "e", "symbols": ["A", "not-a-name"]})",
       "enum e: invalid symbol \"not-a-name\""},
      {R"({"type": "record", "name": "1r", "fields": []})", "invalid record name \"1r\""},
      {R"({"type": "fixed", "name": "f", "namespace": "a..b", "size": 2})",
       "invalid fixed name \"a..b.f\""},
      {R"({"type": "record", "name": "r", "fields": [{"name": "a b", "type": "int"}]})",
       "record r: invalid field name \"a b\""},
      {R"({"type": "record", "name": "r", "fields": [{"name": 7, "type": "int"}]})",
       "record r: each field needs a name and a type"},
      {R"({"type": "record", "name": "r", "fields": [
           {"name": "a", "type": "int", "default": "seven"}]})",
       "record r: invalid default \"seven\" for field a of type int"},
      {R"({"type": "record", "name": "r", "fields": [
           {"name": "a", "type": "int", "default": 2147483648}]})",
       "record r: invalid default 2147483648 for field a of type int"},
      {R"({"type": "record", "name": "r", "fields": [
           {"name": "a", "type": ["null", "string"], "default": 1}]})",
       "record r: invalid default 1 for field a of type union"},
  };
  for (const Case& c : cases) {
    auto schema = Schema::parse(c.schema);
    ASSERT_FALSE(schema) << c.schema;
    EXPECT_EQ(schema.error().message, c.message) << c.schema;
  }
}

TEST(SchemaRules, ValidDefaultsAccepted) {
  // A union's default may match any branch; a record default needs only the fields that have
  // no default of their own.
  auto schema = Schema::parse(R"({"type": "record", "name": "r", "fields": [
      {"name": "a", "type": ["null", "double"], "default": null},
      {"name": "b", "type": ["double", "null"], "default": null},
      {"name": "c", "type": "long", "default": -9223372036854775808},
      {"name": "d", "type": "float", "default": 1},
      {"name": "e", "type": {"type": "array", "items": "int"}, "default": [1, 2]},
      {"name": "f", "type": {"type": "map", "values": "string"}, "default": {"k": "v"}},
      {"name": "g", "type": {"type": "record", "name": "p", "fields": [
          {"name": "x", "type": "int"}, {"name": "y", "type": "int", "default": 0}]},
       "default": {"x": 1}},
      {"name": "h", "type": {"type": "enum", "name": "e", "symbols": ["A", "B"], "default": "B"},
       "default": "A"}]})");
  EXPECT_TRUE(schema) << schema.error().to_string();
}

// A schema nested beyond kMaxSchemaDepth fails with a message; parsing must not exhaust the
// stack, whichever way the nesting is written.
TEST(SchemaRules, DeepNestingRejected) {
  const int depth = 20000;
  std::string arrays;
  for (int i = 0; i < depth; ++i) arrays += R"({"type": "array", "items": )";
  arrays += "\"int\"" + std::string(depth, '}');
  std::string unions = std::string(depth, '[') + "\"int\"" + std::string(depth, ']');

  for (const std::string& text : {arrays, unions}) {
    auto schema = Schema::parse(text);
    ASSERT_FALSE(schema);
    EXPECT_EQ(schema.error().message,
              fmt::format("schema nested deeper than {} levels", kMaxSchemaDepth));
  }
}

TEST(SchemaRules, NestingAtLimitAccepted) {
  std::string arrays;
  const int depth = kMaxSchemaDepth - 1;
  for (int i = 0; i < depth; ++i) arrays += R"({"type": "array", "items": )";
  arrays += "\"int\"" + std::string(depth, '}');
  auto schema = Schema::parse(arrays);
  EXPECT_TRUE(schema) << schema.error().to_string();
}

TEST(SchemaRules, SameTypeInTwoFilesAccepted) {
  // Two files of a directory may define a type alike; defining it differently fails.
  TempDir dir;
  const std::string point =
      R"({"type": "record", "name": "point", "namespace": "g", "fields": [
          {"name": "x", "type": "double"}]})";
  write_file(dir.path() / "a.avsc", R"({"type": "record", "name": "a", "namespace": "g",
      "fields": [{"name": "p", "type": )" +
                                        point + "}]}");
  write_file(dir.path() / "point.avsc", point);
  auto schema = Schema::load(dir.path(), "g.a");
  ASSERT_TRUE(schema) << schema.error().to_string();

  write_file(dir.path() / "point.avsc",
             R"({"type": "record", "name": "point", "namespace": "g", "fields": [
                 {"name": "y", "type": "double"}]})");
  auto redefined = Schema::load(dir.path(), "g.a");
  ASSERT_FALSE(redefined);
  EXPECT_EQ(redefined.error().message, "type g.point is defined twice");
}

}  // namespace
}  // namespace skystream::avro
