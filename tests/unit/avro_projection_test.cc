// Projection decoding and decode_into(). The values of requested paths match fastavro's on the
// official Rubin samples and on simulated alerts. Hand-built records pin nulls, arrays, blocks
// skipped by their byte size, early stops, errors and truncation. Decoding into a reused Value
// re-encodes to the same bytes.

#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <vector>

#include "../support/process.h"
#include "avro/codec.h"
#include "avro/container.h"
#include "avro/projection.h"
#include "avro/schema.h"
#include "sim/simulator.h"

namespace skystream::avro {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;
using testing::run_command;
using testing::shell_quote;

const fs::path kSchemaRoot = SKYSTREAM_SCHEMA_ROOT;

// The paths a filter campaign reads, in every spelling the schema versions use.
const std::vector<std::string> kCampaignPaths = {
    "diaSourceId",           "alertId",
    "diaSource.psfFlux",     "diaSource.psFlux",
    "diaSource.snr",         "diaSource.band",
    "diaSource.filterName",  "diaObject.nDiaSources",
    "diaObject.diaObjectId", "prvDiaSources.psfFlux",
    "prvDiaSources.psFlux",  "prvDiaSources.midpointMjdTai",
    "ssSource.ssObjectId",
};

std::string bytes(std::initializer_list<int> values) {
  std::string out;
  for (int value : values) out.push_back(static_cast<char>(value));
  return out;
}

std::shared_ptr<const Schema> parse_or_die(std::string_view json_text) {
  auto schema = Schema::parse(json_text, "test");
  if (!schema) throw std::runtime_error(schema.error().to_string());
  return *schema;
}

// fastavro's records of a container file, one JSON document each (see fastavro_dump.py).
std::vector<json> fastavro_records(const fs::path& file) {
  const std::string command =
      shell_quote(SKYSTREAM_PYTHON) + " " +
      shell_quote(std::string(SKYSTREAM_SOURCE_DIR) + "/tests/tools/fastavro_dump.py") +
      " container " + shell_quote(file.string());
  auto result = run_command(command);
  if (result.exit_code != 0) throw std::runtime_error("failed: " + command);
  std::vector<json> records;
  std::istringstream lines(result.output);
  for (std::string line; std::getline(lines, line);) records.push_back(json::parse(line));
  return records;
}

// fastavro's values at a dotted path. `null` is set when a value on the way is null before any
// array. Paths through arrays get one value per array item, which is null when a value on the
// way inside the item is null.
struct Expected {
  bool null = false;
  std::vector<json> values;
};

void collect(const json& value, const std::vector<std::string>& names, std::size_t step,
             bool in_array, Expected& out) {
  if (value.is_array()) {
    for (const json& item : value) collect(item, names, step, true, out);
    return;
  }
  if (step == names.size() || value.is_null()) {
    if (value.is_null() && !in_array) out.null = true;
    if (in_array || !value.is_null()) out.values.push_back(value);
    return;
  }
  collect(value.at(names[step]), names, step + 1, in_array, out);
}

Expected expected_at(const json& record, const std::string& path) {
  std::vector<std::string> names;
  std::istringstream parts(path);
  for (std::string name; std::getline(parts, name, '.');) names.push_back(name);
  Expected out;
  collect(record, names, 0, false, out);
  return out;
}

std::string hex(std::string_view data) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out;
  for (unsigned char c : data) {
    out.push_back(kDigits[c >> 4]);
    out.push_back(kDigits[c & 15]);
  }
  return out;
}

template <typename Float>
bool same_number(Float ours, const json& theirs) {
  if (theirs.is_string()) {
    const std::string text = theirs.get<std::string>();
    if (text == "NaN") return std::isnan(ours);
    if (text == "Infinity") return std::isinf(ours) && ours > 0;
    if (text == "-Infinity") return std::isinf(ours) && ours < 0;
    return false;
  }
  // fastavro widens float to a Python float (double); narrowing it back is exact.
  return theirs.is_number() && static_cast<Float>(theirs.get<double>()) == ours;
}

