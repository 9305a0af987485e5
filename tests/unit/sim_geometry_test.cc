// Tests of the simulator's sky geometry and identifiers.

#include <gtest/gtest.h>

#include <cmath>
#include <set>

#include "sim/ids.h"
#include "sim/random.h"
#include "sim/sky.h"

namespace skystream::sim {
namespace {

constexpr double kArcsec = 1.0 / 3600.0;

// Detector 94 is the middle CCD (sensor S11) of the middle raft, the 11th of 21 rafts.
constexpr int kCentralDetector = 94;

Pointing pointing_at(double ra, double dec, double rotation = 0) {
  Pointing pointing;
  pointing.boresight = {ra, dec};
  pointing.rotation = rotation;
  return pointing;
}

TEST(SimSky, CentralDetectorCentreIsBoresight) {
  const Pointing pointing = pointing_at(10.0, -30.0, 33.0);
  const SkyPosition centre =
      pixel_to_sky(pointing, kCentralDetector, kCcdWidthPixels / 2, kCcdHeightPixels / 2);
  EXPECT_NEAR(centre.ra, 10.0, 1e-9);
  EXPECT_NEAR(centre.dec, -30.0, 1e-9);
}

TEST(SimSky, EveryDetectorLiesInField) {
  const Pointing pointing = pointing_at(200.0, -60.0, 71.0);
  for (int detector = 0; detector < kDetectorCount; ++detector) {
    for (const auto& [x, y] : {std::pair{0.0, 0.0}, std::pair{kCcdWidthPixels, kCcdHeightPixels}}) {
      const SkyPosition corner = pixel_to_sky(pointing, detector, x, y);
      EXPECT_LE(separation(corner, pointing.boresight), kFieldRadiusDegrees)
          << "detector " << detector;
    }
  }
}

TEST(SimSky, DetectorsDoNotOverlap) {
  // The centres of all 189 CCDs are at least one CCD width apart.
  const Pointing pointing = pointing_at(45.0, 0.0);
  const double ccd_width = kCcdWidthPixels * kPixelScaleArcsec * kArcsec;
  for (int a = 0; a < kDetectorCount; ++a) {
    const SkyPosition centre_a = pixel_to_sky(pointing, a, 2036, 2000);
    for (int b = a + 1; b < kDetectorCount; ++b) {
      const SkyPosition centre_b = pixel_to_sky(pointing, b, 2036, 2000);
      ASSERT_GT(separation(centre_a, centre_b), ccd_width) << a << " and " << b;
    }
  }
}

TEST(SimSky, PixelScaleIsPointTwoArcsec) {
  const Pointing pointing = pointing_at(120.0, -20.0, 15.0);
  const SkyPosition a = pixel_to_sky(pointing, 40, 1000, 1000);
  const SkyPosition b = pixel_to_sky(pointing, 40, 1100, 1000);
  const SkyPosition c = pixel_to_sky(pointing, 40, 1000, 1100);
  EXPECT_NEAR(separation(a, b) / kArcsec, 20.0, 0.01);
  EXPECT_NEAR(separation(a, c) / kArcsec, 20.0, 0.01);
}

TEST(SimSky, RotationTurnsYAxisEast) {
  // With rotation 90 the focal plane's y axis points east: at dec 0, +y raises ra.
  const Pointing pointing = pointing_at(100.0, 0.0, 90.0);
  const SkyPosition up = pixel_to_sky(pointing, kCentralDetector, 2036, 3000);
  EXPECT_NEAR(up.dec, 0.0, 1e-9);
  EXPECT_NEAR(up.ra - 100.0, 1000 * kPixelScaleArcsec * kArcsec, 1e-6);
}

TEST(SimSky, PositionsWrapRaNearZero) {
  const Pointing pointing = pointing_at(0.01, 5.0);
  for (int detector = 0; detector < kDetectorCount; ++detector) {
    const SkyPosition position = pixel_to_sky(pointing, detector, 0, 0);
    ASSERT_GE(position.ra, 0.0);
    ASSERT_LT(position.ra, 360.0);
  }
}

TEST(SimSky, PointingsUniformBelowDecLimit) {
  Random random(11);
  const int n = 40000;
  int north = 0;
  for (int i = 0; i < n; ++i) {
    const Pointing pointing = random_pointing(random);
    ASSERT_GE(pointing.boresight.ra, 0.0);
    ASSERT_LT(pointing.boresight.ra, 360.0);
    ASSERT_GE(pointing.boresight.dec, -90.0);
    ASSERT_LE(pointing.boresight.dec, kMaxDeclination - kFieldRadiusDegrees);
    if (pointing.boresight.dec > 0) ++north;
  }
  // Uniform on the sphere: the share north of the equator is sin(27.9) / (1 + sin(27.9)).
  const double top = std::sin((kMaxDeclination - kFieldRadiusDegrees) * M_PI / 180.0);
  EXPECT_NEAR(static_cast<double>(north) / n, top / (1 + top), 0.01);
}

TEST(SimSky, EclipticOfKnownPoints) {
  const EclipticPosition equinox = to_ecliptic({0.0, 0.0});
  EXPECT_NEAR(equinox.lambda, 0.0, 1e-9);
  EXPECT_NEAR(equinox.beta, 0.0, 1e-9);

  // The June solstice point lies on the ecliptic at ra 90, dec +obliquity (23.4392794 deg).
  const EclipticPosition solstice = to_ecliptic({90.0, 23.4392794});
  EXPECT_NEAR(solstice.lambda, 90.0, 1e-5);
  EXPECT_NEAR(solstice.beta, 0.0, 1e-5);

  // The north ecliptic pole is at ra 270, dec 90 - obliquity.
  const EclipticPosition pole = to_ecliptic({270.0, 90.0 - 23.4392794});
  EXPECT_NEAR(pole.beta, 90.0, 1e-5);
}

TEST(SimSky, GalacticOfKnownPoints) {
  // The galactic centre, Sgr A*, at ra 266.41683, dec -29.00781 is at l 359.944, b -0.046.
  const GalacticPosition centre = to_galactic({266.41683, -29.00781});
  EXPECT_NEAR(centre.l, 359.944, 0.002);
  EXPECT_NEAR(centre.b, -0.046, 0.002);

  const GalacticPosition pole = to_galactic({192.859508, 27.128336});
  EXPECT_NEAR(pole.b, 90.0, 1e-6);
}

TEST(SimIds, DayObsRollsOverAtNoonUtc) {
  // MJD 61000.0 is 2025-11-21T00:00 UTC.
  EXPECT_EQ(day_obs(61000.1), 20251120);
  EXPECT_EQ(day_obs(61000.4999), 20251120);
  EXPECT_EQ(day_obs(61000.5), 20251121);
  EXPECT_EQ(day_obs(51544.0), 19991231);
}

TEST(SimIds, CalendarDateOfKnownDays) {
  const CalendarDate date = calendar_date(51544.0);
  EXPECT_EQ(date.year, 2000);
  EXPECT_EQ(date.month, 1);
  EXPECT_EQ(date.day, 1);
  const CalendarDate leap = calendar_date(60734.7);
  EXPECT_EQ(leap.year, 2025);
  EXPECT_EQ(leap.month, 2);
  EXPECT_EQ(leap.day, 28);
}

TEST(SimIds, VisitAndSourceIdsEmbedDate) {
  const std::int64_t visit = visit_id(20251120, 42);
  EXPECT_EQ(visit, 2025112000042);
  EXPECT_EQ(dia_source_id(visit, 7), 2025112000042000007);
  EXPECT_EQ(dia_source_id(visit_id(20251120, kMaxVisitSequence), kMaxAlertIndex),
            2025112099999999999);
}

TEST(SimIds, DesignationsFollowMpcPattern) {
  const CalendarDate november = {2025, 11, 21};  // second half of November: W
  EXPECT_EQ(provisional_designation(november, 0), "2025 WA");
  EXPECT_EQ(provisional_designation(november, 8), "2025 WJ");  // no I
  EXPECT_EQ(provisional_designation(november, 24), "2025 WZ");
  EXPECT_EQ(provisional_designation(november, 25), "2025 WA1");
  EXPECT_EQ(provisional_designation({2024, 1, 15}, 51), "2024 AB2");
}

TEST(SimIds, PackedDesignationsFollowMpcPattern) {
  const CalendarDate november = {2025, 11, 21};
  EXPECT_EQ(packed_provisional_designation(november, 0), "K25W00A");
  EXPECT_EQ(packed_provisional_designation(november, 25), "K25W01A");
  EXPECT_EQ(packed_provisional_designation(november, 25 * 123 + 1), "K25WC3B");
  EXPECT_EQ(packed_provisional_designation({1998, 12, 31}, 25 * 619), "J98Yz9A");
  // Past cycle 619 there is no packed form.
  EXPECT_EQ(packed_provisional_designation(november, 25 * 620), "2025 WA620");
}

TEST(SimIds, DesignationsAreUniquePerOrdinal) {
  std::set<std::string> seen;
  for (int ordinal = 0; ordinal < 5000; ++ordinal) {
    EXPECT_TRUE(seen.insert(provisional_designation({2025, 11, 21}, ordinal)).second);
  }
}

}  // namespace
}  // namespace skystream::sim
