#include "sim/photometry.h"

#include <cmath>

namespace skystream::sim {
namespace {

// Relative error that calibration adds to every flux.
constexpr double kCalibrationFloor = 0.005;

}  // namespace

double flux_from_magnitude(double magnitude) {
  return kAbZeroFlux * std::pow(10.0, -0.4 * magnitude);
}

double magnitude_from_flux(double flux) { return -2.5 * std::log10(flux / kAbZeroFlux); }

double draw_magnitude(Random& random) {
  // Inverse of the cumulative distribution of a density proportional to 10^(k m) on [m0, m1]:
  // m = log10(10^(k m0) + u (10^(k m1) - 10^(k m0))) / k.
  const double low = std::pow(10.0, kCountSlope * kBrightestMagnitude);
  const double high = std::pow(10.0, kCountSlope * kFaintestMagnitude);
  return std::log10(low + random.uniform01() * (high - low)) / kCountSlope;
}

double fraction_brighter_than(double magnitude) {
  if (magnitude <= kBrightestMagnitude) return 0;
  if (magnitude >= kFaintestMagnitude) return 1;
  const double low = std::pow(10.0, kCountSlope * kBrightestMagnitude);
  const double high = std::pow(10.0, kCountSlope * kFaintestMagnitude);
  return (std::pow(10.0, kCountSlope * magnitude) - low) / (high - low);
}

double draw_limiting_magnitude(Random& random) {
  return random.normal(kLimitingMagnitude, kLimitingMagnitudeScatter);
}

Photometry measure(double true_flux, double limiting_magnitude, Random& random) {
  const double sky_noise = flux_from_magnitude(limiting_magnitude) / 5.0;
  const double flux_err = std::hypot(sky_noise, kCalibrationFloor * true_flux);
  double flux = true_flux + flux_err * random.normal();
  if (flux <= 0) flux = true_flux;
  return {flux, flux_err, flux / flux_err};
}

char draw_band(Random& random, char previous) {
  if (previous != 0 && random.bernoulli(kKeepBandProbability)) return previous;

  double u = random.uniform01();
  for (int i = 0; i < 5; ++i) {
    if (u < kBandWeights[i]) return kBands[i];
    u -= kBandWeights[i];
  }
  return kBands[5];
}

}  // namespace skystream::sim
