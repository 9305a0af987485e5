// Tests of the simulated FITS cutouts, checked byte by byte against the FITS layout: 80-column
// header cards in 2880-byte blocks, then big-endian float32 pixels padded to a whole block.

#include <gtest/gtest.h>

#include <bit>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <map>
#include <string>
#include <vector>

#include "sim/cutout.h"

namespace skystream::sim {
namespace {

// The header cards up to END, keyed by keyword, with the value field (columns 11-80) trimmed of
// spaces and of a string's quotes.
std::map<std::string, std::string> header_cards(const std::string& fits, int* end_card) {
  std::map<std::string, std::string> cards;
  *end_card = -1;
  for (std::size_t offset = 0; offset + 80 <= fits.size(); offset += 80) {
    const std::string card = fits.substr(offset, 80);
    std::string key = card.substr(0, 8);
    key.erase(key.find_last_not_of(' ') + 1);
    if (key == "END") {
      *end_card = static_cast<int>(offset / 80);
      break;
    }
    std::string value = card.substr(10);
    value.erase(value.find_last_not_of(' ') + 1);
    value.erase(0, value.find_first_not_of(' '));
    if (value.size() >= 2 && value.front() == '\'') {
      value = value.substr(1, value.rfind('\'') - 1);
      value.erase(value.find_last_not_of(' ') + 1);
    }
    cards[key] = value;
  }
  return cards;
}

// Decodes the big-endian float32 pixels that follow the one-block header.
std::vector<float> pixels(const std::string& fits, int size) {
  std::vector<float> values(static_cast<std::size_t>(size) * size);
  for (std::size_t i = 0; i < values.size(); ++i) {
    const auto* bytes = reinterpret_cast<const unsigned char*>(fits.data() + 2880 + 4 * i);
    const std::uint32_t word = (std::uint32_t{bytes[0]} << 24) | (std::uint32_t{bytes[1]} << 16) |
                               (std::uint32_t{bytes[2]} << 8) | std::uint32_t{bytes[3]};
    values[i] = std::bit_cast<float>(word);
  }
  return values;
}

std::string make_cutout(int size, const CutoutSpec& spec, std::uint64_t seed = 1) {
  CutoutMaker maker(size, seed);
  Random random(seed);
  std::string fits;
  maker.make(spec, random, fits);
  return fits;
}

TEST(SimCutout, SizeIsWholeBlocks) {
  // 30 x 30 pixels take 3600 bytes, padded to 5760; 70 x 70 take 19600, padded to 20160.
  EXPECT_EQ(cutout_bytes(30), 2880u + 5760u);
  EXPECT_EQ(cutout_bytes(70), 2880u + 20160u);
  EXPECT_EQ(cutout_bytes(60), 2880u + 14400u);

  CutoutSpec spec;
  spec.pixel_noise = 1;
  EXPECT_EQ(make_cutout(30, spec).size(), cutout_bytes(30));
  EXPECT_EQ(make_cutout(70, spec).size(), cutout_bytes(70));
}

TEST(SimCutout, HeaderHoldsImageAndWcs) {
  CutoutSpec spec;
  spec.center = {150.25, -30.5};
  spec.rotation = 30;
  spec.pixel_noise = 1;
  const std::string fits = make_cutout(31, spec);

  int end_card = -1;
  auto cards = header_cards(fits, &end_card);
  ASSERT_GE(end_card, 0);
  EXPECT_EQ(fits.substr(0, 30), "SIMPLE  =                    T");
  EXPECT_EQ(cards["BITPIX"], "-32");
  EXPECT_EQ(cards["NAXIS"], "2");
  EXPECT_EQ(cards["NAXIS1"], "31");
  EXPECT_EQ(cards["NAXIS2"], "31");
  EXPECT_EQ(cards["CTYPE1"], "RA---TAN");
  EXPECT_EQ(cards["CTYPE2"], "DEC--TAN");
  EXPECT_DOUBLE_EQ(std::stod(cards["CRPIX1"]), 16.0);
  EXPECT_DOUBLE_EQ(std::stod(cards["CRPIX2"]), 16.0);
  EXPECT_DOUBLE_EQ(std::stod(cards["CRVAL1"]), 150.25);
  EXPECT_DOUBLE_EQ(std::stod(cards["CRVAL2"]), -30.5);

  // The CD matrix turns by the rotation and keeps 0.2 arcsec pixels, east to the left.
  const double cd11 = std::stod(cards["CD1_1"]);
  const double cd12 = std::stod(cards["CD1_2"]);
  const double cd21 = std::stod(cards["CD2_1"]);
  const double cd22 = std::stod(cards["CD2_2"]);
  EXPECT_NEAR(std::hypot(cd11, cd21) * 3600, 0.2, 1e-12);
  EXPECT_NEAR(std::hypot(cd12, cd22) * 3600, 0.2, 1e-12);
  EXPECT_LT(cd11 * cd22 - cd12 * cd21, 0.0);
  EXPECT_NEAR(std::atan2(cd12, cd22) * 180 / std::acos(-1.0), 30.0, 1e-9);

  // Every header byte is printable ASCII, and spaces fill the block after END.
  for (std::size_t i = 0; i < 2880; ++i) {
    ASSERT_GE(fits[i], ' ') << "byte " << i;
    ASSERT_LE(fits[i], '~') << "byte " << i;
  }
  EXPECT_EQ(fits.substr(80 * (end_card + 1), 2880 - 80 * (end_card + 1)),
            std::string(2880 - 80 * (end_card + 1), ' '));
}

TEST(SimCutout, SourceFluxPeaksAtCentre) {
  CutoutSpec spec;
  spec.flux = 10000;
  spec.pixel_noise = 0;
  const int size = 31;
  const std::string fits = make_cutout(size, spec);
  const auto values = pixels(fits, size);

  double total = 0;
  std::size_t peak = 0;
  for (std::size_t i = 0; i < values.size(); ++i) {
    total += values[i];
    if (values[i] > values[peak]) peak = i;
  }
  // A Gaussian of sigma 1.49 pixels sampled at pixel centres sums to the flux within 0.1%.
  EXPECT_NEAR(total, 10000, 10);
  EXPECT_EQ(peak, static_cast<std::size_t>(15 * size + 15));
  EXPECT_NEAR(values[peak], 10000 / (2 * std::acos(-1.0) * kPsfSigmaPixels * kPsfSigmaPixels), 1.0);
  // The padding after the pixels is zero.
  const std::size_t data_end = 2880 + 4 * values.size();
  EXPECT_EQ(fits.substr(data_end), std::string(fits.size() - data_end, '\0'));
}

TEST(SimCutout, NoiseHasStatedDeviation) {
  CutoutSpec spec;
  spec.pixel_noise = 25;
  const int size = 64;
  const auto values = pixels(make_cutout(size, spec), size);

  double sum = 0;
  double squares = 0;
  for (float value : values) {
    sum += value;
    squares += double{value} * value;
  }
  const double n = static_cast<double>(values.size());
  const double mean = sum / n;
  // 4096 pixels: the standard error of the mean is 0.4 and of the deviation about 0.3.
  EXPECT_NEAR(mean, 0.0, 2.0);
  EXPECT_NEAR(std::sqrt(squares / n - mean * mean), 25.0, 1.5);
}

TEST(SimCutout, PixelNoiseMatchesFluxError) {
  // A PSF flux fit over white noise sigma_p has error sigma_p * sqrt(4 pi) * sigma_psf.
  const double noise = pixel_noise_for_flux_error(100);
  EXPECT_NEAR(noise * std::sqrt(4 * std::acos(-1.0)) * kPsfSigmaPixels, 100, 1e-9);
}

TEST(SimCutout, SameSeedGivesSameBytes) {
  CutoutSpec spec;
  spec.flux = 500;
  spec.pixel_noise = 20;
  EXPECT_EQ(make_cutout(40, spec, 7), make_cutout(40, spec, 7));
  EXPECT_NE(make_cutout(40, spec, 7), make_cutout(40, spec, 8));
}

}  // namespace
}  // namespace skystream::sim
