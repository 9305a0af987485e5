#include "sim/sky.h"

#include <algorithm>
#include <cmath>
#include <numbers>

namespace skystream::sim {
namespace {

constexpr double kRadiansPerDegree = std::numbers::pi / 180.0;
constexpr double kDegreesPerRadian = 180.0 / std::numbers::pi;

// Obliquity of the ecliptic at J2000 (IAU 2006 value, 84381.406 arcsec) [deg].
constexpr double kObliquity = 84381.406 / 3600.0;

// The north galactic pole in J2000 equatorial coordinates and the galactic longitude of the
// north celestial pole [deg]. Accurate to about 0.1 arcsec, well within what the simulation
// needs.
constexpr double kGalacticPoleRa = 192.859508;
constexpr double kGalacticPoleDec = 27.128336;
constexpr double kGalacticLongitudeOfCelestialPole = 122.932;

double wrap_degrees(double angle) {
  double wrapped = std::fmod(angle, 360.0);
  if (wrapped < 0) wrapped += 360.0;
  // fmod of a tiny negative angle plus 360 can round to exactly 360.
  return wrapped >= 360.0 ? 0.0 : wrapped;
}

// The CCD grid cell (column, row), each in 0-14, of a detector.
struct GridCell {
  int column = 0;
  int row = 0;
};

GridCell detector_cell(int detector) {
  // Rafts fill the 5 x 5 grid row by row, skipping the corners; 3 rafts in the bottom and top
  // rows, 5 in the three middle rows.
  static constexpr int kRaftColumn[21] = {1, 2, 3, 0, 1, 2, 3, 4, 0, 1, 2,
                                          3, 4, 0, 1, 2, 3, 4, 1, 2, 3};
  static constexpr int kRaftRow[21] = {0, 0, 0, 1, 1, 1, 1, 1, 2, 2, 2,
                                       2, 2, 3, 3, 3, 3, 3, 4, 4, 4};
  const int raft = detector / 9;
  const int sensor = detector % 9;
  return {kRaftColumn[raft] * 3 + sensor % 3, kRaftRow[raft] * 3 + sensor / 3};
}

// Inverse gnomonic projection: the sky position at tangent-plane offset (xi, eta) [rad] from
// `center`, xi towards east and eta towards north.
SkyPosition deproject(const SkyPosition& center, double xi, double eta) {
  const double rho = std::hypot(xi, eta);
  if (rho == 0) return center;

  const double c = std::atan(rho);
  const double ra0 = center.ra * kRadiansPerDegree;
  const double dec0 = center.dec * kRadiansPerDegree;
  const double sin_dec = std::cos(c) * std::sin(dec0) + eta * std::sin(c) * std::cos(dec0) / rho;
  const double dra = std::atan2(
      xi * std::sin(c), rho * std::cos(dec0) * std::cos(c) - eta * std::sin(dec0) * std::sin(c));
  return {wrap_degrees((ra0 + dra) * kDegreesPerRadian),
          std::asin(std::clamp(sin_dec, -1.0, 1.0)) * kDegreesPerRadian};
}

}  // namespace

Pointing random_pointing(Random& random) {
  // Uniform on the sphere: ra uniform, sin(dec) uniform.
  const double max_dec = (kMaxDeclination - kFieldRadiusDegrees) * kRadiansPerDegree;
  const double sin_dec = random.uniform(-1.0, std::sin(max_dec));
  Pointing pointing;
  pointing.boresight.ra = random.uniform(0.0, 360.0);
  pointing.boresight.dec = std::asin(sin_dec) * kDegreesPerRadian;
  pointing.rotation = random.uniform(0.0, 360.0);
  return pointing;
}

SkyPosition pixel_to_sky(const Pointing& pointing, int detector, double x, double y) {
  // Focal-plane offset of the pixel from the boresight, in pixels: the CCD grid is 15 cells
  // wide with the boresight at the centre of cell (7, 7).
  const GridCell cell = detector_cell(detector);
  const double fx = (cell.column - 7) * kCcdPitchPixels + (x - kCcdWidthPixels / 2);
  const double fy = (cell.row - 7) * kCcdPitchPixels + (y - kCcdHeightPixels / 2);

  // Rotate the focal plane onto the sky (y axis at `rotation` from north through east) and
  // scale to radians.
  const double scale = kPixelScaleArcsec / 3600.0 * kRadiansPerDegree;
  const double theta = pointing.rotation * kRadiansPerDegree;
  const double north = (fy * std::cos(theta) - fx * std::sin(theta)) * scale;
  const double east = (fy * std::sin(theta) + fx * std::cos(theta)) * scale;
  return deproject(pointing.boresight, east, north);
}

double separation(const SkyPosition& a, const SkyPosition& b) {
  // Haversine formula, accurate for small separations.
  const double dec_a = a.dec * kRadiansPerDegree;
  const double dec_b = b.dec * kRadiansPerDegree;
  const double half_ddec = (dec_b - dec_a) / 2;
  const double half_dra = (b.ra - a.ra) * kRadiansPerDegree / 2;
  const double h = std::pow(std::sin(half_ddec), 2) +
                   std::cos(dec_a) * std::cos(dec_b) * std::pow(std::sin(half_dra), 2);
  return 2 * std::asin(std::min(1.0, std::sqrt(h))) * kDegreesPerRadian;
}

EclipticPosition to_ecliptic(const SkyPosition& position) {
  const double ra = position.ra * kRadiansPerDegree;
  const double dec = position.dec * kRadiansPerDegree;
  const double eps = kObliquity * kRadiansPerDegree;
  const double sin_beta =
      std::sin(dec) * std::cos(eps) - std::cos(dec) * std::sin(eps) * std::sin(ra);
  const double lambda =
      std::atan2(std::sin(ra) * std::cos(eps) * std::cos(dec) + std::sin(eps) * std::sin(dec),
                 std::cos(dec) * std::cos(ra));
  return {wrap_degrees(lambda * kDegreesPerRadian),
          std::asin(std::clamp(sin_beta, -1.0, 1.0)) * kDegreesPerRadian};
}

GalacticPosition to_galactic(const SkyPosition& position) {
  const double ra = position.ra * kRadiansPerDegree;
  const double dec = position.dec * kRadiansPerDegree;
  const double pole_ra = kGalacticPoleRa * kRadiansPerDegree;
  const double pole_dec = kGalacticPoleDec * kRadiansPerDegree;
  const double dra = ra - pole_ra;
  const double sin_b =
      std::sin(dec) * std::sin(pole_dec) + std::cos(dec) * std::cos(pole_dec) * std::cos(dra);
  const double y = std::cos(dec) * std::sin(dra);
  const double x =
      std::sin(dec) * std::cos(pole_dec) - std::cos(dec) * std::sin(pole_dec) * std::cos(dra);
  return {wrap_degrees(kGalacticLongitudeOfCelestialPole - std::atan2(y, x) * kDegreesPerRadian),
          std::asin(std::clamp(sin_b, -1.0, 1.0)) * kDegreesPerRadian};
}

}  // namespace skystream::sim
