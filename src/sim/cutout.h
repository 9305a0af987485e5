// Simulated image cutouts: small square FITS images centred on a source, as Rubin alerts carry
// in cutoutDifference, cutoutScience and cutoutTemplate.
//
// Each cutout is one FITS primary HDU (FITS Standard 4.0):
//
//   header  36 cards of 80 ASCII characters per 2880-byte block: SIMPLE, BITPIX = -32,
//           NAXIS = 2, NAXIS1, NAXIS2, then a gnomonic WCS (CTYPE RA---TAN and DEC--TAN,
//           CRPIX at the image centre, CRVAL the source's ra and dec, a CD matrix of
//           kPixelScaleArcsec pixels turned by the visit's rotation), BUNIT 'nJy', END, and
//           spaces up to the block's end
//   data    NAXIS1 * NAXIS2 IEEE 754 float32 values in big-endian byte order, row after row
//           from the bottom (FITS pixel y = 1), zeros up to a multiple of 2880 bytes
//
// The pixels are sky noise plus a Gaussian point-spread function holding the source's flux.
// Values are calibrated fluxes per pixel [nJy], like the cutouts of Rubin's pipeline.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "sim/random.h"
#include "sim/sky.h"

namespace skystream::sim {

// Sizes of a FITS block and of a header card [bytes].
inline constexpr int kFitsBlockBytes = 2880;
inline constexpr int kFitsCardBytes = 80;

// The smallest and largest cutout side that the simulator writes [pixel].
inline constexpr int kMinCutoutSize = 8;
inline constexpr int kMaxCutoutSize = 256;

// Standard deviation of the Gaussian PSF [pixel]: 0.7 arcsec seeing (FWHM) on 0.2 arcsec
// pixels.
inline constexpr double kPsfSigmaPixels = 0.7 / 2.3548 / kPixelScaleArcsec;

// One cutout to draw.
struct CutoutSpec {
  SkyPosition center;      // the source's position, at the centre of the image
  double rotation = 0;     // angle from north to the image's y axis, through east [deg]
  double flux = 0;         // total flux of the point source [nJy]; may be 0
  double pixel_noise = 0;  // standard deviation of the noise of one pixel [nJy]
};

// Returns the size of a cutout of `size` x `size` pixels in bytes: the header block and the
// padded data.
std::size_t cutout_bytes(int size);

// Returns the noise of one pixel [nJy] of an image in which a point source's PSF flux has the
// uncertainty `flux_err` [nJy]: a Gaussian PSF spreads the flux over an effective area of
// 4 pi sigma^2 pixels.
double pixel_noise_for_flux_error(double flux_err);

// Draws cutouts of one size. Noise comes from a tile of unit normal numbers drawn once from
// `seed`, read at a random offset for each cutout, so that a cutout costs a copy and a few
// hundred exponentials rather than one normal draw per pixel. Not thread-safe.
class CutoutMaker {
 public:
  // Requires kMinCutoutSize <= size <= kMaxCutoutSize.
  CutoutMaker(int size, std::uint64_t seed);

  int size() const { return size_; }

  // Writes the FITS file of one cutout into `out`, replacing its contents; draws the noise
  // offset from `random`.
  void make(const CutoutSpec& spec, Random& random, std::string& out) const;

 private:
  void write_header(const CutoutSpec& spec, std::string& out) const;
  void write_pixels(const CutoutSpec& spec, Random& random, std::string& out) const;

  int size_;
  int tile_size_;
  std::vector<float> noise_tile_;  // tile_size_ * tile_size_ unit normal numbers
};

}  // namespace skystream::sim
