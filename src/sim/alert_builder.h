// Builds one alert of a Rubin alert schema (versions 3.0 to 11.x) from the facts the
// simulator drew for it. Every field gets a value: the key fields from the facts, the others
// from RecordFiller's generic rules.
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "avro/schema.h"
#include "avro/value.h"
#include "sim/field_fill.h"
#include "sim/photometry.h"
#include "sim/random.h"
#include "sim/sky.h"

namespace skystream::sim {

// Facts that the simulator drew for one alert.
struct AlertFacts {
  std::int64_t dia_source_id = 0;
  std::int64_t visit = 0;
  int detector = 0;  // 0-188
  double x = 0;      // [pixel]
  double y = 0;      // [pixel]
  SkyPosition position;
  double midpoint_mjd_tai = 0;   // mid-exposure time of the visit
  double processed_mjd_tai = 0;  // when the pipeline produced the diaSource
  char band = 'r';
  Photometry photometry;

  // A solar-system alert has an ssObject and no diaObject; any other alert has a diaObject.
  bool solar_system = false;

  // diaObject, when `solar_system` is false.
  std::int64_t dia_object_id = 0;
  int n_dia_sources = 1;  // diaSources of the object, this one included
  double first_dia_source_mjd_tai = 0;

  // Solar-system object, when `solar_system` is true.
  std::int64_t ss_object_id = 0;
  std::string designation;         // "2025 WA1"
  std::string packed_designation;  // "K25W01A"
};

// Builds alerts of one schema. The schema must outlive the builder. Not thread-safe.
class AlertBuilder {
 public:
  explicit AlertBuilder(std::shared_ptr<const avro::Schema> schema);

  // True when the schema's alert has a record for solar-system sources (ssSource from
  // version 8.0, ssObject before).
  bool supports_solar_system() const { return supports_solar_system_; }

  // Returns an alert for `facts`; draws the generic values from `random`.
  avro::Value build(const AlertFacts& facts, Random& random);

 private:
  void fill_dia_source(avro::Value& source, const AlertFacts& facts, Random& random);
  void fill_dia_object(avro::Value& object, const AlertFacts& facts, Random& random);
  void fill_band_summaries(avro::Value& object, const AlertFacts& facts, Random& random);
  void fill_solar_system_source(avro::Value& source, const AlertFacts& facts, Random& random);
  void fill_solar_system_geometry(avro::Value& source, const AlertFacts& facts, Random& random);
  void fill_orbit(avro::Value& orbit, const AlertFacts& facts, Random& random);

  std::shared_ptr<const avro::Schema> schema_;
  RecordFiller filler_;
  bool supports_solar_system_ = false;
};

}  // namespace skystream::sim