// Whether a projected value equals fastavro's value of the leaf type `leaf`.
bool same_value(const ProjectedValue& ours, const Node& leaf, const json& theirs) {
  if (theirs.is_null()) return ours.is_null;
  if (ours.is_null) return false;
  switch (leaf.type) {
    case Type::kBoolean:
      return theirs.is_boolean() && theirs.get<bool>() == ours.boolean;
    case Type::kInt:
    case Type::kLong:
      return theirs.is_number_integer() && theirs.get<std::int64_t>() == ours.integer;
    case Type::kFloat:
      return same_number(ours.float32, theirs);
    case Type::kDouble:
      return same_number(ours.float64, theirs);
    case Type::kString:
      return theirs.is_string() && theirs.get<std::string>() == ours.bytes;
    case Type::kBytes:
    case Type::kFixed:
      return theirs.is_string() && theirs.get<std::string>() == hex(ours.bytes);
    case Type::kEnum:
      return theirs.is_string() &&
             theirs.get<std::string>() == leaf.symbols[static_cast<std::size_t>(ours.index)];
    default:
      return true;  // a record, array or map leaf: only its presence is read
  }
}

// The campaign paths that exist in `root`, each compiled on its own to find out.
std::vector<std::string> campaign_paths_of(const Node& root) {
  std::vector<std::string> paths;
  for (const std::string& path : kCampaignPaths) {
    if (Projection::compile(root, {path})) paths.push_back(path);
  }
  return paths;
}

// Checks every path of every object of `file` against fastavro's records, and returns the
// number of values compared.
std::size_t compare_with_fastavro(const fs::path& file) {
  auto reader = ContainerReader::open(file);
  EXPECT_TRUE(reader) << reader.error().to_string();
  if (!reader) return 0;
  const std::vector<std::string> paths = campaign_paths_of(reader->schema()->root());
  EXPECT_GE(paths.size(), 4u) << file;
  auto projection = Projection::compile(reader->schema()->root(), paths);
  EXPECT_TRUE(projection) << projection.error().to_string();
  if (!projection) return 0;

  const std::vector<json> records = fastavro_records(file);
  EXPECT_EQ(records.size(), reader->objects().size()) << file;
  ProjectedRecord out;
  std::size_t compared = 0;
  for (std::size_t i = 0; i < records.size() && i < reader->objects().size(); ++i) {
    auto status = projection->decode(reader->objects()[i], out);
    EXPECT_TRUE(status) << file << " object " << i << ": " << status.error().to_string();
    if (!status) continue;
    for (std::size_t path = 0; path < paths.size(); ++path) {
      const Expected expected = expected_at(records[i], paths[path]);
      std::vector<json> expected_values = expected.values;
      // A path without arrays has one value, null when a union on the way is null.
      if (!projection->through_array(path) && expected.null) expected_values = {json()};
      const auto values = out.values(path);
      EXPECT_EQ(out.is_null(path), expected.null) << file << " " << paths[path];
      EXPECT_EQ(values.size(), expected_values.size()) << file << " " << paths[path];
      for (std::size_t k = 0; k < values.size() && k < expected_values.size(); ++k) {
        EXPECT_TRUE(same_value(values[k], projection->leaf(path), expected_values[k]))
            << file << " object " << i << " " << paths[path] << " item " << k << ": "
            << expected_values[k].dump();
        ++compared;
      }
    }
  }
  return compared;
}

std::vector<fs::path> sample_files() {
  std::vector<fs::path> files;
  for (const auto& entry : fs::recursive_directory_iterator(kSchemaRoot)) {
    if (entry.path().filename() == "fakeAlert.avro") files.push_back(entry.path());
  }
  std::sort(files.begin(), files.end());
  return files;
}

