// Tests of the simulated history (prvDiaSources, prvDiaForcedSources) and image cutouts on
// schema 11.0. The visit files are judged by fastavro and astropy.io.fits through the project's
// Python, independently of skystream's decoder; the options are checked on the decoded values.

#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "../support/process.h"
#include "avro/codec.h"
#include "avro/container.h"
#include "sim/cutout.h"
#include "sim/simulator.h"
#include "wire/schemas.h"

namespace skystream::sim {
namespace {

namespace fs = std::filesystem;
using avro::Value;
using testing::run_command;
using testing::shell_quote;
using testing::TempDir;

std::shared_ptr<const avro::Schema> schema_11() {
  static wire::SchemaCatalog catalog(SKYSTREAM_SCHEMA_ROOT);
  auto schema = catalog.by_version({11, 0});
  if (!schema) throw std::runtime_error(schema.error().to_string());
  return *schema;
}

// A night with the default history and cutouts.
SimulatorConfig night(int visits, int alerts_per_visit, std::uint64_t seed) {
  SimulatorConfig config;
  config.visits = visits;
  config.alerts_per_visit = alerts_per_visit;
  config.seed = seed;
  config.history_days = kRubinHistoryDays;
  config.cutout_size = kRubinCutoutSize;
  return config;
}

std::vector<Value> simulate_visit(const SimulatorConfig& config) {
  auto simulator = Simulator::create(schema_11(), config);
  if (!simulator) throw std::runtime_error(simulator.error().to_string());
  return simulator->next_visit();
}

std::string encoded(const Value& value) {
  std::string bytes;
  avro::encode(value, bytes);
  return bytes;
}

// Reads `key value` lines, one count per line, as the judge scripts print them.
std::map<std::string, long long> parse_counts(const std::string& output) {
  std::map<std::string, long long> counts;
  std::istringstream lines(output);
  std::string key;
  long long value = 0;
  while (lines >> key >> value) counts[key] = value;
  return counts;
}

// fastavro reads every alert of the files and checks the history of each against its
// diaSource and diaObject; astropy.io.fits opens every cutout.
constexpr const char* kJudge = R"(
import io, sys, collections
import fastavro
import numpy as np
from astropy.io import fits
from astropy.wcs import WCS

size = int(sys.argv[1])
counts = collections.Counter()
source_ids = set()
def bad(name):
    counts[name] += 1

for path in sys.argv[2:]:
    with open(path, 'rb') as f:
        for alert in fastavro.reader(f):
            counts['alerts'] += 1
            source = alert['diaSource']
            t = source['midpointMjdTai']
            if alert['diaSourceId'] in source_ids:
                bad('duplicate_ids')
            source_ids.add(alert['diaSourceId'])
            prv = alert['prvDiaSources']
            forced = alert['prvDiaForcedSources']
            obj = alert['diaObject']
            if obj is None:
                counts['solar_system'] += 1
                if prv is not None or forced is not None:
                    bad('solar_system_with_history')
            elif obj['nDiaSources'] == 1:
                counts['first_detections'] += 1
                if prv is not None:
                    bad('first_detection_with_sources')
                if forced != []:
                    bad('first_detection_forced_not_empty')
                if obj['firstDiaSourceMjdTai'] != t:
                    bad('first_time_mismatch')
            else:
                counts['with_history'] += 1
                counts['history_sources'] += len(prv)
                counts['history_forced'] += len(forced)
                object_id = obj['diaObjectId']
                if obj['nDiaSources'] != len(prv) + 1:
                    bad('count_mismatch')
                if obj['firstDiaSourceMjdTai'] != min(s['midpointMjdTai'] for s in prv):
                    bad('first_time_mismatch')
                if prv[0]['diaSourceId'] != object_id:
                    bad('object_id_not_first_source')
                bands = collections.Counter(s['band'] for s in prv)
                bands[source['band']] += 1
                for band in 'ugrizy':
                    # A band without data has its statistics, the count included, null.
                    if (obj[band + '_psfFluxNdata'] or 0) != bands[band]:
                        bad('band_count_mismatch')
                for s in prv:
                    if s['diaSourceId'] in source_ids:
                        bad('duplicate_ids')
                    source_ids.add(s['diaSourceId'])
                    if s['diaObjectId'] != object_id:
                        bad('history_object_mismatch')
                    if not (t - 365 <= s['midpointMjdTai'] < t):
                        bad('history_time_outside_year')
                    if s['band'] not in 'ugrizy' or len(s['band']) != 1:
                        bad('history_band_invalid')
                    if not (s['psfFlux'] > 0 and s['psfFluxErr'] > 0):
                        bad('history_flux_invalid')
                    d_ra = (s['ra'] - obj['ra'] + 180) % 360 - 180
                    if abs(d_ra) * np.cos(np.radians(obj['dec'])) > 2 / 3600:
                        bad('history_position_far')
                forced_ids = set()
                for s in forced:
                    if s['diaForcedSourceId'] in forced_ids:
                        bad('duplicate_forced_ids')
                    forced_ids.add(s['diaForcedSourceId'])
                    if s['diaObjectId'] != object_id:
                        bad('forced_object_mismatch')
                    if not (obj['firstDiaSourceMjdTai'] <= s['midpointMjdTai'] < t):
                        bad('forced_time_outside_history')
                    if s['ra'] != obj['ra'] or s['dec'] != obj['dec']:
                        bad('forced_position_not_object')
                detected_visits = {s['visit'] for s in prv}
                forced_visits = {s['visit'] for s in forced}
                if not detected_visits <= forced_visits:
                    bad('detection_without_forced')
                counts['forced_nondetections'] += len(forced_visits - detected_visits)

