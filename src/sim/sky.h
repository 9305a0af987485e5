// Sky geometry for the night simulator: telescope pointings, the LSSTCam focal plane, and
// conversions from equatorial to ecliptic and galactic coordinates. Angles are in degrees.
#pragma once

#include "sim/random.h"

namespace skystream::sim {

// A position on the sky, ICRS: ra in [0, 360), dec in [-90, +90] [deg].
struct SkyPosition {
  double ra = 0;
  double dec = 0;
};

// Ecliptic coordinates of J2000: lambda in [0, 360), beta in [-90, +90] [deg].
struct EclipticPosition {
  double lambda = 0;
  double beta = 0;
};

// Galactic coordinates: l in [0, 360), b in [-90, +90] [deg].
struct GalacticPosition {
  double l = 0;
  double b = 0;
};

// Where the telescope points during one visit.
struct Pointing {
  SkyPosition boresight;
  double rotation = 0;  // angle from north to the focal plane's y axis, through east [deg]
};

// The LSSTCam science focal plane: 21 rafts of 3 x 3 CCDs on a 5 x 5 grid without its four
// corner rafts, so 189 detectors, numbered 0-188 raft by raft (rows of rafts from the bottom)
// and within a raft row by row.
// NOTE: the geometry is approximate: one CCD size for both sensor vendors, CCD centres
// kCcdPitchPixels apart on a regular grid, and no optical distortion. It keeps a source's
// detector, pixel and sky position consistent with one another.
inline constexpr int kDetectorCount = 189;
inline constexpr double kCcdWidthPixels = 4072;   // x extent of a CCD [pixel]
inline constexpr double kCcdHeightPixels = 4000;  // y extent of a CCD [pixel]
inline constexpr double kCcdPitchPixels = 4233;   // distance between CCD centres [pixel]
inline constexpr double kPixelScaleArcsec = 0.2;  // [arcsec/pixel]
// An upper bound on the distance from the boresight to the farthest CCD corner [deg].
inline constexpr double kFieldRadiusDegrees = 2.1;

// The northernmost declination of simulated sources [deg].
inline constexpr double kMaxDeclination = 30.0;

// Draws a boresight uniformly on the sphere between dec -90 and kMaxDeclination less
// kFieldRadiusDegrees, so that every source of the visit lies at or south of kMaxDeclination,
// and a rotation uniform in [0, 360).
Pointing random_pointing(Random& random);

// Returns the sky position of pixel (x, y) of `detector` (0-188) during a visit at `pointing`.
// x and y may lie anywhere on the CCD: [0, kCcdWidthPixels) and [0, kCcdHeightPixels).
SkyPosition pixel_to_sky(const Pointing& pointing, int detector, double x, double y);

// Returns the angular distance between two positions [deg].
double separation(const SkyPosition& a, const SkyPosition& b);

EclipticPosition to_ecliptic(const SkyPosition& position);
GalacticPosition to_galactic(const SkyPosition& position);

}  // namespace skystream::sim