// Writes `count` simulated alerts of schema 11.0 to a container file in `dir`.
fs::path write_simulated_alerts(const fs::path& dir, int count) {
  auto schema = Schema::load(kSchemaRoot / "11" / "0", "lsst.v11_0.alert");
  if (!schema) throw std::runtime_error(schema.error().to_string());
  sim::SimulatorConfig config;
  config.alerts_per_visit = count;
  config.solar_system_fraction = 0.2;  // enough alerts with a null diaObject
  auto simulator = sim::Simulator::create(*schema, config);
  if (!simulator) throw std::runtime_error(simulator.error().to_string());
  const fs::path file = dir / "simulated.avro";
  auto writer = ContainerWriter::create(file, *schema, Codec::kNull);
  if (!writer) throw std::runtime_error(writer.error().to_string());
  for (const Value& alert : simulator->next_visit()) writer->append(alert);
  if (auto closed = writer->close(); !closed) throw std::runtime_error("close failed");
  return file;
}

TEST(ProjectionRubin, SampleValuesMatchFastavro) {
  const auto files = sample_files();
  ASSERT_GE(files.size(), 9u);
  for (const fs::path& file : files) EXPECT_GT(compare_with_fastavro(file), 0u) << file;
}

TEST(ProjectionRubin, SimulatedValuesMatchFastavro) {
  testing::TempDir dir;
  const fs::path file = write_simulated_alerts(dir.path(), 300);
  // Each of 300 alerts has at least diaSourceId, psfFlux, snr and band.
  EXPECT_GE(compare_with_fastavro(file), 1200u);
}

TEST(ProjectionRubin, HistoryItemsMatchSample) {
  // The 11.0 sample has two prvDiaSources; their psfFlux values come from fastavro.
  const fs::path file = kSchemaRoot / "11" / "0" / "sample_data" / "fakeAlert.avro";
  const json record = fastavro_records(file).at(0);
  ASSERT_EQ(record["prvDiaSources"].size(), 2u);
  auto reader = ContainerReader::open(file);
  ASSERT_TRUE(reader);
  auto projection = Projection::compile(reader->schema()->root(), {"prvDiaSources.psfFlux"});
  ASSERT_TRUE(projection);
  EXPECT_TRUE(projection->through_array(0));
  ProjectedRecord out;
  ASSERT_TRUE(projection->decode(reader->objects().front(), out));
  ASSERT_EQ(out.values(0).size(), 2u);
  EXPECT_FALSE(out.is_null(0));
  for (std::size_t i = 0; i < 2; ++i) {
    EXPECT_TRUE(
        same_value(out.values(0)[i], projection->leaf(0), record["prvDiaSources"][i]["psfFlux"]));
  }
}

TEST(ProjectionRubin, StopsAfterLastRequestedField) {
  // diaSourceId is the first field, so its varint is all the projection needs: the body cut
  // right after it still decodes. The varint's length comes from fastavro's value.
  const fs::path file = kSchemaRoot / "11" / "0" / "sample_data" / "fakeAlert.avro";
  const auto id = fastavro_records(file).at(0)["diaSourceId"].get<std::int64_t>();
  std::uint64_t zigzag =
      (static_cast<std::uint64_t>(id) << 1) ^ static_cast<std::uint64_t>(id >> 63);
  std::size_t varint_length = 1;
  while (zigzag >= 0x80) {
    zigzag >>= 7;
    ++varint_length;
  }
  auto reader = ContainerReader::open(file);
  ASSERT_TRUE(reader);
  auto projection = Projection::compile(reader->schema()->root(), {"diaSourceId"});
  ASSERT_TRUE(projection);
  ProjectedRecord out;
  const std::string_view body = reader->objects().front();
  ASSERT_TRUE(projection->decode(body.substr(0, varint_length), out));
  EXPECT_EQ(out.value(0).integer, id);
  EXPECT_FALSE(projection->decode(body.substr(0, varint_length - 1), out));
}

