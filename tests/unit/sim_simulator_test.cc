// Tests of the night simulator on schema 11.0: visit files are reproducible, decode, and hold
// plausible alerts. Files are read back independently of the simulator, through
// avro::ContainerReader and through fastavro.

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

#include "../support/process.h"
#include "avro/codec.h"
#include "avro/container.h"
#include "sim/simulator.h"
#include "wire/schemas.h"

namespace skystream::sim {
namespace {

namespace fs = std::filesystem;
using avro::Value;
using testing::run_command;
using testing::shell_quote;
using testing::TempDir;

// The filter cut that about 2.4% of alerts pass: brighter than AB magnitude 20 (36,310 nJy)
// and detected at more than 5 sigma.
constexpr double kBrightFlux = 36310;
constexpr double kMinSnr = 5;

std::shared_ptr<const avro::Schema> schema_11() {
  static wire::SchemaCatalog catalog(SKYSTREAM_SCHEMA_ROOT);
  auto schema = catalog.by_version({11, 0});
  if (!schema) throw std::runtime_error(schema.error().to_string());
  return *schema;
}

// A night of small alerts, without history and cutouts, so that tests of other fields stay
// fast. sim_history_test.cc covers the history and the cutouts.
SimulatorConfig small_night(int visits, int alerts_per_visit, std::uint64_t seed) {
  SimulatorConfig config;
  config.visits = visits;
  config.alerts_per_visit = alerts_per_visit;
  config.seed = seed;
  config.history_days = 0;
  config.cutout_size = 0;
  return config;
}

std::vector<VisitFile> simulate(const SimulatorConfig& config, const fs::path& out) {
  auto simulator = Simulator::create(schema_11(), config);
  if (!simulator) throw std::runtime_error(simulator.error().to_string());
  auto files = write_night(*simulator, out);
  if (!files) throw std::runtime_error(files.error().to_string());
  return *files;
}

std::string read_bytes(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream bytes;
  bytes << in.rdbuf();
  return bytes.str();
}

// The alerts of one visit file, decoded with the schema the file carries.
struct DecodedFile {
  fs::path path;
  avro::Codec codec = avro::Codec::kNull;
  std::vector<Value> alerts;
  std::shared_ptr<const avro::Schema> schema;  // keeps the alerts' nodes alive
};

DecodedFile decode_file(const fs::path& path) {
  auto reader = avro::ContainerReader::open(path);
  if (!reader) throw std::runtime_error(reader.error().to_string());
  DecodedFile file{path, reader->codec(), {}, reader->schema()};
  for (std::string_view object : reader->objects()) {
    auto alert = avro::decode_exact(reader->schema()->root(), object);
    if (!alert) throw std::runtime_error(alert.error().to_string());
    file.alerts.push_back(std::move(*alert));
  }
  return file;
}

std::vector<fs::path> sorted_files(const fs::path& directory) {
  std::vector<fs::path> paths;
  for (const auto& entry : fs::directory_iterator(directory)) paths.push_back(entry.path());
  std::sort(paths.begin(), paths.end());
  return paths;
}

const Value& source_of(const Value& alert) { return alert.field("diaSource"); }

double number(const Value& record, std::string_view name) {
  const Value& value = record.field(name).unwrapped();
  switch (value.type()) {
    case avro::Type::kFloat:
      return value.float32;
    case avro::Type::kDouble:
      return value.float64;
    case avro::Type::kInt:
    case avro::Type::kLong:
      return static_cast<double>(value.integer);
    default:
      throw std::runtime_error(std::string(name) + " is not a number");
  }
}

std::int64_t integer(const Value& record, std::string_view name) {
  return record.field(name).unwrapped().integer;
}

bool passes_bright_cut(const Value& alert) {
  const Value& source = source_of(alert);
  if (source.field("snr").is_null() || source.field("psfFlux").is_null()) return false;
  return number(source, "snr") > kMinSnr && number(source, "psfFlux") > kBrightFlux;
}

TEST(SimWriteNight, SameSeedGivesIdenticalBytes) {
  TempDir first;
  TempDir second;
  simulate(small_night(2, 300, 7), first.path());
  simulate(small_night(2, 300, 7), second.path());

  const auto files = sorted_files(first.path());
  ASSERT_EQ(files.size(), 2u);
  for (const auto& path : files) {
    const std::string again = read_bytes(second.path() / path.filename());
    ASSERT_FALSE(again.empty()) << path.filename();
    EXPECT_TRUE(read_bytes(path) == again) << path.filename() << " differs";
  }
}

TEST(SimWriteNight, DifferentSeedGivesDifferentBytes) {
  TempDir first;
  TempDir second;
  simulate(small_night(2, 300, 7), first.path());
  simulate(small_night(2, 300, 8), second.path());

  for (const auto& path : sorted_files(first.path())) {
    EXPECT_FALSE(read_bytes(path) == read_bytes(second.path() / path.filename()))
        << path.filename() << " is the same for seeds 7 and 8";
  }
}

TEST(SimWriteNight, FileNamesSortInVisitOrder) {
  TempDir out;
  const auto written = simulate(small_night(12, 3, 1), out.path());
  ASSERT_EQ(written.size(), 12u);

  const auto paths = sorted_files(out.path());
  ASSERT_EQ(paths.size(), 12u);
  EXPECT_EQ(paths.front().filename(), "visit-000001.avro");
  EXPECT_EQ(paths.back().filename(), "visit-000012.avro");
  std::int64_t previous_visit = 0;
  for (const auto& path : paths) {
    const DecodedFile file = decode_file(path);
    ASSERT_EQ(file.alerts.size(), 3u);
    const std::int64_t visit = integer(source_of(file.alerts[0]), "visit");
    EXPECT_GT(visit, previous_visit) << path.filename();
    previous_visit = visit;
  }
}

TEST(SimWriteNight, EveryAlertDecodesWithUniqueIds) {
  TempDir out;
  const int visits = 3;
  const int alerts_per_visit = 2000;
  const auto written = simulate(small_night(visits, alerts_per_visit, 2), out.path());

  std::set<std::int64_t> source_ids;
  std::set<std::int64_t> object_ids;
  std::size_t alerts = 0;
  for (const auto& visit_file : written) {
    const DecodedFile file = decode_file(visit_file.path);
    EXPECT_EQ(file.codec, avro::Codec::kDeflate);
    EXPECT_EQ(fs::file_size(file.path), visit_file.bytes);
    for (const Value& alert : file.alerts) {
      const Value& source = source_of(alert);
      const std::int64_t id = integer(alert, "diaSourceId");
      EXPECT_EQ(integer(source, "diaSourceId"), id);
      EXPECT_TRUE(source_ids.insert(id).second) << "duplicate diaSourceId " << id;
      if (!alert.field("diaObject").is_null()) {
        const std::int64_t object_id = integer(alert.field("diaObject").unwrapped(), "diaObjectId");
        EXPECT_TRUE(object_ids.insert(object_id).second) << "duplicate diaObjectId " << object_id;
        EXPECT_EQ(integer(source, "diaObjectId"), object_id);
      }
      ++alerts;
    }
  }
  EXPECT_EQ(alerts, static_cast<std::size_t>(visits * alerts_per_visit));
}

TEST(SimWriteNight, FieldsStayWithinRanges) {
  TempDir out;
  const auto written = simulate(small_night(4, 1000, 3), out.path());

  for (const auto& visit_file : written) {
    const DecodedFile file = decode_file(visit_file.path);
    const std::string band = source_of(file.alerts[0]).field("band").unwrapped().bytes;
    ASSERT_EQ(band.size(), 1u);
    EXPECT_NE(std::string_view("ugrizy").find(band[0]), std::string_view::npos) << band;
    EXPECT_EQ(band[0], visit_file.info.band);

    for (const Value& alert : file.alerts) {
      const Value& source = source_of(alert);
      const double ra = number(source, "ra");
      const double dec = number(source, "dec");
      const double flux = number(source, "psfFlux");
      const double flux_err = number(source, "psfFluxErr");
      ASSERT_GE(ra, 0.0);
      ASSERT_LT(ra, 360.0);
      ASSERT_GE(dec, -90.0);
      ASSERT_LE(dec, 30.0);
      ASSERT_GT(flux, 0.0);
      ASSERT_GT(flux_err, 0.0);
      // snr is stored as float32 from the float32 flux and error.
      ASSERT_NEAR(number(source, "snr"), flux / flux_err, 1e-6 * flux / flux_err);
      ASSERT_EQ(source.field("band").unwrapped().bytes, band);
      ASSERT_EQ(integer(source, "visit"), visit_file.info.visit);
      ASSERT_GE(integer(source, "detector"), 0);
      ASSERT_LE(integer(source, "detector"), 188);
      ASSERT_GE(number(source, "x"), 0.0);
      ASSERT_LT(number(source, "x"), 4072.0);
      ASSERT_GE(number(source, "y"), 0.0);
      ASSERT_LT(number(source, "y"), 4000.0);
      ASSERT_TRUE(alert.field("prvDiaSources").is_null());
      ASSERT_TRUE(alert.field("cutoutDifference").is_null());

      // Each alert has a diaObject or a solar-system source, never both.
      const bool solar_system = !alert.field("ssSource").is_null();
      ASSERT_EQ(alert.field("diaObject").is_null(), solar_system);
      if (solar_system) continue;
      const Value& object = alert.field("diaObject").unwrapped();
      ASSERT_GE(integer(object, "nDiaSources"), 1);
      ASSERT_LE(number(object, "firstDiaSourceMjdTai"), number(source, "midpointMjdTai"));
      ASSERT_EQ(number(object, "lastDiaSourceMjdTai"), number(source, "midpointMjdTai"));
      ASSERT_NEAR(number(object, "ra"), ra, 1.0 / 3600);
      ASSERT_NEAR(number(object, "dec"), dec, 1.0 / 3600);
    }
  }
}

TEST(SimWriteNight, VisitTimesAre39SecondsApart) {
  TempDir out;
  const auto written = simulate(small_night(5, 50, 4), out.path());

  std::vector<double> midpoints;
  for (const auto& visit_file : written) {
    const DecodedFile file = decode_file(visit_file.path);
    const double midpoint = number(source_of(file.alerts[0]), "midpointMjdTai");
    for (const Value& alert : file.alerts) {
      ASSERT_EQ(number(source_of(alert), "midpointMjdTai"), midpoint);
      ASSERT_GT(number(source_of(alert), "timeProcessedMjdTai"), midpoint);
    }
    midpoints.push_back(midpoint);
  }
  EXPECT_DOUBLE_EQ(midpoints[0], 61000.1);
  for (std::size_t i = 1; i < midpoints.size(); ++i) {
    // An MJD near 61000 resolves about 1 microsecond.
    EXPECT_NEAR((midpoints[i] - midpoints[i - 1]) * 86400.0, 39.0, 1e-5) << "visit " << i + 1;
  }
}

TEST(SimWriteNight, BrightFractionWithinStatedBand) {
  TempDir out;
  const auto written = simulate(small_night(2, 5000, 5), out.path());

  int alerts = 0;
  int bright = 0;
  int faint_snr = 0;
  double max_snr = 0;
  for (const auto& visit_file : written) {
    for (const Value& alert : decode_file(visit_file.path).alerts) {
      const double snr = number(source_of(alert), "snr");
      ++alerts;
      if (passes_bright_cut(alert)) ++bright;
      if (snr <= kMinSnr) ++faint_snr;
      max_snr = std::max(max_snr, snr);
    }
  }
  // 2.43% expected from the magnitude distribution; the standard deviation of the share over
  // 10,000 alerts is about 0.15%.
  const double fraction = static_cast<double>(bright) / alerts;
  EXPECT_GE(fraction, 0.015);
  EXPECT_LE(fraction, 0.035);
  // SNR spreads from below 5 (sources at the visit's depth) to above 100 (bright sources). The
  // share below 5 depends strongly on each visit's depth, so only its bounds are checked.
  EXPECT_GT(faint_snr, 0);
  EXPECT_LT(faint_snr, alerts / 3);
  EXPECT_GT(max_snr, 100.0);
}

TEST(SimWriteNight, FastavroAgreesOnCountsAndFraction) {
  TempDir out;
  const auto written = simulate(small_night(2, 1500, 6), out.path());

  // Our own reading.
  int alerts = 0;
  int bright = 0;
  std::string paths;
  for (const auto& visit_file : written) {
    for (const Value& alert : decode_file(visit_file.path).alerts) {
      ++alerts;
      if (passes_bright_cut(alert)) ++bright;
    }
    paths += " " + shell_quote(visit_file.path.string());
  }

  // fastavro's reading of the same files.
  const std::string script = R"(
import sys, fastavro
count = bright = 0
codecs = set()
for path in sys.argv[1:]:
    with open(path, 'rb') as f:
        reader = fastavro.reader(f)
        codecs.add(reader.codec)
        for alert in reader:
            source = alert['diaSource']
            count += 1
            snr, flux = source['snr'], source['psfFlux']
            if snr is not None and flux is not None and snr > 5 and flux > 36310:
                bright += 1
print(count, bright, ','.join(sorted(codecs)))
)";
  const auto result =
      run_command(shell_quote(SKYSTREAM_PYTHON) + " -c " + shell_quote(script) + paths);
  ASSERT_EQ(result.exit_code, 0) << result.output;
  std::istringstream output(result.output);
  int fastavro_count = -1;
  int fastavro_bright = -1;
  std::string codecs;
  output >> fastavro_count >> fastavro_bright >> codecs;

