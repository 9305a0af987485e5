// Simulated visits of every Rubin schema version from 7.0 to 11.0, 10,000 short alerts and 100
// full-size alerts each, judged by two Avro implementations that share no code with ours:
// fastavro and Apache Avro C.
//
// For each alert of a visit file that our simulator and writer produced:
// - our decoder gives the values that fastavro gives (tests/tools/fastavro_crosscheck.py) and
//   the Avro JSON text that Avro C's avrocat prints;
// - our encoder, given the values we decoded, writes the bytes that fastavro writes for the
//   values it decoded, and the bytes that Avro C's avromod writes when it decodes the file and
//   writes it again.

#include <fmt/format.h>
#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <set>
#include <string>
#include <vector>

#include "../support/process.h"
#include "../support/reference_values.h"
#include "avro/avro_json.h"
#include "avro/codec.h"
#include "avro/container.h"
#include "sim/simulator.h"
#include "wire/schemas.h"

namespace skystream {
namespace wire {

void PrintTo(const SchemaVersion& version, std::ostream* out) { *out << version.to_string(); }

}  // namespace wire

namespace {

namespace fs = std::filesystem;
using nlohmann::json;
using testing::first_difference;
using testing::run_command;
using testing::shell_quote;
using testing::short_branch_names;
using testing::TempDir;

const fs::path kSchemaRoot = SKYSTREAM_SCHEMA_ROOT;
// Stop comparing a version after this many differing alerts; the first differences are enough
// to diagnose.
constexpr int kMaxReported = 5;

// Every version from 7.0 to 11.0 in the schema tree of lsst-alert-packet.
const std::vector<wire::SchemaVersion> kVersions = {{7, 0}, {7, 1}, {7, 2},  {7, 3}, {7, 4},
                                                    {8, 0}, {9, 0}, {10, 0}, {11, 0}};

// Returns true when `value` contains a NaN or an infinity anywhere. avrocat cannot write such a
// record as JSON and leaves it out of its output.
bool holds_non_finite(const avro::Value& value) {
  switch (value.type()) {
    case avro::Type::kFloat:
      return !std::isfinite(value.float32);
    case avro::Type::kDouble:
      return !std::isfinite(value.float64);
    default:
      for (const avro::Value& child : value.children) {
        if (holds_non_finite(child)) return true;
      }
      return false;
  }
}

// Cuts every bytes value of `value` at its first zero byte. avrocat 1.11.1 prints a bytes
// value only up to its first zero byte; the bytes themselves are judged through avromod.
void cut_bytes_at_zero(avro::Value& value) {
  if (value.type() == avro::Type::kBytes) {
    value.bytes.resize(std::min(value.bytes.size(), value.bytes.find('\0')));
  }
  for (avro::Value& child : value.children) cut_bytes_at_zero(child);
}

// Reads bodies each preceded by a 4-byte big-endian length, as fastavro_crosscheck.py writes.
std::vector<std::string> read_length_prefixed(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::vector<std::string> bodies;
  unsigned char prefix[4];
  while (in.read(reinterpret_cast<char*>(prefix), 4)) {
    const std::uint32_t size = std::uint32_t{prefix[0]} << 24 | std::uint32_t{prefix[1]} << 16 |
                               std::uint32_t{prefix[2]} << 8 | prefix[3];
    std::string body(size, '\0');
    if (!in.read(body.data(), size)) throw std::runtime_error("truncated body in " + path.string());
    bodies.push_back(std::move(body));
  }
  return bodies;
}

TEST(SimulatedCrossCheckVersions, ListMatchesSchemaTree) {
  std::set<std::string> in_tree;
  for (const auto& major : fs::directory_iterator(kSchemaRoot)) {
    if (!major.is_directory() || !std::isdigit(major.path().filename().string()[0])) continue;
    for (const auto& minor : fs::directory_iterator(major.path())) {
      const int major_number = std::stoi(major.path().filename());
      const int minor_number = std::stoi(minor.path().filename());
      if ((major_number >= 7 && major_number < 11) || (major_number == 11 && minor_number == 0)) {
        in_tree.insert(fmt::format("{}.{}", major_number, minor_number));
      }
    }
  }
  std::set<std::string> listed;
  for (const auto& version : kVersions) listed.insert(version.to_string());
  EXPECT_EQ(listed, in_tree);
}

// Simulates one visit of `config.alerts_per_visit` alerts of `version` and compares each alert
// as decoded and encoded by us, by fastavro and by Avro C.
void cross_check(const wire::SchemaVersion& version, sim::SimulatorConfig config) {
  TempDir dir;

  // A visit from our simulator, written by our container writer.
  wire::SchemaCatalog catalog(kSchemaRoot);
  auto schema = catalog.by_version(version);
  ASSERT_TRUE(schema) << schema.error().to_string();
  config.visits = 1;
  config.seed = 7000 + static_cast<std::uint64_t>(version.major * 100 + version.minor);
  const std::size_t alerts = static_cast<std::size_t>(config.alerts_per_visit);
  auto simulator = sim::Simulator::create(*schema, config);
  ASSERT_TRUE(simulator) << simulator.error().to_string();
  auto files = sim::write_night(*simulator, dir.path() / "night");
  ASSERT_TRUE(files) << files.error().to_string();
  ASSERT_EQ(files->size(), 1u);
  const fs::path visit = files->front().path;
  auto reader = avro::ContainerReader::open(visit);
  ASSERT_TRUE(reader) << reader.error().to_string();
  ASSERT_EQ(reader->objects().size(), alerts);

  // The judges' outputs: fastavro's values and encodings, avrocat's Avro JSON, and the file
  // that avromod decoded and wrote again without compression.
  const fs::path fastavro_values = dir.path() / "fastavro.jsonl";
  const fs::path fastavro_bodies = dir.path() / "fastavro.bin";
  const fs::path avrocat_text = dir.path() / "avrocat.jsonl";
  const fs::path avromod_file = dir.path() / "avromod.avro";
  const std::string script =
      std::string(SKYSTREAM_SOURCE_DIR) + "/tests/tools/fastavro_crosscheck.py";
  const std::string judges =
      shell_quote(SKYSTREAM_PYTHON) + " " + shell_quote(script) + " " +
      shell_quote(visit.string()) + " " + shell_quote(fastavro_bodies.string()) + " > " +
      shell_quote(fastavro_values.string()) + " & fastavro=$!; avrocat " +
      shell_quote(visit.string()) + " > " + shell_quote(avrocat_text.string()) +
      " && avromod --codec=null --block-size=16777216 " + shell_quote(visit.string()) + " " +
      shell_quote(avromod_file.string()) + " && wait $fastavro";
  ASSERT_EQ(run_command(judges).exit_code, 0) << judges;
  const std::vector<std::string> fastavro_encoded = read_length_prefixed(fastavro_bodies);
  ASSERT_EQ(fastavro_encoded.size(), alerts);
  auto avromod_reader = avro::ContainerReader::open(avromod_file);
  ASSERT_TRUE(avromod_reader) << avromod_reader.error().to_string();
  ASSERT_EQ(avromod_reader->objects().size(), alerts);

  // Alert by alert. avrocat's output has no line for a record that contains a NaN or an infinity.
  std::ifstream fastavro_lines(fastavro_values);
  std::ifstream avrocat_lines(avrocat_text);
  const avro::Node& root = reader->schema()->root();
  int differing = 0;
  int without_avrocat_line = 0;
  for (std::size_t i = 0; i < reader->objects().size() && differing < kMaxReported; ++i) {
    const std::string_view object = reader->objects()[i];
    auto value = avro::decode_exact(root, object);
    ASSERT_TRUE(value) << "alert " << i << ": " << value.error().to_string();
    std::string encoded;
    avro::encode(*value, encoded);
    const std::string where = fmt::format("{} alert {}", version.to_string(), i);

    std::string line;
    ASSERT_TRUE(std::getline(fastavro_lines, line)) << where;
    const std::string difference = first_difference(*value, json::parse(line), "alert");
    EXPECT_EQ(difference, "") << where << ": value differs from fastavro's";
    EXPECT_EQ(encoded, fastavro_encoded[i]) << where << ": bytes differ from fastavro's";
    EXPECT_EQ(encoded, avromod_reader->objects()[i]) << where << ": bytes differ from Avro C's";
    bool same = difference.empty() && encoded == fastavro_encoded[i] &&
                encoded == avromod_reader->objects()[i];

    if (holds_non_finite(*value)) {
      ++without_avrocat_line;
    } else {
      ASSERT_TRUE(std::getline(avrocat_lines, line)) << where;
      avro::Value cut = *value;
      cut_bytes_at_zero(cut);
      auto ours = avro::to_avro_json(cut);
      ASSERT_TRUE(ours) << where << ": " << ours.error().to_string();
      const json ours_json = short_branch_names(json::parse(*ours));
      const json theirs_json = short_branch_names(json::parse(line));
      EXPECT_EQ(ours_json, theirs_json) << where << ": Avro JSON differs from avrocat's";
      same = same && ours_json == theirs_json;
    }
    if (!same) ++differing;
  }
  EXPECT_EQ(differing, 0) << version.to_string() << ": comparison stopped after " << differing
                          << " differing alerts";
  std::string rest;
  if (differing == 0) {
    EXPECT_FALSE(std::getline(fastavro_lines, rest)) << "fastavro printed more records";
    EXPECT_FALSE(std::getline(avrocat_lines, rest)) << "avrocat printed more records";
  }
  // Most alerts must reach the avrocat comparison, or it judges nothing.
  EXPECT_LT(without_avrocat_line, config.alerts_per_visit / 10) << version.to_string();
}

class SimulatedCrossCheck : public ::testing::TestWithParam<wire::SchemaVersion> {};

// 10,000 alerts with short histories and no cutouts, so that the judges' JSON stays small.
TEST_P(SimulatedCrossCheck, ManyShortAlerts) {
  sim::SimulatorConfig config;
  config.alerts_per_visit = 10000;
  config.max_history = 2;
  config.cutout_size = 0;
  cross_check(GetParam(), config);
}

// Alerts of the simulator's default, production size: a year of history and three cutouts.
TEST_P(SimulatedCrossCheck, FullSizeAlerts) {
  sim::SimulatorConfig config;
  config.alerts_per_visit = 100;
  cross_check(GetParam(), config);
}

INSTANTIATE_TEST_SUITE_P(RubinVersions, SimulatedCrossCheck, ::testing::ValuesIn(kVersions),
                         [](const auto& info) {
                           return fmt::format("v{}_{}", info.param.major, info.param.minor);
                         });

}  // namespace
}  // namespace skystream