TEST(ProjectionRubin, EveryTruncationFailsCleanly) {
  const fs::path file = kSchemaRoot / "11" / "0" / "sample_data" / "fakeAlert.avro";
  auto reader = ContainerReader::open(file);
  ASSERT_TRUE(reader);
  auto projection =
      Projection::compile(reader->schema()->root(),
                          {"diaSource.psfFlux", "prvDiaSources.psfFlux", "diaObject.nDiaSources"});
  ASSERT_TRUE(projection);
  const std::string_view body = reader->objects().front();
  ProjectedRecord full;
  ASSERT_TRUE(projection->decode(body, full));

  // Below some length every prefix fails with an offset inside it. From that length on, every
  // prefix gives the values of the whole body, because nothing after diaObject is read.
  std::size_t shortest = body.size();
  for (std::size_t length = 0; length <= body.size(); ++length) {
    ProjectedRecord out;
    auto status = projection->decode(body.substr(0, length), out);
    if (!status) {
      ASSERT_EQ(shortest, body.size()) << "length " << length << " failed after a success";
      EXPECT_LE(status.error().offset, length) << length;
      EXPECT_FALSE(status.error().where.empty()) << length;
      continue;
    }
    shortest = std::min(shortest, length);
    EXPECT_EQ(out.value(0).float32, full.value(0).float32) << length;
    EXPECT_EQ(out.values(1).size(), full.values(1).size()) << length;
    EXPECT_EQ(out.value(2).integer, full.value(2).integer) << length;
  }
  EXPECT_LT(shortest, body.size());
}

// A record with every kind of step. Encoded example (each byte explained in kExample):
constexpr std::string_view kHandSchema = R"({"type": "record", "name": "r", "fields": [
    {"name": "id", "type": "long"},
    {"name": "name", "type": ["null", "string"]},
    {"name": "inner", "type": ["null", {"type": "record", "name": "i", "fields": [
        {"name": "flux", "type": "float"}, {"name": "flag", "type": ["null", "boolean"]}]}]},
    {"name": "history", "type": ["null", {"type": "array", "items": {"type": "record",
        "name": "h", "fields": [{"name": "note", "type": "string"},
                               {"name": "flux", "type": ["null", "float"]}]}}]},
    {"name": "tags", "type": {"type": "map", "values": "long"}},
    {"name": "tail", "type": "bytes"}]})";

const std::string kExample = bytes({
    0x0a,                                      // id: 5
    0x02, 0x04, 'a',  'b',                     // name: branch 1, "ab"
    0x02, 0x00, 0x00, 0xc0, 0x3f, 0x00,        // inner: branch 1, flux 1.5f, flag null
    0x02, 0x03, 0x12,                          // history: branch 1, block count -2, block size 9
    0x02, 'x',  0x02, 0x00, 0x00, 0x00, 0x40,  // item 0: note "x", flux branch 1, 2.0f
    0x00, 0x00,                                // item 1: note "", flux null
    0x00,                                      // end of history
    0x02, 0x02, 'k',  0x06, 0x00,              // tags: one block of 1, "k" -> 3, end
    0x04, 'z',  'z',                           // tail: 2 bytes
});
constexpr std::size_t kHistoryOffset = 11;
constexpr std::size_t kHistoryItemsOffset = 14;

class ProjectionHandBuilt : public ::testing::Test {
 protected:
  void SetUp() override { schema_ = parse_or_die(kHandSchema); }

  Projection compile(const std::vector<std::string>& paths) {
    auto projection = Projection::compile(schema_->root(), paths);
    if (!projection) throw std::runtime_error(projection.error().to_string());
    return *projection;
  }

  std::shared_ptr<const Schema> schema_;
};

