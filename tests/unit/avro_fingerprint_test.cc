// Parsing Canonical Form and CRC-64-AVRO fingerprints, checked against fastavro's
// to_parsing_canonical_form() and fingerprint(..., "CRC-64-AVRO") for every Rubin schema
// version and for hand-made schemas.

#include <gtest/gtest.h>

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <vector>

#include "../support/process.h"
#include "avro/fingerprint.h"
#include "avro/schema.h"

namespace skystream::avro {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;
using testing::run_command;
using testing::shell_quote;

const fs::path kSchemaRoot = SKYSTREAM_SCHEMA_ROOT;

// Returns fastavro's {"form", "rabin"} for each schema argument (JSON text or an .avsc path).
std::vector<json> fastavro_canonical(const std::vector<std::string>& schemas) {
  std::string command =
      shell_quote(SKYSTREAM_PYTHON) + " " +
      shell_quote(std::string(SKYSTREAM_SOURCE_DIR) + "/tests/tools/fastavro_resolve.py") +
      " canonical";
  for (const std::string& schema : schemas) command += " " + shell_quote(schema);
  auto result = run_command(command);
  if (result.exit_code != 0) throw std::runtime_error("failed: " + command);
  std::vector<json> lines;
  std::istringstream in(result.output);
  for (std::string line; std::getline(in, line);) lines.push_back(json::parse(line));
  return lines;
}

std::string hex(std::string_view bytes) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out;
  for (const unsigned char c : bytes) {
    out.push_back(kDigits[c >> 4]);
    out.push_back(kDigits[c & 15]);
  }
  return out;
}

std::shared_ptr<const Schema> parse_or_die(std::string_view text) {
  auto schema = Schema::parse(text, "test");
  if (!schema) throw std::runtime_error(schema.error().to_string());
  return *schema;
}

struct RubinVersion {
  fs::path directory;     // <root>/<major>/<minor>
  std::string root_name;  // lsst.v<major>_<minor>.alert
};

std::vector<RubinVersion> rubin_versions() {
  std::vector<RubinVersion> versions;
  for (const auto& major : fs::directory_iterator(kSchemaRoot)) {
    const std::string major_name = major.path().filename();
    if (!major.is_directory() || !std::isdigit(major_name[0])) continue;
    for (const auto& minor : fs::directory_iterator(major)) {
      const std::string name =
          "lsst.v" + major_name + "_" + minor.path().filename().string() + ".alert";
      versions.push_back({minor.path(), name});
    }
  }
  std::sort(versions.begin(), versions.end(),
            [](const auto& a, const auto& b) { return a.directory < b.directory; });
  return versions;
}

TEST(RabinFingerprint, EmptyInputIsSpecificationConstant) {
  // The specification defines EMPTY = 0xc15d213aa4d7a795 as the fingerprint of no bytes.
  EXPECT_EQ(rabin_fingerprint(""), 0xc15d213aa4d7a795ULL);
}

TEST(RabinFingerprint, BytesAreLeastSignificantFirst) {
  EXPECT_EQ(hex(fingerprint_bytes(0x0102030405060708ULL)), "0807060504030201");
}

TEST(ParsingCanonicalForm, HandWrittenGoldenForm) {
  // Written out by hand from the specification's transformation rules. The primitive with a
  // logical type becomes a bare name, and nested names get their enclosing namespace. Doc,
  // aliases, default and namespace are dropped, and the second use of a named type is its full
  // name.
  auto schema = parse_or_die(R"({
      "type": "record", "name": "alert", "namespace": "ns", "doc": "top",
      "aliases": ["old"],
      "fields": [
        {"name": "time", "type": {"type": "long", "logicalType": "timestamp-micros"},
         "doc": "MJD", "default": 0},
        {"name": "band", "type": {"type": "enum", "name": "Band", "symbols": ["g", "r"],
                                  "default": "g"}},
        {"name": "again", "type": ["null", "Band"], "default": null},
        {"name": "digest", "type": {"type": "fixed", "name": "other.md5", "size": 16}}
      ]})");
  EXPECT_EQ(parsing_canonical_form(schema->root()),
            R"({"name":"ns.alert","type":"record","fields":[)"
            R"({"name":"time","type":"long"},)"
            R"({"name":"band","type":{"name":"ns.Band","type":"enum","symbols":["g","r"]}},)"
            R"({"name":"again","type":["null","ns.Band"]},)"
            R"({"name":"digest","type":{"name":"other.md5","type":"fixed","size":16}}]})");
}