            for name in ('cutoutDifference', 'cutoutScience', 'cutoutTemplate'):
                data = alert[name]
                if data is None:
                    bad('cutout_missing')
                    continue
                counts['cutouts'] += 1
                if len(data) % 2880 != 0:
                    bad('cutout_not_whole_blocks')
                with fits.open(io.BytesIO(data)) as hdus:
                    if len(hdus) != 1:
                        bad('cutout_hdu_count')
                    header, image = hdus[0].header, hdus[0].data
                    if image.shape != (size, size) or image.dtype.kind != 'f':
                        bad('cutout_shape')
                        continue
                    if header['CTYPE1'] != 'RA---TAN' or header['CTYPE2'] != 'DEC--TAN':
                        bad('cutout_ctype')
                    wcs = WCS(header)
                    ra, dec = wcs.wcs_pix2world([[(size - 1) / 2, (size - 1) / 2]], 0)[0]
                    if abs(ra - source['ra']) > 1e-9 or abs(dec - source['dec']) > 1e-9:
                        bad('cutout_centre_not_source')
                    scales = wcs.proj_plane_pixel_scales()
                    if any(abs(s.to_value('arcsec') - 0.2) > 1e-9 for s in scales):
                        bad('cutout_pixel_scale')
                    if name == 'cutoutDifference' and source['snr'] > 50:
                        counts['bright_checked'] += 1
                        y, x = np.unravel_index(np.argmax(image), image.shape)
                        if abs(x - (size - 1) / 2) > 1 or abs(y - (size - 1) / 2) > 1:
                            bad('cutout_peak_off_centre')

for name in sorted(counts):
    print(name, counts[name])
)";

TEST(SimHistory, FastavroAndAstropyJudgeVisitFiles) {
  TempDir out;
  SimulatorConfig config = night(2, 300, 21);
  config.solar_system_fraction = 0.05;
  config.cutout_size = 40;
  auto simulator = Simulator::create(schema_11(), config);
  ASSERT_TRUE(simulator.has_value()) << simulator.error().to_string();
  const auto files = write_night(*simulator, out.path());
  ASSERT_TRUE(files.has_value()) << files.error().to_string();

  std::string paths;
  for (const auto& file : *files) paths += " " + shell_quote(file.path.string());
  const auto result =
      run_command(shell_quote(SKYSTREAM_PYTHON) + " -c " + shell_quote(kJudge) + " 40" + paths);
  ASSERT_EQ(result.exit_code, 0) << result.output;
  auto counts = parse_counts(result.output);

  // Every alert was read, and the alerts include each kind.
  EXPECT_EQ(counts["alerts"], 600);
  EXPECT_GT(counts["solar_system"], 10);
  EXPECT_GT(counts["first_detections"], 100);
  EXPECT_GT(counts["with_history"], 300);
  EXPECT_GT(counts["history_sources"], 10 * counts["with_history"]);
  EXPECT_GT(counts["forced_nondetections"], 0);
  EXPECT_GT(counts["bright_checked"], 0);
  EXPECT_EQ(counts["cutouts"], 3 * 600);

  // No check failed.
  for (const char* failure : {"duplicate_ids",
                              "solar_system_with_history",
                              "first_detection_with_sources",
                              "first_detection_forced_not_empty",
                              "first_time_mismatch",
                              "count_mismatch",
                              "object_id_not_first_source",
                              "band_count_mismatch",
                              "history_object_mismatch",
                              "history_time_outside_year",
                              "history_band_invalid",
                              "history_flux_invalid",
                              "history_position_far",
                              "duplicate_forced_ids",
                              "forced_object_mismatch",
                              "forced_time_outside_history",
                              "forced_position_not_object",
                              "detection_without_forced",
                              "cutout_missing",
                              "cutout_not_whole_blocks",
                              "cutout_hdu_count",
                              "cutout_shape",
                              "cutout_ctype",
                              "cutout_centre_not_source",
                              "cutout_pixel_scale",
                              "cutout_peak_off_centre"}) {
    EXPECT_EQ(counts[failure], 0) << failure;
  }
}

TEST(SimHistory, ZeroDaysLeavesArraysNull) {
  SimulatorConfig config = night(1, 200, 22);
  config.history_days = 0;
  config.cutout_size = 0;
  for (const Value& alert : simulate_visit(config)) {
    ASSERT_TRUE(alert.field("prvDiaSources").is_null());
    ASSERT_TRUE(alert.field("prvDiaForcedSources").is_null());
    ASSERT_TRUE(alert.field("cutoutDifference").is_null());
    ASSERT_TRUE(alert.field("cutoutScience").is_null());
    ASSERT_TRUE(alert.field("cutoutTemplate").is_null());
  }
}

TEST(SimHistory, OptionsChangeNothingElse) {
  SimulatorConfig small = night(1, 200, 23);
  small.history_days = 0;
  small.cutout_size = 0;
  const auto small_alerts = simulate_visit(small);
  const auto full_alerts = simulate_visit(night(1, 200, 23));
  ASSERT_EQ(small_alerts.size(), full_alerts.size());

  for (std::size_t i = 0; i < small_alerts.size(); ++i) {
    const Value& small_alert = small_alerts[i];
    const Value& full_alert = full_alerts[i];
    ASSERT_EQ(encoded(small_alert.field("diaSource")), encoded(full_alert.field("diaSource")));
    ASSERT_EQ(encoded(small_alert.field("diaObject")), encoded(full_alert.field("diaObject")));
    ASSERT_EQ(encoded(small_alert.field("ssSource")), encoded(full_alert.field("ssSource")));
  }
}

TEST(SimHistory, MaxHistoryKeepsMostRecent) {
  SimulatorConfig capped = night(1, 200, 24);
  capped.max_history = 3;
  capped.cutout_size = 0;
  SimulatorConfig full = capped;
  full.max_history = 1000;
  const auto capped_alerts = simulate_visit(capped);
  const auto full_alerts = simulate_visit(full);

  int truncated = 0;
  for (std::size_t i = 0; i < capped_alerts.size(); ++i) {
    for (const char* name : {"prvDiaSources", "prvDiaForcedSources"}) {
      const Value& capped_field = capped_alerts[i].field(name);
      const Value& full_field = full_alerts[i].field(name);
      ASSERT_EQ(capped_field.is_null(), full_field.is_null()) << name;
      if (full_field.is_null()) continue;
      const auto& kept = capped_field.unwrapped().children;
      const auto& all = full_field.unwrapped().children;
      ASSERT_EQ(kept.size(), std::min<std::size_t>(all.size(), 3)) << name;
      if (all.size() > 3) ++truncated;
      // The kept entries are the last ones, in the same order.
      const std::string_view id =
          name == std::string_view("prvDiaSources") ? "diaSourceId" : "diaForcedSourceId";
      for (std::size_t k = 0; k < kept.size(); ++k) {
        const Value& expected = all[all.size() - kept.size() + k];
        ASSERT_EQ(kept[k].field(id).integer, expected.field(id).integer) << name;
      }
    }
  }
  EXPECT_GT(truncated, 50);
}

TEST(SimHistory, WindowDropsOlderEntries) {
  SimulatorConfig config = night(1, 300, 25);
  config.history_days = 30;
  config.cutout_size = 0;
  int entries = 0;
  int short_counts = 0;
  for (const Value& alert : simulate_visit(config)) {
    if (alert.field("prvDiaSources").is_null()) continue;
    const double time = alert.field("diaSource").field("midpointMjdTai").float64;
    for (const char* name : {"prvDiaSources", "prvDiaForcedSources"}) {
      for (const Value& entry : alert.field(name).unwrapped().children) {
        ASSERT_LE(time - entry.field("midpointMjdTai").float64, 30.0) << name;
        ASSERT_LT(entry.field("midpointMjdTai").float64, time) << name;
        ++entries;
      }
    }
    // The diaObject still counts every detection of the year.
    const auto n_dia_sources = alert.field("diaObject").unwrapped().field("nDiaSources").integer;
    const auto listed = alert.field("prvDiaSources").unwrapped().children.size();
    if (static_cast<std::size_t>(n_dia_sources) > listed + 1) ++short_counts;
  }
  EXPECT_GT(entries, 0);
  EXPECT_GT(short_counts, 0);
}

TEST(SimHistory, CutoutsHaveStatedSize) {
  SimulatorConfig config = night(1, 50, 26);
  config.history_days = 0;
  for (const Value& alert : simulate_visit(config)) {
    for (const char* name : {"cutoutDifference", "cutoutScience", "cutoutTemplate"}) {
      const Value& cutout = alert.field(name);
      ASSERT_FALSE(cutout.is_null()) << name;
      // A 2880-byte header and 70 * 70 * 4 = 19600 bytes of pixels padded to 20160.
      ASSERT_EQ(cutout.unwrapped().bytes.size(), 23040u) << name;
      ASSERT_TRUE(cutout.unwrapped().bytes.starts_with("SIMPLE  =                    T"));
    }
  }
}

TEST(SimHistory, DefaultAlertsAverageAbout80Kilobytes) {
  // Solar-system alerts and first detections carry no history, so the mean covers all kinds.
  std::size_t bytes = 0;
  const auto alerts = simulate_visit(night(1, 500, 27));
  for (const Value& alert : alerts) bytes += encoded(alert).size();
  const double mean = static_cast<double>(bytes) / alerts.size();
  EXPECT_GT(mean, 70'000.0);
  EXPECT_LT(mean, 90'000.0);
}

TEST(SimHistory, SameSeedGivesIdenticalFiles) {
  TempDir first;
  TempDir second;
  for (const fs::path& dir : {first.path(), second.path()}) {
    auto simulator = Simulator::create(schema_11(), night(2, 40, 28));
    ASSERT_TRUE(simulator.has_value());
    ASSERT_TRUE(write_night(*simulator, dir).has_value());
  }
  for (const char* name : {"visit-000001.avro", "visit-000002.avro"}) {
    const auto a = run_command("cmp " + shell_quote((first.path() / name).string()) + " " +
                               shell_quote((second.path() / name).string()));
    EXPECT_EQ(a.exit_code, 0) << name << ": " << a.output;
  }
}

}  // namespace
}  // namespace skystream::sim
