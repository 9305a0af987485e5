// The parts of an alert beyond its detection and object: the history arrays and the cutouts.
//
// What each alert carries follows Rubin's alert production (packageAlerts.py of
// lsst.ap.association). An alert on a diaObject seen before carries its earlier diaSources and
// forced photometry. A first detection carries prvDiaSources null and an empty
// prvDiaForcedSources, and a solar-system alert carries no history. Schemas before 8.0 also have
// prvDiaNondetectionLimits, which Rubin leaves null; the simulator fills it with the visits
// that did not detect the object, beside the forced photometry of the same visits.

#include <cmath>
#include <numbers>
#include <vector>

#include "sim/alert_builder.h"

namespace skystream::sim {
namespace {

using avro::Type;
using avro::Value;

// Astrometric error of a detection [arcsec]: about the seeing over the signal-to-noise ratio,
// which is at least the 5-sigma detection threshold, and never below the calibration's floor.
constexpr double kSeeingArcsec = 0.7;
constexpr double kDetectionThreshold = 5;
constexpr double kMinAstrometricErrorArcsec = 0.01;

// Pixel noise of the science and template images relative to the difference image's. The
// template is a coadd, so its noise is lower; the two add in quadrature to the difference's.
constexpr double kScienceNoise = 0.9;
constexpr double kTemplateNoise = 0.45;

Value& select_array(Value& field) {
  return field.type() == Type::kUnion ? field.select_type(Type::kArray) : field;
}

// Returns the earlier visits within `days` of the alert that `keep` accepts, at most
// `max_entries` of them, the most recent ones.
template <typename Keep>
std::vector<const PastVisit*> recent_visits(const AlertFacts& facts, double days, int max_entries,
                                            Keep keep) {
  std::vector<const PastVisit*> chosen;
  for (const PastVisit& visit : facts.object.visits) {
    if (facts.source.midpoint_mjd_tai - visit.midpoint_mjd_tai > days) continue;
    if (keep(visit)) chosen.push_back(&visit);
  }
  if (chosen.size() > static_cast<std::size_t>(max_entries)) {
    chosen.erase(chosen.begin(), chosen.end() - max_entries);
  }
  return chosen;
}

// The detection of an earlier visit, at a position scattered around the object's.
SourceFacts past_source(const PastVisit& visit, const AlertFacts& facts, Random& random) {
  SourceFacts source;
  source.dia_source_id = visit.source_id;
  source.visit = visit.visit;
  source.detector = visit.detector;
  source.x = visit.x;
  source.y = visit.y;
  source.midpoint_mjd_tai = visit.midpoint_mjd_tai;
  source.processed_mjd_tai = visit.processed_mjd_tai;
  source.band = visit.band;
  source.photometry = visit.detection;
  source.template_flux = visit.template_flux;

  const double error =
      std::max(kMinAstrometricErrorArcsec,
               kSeeingArcsec / std::max(visit.detection.snr, kDetectionThreshold)) /
      3600.0;
  const double dec = facts.object_position.dec;
  const double cos_dec = std::max(std::cos(dec * std::numbers::pi / 180.0), 0.01);
  const double ra = facts.object_position.ra + random.normal(0, error) / cos_dec;
  source.position.ra = std::fmod(ra + 360.0, 360.0);
  source.position.dec = std::clamp(dec + random.normal(0, error), -90.0, 90.0);
  return source;
}

// The context of generic values for the forced photometry of a visit.
FillContext forced_context(const PastVisit& visit, const AlertFacts& facts) {
  FillContext context;
  context.position = facts.object_position;
  context.midpoint_mjd_tai = visit.midpoint_mjd_tai;
  context.processed_mjd_tai = visit.processed_mjd_tai;
  context.flux = std::abs(visit.forced_flux);
  context.flux_err = visit.forced_flux_err;
  context.band = visit.band;
  return context;
}

}  // namespace

bool AlertBuilder::fill_history(avro::Value& field, std::string_view name, const AlertFacts& facts,
                                Random& random) {
  const bool sources = name == "prvDiaSources";
  const bool forced = name == "prvDiaForcedSources";
  const bool limits = name == "prvDiaNondetectionLimits";
  if (!sources && !forced && !limits) return false;

  // Null without history, and for solar-system alerts, which have no diaObject.
  if (options_.history_days <= 0 || facts.solar_system) return true;
  // A first detection has no earlier sources: Rubin sends prvDiaSources null and an empty
  // prvDiaForcedSources.
  if (facts.object.n_dia_sources <= 1 && !forced) return true;

  Value& array = select_array(field);
  if (sources) fill_past_sources(array, facts, random);
  if (forced) fill_forced_sources(array, facts, random);
  if (limits) fill_nondetection_limits(array, facts, random);
  return true;
}

void AlertBuilder::fill_past_sources(avro::Value& array, const AlertFacts& facts, Random& random) {
  const auto visits = recent_visits(facts, options_.history_days, options_.max_history,
                                    [](const PastVisit& visit) { return visit.detected; });
  array.children.reserve(visits.size());
  for (const PastVisit* visit : visits) {
    const SourceFacts source = past_source(*visit, facts, random);
    Value& record = array.children.emplace_back(Value::zero(*array.node->items));
    filler_.fill(record, fill_context(source), random);
    fill_dia_source(record, source, facts, random);
  }
}

void AlertBuilder::fill_forced_sources(avro::Value& array, const AlertFacts& facts,
                                       Random& random) {
  const auto visits = recent_visits(facts, options_.history_days, options_.max_history,
                                    [](const PastVisit&) { return true; });
  array.children.reserve(visits.size());
  for (const PastVisit* visit : visits) {
    Value& record = array.children.emplace_back(Value::zero(*array.node->items));
    filler_.fill(record, forced_context(*visit, facts), random);

    // Identity; versions before 7.0 name the CCD of a visit by ccdVisitId.
    set_integer(record, {"diaForcedSourceId"}, visit->source_id);
    set_integer(record, {"diaObjectId"}, facts.object.dia_object_id);
    set_integer(record, {"visit"}, visit->visit);
    set_integer(record, {"detector"}, visit->detector);
    set_integer(record, {"ccdVisitId"}, visit->visit * 1000 + visit->detector);
    set_integer(record, {"flags"}, 0);

    // Forced photometry at the object's position, in the difference and science images.
    set_number(record, {"ra"}, facts.object_position.ra);
    set_number(record, {"dec", "decl"}, facts.object_position.dec);
    set_number(record, {"x"}, visit->x);
    set_number(record, {"y"}, visit->y);
    set_number(record, {"midpointMjdTai", "midPointTai"}, visit->midpoint_mjd_tai);
    set_number(record, {"timeProcessedMjdTai"}, visit->processed_mjd_tai);
    set_string(record, {"band", "filterName"}, std::string_view(&visit->band, 1));
    set_number(record, {"psfFlux", "psFlux"}, visit->forced_flux);
    set_number(record, {"psfFluxErr", "psFluxErr"}, visit->forced_flux_err);
    set_number(record, {"scienceFlux", "totFlux"}, visit->template_flux + visit->forced_flux);
    set_number(record, {"scienceFluxErr", "totFluxErr"}, visit->forced_flux_err);
  }
}

void AlertBuilder::fill_nondetection_limits(avro::Value& array, const AlertFacts& facts,
                                            Random& random) {
  const auto visits = recent_visits(facts, options_.history_days, options_.max_history,
                                    [](const PastVisit& visit) { return !visit.detected; });
  array.children.reserve(visits.size());
  for (const PastVisit* visit : visits) {
    Value& record = array.children.emplace_back(Value::zero(*array.node->items));
    filler_.fill(record, forced_context(*visit, facts), random);
    set_integer(record, {"ccdVisitId"}, visit->visit * 1000 + visit->detector);
    set_number(record, {"midpointMjdTai", "midPointTai"}, visit->midpoint_mjd_tai);
    set_string(record, {"band", "filterName"}, std::string_view(&visit->band, 1));
    // The 1-sigma noise of the difference image at the object's position [nJy].
    set_number(record, {"diaNoise"}, visit->forced_flux_err);
  }
}

bool AlertBuilder::fill_cutout(avro::Value& field, std::string_view name, const AlertFacts& facts,
                               Random& random) {
  const bool difference = name == "cutoutDifference";
  const bool science = name == "cutoutScience";
  const bool templ = name == "cutoutTemplate";
  if (!difference && !science && !templ) return false;
  if (!cutouts_) return true;

  // The difference image contains the difference flux. The science image adds the template's
  // static flux, which the template contains alone.
  const SourceFacts& source = facts.source;
  const double noise = pixel_noise_for_flux_error(source.photometry.flux_err);
  CutoutSpec spec;
  spec.center = source.position;
  spec.rotation = facts.rotation;
  if (difference) {
    spec.flux = source.photometry.flux;
    spec.pixel_noise = noise;
  } else if (science) {
    spec.flux = source.template_flux + source.photometry.flux;
    spec.pixel_noise = kScienceNoise * noise;
  } else {
    spec.flux = source.template_flux;
    spec.pixel_noise = kTemplateNoise * noise;
  }

  Value& bytes = field.type() == Type::kUnion ? field.select_type(Type::kBytes) : field;
  cutouts_->make(spec, random, bytes.bytes);
  return true;
}

}  // namespace skystream::sim
