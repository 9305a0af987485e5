// Tests of the simulator's random numbers and photometry.

#include <gtest/gtest.h>

#include <cmath>
#include <map>
#include <random>
#include <string_view>

#include "sim/photometry.h"
#include "sim/random.h"

namespace skystream::sim {
namespace {

TEST(SimRandom, RawWordsFollowStandardEngine) {
  // The C++ standard fixes the 10000th output of a default-seeded std::mt19937_64.
  Random random(std::mt19937_64::default_seed);
  std::uint64_t word = 0;
  for (int i = 0; i < 10000; ++i) word = random.next_word();
  EXPECT_EQ(word, 9981545732273789042ULL);
}

TEST(SimRandom, Uniform01UsesTop53Bits) {
  Random random(42);
  std::mt19937_64 engine(42);
  for (int i = 0; i < 100; ++i) {
    const double expected = static_cast<double>(engine() >> 11) / 9007199254740992.0;
    EXPECT_EQ(random.uniform01(), expected);
  }
}

TEST(SimRandom, SameSeedGivesSameStream) {
  Random a(7);
  Random b(7);
  for (int i = 0; i < 100; ++i) {
    EXPECT_EQ(a.normal(), b.normal());
    EXPECT_EQ(a.uniform_int(0, 188), b.uniform_int(0, 188));
  }
}

TEST(SimRandom, UniformIntHitsEveryValueEvenly) {
  Random random(1);
  std::map<std::int64_t, int> counts;
  for (int i = 0; i < 50000; ++i) ++counts[random.uniform_int(-2, 2)];
  ASSERT_EQ(counts.size(), 5u);
  for (const auto& [value, count] : counts) {
    EXPECT_GE(value, -2);
    EXPECT_LE(value, 2);
    // 10000 expected, standard deviation about 90.
    EXPECT_NEAR(count, 10000, 500) << "value " << value;
  }
}

TEST(SimRandom, NormalHasUnitVariance) {
  Random random(3);
  const int n = 100000;
  double sum = 0;
  double sum_squares = 0;
  for (int i = 0; i < n; ++i) {
    const double x = random.normal();
    sum += x;
    sum_squares += x * x;
  }
  const double mean = sum / n;
  EXPECT_NEAR(mean, 0.0, 0.02);
  EXPECT_NEAR(sum_squares / n - mean * mean, 1.0, 0.02);
}

TEST(SimRandom, GeometricHasStatedMean) {
  Random random(4);
  const int n = 100000;
  double sum = 0;
  for (int i = 0; i < n; ++i) sum += static_cast<double>(random.geometric(0.05));
  // Mean (1 - p) / p = 19, standard deviation of the mean about 0.06.
  EXPECT_NEAR(sum / n, 19.0, 0.4);
}

TEST(SimPhotometry, MagnitudeTwentyIs36310Nanojansky) {
  EXPECT_NEAR(flux_from_magnitude(20.0), 36310.0, 0.01);
  EXPECT_NEAR(flux_from_magnitude(0.0), 3631e9, 1.0);
  EXPECT_NEAR(magnitude_from_flux(36310.0), 20.0, 1e-12);
}

TEST(SimPhotometry, MagnitudesFollowStatedCounts) {
  Random random(5);
  const int n = 200000;
  int brighter = 0;
  for (int i = 0; i < n; ++i) {
    const double magnitude = draw_magnitude(random);
    ASSERT_GE(magnitude, 17.0);
    ASSERT_LE(magnitude, 24.5);
    if (magnitude < 20.0) ++brighter;
  }
  // Counts rising by 10^0.35 per magnitude over [17, 24.5]: the share below 20 is
  // (10^7 - 10^5.95) / (10^8.575 - 10^5.95) = 0.024293.
  const double expected =
      (1e7 - std::pow(10.0, 5.95)) / (std::pow(10.0, 8.575) - std::pow(10.0, 5.95));
  EXPECT_NEAR(fraction_brighter_than(20.0), expected, 1e-9);
  // Standard deviation of the share about 0.00034.
  EXPECT_NEAR(static_cast<double>(brighter) / n, expected, 0.002);
}

TEST(SimPhotometry, SourceAtDepthHasSnrFive) {
  Random random(6);
  const double flux = flux_from_magnitude(24.0);
  double snr_sum = 0;
  const int n = 20000;
  for (int i = 0; i < n; ++i) {
    const Photometry measured = measure(flux, 24.0, random);
    ASSERT_GT(measured.flux, 0.0);
    ASSERT_GT(measured.flux_err, 0.0);
    ASSERT_DOUBLE_EQ(measured.snr, measured.flux / measured.flux_err);
    snr_sum += measured.snr;
  }
  // Sky noise is a fifth of the flux at the depth; the 0.5% floor barely adds to it.
  EXPECT_NEAR(snr_sum / n, 5.0, 0.05);
}

TEST(SimPhotometry, BrightSourceErrorHasCalibrationFloor) {
  Random random(7);
  const double flux = flux_from_magnitude(15.0);
  const Photometry measured = measure(flux, 24.5, random);
  EXPECT_NEAR(measured.flux_err / flux, 0.005, 0.0001);
}

TEST(SimPhotometry, BandsStayUsuallyAndCoverUgrizy) {
  Random random(8);
  std::map<char, int> counts;
  int unchanged = 0;
  char band = 0;
  const int n = 50000;
  for (int i = 0; i < n; ++i) {
    const char next = draw_band(random, band);
    if (next == band) ++unchanged;
    band = next;
    ++counts[band];
  }
  ASSERT_EQ(counts.size(), 6u);
  for (const auto& [letter, count] : counts) {
    EXPECT_NE(std::string_view("ugrizy").find(letter), std::string_view::npos);
  }
  // Kept with probability 0.8, plus the redraws that land on the same band (about 0.04).
  EXPECT_NEAR(static_cast<double>(unchanged) / n, 0.84, 0.02);
  EXPECT_NEAR(static_cast<double>(counts['r']) / n, 0.22, 0.02);
  EXPECT_NEAR(static_cast<double>(counts['u']) / n, 0.06, 0.02);
}

}  // namespace
}  // namespace skystream::sim