TEST_F(ProjectionHandBuilt, ReadsEveryKindOfPath) {
  const Projection projection = compile(
      {"tail", "id", "name", "inner.flux", "inner.flag", "history.flux", "history.note", "tags"});
  ProjectedRecord out;
  ASSERT_TRUE(projection.decode(kExample, out));
  EXPECT_EQ(out.value(0).bytes, "zz");
  EXPECT_EQ(out.value(1).integer, 5);
  EXPECT_EQ(out.value(2).bytes, "ab");
  EXPECT_EQ(out.value(3).float32, 1.5f);
  EXPECT_TRUE(out.is_null(4));
  ASSERT_EQ(out.values(5).size(), 2u);
  EXPECT_EQ(out.values(5)[0].float32, 2.0f);
  EXPECT_TRUE(out.values(5)[1].is_null);
  ASSERT_EQ(out.values(6).size(), 2u);
  EXPECT_EQ(out.values(6)[0].bytes, "x");
  EXPECT_EQ(out.values(6)[1].bytes, "");
  EXPECT_FALSE(out.values(6)[1].is_null);
  EXPECT_FALSE(out.is_null(7));
}

TEST_F(ProjectionHandBuilt, RepeatedPathsGetSameValues) {
  const Projection projection = compile({"history.note", "id", "history.note", "history"});
  ProjectedRecord out;
  ASSERT_TRUE(projection.decode(kExample, out));
  ASSERT_EQ(out.values(0).size(), 2u);
  ASSERT_EQ(out.values(2).size(), 2u);
  EXPECT_EQ(out.values(2)[0].bytes, "x");
  EXPECT_EQ(out.value(1).integer, 5);
  // A path that ends at an array of records gives one present item per record.
  ASSERT_EQ(out.values(3).size(), 2u);
  EXPECT_FALSE(out.values(3)[1].is_null);
  EXPECT_EQ(projection.leaf(3).full_name, "h");
}

TEST_F(ProjectionHandBuilt, StringsPointIntoInput) {
  const Projection projection = compile({"name"});
  ProjectedRecord out;
  ASSERT_TRUE(projection.decode(kExample, out));
  EXPECT_EQ(out.value(0).bytes.data(), kExample.data() + 3);
}

TEST_F(ProjectionHandBuilt, NullBranchesGiveNullFlags) {
  const std::string input = bytes({
      0x0a,  // id: 5
      0x00,  // name: null
      0x00,  // inner: null
      0x00,  // history: null
      0x00,  // tags: empty
      0x00,  // tail: empty
  });
  const Projection projection = compile({"name", "inner.flux", "inner", "history.flux", "tail"});
  ProjectedRecord out;
  ASSERT_TRUE(projection.decode(input, out));
  EXPECT_TRUE(out.is_null(0));
  EXPECT_TRUE(out.is_null(1));
  EXPECT_TRUE(out.is_null(2));
  EXPECT_TRUE(out.is_null(3));
  EXPECT_TRUE(out.values(3).empty());
  EXPECT_FALSE(out.is_null(4));
  EXPECT_EQ(out.value(4).bytes, "");
}

TEST_F(ProjectionHandBuilt, EmptyArrayIsNotNull) {
  const std::string input = bytes({0x0a, 0x00, 0x00, 0x02, 0x00, 0x00, 0x00});
  const Projection projection = compile({"history.flux"});
  ProjectedRecord out;
  ASSERT_TRUE(projection.decode(input, out));
  EXPECT_FALSE(out.is_null(0));
  EXPECT_TRUE(out.values(0).empty());
  EXPECT_TRUE(out.value(0).is_null);
}

TEST_F(ProjectionHandBuilt, SizedBlockSkippedWithoutReadingItems) {
  // The 9 item bytes become unterminated varints: a full decode fails on them, but a
  // projection that does not read history passes the block by its byte size.
  std::string input = kExample;
  for (std::size_t i = 0; i < 9; ++i) input[kHistoryItemsOffset + i] = static_cast<char>(0x80);
  EXPECT_FALSE(decode_exact(schema_->root(), input));
  const Projection projection = compile({"id", "tail"});
  ProjectedRecord out;
  auto status = projection.decode(input, out);
  ASSERT_TRUE(status) << status.error().to_string();
  EXPECT_EQ(out.value(1).bytes, "zz");
}

