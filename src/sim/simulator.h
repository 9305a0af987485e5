// The night simulator: visits of a survey night, each with its alerts, built for one Rubin
// alert schema and written as one Avro container file per visit.
//
// A night is a run of visits, visit_interval_seconds apart, each in one band (ugrizy) and at
// one pointing, with `alerts_per_visit` alerts spread over the 189 detectors.
// docs/simulator.md lists the fields of an alert and the distributions they are drawn from.
//
// The same schema, config and seed give the same alerts and the same file bytes on a platform
// (random.h explains why the simulator draws its own distributions).
//
// An alert on a diaObject seen before carries its earlier detections and forced photometry
// (history.h), and every alert carries three FITS cutouts (cutout.h). With the defaults an
// alert of schema 11.0 takes about 77 KB.
// NOTE: objects do not recur between the alerts of the simulated night, and each earlier
// night holds at most one visit of an object.
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "avro/container.h"
#include "avro/error.h"
#include "avro/schema.h"
#include "avro/value.h"
#include "sim/alert_builder.h"
#include "sim/random.h"
#include "sim/sky.h"

namespace skystream::sim {

// History and cutouts that make alerts like Rubin's, about 77 KB each for schema 11.0: the
// defaults of SimulatorConfig and of `skystream simulate`. Set both to 0 for alerts of about
// 700 bytes.
inline constexpr int kRubinHistoryDays = 365;
inline constexpr int kRubinCutoutSize = 70;

// The night to simulate. visits * alerts_per_visit may be at most kMaxAlertsPerNight.
struct SimulatorConfig {
  int visits = 1;                       // visits in the night, 1-99999
  int alerts_per_visit = 10000;         // 1-1000000
  std::uint64_t seed = 1;               // any value; each seed gives another night
  double start_mjd_tai = 61000.1;       // mid-exposure time of the first visit, MJD TAI
  double visit_interval_seconds = 39;   // between the mid-exposure times of visits, > 0
  double solar_system_fraction = 0.02;  // share of alerts on solar-system objects, [0, 1]
  double new_object_fraction = 0.3;     // share of other alerts on a first detection, [0, 1]
  // History arrays hold the earlier visits of an alert's object within this many days,
  // [0, kMaxHistoryDays]; 0 leaves the arrays null.
  int history_days = kRubinHistoryDays;
  int max_history = 1000;  // entries of each history array, 1 to kMaxHistoryEntries
  // Side of the three image cutouts [pixel]: 0 for none, else kMinCutoutSize to kMaxCutoutSize.
  int cutout_size = kRubinCutoutSize;
};

// The maximum history window, because Rubin's alerts carry the last 12 months.
inline constexpr int kMaxHistoryDays = 365;
inline constexpr int kMaxHistoryEntries = 100000;

// The maximum number of alerts in a simulated night, ten times the 10 million of a Rubin
// night. The cap keeps every ssObjectId below the night's first diaObjectId.
inline constexpr std::int64_t kMaxAlertsPerNight = 100'000'000;

// Properties that all alerts of a visit share.
struct VisitInfo {
  int sequence = 0;        // 1 for the night's first visit
  std::int64_t visit = 0;  // visit id, YYYYMMDD * 100000 + sequence
  char band = 'r';
  double midpoint_mjd_tai = 0;
  double processed_mjd_tai = 0;  // when the pipeline processed the visit
  Pointing pointing;
  double limiting_magnitude = 0;  // 5-sigma point-source depth [AB mag]
  int alerts = 0;
  int solar_system_alerts = 0;
};

// Called with each alert of a visit, in order. The value lives only during the call.
using AlertSink = std::function<void(const avro::Value& alert)>;

// Simulator of the visits of one night, in order. The schema must be a Rubin alert schema;
// the unit tests cover versions 3.0 to 11.1. Not thread-safe.
class Simulator {
 public:
  // Fails when a config value is out of its range; the error names the value.
  [[nodiscard]] static avro::Result<Simulator> create(std::shared_ptr<const avro::Schema> schema,
                                                      const SimulatorConfig& config);

  const SimulatorConfig& config() const { return config_; }
  const std::shared_ptr<const avro::Schema>& schema() const { return schema_; }

  // True once all config().visits visits have been simulated.
  bool done() const { return next_sequence_ > config_.visits; }

  // The sequence number that the next visit will have: 1 for the first.
  int next_sequence() const { return next_sequence_; }

  // Simulates the next visit and passes its alerts to `sink` one by one, so that memory does
  // not grow with the visit. Requires !done().
  VisitInfo next_visit(const AlertSink& sink);

  // Simulates the next visit and returns its alerts. An alert of schema 11.0 with a year of
  // history and cutouts takes a few hundred KB as a Value, so prefer the AlertSink overload for
  // large visits. Requires !done().
  std::vector<avro::Value> next_visit(VisitInfo* info = nullptr);

 private:
  Simulator(std::shared_ptr<const avro::Schema> schema, const SimulatorConfig& config);
  VisitInfo start_visit(Random& random);
  AlertFacts draw_alert(const VisitInfo& visit, int index, Random& random);
  void draw_object(AlertFacts& facts, const VisitInfo& visit, int index, Random& random);

  std::shared_ptr<const avro::Schema> schema_;
  SimulatorConfig config_;
  AlertBuilder builder_;
  int day_obs_ = 0;
  int next_sequence_ = 1;
  char band_ = 0;
  std::int64_t solar_system_objects_ = 0;
};

// The codec of visit files that `skystream simulate` writes by default. Alerts with cutouts are
// mostly float32 noise: on 10,000 default alerts deflate saved 22% of the bytes and snappy 13%, but
// deflate took seven times the CPU time (docs/simulator.md gives the measurements). Avro C 1.11,
// Java Avro and fastavro (with cramjam) read snappy files.
inline constexpr avro::Codec kVisitFileCodec = avro::Codec::kSnappy;

// One visit file that write_night() wrote.
struct VisitFile {
  std::filesystem::path path;
  VisitInfo info;
  std::uintmax_t bytes = 0;
  double seconds = 0;  // to simulate, encode and write the visit
};

// Returns the file name of the `sequence`-th visit, "visit-000042.avro", so that file names
// sort in visit order.
std::string visit_file_name(int sequence);

// Writes every remaining visit of `simulator` to `out_dir` (created when missing), one Avro
// container file per visit with `codec` and the schema as writer schema, and logs each file at
// info on the "sim" logger. Existing files of the same names are replaced. Fails when
// `out_dir` cannot be created or a file cannot be written; the error names the path. Files
// written before a failure are kept.
[[nodiscard]] avro::Result<std::vector<VisitFile>> write_night(
    Simulator& simulator, const std::filesystem::path& out_dir,
    avro::Codec codec = avro::Codec::kDeflate);

}  // namespace skystream::sim
