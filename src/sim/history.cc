#include "sim/history.h"

#include <algorithm>
#include <cmath>
#include <string_view>

#include "sim/ids.h"

namespace skystream::sim {
namespace {

constexpr double kSecondsPerDay = 86400;

// Time from the end of a visit to the diaSources it yields [s], as for the night's visits.
constexpr double kMinProcessingSeconds = 30;
constexpr double kMaxProcessingSeconds = 90;

// Earlier visits lie within this many days of the night start's time of night, and never
// cross the noon (UTC) that separates two observing nights.
constexpr double kMaxTimeOfNightShift = 0.2;
constexpr double kNightEdgeMargin = 1e-6;

int band_index(char band) { return static_cast<int>(std::string_view(kBands).find(band)); }

// The range of shifts from the night start's time of night that keep a time on the same
// observing night (day_obs() is the UTC date 12 hours earlier).
struct ShiftRange {
  double low = 0;
  double high = 0;
};

ShiftRange time_of_night_shifts(double night_start_mjd_tai) {
  const double day = night_start_mjd_tai - 0.5;
  const double fraction = day - std::floor(day);
  return {std::max(-fraction + kNightEdgeMargin, -kMaxTimeOfNightShift),
          std::min(1 - fraction - kNightEdgeMargin, kMaxTimeOfNightShift)};
}

// Draws an earlier visit `nights` nights before the simulated night, in a band drawn with the
// survey's band weights, at an unrelated pointing.
PastVisit draw_visit(const HistoryRequest& request, int nights, const ShiftRange& shifts,
                     Random& random) {
  PastVisit visit;
  visit.midpoint_mjd_tai =
      request.night_start_mjd_tai - nights + random.uniform(shifts.low, shifts.high);
  visit.processed_mjd_tai =
      visit.midpoint_mjd_tai +
      random.uniform(kMinProcessingSeconds, kMaxProcessingSeconds) / kSecondsPerDay;
  visit.visit = visit_id(day_obs(visit.midpoint_mjd_tai), request.sequence);
  visit.source_id = dia_source_id(visit.visit, request.index);
  visit.band = draw_band(random, 0);
  visit.detector = static_cast<int>(random.uniform_int(0, kDetectorCount - 1));
  visit.x = random.uniform(0, kCcdWidthPixels);
  visit.y = random.uniform(0, kCcdHeightPixels);
  return visit;
}

// Measures the visit: a detection of the object's flux in that band, or forced photometry of
// noise alone.
void measure_visit(PastVisit& visit, bool detected, double mean_flux, double variability,
                   double template_ratio, Random& random) {
  const double limiting_magnitude = draw_limiting_magnitude(random);
  visit.detected = detected;
  visit.template_flux = template_ratio * mean_flux;
  if (!detected) {
    visit.forced_flux_err = flux_from_magnitude(limiting_magnitude) / 5.0;
    visit.forced_flux = visit.forced_flux_err * random.normal();
    return;
  }
  const double true_flux = mean_flux * std::max(0.05, 1 + variability * random.normal());
  visit.detection = measure(true_flux, limiting_magnitude, random);
  visit.forced_flux_err = visit.detection.flux_err;
  visit.forced_flux = true_flux + visit.forced_flux_err * random.normal();
}

// Accumulates the statistics of one band.
struct BandSums {
  int detections = 0;
  double flux = 0;
  double flux_squared = 0;
  double variance = 0;
  double err = 0;
  double min = 0;
  double max = 0;
  int forced = 0;
  double forced_flux = 0;
  double forced_variance = 0;
  double science_flux = 0;

  void add_detection(const Photometry& detection) {
    min = detections == 0 ? detection.flux : std::min(min, detection.flux);
    max = detections == 0 ? detection.flux : std::max(max, detection.flux);
    ++detections;
    flux += detection.flux;
    flux_squared += detection.flux * detection.flux;
    variance += detection.flux_err * detection.flux_err;
    err += detection.flux_err;
  }

