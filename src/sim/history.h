// The past of a simulated diaObject: the earlier visits of its position, with its earlier
// detections among them, and the per-band summary that Rubin's diaObject record gives.
//
// An object seen before was first detected 1 to kMaxObjectAgeNights nights before the night
// being simulated. After that night, the survey returned to its position on some nights, at
// most once a night. On some of those visits the object was detected again (a diaSource), and
// on every one of them the pipeline measured forced photometry at the object's position (a
// diaForcedSource, a detection or not). The history therefore holds only earlier nights, so
// that its ids never meet the ids of the night's alerts.
#pragma once

#include <array>
#include <cstdint>
#include <vector>

#include "sim/photometry.h"
#include "sim/random.h"
#include "sim/sky.h"

namespace skystream::sim {

// The oldest first detection of a diaObject, in nights before the simulated night. One night
// less than a year, so that a history of 365 days contains all of the object's past.
// NOTE: nights count back from the night's first visit. In a run longer than 0.8 days
// the oldest visits of later alerts can fall outside a 365-day window, and nDiaSources then
// counts detections that prvDiaSources leaves out.
inline constexpr int kMaxObjectAgeNights = 364;

// Mean number of earlier detections of an object seen before. The draw is geometric and
// capped at the object's age in nights.
inline constexpr double kMeanEarlierSources = 20;

// Chance that the survey visited the object's position on a night without detecting it.
inline constexpr double kVisitNightProbability = 0.15;

// One earlier visit of the object's position, on an earlier night.
struct PastVisit {
  std::int64_t visit = 0;  // visit id, YYYYMMDD * 100000 + sequence
  int detector = 0;
  double x = 0;  // [pixel]
  double y = 0;  // [pixel]
  double midpoint_mjd_tai = 0;
  double processed_mjd_tai = 0;
  char band = 'r';
  bool detected = false;

  // The diaSourceId of the detection, and for every visit the diaForcedSourceId. Both use the
  // diaSourceId form of the visit (visit * 1000000 + index).
  std::int64_t source_id = 0;
  Photometry detection;        // measured difference flux of the detection, when detected
  double forced_flux = 0;      // difference flux measured at the object's position [nJy]
  double forced_flux_err = 0;  // [nJy]
  double template_flux = 0;    // flux of the static part in this band [nJy]
};

// Per-band statistics of an object's detections (psfFlux) and forced photometry (fpFlux,
// scienceFlux), this alert's detection included. Counts of 0 leave the statistics undefined.
struct BandSummary {
  int detections = 0;
  double flux_mean = 0;
  double flux_mean_err = 0;
  double flux_sigma = 0;
  double flux_min = 0;
  double flux_max = 0;
  double flux_err_mean = 0;
  int forced = 0;
  double forced_flux_mean = 0;
  double forced_flux_mean_err = 0;
  double science_flux_mean = 0;
  double science_flux_mean_err = 0;
};

// The past of one diaObject, as drawn for one alert.
struct ObjectHistory {
  std::int64_t dia_object_id = 0;
  double first_dia_source_mjd_tai = 0;
  int n_dia_sources = 1;               // this alert's detection included
  std::vector<PastVisit> visits;       // in time order, oldest first; empty for a new object
  std::array<BandSummary, 6> summary;  // in the order of kBands
};

// This alert's facts that the history follows.
struct HistoryRequest {
  double night_start_mjd_tai = 0;  // mid-exposure time of the night's first visit
  int sequence = 0;                // the alert's visit sequence, 1-99999
  int index = 0;                   // the alert's index in its visit, 0-999999
  std::int64_t dia_source_id = 0;  // the alert's own diaSourceId
  double midpoint_mjd_tai = 0;     // the alert's mid-exposure time
  char band = 'r';
  Photometry photometry;      // the alert's own detection
  double template_ratio = 0;  // template flux over mean difference flux, the same in every band
  bool new_object = false;    // a first detection: no past
};

// Draws the past of the object of one alert. A new object gets id `dia_source_id` and an
// empty past. Any other object gets the id of its first detection, the diaSourceId
// dia_source_id(visit_id(night, sequence), index) of that earlier night, so that ids stay
// unique within the simulated night when each alert has its own sequence and index.
ObjectHistory draw_object_history(const HistoryRequest& request, Random& random);

}  // namespace skystream::sim