TEST_F(ProjectionHandBuilt, ResultReusedAcrossRecords) {
  const Projection projection = compile({"history.flux", "name"});
  ProjectedRecord out;
  ASSERT_TRUE(projection.decode(kExample, out));
  ASSERT_EQ(out.values(0).size(), 2u);
  ASSERT_TRUE(projection.decode(bytes({0x0a, 0x00, 0x00, 0x00, 0x00, 0x00}), out));
  EXPECT_TRUE(out.values(0).empty());
  EXPECT_TRUE(out.is_null(1));
}

struct ErrorCase {
  const char* name;
  std::vector<std::string> paths;
  std::string input;
  std::string message_part;
  std::string where;
  std::size_t offset;
};

TEST_F(ProjectionHandBuilt, ErrorsNamePathAndOffset) {
  std::string bad_branch = kExample;
  bad_branch[5] = 0x04;  // inner: branch 2 of 2
  std::string bad_item_branch = kExample;
  bad_item_branch[kHistoryItemsOffset + 8] = 0x06;  // item 1 flux: branch 3
  std::string long_name = kExample;
  long_name[2] = 0x7e;  // name: length 63
  const std::string huge_count =
      bytes({0x0a, 0x00, 0x00, 0x02, 0xfe, 0xff, 0xff, 0xff, 0x0f, 0x00});
  const std::string bad_boolean = bytes({0x0a, 0x00, 0x02, 0, 0, 0, 0, 0x02, 0x07});

  const ErrorCase cases[] = {
      {"union branch out of range", {"inner.flux"}, bad_branch, "union branch 2", "inner", 5},
      {"branch in array item",
       {"history.flux"},
       bad_item_branch,
       "union branch 3",
       "history[1].flux",
       kHistoryItemsOffset + 8},
      {"skipped string too long", {"tail"}, long_name, "length 63 runs past", "name", 2},
      {"hostile count read", {"history.flux"}, huge_count, "block count 2147483647", "history", 4},
      {"hostile count skipped", {"tail"}, huge_count, "block count 2147483647", "history", 4},
      {"boolean byte 7", {"inner.flag"}, bad_boolean, "neither 0 nor 1", "inner.flag", 8},
      {"empty input", {"id"}, "", "varint runs past the end", "id", 0},
  };
  for (const ErrorCase& test : cases) {
    const Projection projection = compile(test.paths);
    ProjectedRecord out;
    auto status = projection.decode(test.input, out);
    ASSERT_FALSE(status) << test.name;
    EXPECT_NE(status.error().message.find(test.message_part), std::string::npos)
        << test.name << ": " << status.error().to_string();
    EXPECT_EQ(status.error().where, test.where) << test.name;
    EXPECT_EQ(status.error().offset, test.offset) << test.name;
  }
}

TEST_F(ProjectionHandBuilt, EveryTruncationFails) {
  const Projection projection = compile({"tail", "history.note"});
  for (std::size_t length = 0; length < kExample.size(); ++length) {
    ProjectedRecord out;
    auto status = projection.decode(std::string_view(kExample).substr(0, length), out);
    ASSERT_FALSE(status) << "length " << length;
    EXPECT_LE(status.error().offset, length) << "length " << length;
  }
}

TEST_F(ProjectionHandBuilt, InvalidPathsRejected) {
  const std::pair<const char*, const char*> cases[] = {
      {"", "empty field name"},
      {"inner..flux", "empty field name"},
      {"inner.missing", "has no field 'missing'"},
      {"id.x", "not a record"},
      {"tags.k", "not a record"},
  };
  for (const auto& [path, message_part] : cases) {
    auto projection = Projection::compile(schema_->root(), {path});
    ASSERT_FALSE(projection) << path;
    EXPECT_NE(projection.error().message.find(message_part), std::string::npos)
        << path << ": " << projection.error().message;
    EXPECT_EQ(projection.error().where, path) << path;
  }
}

