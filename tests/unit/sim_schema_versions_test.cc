// Tests that the simulator handles every Rubin alert schema version it finds, and the listing
// of versions under a schema root.

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "../support/process.h"
#include "avro/codec.h"
#include "sim/cutout.h"
#include "sim/schema_versions.h"
#include "sim/simulator.h"
#include "wire/schemas.h"

namespace skystream::sim {
namespace {

namespace fs = std::filesystem;
using avro::Value;
using testing::TempDir;

// Returns the first field of `record` among `names`, or nullptr.
const Value* field_of(const Value& record, std::initializer_list<std::string_view> names) {
  for (std::string_view name : names) {
    const int index = record.node->field_index(name);
    if (index >= 0) return &record.children[index].unwrapped();
  }
  return nullptr;
}

double number_of(const Value& value) {
  switch (value.type()) {
    case avro::Type::kFloat:
      return value.float32;
    case avro::Type::kDouble:
      return value.float64;
    default:
      return static_cast<double>(value.integer);
  }
}

void touch(const fs::path& path) {
  fs::create_directories(path.parent_path());
  std::ofstream(path) << "{}";
}

TEST(SimSchemaVersions, ListsVersionsWithAlertFile) {
  TempDir root;
  touch(root.path() / "7" / "0" / "lsst.v7_0.alert.avsc");
  touch(root.path() / "12" / "1" / "lsst.v12_1.alert.avsc");
  touch(root.path() / "8" / "0" / "lsst.v8_0.diaSource.avsc");  // no alert schema
  fs::create_directories(root.path() / "examples" / "0");

  const auto versions = available_schema_versions(root.path());
  ASSERT_EQ(versions.size(), 2u);
  EXPECT_EQ(versions[0].to_string(), "7.0");
  EXPECT_EQ(versions[1].to_string(), "12.1");
  EXPECT_EQ(join_schema_versions(versions), "7.0, 12.1");
}

TEST(SimSchemaVersions, MissingRootListsNone) {
  const auto versions = available_schema_versions("/nonexistent/skystream/schema");
  EXPECT_TRUE(versions.empty());
  EXPECT_EQ(join_schema_versions(versions), "none");
}

TEST(SimSchemaVersions, ReadsLatestVersionFile) {
  TempDir root;
  EXPECT_FALSE(latest_schema_version(root.path()).has_value());

  std::ofstream(root.path() / "latest.txt") << "9.0\n";
  const auto latest = latest_schema_version(root.path());
  ASSERT_TRUE(latest.has_value());
  EXPECT_EQ(latest->to_string(), "9.0");

  std::ofstream(root.path() / "latest.txt") << "newest\n";
  EXPECT_FALSE(latest_schema_version(root.path()).has_value());
}

TEST(SimSchemaVersions, PackageHasVersionsSevenToEleven) {
  std::set<std::string> names;
  for (const auto& version : available_schema_versions(SKYSTREAM_SCHEMA_ROOT)) {
    names.insert(version.to_string());
  }
  for (const char* expected : {"7.0", "8.0", "9.0", "10.0", "11.0"}) {
    EXPECT_TRUE(names.contains(expected)) << expected;
  }
}

// Returns the entries of the history array `name`, or nullptr when the alert has no such
// field or the field is null.
const std::vector<Value>* history_of(const Value& alert, std::string_view name) {
  const Value* array = field_of(alert, {name});
  if (array == nullptr || array->is_null()) return nullptr;
  return &array->children;
}

// Counts what the history arrays and cutouts of one version's alerts hold.
struct HistoryTally {
  int sources = 0;
  int forced = 0;
  int limits = 0;
  int cutouts = 0;
};

// Checks the history arrays and cutouts of one alert against its diaSource and diaObject,
// under the names of any version.
void check_history(const Value& alert, HistoryTally& tally) {
  const Value& source = alert.field("diaSource");
  const double time = number_of(*field_of(source, {"midpointMjdTai", "midPointTai"}));
  const Value* object = field_of(alert, {"diaObject"});
  const auto* sources = history_of(alert, "prvDiaSources");
  const auto* forced = history_of(alert, "prvDiaForcedSources");
  const auto* limits = history_of(alert, "prvDiaNondetectionLimits");
  if (object == nullptr || object->is_null()) {
    EXPECT_EQ(sources, nullptr);
    EXPECT_EQ(forced, nullptr);
    return;
  }

  const std::int64_t object_id = field_of(*object, {"diaObjectId"})->integer;
  if (const Value* count = field_of(*object, {"nDiaSources"})) {
    const std::size_t earlier = sources != nullptr ? sources->size() : 0;
    EXPECT_EQ(static_cast<std::size_t>(count->integer), earlier + 1);
  }
  for (const auto* entries : {sources, forced, limits}) {
    if (entries == nullptr) continue;
    for (const Value& entry : *entries) {
      EXPECT_LT(number_of(*field_of(entry, {"midpointMjdTai", "midPointTai"})), time);
      if (const Value* id = field_of(entry, {"diaObjectId"})) EXPECT_EQ(id->integer, object_id);
    }
  }
  tally.sources += sources != nullptr ? static_cast<int>(sources->size()) : 0;
  tally.forced += forced != nullptr ? static_cast<int>(forced->size()) : 0;
  tally.limits += limits != nullptr ? static_cast<int>(limits->size()) : 0;

  for (const char* name : {"cutoutDifference", "cutoutScience", "cutoutTemplate"}) {
    const Value* cutout = field_of(alert, {name});
    if (cutout == nullptr) continue;
    EXPECT_EQ(cutout->bytes.size(), cutout_bytes(kRubinCutoutSize)) << name;
    ++tally.cutouts;
  }
}

// Simulates a visit with each version of the package and checks the key fields under the
// names each version uses (ra and dec or decl, psfFlux or psFlux, band or filterName, ...),
// and the history arrays and cutouts that each version has.
TEST(SimSchemaVersions, EveryVersionYieldsPlausibleAlerts) {
  wire::SchemaCatalog catalog(SKYSTREAM_SCHEMA_ROOT);
  for (const auto& version : available_schema_versions(SKYSTREAM_SCHEMA_ROOT)) {
    SCOPED_TRACE("schema " + version.to_string());
    auto schema = catalog.by_version(version);
    ASSERT_TRUE(schema.has_value()) << schema.error().to_string();

    SimulatorConfig config;
    config.alerts_per_visit = 200;
    config.solar_system_fraction = 0.1;
    config.history_days = kRubinHistoryDays;
    config.cutout_size = kRubinCutoutSize;
    auto simulator = Simulator::create(*schema, config);
    ASSERT_TRUE(simulator.has_value());

    const bool has_solar_system = (*schema)->root().field_index("ssSource") >= 0 ||
                                  (*schema)->root().field_index("ssObject") >= 0;
    VisitInfo info;
    std::set<std::int64_t> ids;
    HistoryTally tally;
    for (const Value& alert : simulator->next_visit(&info)) {
      std::string bytes;
      avro::encode(alert, bytes);
      auto decoded = avro::decode_exact((*schema)->root(), bytes);
      ASSERT_TRUE(decoded.has_value()) << decoded.error().to_string();

      const Value& source = decoded->field("diaSource");
      const Value* id = field_of(source, {"diaSourceId"});
      const Value* dec = field_of(source, {"dec", "decl"});
      const Value* flux = field_of(source, {"psfFlux", "psFlux"});
      const Value* band = field_of(source, {"band", "filterName"});
      const Value* time = field_of(source, {"midpointMjdTai", "midPointTai"});
      ASSERT_NE(id, nullptr);
      ASSERT_NE(dec, nullptr);
      ASSERT_NE(flux, nullptr);
      ASSERT_NE(band, nullptr);
      ASSERT_NE(time, nullptr);
      EXPECT_TRUE(ids.insert(id->integer).second);
      EXPECT_GE(number_of(*field_of(source, {"ra"})), 0.0);
      EXPECT_LT(number_of(*field_of(source, {"ra"})), 360.0);
      EXPECT_LE(number_of(*dec), 30.0);
      EXPECT_GT(number_of(*flux), 0.0);
      EXPECT_EQ(band->bytes, std::string(1, info.band));
      EXPECT_EQ(number_of(*time), info.midpoint_mjd_tai);
      check_history(*decoded, tally);
    }
    EXPECT_EQ(ids.size(), 200u);
    EXPECT_GT(tally.sources, 200);
    EXPECT_GT(tally.forced, tally.sources);
    EXPECT_EQ(tally.limits > 0, (*schema)->root().field_index("prvDiaNondetectionLimits") >= 0);
    EXPECT_GE(tally.cutouts, 2 * 180);
    EXPECT_EQ(info.solar_system_alerts > 0, has_solar_system);
  }
}

}  // namespace
}  // namespace skystream::sim
