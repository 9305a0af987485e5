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
  FillContext context;
  context.position = facts.position;
  context.midpoint_mjd_tai = facts.midpoint_mjd_tai;
  context.processed_mjd_tai = facts.processed_mjd_tai;
  context.flux = facts.photometry.flux;
  context.flux_err = facts.photometry.flux_err;
  context.band = facts.band;
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

AlertBuilder::AlertBuilder(std::shared_ptr<const avro::Schema> schema)
    : schema_(std::move(schema)) {
  for (const avro::Field& field : schema_->root().fields) {
    if (field.name == "ssSource" || field.name == "ssObject") supports_solar_system_ = true;
  }
}

avro::Value AlertBuilder::build(const AlertFacts& facts, Random& random) {
  Value alert = Value::zero(schema_->root());
  const FillContext context = context_for(facts);

  // The alert's own fields. The object that the source belongs to is a diaObject or a
  // solar-system object, never both. Fields without a rule are filled generically.
  const auto& fields = schema_->root().fields;
  for (std::size_t i = 0; i < fields.size(); ++i) {
    const std::string& name = fields[i].name;
    Value& field = alert.children[i];
    const int index = static_cast<int>(i);
    if (name == "alertId" || name == "diaSourceId") {
      set_integer(alert, {name}, facts.dia_source_id);
    } else if (name == "diaSource") {
      filler_.fill_field(alert, index, context, random);
      fill_dia_source(field.unwrapped(), facts, random);
    } else if (name == "diaObject") {
      if (facts.solar_system) continue;
      filler_.fill_field(alert, index, context, random);
      fill_dia_object(field.unwrapped(), facts, random);
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

void AlertBuilder::fill_dia_source(avro::Value& source, const AlertFacts& facts, Random& random) {
  // Identity: versions before 7.0 name the CCD of a visit by ccdVisitId instead of visit and
  // detector.
  set_integer(source, {"diaSourceId"}, facts.dia_source_id);
  set_integer(source, {"visit"}, facts.visit);
  set_integer(source, {"detector"}, facts.detector);
  set_integer(source, {"ccdVisitId"}, facts.visit * 1000 + facts.detector);
  if (facts.solar_system) {
    set_null(source, {"diaObjectId"});
    set_integer(source, {"ssObjectId"}, facts.ss_object_id);
  } else {
    set_integer(source, {"diaObjectId"}, facts.dia_object_id);
    set_null(source, {"ssObjectId"});
  }

  // Time, position and band.
  set_number(source, {"midpointMjdTai", "midPointTai"}, facts.midpoint_mjd_tai);
  set_number(source, {"timeProcessedMjdTai"}, facts.processed_mjd_tai);
  set_number(source, {"ra"}, facts.position.ra);
  set_number(source, {"dec", "decl"}, facts.position.dec);
  set_number(source, {"x"}, facts.x);
  set_number(source, {"y"}, facts.y);
  set_string(source, {"band", "filterName"}, std::string_view(&facts.band, 1));

  // Photometry: snr is computed from the stored 32-bit values, so that a reader finds
  // snr == psfFlux / psfFluxErr to float precision.
  const float flux = static_cast<float>(facts.photometry.flux);
  const float flux_err = static_cast<float>(facts.photometry.flux_err);
  set_number(source, {"psfFlux", "psFlux"}, flux);
  set_number(source, {"psfFluxErr", "psFluxErr"}, flux_err);
  set_number(source, {"snr"}, flux / flux_err);
  set_boolean(source, {"isNegative"}, false);
  set_number(source, {"apFlux"}, facts.photometry.flux * random.uniform(0.9, 1.1));
  set_number(source, {"apFluxErr"}, facts.photometry.flux_err * random.uniform(1.0, 1.2));
}

void AlertBuilder::fill_dia_object(avro::Value& object, const AlertFacts& facts, Random& random) {
  // The object's mean position lies within a few hundredths of an arcsec of this source.
  const double dec = facts.position.dec;
  const double ra_scale = 1.0 / std::max(std::cos(dec * std::numbers::pi / 180.0), 0.01);
  const double ra = facts.position.ra + random.normal(0, 0.02 * kArcsec) * ra_scale;
  set_integer(object, {"diaObjectId"}, facts.dia_object_id);
  set_number(object, {"ra"}, std::fmod(ra + 360.0, 360.0));
  set_number(object, {"dec", "decl"},
             std::clamp(dec + random.normal(0, 0.02 * kArcsec), -90.0, 90.0));

  // History summary: the object was first seen at first_dia_source_mjd_tai, and this source is
  // its latest.
  set_number(object, {"validityStartMjdTai"}, facts.processed_mjd_tai);
  set_number(object, {"radecMjdTai"}, facts.midpoint_mjd_tai);
  set_number(object, {"firstDiaSourceMjdTai"}, facts.first_dia_source_mjd_tai);
  set_number(object, {"lastDiaSourceMjdTai"}, facts.midpoint_mjd_tai);
  set_integer(object, {"nDiaSources"}, facts.n_dia_sources);

  fill_band_summaries(object, facts, random);
}

void AlertBuilder::fill_band_summaries(avro::Value& object, const AlertFacts& facts,
                                       Random& random) {
  // Spread the object's earlier sources over the bands with the survey's band weights; this
  // source counts in its own band.
  std::array<int, 6> counts{};
  counts[std::string_view(kBands).find(facts.band)] = 1;
  for (int i = 1; i < facts.n_dia_sources; ++i) {
    double u = random.uniform01();
    int band = 0;
    while (band < 5 && u >= kBandWeights[band]) u -= kBandWeights[band++];
    ++counts[band];
  }

  for (int b = 0; b < 6; ++b) {
    const char band = kBands[b];
    const int count = counts[b];
    set_integer(object, {band_field(band, "psfFluxNdata")}, count);
    if (count == 0) {
      // No data in this band: its statistics are undefined.
      null_fields_with_prefix(object, band_field(band, ""));
      continue;
    }

    // The mean flux is this source's flux in its own band and within half a magnitude of it
    // elsewhere. Variability spreads the fluxes, and minimum and maximum bracket the mean and
    // this source.
    const double flux = facts.photometry.flux;
    const bool own_band = band == facts.band;
    const double mean = own_band ? flux : flux * std::pow(10.0, -0.4 * random.uniform(-0.5, 0.5));
    const double sigma = count > 1 ? mean * random.uniform(0.05, 0.3) : 0.0;
    double low = mean - sigma * random.uniform(1, 2);
    double high = mean + sigma * random.uniform(1, 2);
    if (own_band) {
      low = std::min(low, flux);
      high = std::max(high, flux);
    }
    set_number(object, {band_field(band, "psfFluxMean")}, mean);
    set_number(object, {band_field(band, "psfFluxMeanErr")},
               facts.photometry.flux_err / std::sqrt(count));
    set_number(object, {band_field(band, "psfFluxSigma")}, sigma);
    set_number(object, {band_field(band, "psfFluxMin")}, low);
    set_number(object, {band_field(band, "psfFluxMax")}, high);
    set_number(object, {band_field(band, "psfFluxErrMean")}, facts.photometry.flux_err);
  }
}

void AlertBuilder::fill_solar_system_source(avro::Value& source, const AlertFacts& facts,
                                            Random& random) {
  // Identity; the field names of versions 8.0-9.x come second.
  set_integer(source, {"ssObjectId"}, facts.ss_object_id);
  set_integer(source, {"diaSourceId"}, facts.dia_source_id);
  set_string(source, {"designation"}, facts.designation);

  // Coordinates of the observed position in the other frames.
  const EclipticPosition ecliptic = to_ecliptic(facts.position);
  const GalacticPosition galactic = to_galactic(facts.position);
  set_number(source, {"eclLambda", "eclipticLambda"}, ecliptic.lambda);
  set_number(source, {"eclBeta", "eclipticBeta"}, ecliptic.beta);
  set_number(source, {"galLon", "galacticL"}, galactic.l);
  set_number(source, {"galLat", "galacticB"}, galactic.b);

  fill_solar_system_geometry(source, facts, random);

  // The ephemeris predicts the position to a fraction of an arcsec and the magnitude to a few
  // tenths. Offsets are in arcsec, the residuals of versions 8.0-9.x in degrees.
  const double offset_ra = random.normal(0, 0.2);
  const double offset_dec = random.normal(0, 0.2);
  const double cos_dec = std::max(std::cos(facts.position.dec * std::numbers::pi / 180.0), 0.01);
  const double eph_ra = facts.position.ra - offset_ra * kArcsec / cos_dec;
  set_number(source, {"ephRa"}, std::fmod(eph_ra + 360.0, 360.0));
  set_number(source, {"ephDec"},
             std::clamp(facts.position.dec - offset_dec * kArcsec, -90.0, 90.0));
  set_number(source, {"ephOffsetRa"}, offset_ra);
  set_number(source, {"ephOffsetDec"}, offset_dec);
  set_number(source, {"ephOffset"}, std::hypot(offset_ra, offset_dec));
  set_number(source, {"residualRa"}, offset_ra * kArcsec);
  set_number(source, {"residualDec"}, offset_dec * kArcsec);
  set_number(source, {"ephVmag", "predictedVMagnitude"},
             magnitude_from_flux(facts.photometry.flux) + random.uniform(-0.3, 0.3));

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
  const double ra = facts.position.ra * std::numbers::pi / 180.0;
  const double dec = facts.position.dec * std::numbers::pi / 180.0;
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
  const double epoch = std::floor(facts.midpoint_mjd_tai);
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