TEST(ProjectionCompile, UnionOfTwoTypesRejected) {
  auto schema = parse_or_die(R"({"type": "record", "name": "r", "fields": [
      {"name": "u", "type": ["null", "long", {"type": "record", "name": "x", "fields": [
          {"name": "a", "type": "long"}]}]}]})");
  auto projection = Projection::compile(schema->root(), {"u.a"});
  ASSERT_FALSE(projection);
  EXPECT_NE(projection.error().message.find("more than one non-null"), std::string::npos);
}

TEST(ProjectionCompile, ZeroByteItemsRejected) {
  auto schema = parse_or_die(R"({"type": "record", "name": "r", "fields": [
      {"name": "a", "type": {"type": "array", "items": {"type": "record", "name": "e",
          "fields": [{"name": "n", "type": "null"}]}}}]})");
  auto projection = Projection::compile(schema->root(), {"a.n"});
  ASSERT_FALSE(projection);
  EXPECT_NE(projection.error().message.find("take no bytes"), std::string::npos);
}

TEST(ProjectionCompile, NestedArraysFlattenInOrder) {
  auto schema = parse_or_die(R"({"type": "record", "name": "r", "fields": [
      {"name": "a", "type": {"type": "array", "items": {"type": "record", "name": "e",
          "fields": [{"name": "b", "type": ["null", {"type": "array", "items": "int"}]}]}}}]})");
  auto projection = Projection::compile(schema->root(), {"a.b"});
  ASSERT_TRUE(projection) << projection.error().to_string();
  // a: one block of 3 items: b = [1, 2]; b = null; b = [3]; end.
  const std::string input =
      bytes({0x06, 0x02, 0x04, 0x02, 0x04, 0x00, 0x00, 0x02, 0x02, 0x06, 0x00, 0x00});
  ProjectedRecord out;
  ASSERT_TRUE(projection->decode(input, out));
  const auto values = out.values(0);
  ASSERT_EQ(values.size(), 3u);
  EXPECT_EQ(values[0].integer, 1);
  EXPECT_EQ(values[1].integer, 2);
  EXPECT_EQ(values[2].integer, 3);
  EXPECT_FALSE(out.is_null(0));
}

TEST(DecodeInto, ReusedValueReencodesSameBytes) {
  testing::TempDir dir;
  std::vector<fs::path> files = sample_files();
  files.push_back(write_simulated_alerts(dir.path(), 200));
  Value reused;
  std::size_t objects = 0;
  for (const fs::path& file : files) {
    auto reader = ContainerReader::open(file);
    ASSERT_TRUE(reader) << reader.error().to_string();
    for (std::string_view object : reader->objects()) {
      auto status = decode_exact_into(reader->schema()->root(), object, reused);
      ASSERT_TRUE(status) << file << ": " << status.error().to_string();
      std::string reencoded;
      encode(reused, reencoded);
      EXPECT_EQ(reencoded, object) << file;
      ++objects;
    }
  }
  EXPECT_GE(objects, 209u);
}

TEST(DecodeInto, FailureMatchesDecodeAndValueStaysUsable) {
  auto schema = parse_or_die(kHandSchema);
  std::string bad = kExample;
  bad[kHistoryItemsOffset + 8] = 0x06;
  Value reused;
  ASSERT_TRUE(decode_exact_into(schema->root(), kExample, reused));
  auto failed = decode_into(schema->root(), bad, reused);
  auto expected = decode(schema->root(), bad);
  ASSERT_FALSE(failed);
  ASSERT_FALSE(expected);
  EXPECT_EQ(failed.error().to_string(), expected.error().to_string());
  ASSERT_TRUE(decode_exact_into(schema->root(), kExample, reused));
  std::string reencoded;
  encode(reused, reencoded);
  EXPECT_EQ(reencoded.size(), kExample.size() - 1);  // the block is written without its size
  EXPECT_EQ(reencoded.substr(0, kHistoryOffset), kExample.substr(0, kHistoryOffset));
}

}  // namespace
}  // namespace skystream::avro