  EXPECT_EQ(fastavro_count, 3000);
  EXPECT_EQ(fastavro_count, alerts);
  EXPECT_EQ(fastavro_bright, bright);
  EXPECT_EQ(codecs, "deflate");
  EXPECT_GT(fastavro_bright, 0);
}

TEST(SimWriteNight, SolarSystemAlertsHaveNoDiaObject) {
  TempDir out;
  SimulatorConfig config = small_night(1, 1000, 9);
  config.solar_system_fraction = 0.2;
  const auto written = simulate(config, out.path());

  std::set<std::int64_t> ss_object_ids;
  std::set<std::string> designations;
  int solar_system = 0;
  for (const Value& alert : decode_file(written[0].path).alerts) {
    if (alert.field("ssSource").is_null()) continue;
    ++solar_system;
    const Value& source = source_of(alert);
    const Value& ss_source = alert.field("ssSource").unwrapped();
    EXPECT_TRUE(alert.field("diaObject").is_null());
    EXPECT_TRUE(source.field("diaObjectId").is_null());
    EXPECT_FALSE(alert.field("mpc_orbits").is_null());
    const std::int64_t ss_object_id = integer(ss_source, "ssObjectId");
    EXPECT_EQ(integer(source, "ssObjectId"), ss_object_id);
    EXPECT_EQ(integer(ss_source, "diaSourceId"), integer(alert, "diaSourceId"));
    EXPECT_TRUE(ss_object_ids.insert(ss_object_id).second) << ss_object_id;
    const std::string designation = ss_source.field("designation").unwrapped().bytes;
    EXPECT_TRUE(designation.starts_with("2025 W")) << designation;
    EXPECT_TRUE(designations.insert(designation).second) << designation;
    const Value& orbit = alert.field("mpc_orbits").unwrapped();
    EXPECT_EQ(orbit.field("unpacked_primary_provisional_designation").bytes, designation);
    EXPECT_NEAR(number(orbit, "q"), number(orbit, "a") * (1 - number(orbit, "e")), 1e-9);
  }
  // 200 expected, standard deviation about 13.
  EXPECT_GT(solar_system, 140);
  EXPECT_LT(solar_system, 260);
  EXPECT_EQ(solar_system, written[0].info.solar_system_alerts);
}

TEST(SimWriteNight, UnwritableOutputFails) {
  TempDir out;
  const fs::path blocker = out.path() / "not-a-directory";
  std::ofstream(blocker) << "x";

  auto simulator = Simulator::create(schema_11(), small_night(1, 1, 1));
  ASSERT_TRUE(simulator.has_value());
  const fs::path target = blocker / "night";
  const auto files = write_night(*simulator, target);
  ASSERT_FALSE(files.has_value());
  EXPECT_EQ(files.error().where, target.string());
  EXPECT_NE(files.error().message.find("cannot create the output directory"), std::string::npos)
      << files.error().message;
}

TEST(SimWriteNight, OutputThatIsFileFails) {
  TempDir out;
  const fs::path file = out.path() / "night";
  std::ofstream(file) << "x";

  auto simulator = Simulator::create(schema_11(), small_night(1, 1, 1));
  ASSERT_TRUE(simulator.has_value());
  const auto files = write_night(*simulator, file);
  ASSERT_FALSE(files.has_value());
  EXPECT_EQ(files.error().where, file.string());
}

TEST(SimSimulator, RejectsOutOfRangeConfig) {
  struct Case {
    const char* where;
    SimulatorConfig config;
  };
  auto with = [](auto change) {
    SimulatorConfig config;
    change(config);
    return config;
  };
  const Case cases[] = {
      {"visits", with([](auto& c) { c.visits = 0; })},
      {"visits", with([](auto& c) { c.visits = 100000; })},
      {"alerts per visit", with([](auto& c) { c.alerts_per_visit = 0; })},
      {"alerts per visit", with([](auto& c) { c.alerts_per_visit = 1000001; })},
      {"alerts per night", with([](auto& c) {
         c.visits = 1000;
         c.alerts_per_visit = 100001;
       })},
      {"start time", with([](auto& c) { c.start_mjd_tai = std::nan(""); })},
      {"start time", with([](auto& c) { c.start_mjd_tai = 100000; })},
      {"visit interval", with([](auto& c) { c.visit_interval_seconds = 0; })},
      {"solar-system fraction", with([](auto& c) { c.solar_system_fraction = 1.5; })},
      {"new-object fraction", with([](auto& c) { c.new_object_fraction = -0.1; })},
      {"history days", with([](auto& c) { c.history_days = -1; })},
      {"history days", with([](auto& c) { c.history_days = 366; })},
      {"max history", with([](auto& c) { c.max_history = 0; })},
      {"cutout size", with([](auto& c) { c.cutout_size = 7; })},
      {"cutout size", with([](auto& c) { c.cutout_size = 257; })},
      {"cutout size", with([](auto& c) { c.cutout_size = -1; })},
  };
  for (const Case& test : cases) {
    const auto simulator = Simulator::create(schema_11(), test.config);
    ASSERT_FALSE(simulator.has_value()) << test.where;
    EXPECT_EQ(simulator.error().where, test.where);
  }
}

TEST(SimSimulator, NextVisitReturnsAllAlerts) {
  auto simulator = Simulator::create(schema_11(), small_night(2, 25, 10));
  ASSERT_TRUE(simulator.has_value());

  VisitInfo first;
  const auto alerts = simulator->next_visit(&first);
  EXPECT_EQ(alerts.size(), 25u);
  EXPECT_EQ(first.sequence, 1);
  EXPECT_EQ(first.visit, 2025112000001);
  EXPECT_FALSE(simulator->done());

  VisitInfo second;
  simulator->next_visit(&second);
  EXPECT_EQ(second.visit, 2025112000002);
  EXPECT_TRUE(simulator->done());
}

TEST(SimSimulator, AlertsReencodeToSameBytes) {
  // Values built by the simulator survive an encode, decode and encode unchanged.
  auto simulator = Simulator::create(schema_11(), small_night(1, 100, 12));
  ASSERT_TRUE(simulator.has_value());
  for (const Value& alert : simulator->next_visit()) {
    std::string bytes;
    avro::encode(alert, bytes);
    auto decoded = avro::decode_exact(schema_11()->root(), bytes);
    ASSERT_TRUE(decoded.has_value()) << decoded.error().to_string();
    std::string again;
    avro::encode(*decoded, again);
    ASSERT_EQ(bytes, again);
  }
}

}  // namespace
}  // namespace skystream::sim
