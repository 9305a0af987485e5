// Builds one alert of a Rubin alert schema (versions 3.0 to 11.x) from the facts the
// simulator drew for it. Every field gets a value: the key fields from the facts, the others
// from RecordFiller's generic rules. History arrays (prvDiaSources, prvDiaForcedSources,
// prvDiaNondetectionLimits) and cutouts follow AlertOptions.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "avro/schema.h"
#include "avro/value.h"
#include "sim/cutout.h"
#include "sim/field_fill.h"
#include "sim/history.h"
#include "sim/photometry.h"
#include "sim/random.h"
#include "sim/sky.h"

namespace skystream::sim {

// One detection: an alert's own, or an earlier one of the same object.
struct SourceFacts {
  std::int64_t dia_source_id = 0;
  std::int64_t visit = 0;
  int detector = 0;  // 0-188
  double x = 0;      // [pixel]
  double y = 0;      // [pixel]
  SkyPosition position;
  double midpoint_mjd_tai = 0;   // mid-exposure time of the visit
  double processed_mjd_tai = 0;  // when the pipeline produced the diaSource
  char band = 'r';
  Photometry photometry;     // difference flux
  double template_flux = 0;  // flux of the static part at the position [nJy]
};

// Returns the context of generic values for the records of `source`.
FillContext fill_context(const SourceFacts& source);

// Facts that the simulator drew for one alert.
struct AlertFacts {
  SourceFacts source;
  double rotation = 0;  // of the visit's pointing [deg], for the cutouts' WCS

  // A solar-system alert has an ssObject and no diaObject; any other alert has a diaObject.
  bool solar_system = false;

  // diaObject, when `solar_system` is false: its mean position and its past.
  SkyPosition object_position;
  ObjectHistory object;

  // Solar-system object, when `solar_system` is true.
  std::int64_t ss_object_id = 0;
  std::string designation;         // "2025 WA1"
  std::string packed_designation;  // "K25W01A"
};

// Options for the parts of an alert beyond the detection and the object.
struct AlertOptions {
  // History arrays hold the earlier visits within this many days of the alert; 0 leaves the
  // arrays null.
  double history_days = 0;
  // The maximum number of entries of each history array; the most recent ones are kept.
  int max_history = 0;
  // Side of the three cutouts [pixel]; 0 leaves them null.
  int cutout_size = 0;
  // Seeds the noise of the cutouts and the per-alert streams of history records and cutouts.
  std::uint64_t seed = 1;
};

// Builds alerts of one schema. The schema must outlive the builder. Not thread-safe.
class AlertBuilder {
 public:
  // Requires options.cutout_size to be 0 or in [kMinCutoutSize, kMaxCutoutSize].
  AlertBuilder(std::shared_ptr<const avro::Schema> schema, const AlertOptions& options);

  // True when the schema's alert has a record for solar-system sources (ssSource from
  // version 8.0, ssObject before).
  bool supports_solar_system() const { return supports_solar_system_; }

  // Returns an alert for `facts`. Draws the generic values of the alert's own records from
  // `random`. History records and cutouts draw from a stream seeded by the options' seed and
  // the alert's diaSourceId, so the history and cutout options change nothing else.
  avro::Value build(const AlertFacts& facts, Random& random);

 private:
  void fill_dia_source(avro::Value& record, const SourceFacts& source, const AlertFacts& facts,
                       Random& random);
  void fill_dia_object(avro::Value& object, const AlertFacts& facts);
  void fill_band_summaries(avro::Value& object, const AlertFacts& facts);
  void fill_solar_system_source(avro::Value& source, const AlertFacts& facts, Random& random);
  void fill_solar_system_geometry(avro::Value& source, const AlertFacts& facts, Random& random);
  void fill_orbit(avro::Value& orbit, const AlertFacts& facts, Random& random);

  // History arrays and cutouts (alert_history.cc).
  bool fill_history(avro::Value& field, std::string_view name, const AlertFacts& facts,
                    Random& random);
  void fill_past_sources(avro::Value& array, const AlertFacts& facts, Random& random);
  void fill_forced_sources(avro::Value& array, const AlertFacts& facts, Random& random);
  void fill_nondetection_limits(avro::Value& array, const AlertFacts& facts, Random& random);
  bool fill_cutout(avro::Value& field, std::string_view name, const AlertFacts& facts,
                   Random& random);

  std::shared_ptr<const avro::Schema> schema_;
  AlertOptions options_;
  RecordFiller filler_;
  std::optional<CutoutMaker> cutouts_;
  bool supports_solar_system_ = false;
};

}  // namespace skystream::sim
