#include "sim/cutout.h"

#include <fmt/format.h>

#include <algorithm>
#include <bit>
#include <cmath>
#include <cstring>
#include <numbers>
#include <string_view>

namespace skystream::sim {
namespace {

// Side of the noise tile [pixel]: twice the largest cutout, so that offsets vary widely.
constexpr int kNoiseTileSize = 2 * kMaxCutoutSize;

// The PSF is drawn out to this many standard deviations from the centre; beyond it the
// profile is below 1e-5 of its peak.
constexpr double kPsfRadiusSigmas = 5;

void append_card(std::string& out, std::string_view card) {
  out.append(card.substr(0, kFitsCardBytes));
  out.append(kFitsCardBytes - std::min<std::size_t>(card.size(), kFitsCardBytes), ' ');
}

void append_logical(std::string& out, std::string_view key, bool value) {
  append_card(out, fmt::format("{:<8}= {:>20}", key, value ? "T" : "F"));
}

void append_integer(std::string& out, std::string_view key, long long value) {
  append_card(out, fmt::format("{:<8}= {:>20}", key, value));
}

// A real value in fixed format: right-aligned in columns 11-30, always with a decimal point
// or an exponent so that readers take it for a real, and with 15 significant digits.
void append_real(std::string& out, std::string_view key, double value) {
  std::string text = fmt::format("{:.15G}", value);
  if (text.find_first_of(".E") == std::string::npos) text += ".0";
  append_card(out, fmt::format("{:<8}= {:>20}", key, text));
}

// A string value: quoted, starting in column 11, padded inside the quotes to 8 characters.
void append_string(std::string& out, std::string_view key, std::string_view value) {
  append_card(out, fmt::format("{:<8}= '{:<8}'", key, value));
}

}  // namespace

std::size_t cutout_bytes(int size) {
  const std::size_t data = std::size_t{4} * size * size;
  const std::size_t blocks = (data + kFitsBlockBytes - 1) / kFitsBlockBytes;
  return kFitsBlockBytes * (1 + blocks);
}

double pixel_noise_for_flux_error(double flux_err) {
  return flux_err / (2 * std::sqrt(std::numbers::pi) * kPsfSigmaPixels);
}

CutoutMaker::CutoutMaker(int size, std::uint64_t seed) : size_(size), tile_size_(kNoiseTileSize) {
  Random random(mix64(seed ^ 0x637574'6f7574ULL));  // "cutout"
  noise_tile_.resize(std::size_t{1} * tile_size_ * tile_size_);
  for (float& value : noise_tile_) value = static_cast<float>(random.normal());
}

void CutoutMaker::make(const CutoutSpec& spec, Random& random, std::string& out) const {
  out.clear();
  out.reserve(cutout_bytes(size_));
  write_header(spec, out);
  write_pixels(spec, random, out);
}

void CutoutMaker::write_header(const CutoutSpec& spec, std::string& out) const {
  // The reference pixel is the image centre in FITS pixel coordinates, which count from 1 at
  // the centre of the first pixel.
  const double center = (size_ + 1) / 2.0;
  const double scale = kPixelScaleArcsec / 3600.0;
  const double angle = spec.rotation * std::numbers::pi / 180.0;
  const double c = std::cos(angle);
  const double s = std::sin(angle);

  append_logical(out, "SIMPLE", true);
  append_integer(out, "BITPIX", -32);
  append_integer(out, "NAXIS", 2);
  append_integer(out, "NAXIS1", size_);
  append_integer(out, "NAXIS2", size_);
  append_integer(out, "WCSAXES", 2);
  append_string(out, "CTYPE1", "RA---TAN");
  append_string(out, "CTYPE2", "DEC--TAN");
  append_string(out, "CUNIT1", "deg");
  append_string(out, "CUNIT2", "deg");
  append_real(out, "CRPIX1", center);
  append_real(out, "CRPIX2", center);
  append_real(out, "CRVAL1", spec.center.ra);
  append_real(out, "CRVAL2", spec.center.dec);
  // East is to the left at rotation 0: ra grows towards -x.
  append_real(out, "CD1_1", -scale * c);
  append_real(out, "CD1_2", scale * s);
  append_real(out, "CD2_1", scale * s);
  append_real(out, "CD2_2", scale * c);
  append_string(out, "RADESYS", "ICRS");
  append_string(out, "BUNIT", "nJy");
  append_card(out, "END");
  out.append(kFitsBlockBytes - out.size() % kFitsBlockBytes, ' ');
}

void CutoutMaker::write_pixels(const CutoutSpec& spec, Random& random, std::string& out) const {
  // Noise: a window of the tile, scaled to the image's pixel noise.
  const int max_offset = tile_size_ - size_;
  const auto offset_x = static_cast<int>(random.uniform_int(0, max_offset));
  const auto offset_y = static_cast<int>(random.uniform_int(0, max_offset));
  std::vector<float> pixels(std::size_t{1} * size_ * size_);
  for (int y = 0; y < size_; ++y) {
    const float* row = &noise_tile_[std::size_t{1} * (offset_y + y) * tile_size_ + offset_x];
    for (int x = 0; x < size_; ++x) {
      pixels[std::size_t{1} * y * size_ + x] = static_cast<float>(spec.pixel_noise * row[x]);
    }
  }

  // The source: a Gaussian PSF centred on the image centre, evaluated at pixel centres. The
  // profile is separable, so one row and one column of weights serve the whole box.
  const double center = (size_ - 1) / 2.0;  // in 0-based pixel coordinates
  const double sigma = kPsfSigmaPixels;
  const int low = std::max(0, static_cast<int>(std::floor(center - kPsfRadiusSigmas * sigma)));
  const int high =
      std::min(size_ - 1, static_cast<int>(std::ceil(center + kPsfRadiusSigmas * sigma)));
  std::vector<double> weights(high - low + 1);
  for (int i = low; i <= high; ++i) {
    const double d = (i - center) / sigma;
    weights[i - low] = std::exp(-0.5 * d * d);
  }
  const double peak = spec.flux / (2 * std::numbers::pi * sigma * sigma);
  for (int y = low; y <= high; ++y) {
    for (int x = low; x <= high; ++x) {
      pixels[std::size_t{1} * y * size_ + x] +=
          static_cast<float>(peak * weights[y - low] * weights[x - low]);
    }
  }

  // Big-endian float32, then zeros to the end of the last block.
  const std::size_t start = out.size();
  out.resize(start + pixels.size() * 4);
  char* data = out.data() + start;
  for (float value : pixels) {
    std::uint32_t word = std::bit_cast<std::uint32_t>(value);
    if constexpr (std::endian::native == std::endian::little) word = std::byteswap(word);
    std::memcpy(data, &word, 4);
    data += 4;
  }
  out.append((kFitsBlockBytes - out.size() % kFitsBlockBytes) % kFitsBlockBytes, '\0');
}

}  // namespace skystream::sim
