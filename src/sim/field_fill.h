// Generic filling of alert records: every field gets a plausible value chosen from its Avro
// type and its name, so that the simulator handles fields it has no rule for, across the
// Rubin schema versions. The alert builder then overwrites the key fields with values that
// agree with one another.
#pragma once

#include <cstdint>
#include <initializer_list>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "avro/schema.h"
#include "avro/value.h"
#include "sim/random.h"
#include "sim/sky.h"

namespace skystream::sim {

// Kind of value of a field, as far as its name and type tell.
enum class FieldKind : std::uint8_t {
  kLeaveNull,        // stays at its zero value: null when nullable, else 0, "" or empty
  kRecord,           // a nested record, filled field by field
  kFlag,             // boolean, rarely true
  kBand,             // band letter, "u" to "y"
  kDesignation,      // solar-system object designation
  kText,             // any other string
  kTimestampMicros,  // long, microseconds since the Unix epoch (UTC)
  kTimestampMillis,  // long, milliseconds since the Unix epoch (UTC)
  kId,               // identifier of another record
  kCount,            // number of data points or observations
  kMjd,              // time, MJD TAI
  kRa,               // right ascension near the source [deg]
  kDec,              // declination near the source [deg]
  kPositionError,    // uncertainty of ra or dec [deg]
  kCovariance,       // covariance of two measured quantities
  kFlux,             // flux near the source's [nJy]
  kFluxError,        // flux uncertainty near the source's [nJy]
  kChi2,             // chi-squared of a fit
  kLogLikelihood,    // natural log of a likelihood or probability
  kPixel,            // x or y on a CCD [pixel]
  kPixelError,       // uncertainty of x or y [pixel]
  kPixelCount,       // size of a footprint [pixel], 10-60
  kFraction,         // value in [0, 1]: extendedness, reliability
  kAngle,            // angle [deg]
  kLength,           // trail or dipole length [arcsec]
  kDistance,         // solar-system distance [AU]
  kError,            // any other uncertainty
  kOther,            // anything else: a number in [0, 1), or an integer in [1, 100]
};

// Returns the kind of the field `name` whose type, after choosing the non-null branch of a
// union, is `type`.
FieldKind classify_field(std::string_view name, const avro::Node& type);

// Facts about the alert that generic values follow.
struct FillContext {
  SkyPosition position;
  double midpoint_mjd_tai = 0;
  double processed_mjd_tai = 0;
  double flux = 0;      // [nJy]
  double flux_err = 0;  // [nJy]
  char band = 'r';
  std::string_view designation;
};

// Fills records field by field. Plans (each field's union branch and kind) are computed once
// per record type and kept, so the schema must outlive the filler. Not thread-safe.
class RecordFiller {
 public:
  // Fills every field of `record`, a value of a record type: nullable fields get a non-null
  // value unless their kind is kLeaveNull.
  void fill(avro::Value& record, const FillContext& context, Random& random);

  // Fills the field at `index` of `record` only.
  void fill_field(avro::Value& record, int index, const FillContext& context, Random& random);

 private:
  struct FieldPlan {
    int branch = -1;                   // union branch to select, or -1 for a non-union field
    const avro::Node* type = nullptr;  // the field's type, after choosing the branch
    FieldKind kind = FieldKind::kOther;
  };

  const std::vector<FieldPlan>& plan_for(const avro::Node& record);
  void fill_value(avro::Value& value, const FieldPlan& plan, const FillContext& context,
                  Random& random);

  std::unordered_map<const avro::Node*, std::vector<FieldPlan>> plans_;
};

// Setters that find a field by any of its names across schema versions ("psfFlux", "psFlux")
// and store a value in it, putting a union on its first branch that can hold the value. Each
// returns false, and changes nothing, when the record has none of the names or the field's
// type cannot hold the value.
bool set_number(avro::Value& record, std::initializer_list<std::string_view> names, double x);
bool set_integer(avro::Value& record, std::initializer_list<std::string_view> names,
                 std::int64_t x);
bool set_string(avro::Value& record, std::initializer_list<std::string_view> names,
                std::string_view text);
bool set_boolean(avro::Value& record, std::initializer_list<std::string_view> names, bool flag);
// Puts a nullable field on its null branch.
bool set_null(avro::Value& record, std::initializer_list<std::string_view> names);

// Returns the field of `record` with the first of `names` that it has, or nullptr.
avro::Value* find_field(avro::Value& record, std::initializer_list<std::string_view> names);

// Stores a number in a field of type int, long, float or double, or in a union with such a
// branch. An int or long gets the nearest integer. Returns false for any other type.
bool store_number(avro::Value& field, double x);

}  // namespace skystream::sim
