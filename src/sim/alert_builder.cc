#include "sim/alert_builder.h"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <numbers>
#include <string_view>

namespace skystream::sim {
namespace {

using avro::Type;
using avro::Value;

constexpr double kArcsec = 1.0 / 3600.0;  // [deg]

// The alert fields that carry solar-system data, by schema version: ssSource and MPCORB
// (8.0-9.x) or mpc_orbits (10.0 on); ssObject before 8.0.
bool is_solar_system_field(std::string_view name) {
  return name == "ssSource" || name == "ssObject" || name == "MPCORB" || name == "mpc_orbits";
}

bool is_orbit_field(std::string_view name) { return name == "MPCORB" || name == "mpc_orbits"; }

FillContext context_for(const AlertFacts& facts) {
  FillContext context = fill_context(facts.source);
  context.designation = facts.designation;
  return context;
}

// Puts every nullable field of `record` whose name starts with `prefix` on its null branch.
void null_fields_with_prefix(Value& record, std::string_view prefix) {
  const auto& fields = record.node->fields;
  for (std::size_t i = 0; i < fields.size(); ++i) {
    if (!fields[i].name.starts_with(prefix)) continue;
    Value& field = record.children[i];
    if (field.type() != Type::kUnion) continue;
    const int null_branch = field.node->null_branch();
    if (null_branch >= 0) field.select(null_branch);
  }
}

std::string band_field(char band, std::string_view suffix) {
  return fmt::format("{}_{}", band, suffix);
}

}  // namespace

FillContext fill_context(const SourceFacts& source) {
  FillContext context;
  context.position = source.position;
  context.midpoint_mjd_tai = source.midpoint_mjd_tai;
  context.processed_mjd_tai = source.processed_mjd_tai;
  context.flux = source.photometry.flux;
  context.flux_err = source.photometry.flux_err;
  context.band = source.band;
  return context;
}

AlertBuilder::AlertBuilder(std::shared_ptr<const avro::Schema> schema, const AlertOptions& options)
    : schema_(std::move(schema)), options_(options) {
  if (options_.cutout_size > 0) cutouts_.emplace(options_.cutout_size, options_.seed);
  for (const avro::Field& field : schema_->root().fields) {
    if (field.name == "ssSource" || field.name == "ssObject") supports_solar_system_ = true;
  }
}

avro::Value AlertBuilder::build(const AlertFacts& facts, Random& random) {
  Value alert = Value::zero(schema_->root());
  const FillContext context = context_for(facts);
  Random detail(
      mix64(options_.seed ^ mix64(static_cast<std::uint64_t>(facts.source.dia_source_id))));

  // The alert's own fields. The object that the source belongs to is a diaObject or a
  // solar-system object, never both. Fields without a rule are filled generically.
  const auto& fields = schema_->root().fields;
  for (std::size_t i = 0; i < fields.size(); ++i) {
    const std::string& name = fields[i].name;
    Value& field = alert.children[i];
    const int index = static_cast<int>(i);
    if (name == "alertId" || name == "diaSourceId") {
      set_integer(alert, {name}, facts.source.dia_source_id);
    } else if (name == "diaSource") {
      filler_.fill_field(alert, index, context, random);
      fill_dia_source(field.unwrapped(), facts.source, facts, random);
    } else if (name == "diaObject") {
      if (facts.solar_system) continue;
      filler_.fill_field(alert, index, context, random);
      fill_dia_object(field.unwrapped(), facts);
    } else if (fill_history(field, name, facts, detail) ||
               fill_cutout(field, name, facts, detail)) {
      continue;
    } else if (is_solar_system_field(name)) {
      if (!facts.solar_system) continue;
      filler_.fill_field(alert, index, context, random);
      // Before 8.0 the ssObject record contains both the object and its orbit.
      if (!is_orbit_field(name)) fill_solar_system_source(field.unwrapped(), facts, random);
      if (name != "ssSource") fill_orbit(field.unwrapped(), facts, random);
    } else {
      filler_.fill_field(alert, index, context, random);
    }
  }
  return alert;
}

void AlertBuilder::fill_dia_source(avro::Value& record, const SourceFacts& source,
                                   const AlertFacts& facts, Random& random) {
  // Identity: versions before 7.0 name the CCD of a visit by ccdVisitId instead of visit and
  // detector.
  set_integer(record, {"diaSourceId"}, source.dia_source_id);
  set_integer(record, {"visit"}, source.visit);
  set_integer(record, {"detector"}, source.detector);
  set_integer(record, {"ccdVisitId"}, source.visit * 1000 + source.detector);
  if (facts.solar_system) {
    set_null(record, {"diaObjectId"});
    set_integer(record, {"ssObjectId"}, facts.ss_object_id);
  } else {
    set_integer(record, {"diaObjectId"}, facts.object.dia_object_id);
    set_null(record, {"ssObjectId"});
  }

  // Time, position and band.
  set_number(record, {"midpointMjdTai", "midPointTai"}, source.midpoint_mjd_tai);
  set_number(record, {"timeProcessedMjdTai"}, source.processed_mjd_tai);
  set_number(record, {"ra"}, source.position.ra);
  set_number(record, {"dec", "decl"}, source.position.dec);
  set_number(record, {"x"}, source.x);
  set_number(record, {"y"}, source.y);
  set_string(record, {"band", "filterName"}, std::string_view(&source.band, 1));

  // Photometry: snr is computed from the stored 32-bit values, so that a reader finds
  // snr == psfFlux / psfFluxErr to float precision. The science flux is the template's static
  // flux plus the difference flux.
  const float flux = static_cast<float>(source.photometry.flux);
  const float flux_err = static_cast<float>(source.photometry.flux_err);
  set_number(record, {"psfFlux", "psFlux"}, flux);
  set_number(record, {"psfFluxErr", "psFluxErr"}, flux_err);
  set_number(record, {"snr"}, flux / flux_err);
  set_boolean(record, {"isNegative"}, false);
  set_number(record, {"apFlux"}, source.photometry.flux * random.uniform(0.9, 1.1));
  set_number(record, {"apFluxErr"}, source.photometry.flux_err * random.uniform(1.0, 1.2));
  set_number(record, {"scienceFlux", "totFlux"}, source.template_flux + source.photometry.flux);
  set_number(record, {"scienceFluxErr", "totFluxErr"}, source.photometry.flux_err);
  set_number(record, {"templateFlux"}, source.template_flux);
  set_number(record, {"templateFluxErr"}, source.photometry.flux_err / 2);
}

void AlertBuilder::fill_dia_object(avro::Value& object, const AlertFacts& facts) {
  const ObjectHistory& history = facts.object;
  set_integer(object, {"diaObjectId"}, history.dia_object_id);
  set_number(object, {"ra"}, facts.object_position.ra);
  set_number(object, {"dec", "decl"}, facts.object_position.dec);

  // History summary: the object was first seen at first_dia_source_mjd_tai, and this source is
  // its latest.
  set_number(object, {"validityStartMjdTai"}, facts.source.processed_mjd_tai);
  set_number(object, {"radecMjdTai"}, facts.source.midpoint_mjd_tai);
  set_number(object, {"firstDiaSourceMjdTai"}, history.first_dia_source_mjd_tai);
  set_number(object, {"lastDiaSourceMjdTai"}, facts.source.midpoint_mjd_tai);
  set_integer(object, {"nDiaSources"}, history.n_dia_sources);

  fill_band_summaries(object, facts);
}

void AlertBuilder::fill_band_summaries(avro::Value& object, const AlertFacts& facts) {
  // The statistics of each band come from the object's detections and forced photometry,
  // this detection included; the fields of a band without data stay null.
  for (int b = 0; b < 6; ++b) {
    const char band = kBands[b];
    const BandSummary& summary = facts.object.summary[b];
    set_integer(object, {band_field(band, "psfFluxNdata")}, summary.detections);
    if (summary.detections == 0) {
      null_fields_with_prefix(object, band_field(band, ""));
      continue;
    }
    set_number(object, {band_field(band, "psfFluxMean")}, summary.flux_mean);
    set_number(object, {band_field(band, "psfFluxMeanErr")}, summary.flux_mean_err);
    set_number(object, {band_field(band, "psfFluxSigma")}, summary.flux_sigma);
    set_number(object, {band_field(band, "psfFluxMin")}, summary.flux_min);
    set_number(object, {band_field(band, "psfFluxMax")}, summary.flux_max);
    set_number(object, {band_field(band, "psfFluxErrMean")}, summary.flux_err_mean);
    if (summary.forced == 0) {
      set_null(object, {band_field(band, "fpFluxMean")});
      set_null(object, {band_field(band, "fpFluxMeanErr")});
      set_null(object, {band_field(band, "scienceFluxMean")});
      set_null(object, {band_field(band, "scienceFluxMeanErr")});
      continue;
    }
    set_number(object, {band_field(band, "fpFluxMean")}, summary.forced_flux_mean);
    set_number(object, {band_field(band, "fpFluxMeanErr")}, summary.forced_flux_mean_err);
    set_number(object, {band_field(band, "scienceFluxMean")}, summary.science_flux_mean);
    set_number(object, {band_field(band, "scienceFluxMeanErr")}, summary.science_flux_mean_err);
  }
}

void AlertBuilder::fill_solar_system_source(avro::Value& source, const AlertFacts& facts,
                                            Random& random) {
  // Identity; the field names of versions 8.0-9.x come second.
  set_integer(source, {"ssObjectId"}, facts.ss_object_id);
  set_integer(source, {"diaSourceId"}, facts.source.dia_source_id);
  set_string(source, {"designation"}, facts.designation);

  // Coordinates of the observed position in the other frames.
  const EclipticPosition ecliptic = to_ecliptic(facts.source.position);
  const GalacticPosition galactic = to_galactic(facts.source.position);
  set_number(source, {"eclLambda", "eclipticLambda"}, ecliptic.lambda);
  set_number(source, {"eclBeta", "eclipticBeta"}, ecliptic.beta);
  set_number(source, {"galLon", "galacticL"}, galactic.l);
  set_number(source, {"galLat", "galacticB"}, galactic.b);

  fill_solar_system_geometry(source, facts, random);

  // The ephemeris predicts the position to a fraction of an arcsec and the magnitude to a few
  // tenths. Offsets are in arcsec, the residuals of versions 8.0-9.x in degrees.
  const double offset_ra = random.normal(0, 0.2);
  const double offset_dec = random.normal(0, 0.2);
  const double cos_dec =
      std::max(std::cos(facts.source.position.dec * std::numbers::pi / 180.0), 0.01);
  const double eph_ra = facts.source.position.ra - offset_ra * kArcsec / cos_dec;
  set_number(source, {"ephRa"}, std::fmod(eph_ra + 360.0, 360.0));
  set_number(source, {"ephDec"},
             std::clamp(facts.source.position.dec - offset_dec * kArcsec, -90.0, 90.0));
  set_number(source, {"ephOffsetRa"}, offset_ra);
  set_number(source, {"ephOffsetDec"}, offset_dec);
  set_number(source, {"ephOffset"}, std::hypot(offset_ra, offset_dec));
  set_number(source, {"residualRa"}, offset_ra * kArcsec);
  set_number(source, {"residualDec"}, offset_dec * kArcsec);
  set_number(source, {"ephVmag", "predictedVMagnitude"},
             magnitude_from_flux(facts.source.photometry.flux) + random.uniform(-0.3, 0.3));

  // Motion on the sky: a main-belt asteroid near opposition moves about a quarter of a degree
  // a day [deg/d].
  const double rate = random.uniform(0.1, 0.4);
  const double direction = random.uniform(0, 2 * std::numbers::pi);
  set_number(source, {"ephRate"}, rate);
  set_number(source, {"ephRateRa"}, rate * std::sin(direction));
  set_number(source, {"ephRateDec"}, rate * std::cos(direction));
  set_integer(source, {"diaDistanceRank"}, 1);
}

void AlertBuilder::fill_solar_system_geometry(avro::Value& source, const AlertFacts& facts,
                                              Random& random) {
  // Near opposition the Sun lies behind the observer, so the heliocentric and topocentric
  // directions of the object both lie close to the line of sight. Vectors are in ICRS [AU].
  const double ra = facts.source.position.ra * std::numbers::pi / 180.0;
  const double dec = facts.source.position.dec * std::numbers::pi / 180.0;
  const std::array<double, 3> line_of_sight = {std::cos(dec) * std::cos(ra),
                                               std::cos(dec) * std::sin(ra), std::sin(dec)};
  const double helio_range = random.uniform(1.8, 3.5);
  const double topo_range = helio_range - random.uniform(0.6, 1.0);
  set_number(source, {"helioRange", "heliocentricDist"}, helio_range);
  set_number(source, {"topoRange", "topocentricDist"}, topo_range);
  set_number(source, {"phaseAngle"}, random.uniform(0, 20));
  set_number(source, {"elongation"}, random.uniform(150, 180));

  // Velocities of about 0.01 AU/d (17 km/s) in a random direction [AU/d].
  std::array<double, 3> helio_velocity{};
  std::array<double, 3> topo_velocity{};
  for (double& v : helio_velocity) v = random.normal(0, 0.006);
  for (double& v : topo_velocity) v = random.normal(0, 0.006);

  static constexpr std::array<std::array<std::string_view, 2>, 3> kHelio = {
      {{"helio_x", "heliocentricX"}, {"helio_y", "heliocentricY"}, {"helio_z", "heliocentricZ"}}};
  static constexpr std::array<std::array<std::string_view, 2>, 3> kHelioVelocity = {
      {{"helio_vx", "heliocentricVX"},
       {"helio_vy", "heliocentricVY"},
       {"helio_vz", "heliocentricVZ"}}};
  static constexpr std::array<std::array<std::string_view, 2>, 3> kTopo = {
      {{"topo_x", "topocentricX"}, {"topo_y", "topocentricY"}, {"topo_z", "topocentricZ"}}};
  static constexpr std::array<std::array<std::string_view, 2>, 3> kTopoVelocity = {
      {{"topo_vx", "topocentricVX"}, {"topo_vy", "topocentricVY"}, {"topo_vz", "topocentricVZ"}}};
  double helio_rate = 0;
  double topo_rate = 0;
  for (int axis = 0; axis < 3; ++axis) {
    set_number(source, {kHelio[axis][0], kHelio[axis][1]}, helio_range * line_of_sight[axis]);
    set_number(source, {kTopo[axis][0], kTopo[axis][1]}, topo_range * line_of_sight[axis]);
    set_number(source, {kHelioVelocity[axis][0], kHelioVelocity[axis][1]}, helio_velocity[axis]);
    set_number(source, {kTopoVelocity[axis][0], kTopoVelocity[axis][1]}, topo_velocity[axis]);
    helio_rate += helio_velocity[axis] * line_of_sight[axis];
    topo_rate += topo_velocity[axis] * line_of_sight[axis];
  }
  const auto norm = [](const std::array<double, 3>& v) {
    return std::sqrt(v[0] * v[0] + v[1] * v[1] + v[2] * v[2]);
  };
  set_number(source, {"helio_vtot"}, norm(helio_velocity));
  set_number(source, {"topo_vtot"}, norm(topo_velocity));
  set_number(source, {"helioRangeRate"}, helio_rate);
  set_number(source, {"topoRangeRate"}, topo_rate);
}

void AlertBuilder::fill_orbit(avro::Value& orbit, const AlertFacts& facts, Random& random) {
  // Identity and designation (ssObject before 8.0, MPCORB for 8.0-9.x, mpc_orbits from 10.0).
  set_integer(orbit, {"ssObjectId"}, facts.ss_object_id);
  set_string(orbit, {"mpcDesignation", "packed_primary_provisional_designation"},
             facts.packed_designation);
  set_string(orbit, {"designation"}, facts.designation);
  set_string(orbit, {"unpacked_primary_provisional_designation"}, facts.designation);

  // A main-belt orbit: semi-major axis a [AU], eccentricity e, inclination [deg], angles
  // [deg], period from Kepler's third law [d].
  const double a = random.uniform(2.1, 3.3);
  const double e = random.uniform(0.02, 0.3);
  const double period = 365.25 * std::pow(a, 1.5);
  const double mean_motion = 360.0 / period;
  const double mean_anomaly = random.uniform(0, 360);
  const double epoch = std::floor(facts.source.midpoint_mjd_tai);
  set_number(orbit, {"a"}, a);
  set_number(orbit, {"e"}, e);
  set_number(orbit, {"q"}, a * (1 - e));
  set_number(orbit, {"i", "incl"}, random.uniform(0, 25));
  set_number(orbit, {"node", "lan"}, random.uniform(0, 360));
  set_number(orbit, {"argperi", "peri", "aop"}, random.uniform(0, 360));
  set_number(orbit, {"mean_anomaly", "M"}, mean_anomaly);
  set_number(orbit, {"period"}, period);
  set_number(orbit, {"mean_motion"}, mean_motion);
  set_number(orbit, {"epoch_mjd", "epoch"}, epoch);
  set_number(orbit, {"peri_time", "t_p"}, epoch - mean_anomaly / mean_motion);

  // Absolute magnitude H and slope parameter G.
  set_number(orbit, {"h", "mpcH"}, random.uniform(14, 20));
  set_number(orbit, {"g"}, 0.15);
}

}  // namespace skystream::sim