TEST(ParsingCanonicalForm, RubinVersionsMatchFastavro) {
  const std::vector<RubinVersion> versions = rubin_versions();
  ASSERT_GE(versions.size(), 15u);
  std::vector<std::string> files;
  for (const RubinVersion& version : versions) {
    files.push_back((version.directory / (version.root_name + ".avsc")).string());
  }
  const std::vector<json> theirs = fastavro_canonical(files);
  ASSERT_EQ(theirs.size(), versions.size());

  for (std::size_t i = 0; i < versions.size(); ++i) {
    auto schema = Schema::load(versions[i].directory, versions[i].root_name);
    ASSERT_TRUE(schema) << schema.error().to_string();
    const std::string form = parsing_canonical_form((*schema)->root());
    EXPECT_EQ(form, theirs[i]["form"].get<std::string>()) << versions[i].root_name;
    EXPECT_EQ(hex(fingerprint_bytes(schema_fingerprint(**schema))),
              theirs[i]["rabin"].get<std::string>())
        << versions[i].root_name;
  }
}

TEST(ParsingCanonicalForm, HandMadeSchemasMatchFastavro) {
  const std::vector<std::string> schemas = {
      // Every primitive, bare and as an object with extra attributes.
      R"("null")",
      R"("boolean")",
      R"("int")",
      R"("long")",
      R"("float")",
      R"("double")",
      R"("bytes")",
      R"("string")",
      R"({"type": "int", "logicalType": "date"})",
      R"({"type": "bytes", "logicalType": "decimal", "precision": 4, "scale": 2})",
      R"({"type": "string", "doc": "a comment", "custom": [1, 2]})",
      // Enums: namespace from the name, aliases, doc and default dropped.
      R"({"type": "enum", "name": "a.b.Band", "symbols": ["u", "g", "r", "i", "z", "y"],
          "aliases": ["Filter"], "doc": "LSST bands", "default": "r"})",
      // Fixed: namespace from the "namespace" attribute.
      R"({"type": "fixed", "name": "md5", "namespace": "hash", "size": 16})",
      R"({"type": "fixed", "name": "empty", "size": 0})",
      // Containers and unions.
      R"({"type": "array", "items": {"type": "map", "values": ["null", "double"]}})",
      R"(["null", "int", {"type": "array", "items": "string"}])",
      // Nested named types: inner names take the enclosing namespace unless qualified, and
      // later uses become full names. Inside elsewhere.thing a short name would mean
      // elsewhere.<name>, so top.inner is referred to by its full name there.
      R"({"type": "record", "name": "outer", "namespace": "top",
          "fields": [
            {"name": "a", "type": {"type": "record", "name": "inner",
                                   "fields": [{"name": "x", "type": "int", "order": "ignore"}]}},
            {"name": "b", "type": "inner"},
            {"name": "c", "type": {"type": "record", "name": "elsewhere.thing",
                                   "fields": [{"name": "y", "type": "top.inner"}]}},
            {"name": "d", "type": {"type": "array", "items": "elsewhere.thing"}},
            {"name": "e", "type": {"type": "enum", "name": "kind", "namespace": "k",
                                   "symbols": ["A"]}},
            {"name": "f", "type": ["null", "k.kind"], "default": null}
          ]})",
      // A recursive record.
      R"({"type": "record", "name": "node", "fields": [
            {"name": "value", "type": "long"},
            {"name": "next", "type": ["null", "node"], "default": null}]})",
      // An error type is written as a record.
      R"({"type": "error", "name": "failure", "fields": [{"name": "why", "type": "string"}]})",
  };
  const std::vector<json> theirs = fastavro_canonical(schemas);
  ASSERT_EQ(theirs.size(), schemas.size());

  for (std::size_t i = 0; i < schemas.size(); ++i) {
    auto schema = parse_or_die(schemas[i]);
    EXPECT_EQ(parsing_canonical_form(schema->root()), theirs[i]["form"].get<std::string>())
        << schemas[i];
    EXPECT_EQ(hex(fingerprint_bytes(schema_fingerprint(schema->root()))),
              theirs[i]["rabin"].get<std::string>())
        << schemas[i];
  }
}

TEST(ParsingCanonicalForm, EqualFormsGiveEqualFingerprints) {
  // Whitespace, attribute order, docs and the way a name is qualified do not change the form.
  auto compact =
      parse_or_die(R"({"type":"record","name":"ns.r","fields":[{"name":"a","type":"int"}]})");
  auto spread = parse_or_die(R"({
      "fields": [ {"type": "int", "doc": "x", "name": "a"} ],
      "namespace": "ns", "name": "r", "type": "record", "doc": "y" })");
  EXPECT_EQ(parsing_canonical_form(compact->root()), parsing_canonical_form(spread->root()));
  EXPECT_EQ(schema_fingerprint(compact->root()), schema_fingerprint(spread->root()));

  auto renamed =
      parse_or_die(R"({"type":"record","name":"ns.r","fields":[{"name":"b","type":"int"}]})");
  EXPECT_NE(schema_fingerprint(compact->root()), schema_fingerprint(renamed->root()));
}

}  // namespace
}  // namespace skystream::avro