  void add_forced(const PastVisit& visit) {
    ++forced;
    forced_flux += visit.forced_flux;
    forced_variance += visit.forced_flux_err * visit.forced_flux_err;
    science_flux += visit.template_flux + visit.forced_flux;
  }

  BandSummary summary() const {
    BandSummary out;
    out.detections = detections;
    if (detections > 0) {
      const double n = detections;
      out.flux_mean = flux / n;
      out.flux_mean_err = std::sqrt(variance) / n;
      out.flux_sigma = detections > 1
                           ? std::sqrt(std::max(
                                 0.0, (flux_squared - n * out.flux_mean * out.flux_mean) / (n - 1)))
                           : 0.0;
      out.flux_min = min;
      out.flux_max = max;
      out.flux_err_mean = err / n;
    }
    out.forced = forced;
    if (forced > 0) {
      out.forced_flux_mean = forced_flux / forced;
      out.forced_flux_mean_err = std::sqrt(forced_variance) / forced;
      out.science_flux_mean = science_flux / forced;
      out.science_flux_mean_err = out.forced_flux_mean_err;
    }
    return out;
  }
};

std::array<BandSummary, 6> summarize(const ObjectHistory& history, const HistoryRequest& request) {
  std::array<BandSums, 6> sums{};
  for (const PastVisit& visit : history.visits) {
    BandSums& band = sums[band_index(visit.band)];
    if (visit.detected) band.add_detection(visit.detection);
    band.add_forced(visit);
  }
  sums[band_index(request.band)].add_detection(request.photometry);

  std::array<BandSummary, 6> summary;
  for (int b = 0; b < 6; ++b) summary[b] = sums[b].summary();
  return summary;
}

}  // namespace

ObjectHistory draw_object_history(const HistoryRequest& request, Random& random) {
  ObjectHistory history;
  if (request.new_object) {
    history.dia_object_id = request.dia_source_id;
    history.first_dia_source_mjd_tai = request.midpoint_mjd_tai;
    history.summary = summarize(history, request);
    return history;
  }

  // Age in nights and the number of earlier detections, at most one a night.
  const int age = static_cast<int>(random.uniform_int(1, kMaxObjectAgeNights));
  const std::int64_t drawn = 1 + random.geometric(1.0 / kMeanEarlierSources);
  const int earlier = static_cast<int>(std::min<std::int64_t>(drawn, age));

  // The object's mean flux in each band: this detection's flux in its own band, within half a
  // magnitude of it elsewhere. Its flux varies by a few tens of percent from visit to visit.
  std::array<double, 6> mean_flux{};
  for (int b = 0; b < 6; ++b) {
    mean_flux[b] = kBands[b] == request.band
                       ? request.photometry.flux
                       : request.photometry.flux * std::pow(10.0, -0.4 * random.uniform(-0.5, 0.5));
  }
  const double variability = random.uniform(0.05, 0.3);

  // Walk the nights from the first detection to the night before: choose the remaining
  // detections by selection sampling, so that each set of nights is equally likely, and visits
  // without a detection at random.
  const ShiftRange shifts = time_of_night_shifts(request.night_start_mjd_tai);
  int to_choose = earlier - 1;
  for (int nights = age; nights >= 1; --nights) {
    bool detected = nights == age;
    if (!detected && to_choose > 0) detected = random.uniform01() * nights < to_choose;
    if (detected && nights != age) --to_choose;
    if (!detected && !random.bernoulli(kVisitNightProbability)) continue;

    PastVisit visit = draw_visit(request, nights, shifts, random);
    measure_visit(visit, detected, mean_flux[band_index(visit.band)], variability,
                  request.template_ratio, random);
    history.visits.push_back(visit);
  }

  history.dia_object_id = history.visits.front().source_id;
  history.first_dia_source_mjd_tai = history.visits.front().midpoint_mjd_tai;
  history.n_dia_sources = earlier + 1;
  history.summary = summarize(history, request);
  return history;
}

}  // namespace skystream::sim
