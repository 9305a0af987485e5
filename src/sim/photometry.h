// Simulated photometry: source magnitudes, measured fluxes and their errors, and the band of
// each visit. Fluxes are in nJy and magnitudes are AB.
#pragma once

#include "sim/random.h"

namespace skystream::sim {

// AB magnitudes: m = -2.5 log10(flux / kAbZeroFlux), so magnitude 20 is 36,310 nJy.
inline constexpr double kAbZeroFlux = 3631e9;  // [nJy]

double flux_from_magnitude(double magnitude);
double magnitude_from_flux(double flux);

// Source magnitudes follow number counts that rise by a factor 10^kCountSlope per magnitude,
// between kBrightestMagnitude and kFaintestMagnitude. With these values about 2.4% of sources
// are brighter than magnitude 20; fraction_brighter_than() gives the exact share.
inline constexpr double kBrightestMagnitude = 17.0;
inline constexpr double kFaintestMagnitude = 24.5;
inline constexpr double kCountSlope = 0.35;

double draw_magnitude(Random& random);

// Returns the share of draw_magnitude() results below `magnitude`.
double fraction_brighter_than(double magnitude);

// Every visit reaches a 5-sigma point-source depth of kLimitingMagnitude plus a normal scatter
// of kLimitingMagnitudeScatter (seeing and sky brightness).
// NOTE: one depth serves all bands, whereas LSST's single-visit depths differ between bands.
// With per-band depths the share of faint alerts would depend on the band of the visit.
inline constexpr double kLimitingMagnitude = 24.5;
inline constexpr double kLimitingMagnitudeScatter = 0.2;

double draw_limiting_magnitude(Random& random);

// A measured point-source flux.
struct Photometry {
  double flux = 0;      // [nJy], always > 0
  double flux_err = 0;  // [nJy], > 0
  double snr = 0;       // flux / flux_err
};

// Measures a source of true flux `true_flux` [nJy] in a visit of 5-sigma depth
// `limiting_magnitude`. The error combines the sky noise at that depth with a 0.5% calibration
// floor, and the measured flux scatters around the true one by that error. A draw at or below
// 0 is replaced by the true flux, so that every simulated detection has a positive flux.
Photometry measure(double true_flux, double limiting_magnitude, Random& random);

// Returns the band of the next visit, one of "ugrizy": the previous band with probability
// kKeepBandProbability (the scheduler changes filters rarely), else a band drawn with the
// weights of kBandWeights. `previous` is 0 for the first visit.
inline constexpr double kKeepBandProbability = 0.8;
inline constexpr char kBands[] = "ugrizy";
// Share of visits per band, in the order of kBands: an estimate of the LSST baseline survey's
// split, which gives r, i, z and y about a fifth of the visits each.
inline constexpr double kBandWeights[6] = {0.06, 0.09, 0.22, 0.22, 0.20, 0.21};

char draw_band(Random& random, char previous);

}  // namespace skystream::sim
