// Per-visit caps and reading the visit id of alerts.

#include <gtest/gtest.h>

#include <vector>

#include "filter/visit_cap.h"
#include "filter_test_support.h"

namespace skystream::filter {
namespace {

using testing::load_rubin_schema;

TEST(FilterVisitCap, AdmitsUpToCapThenRejects) {
  VisitCap cap({2});
  EXPECT_TRUE(cap.admit(0, 100));
  EXPECT_TRUE(cap.admit(0, 100));
  EXPECT_FALSE(cap.admit(0, 100));
  EXPECT_FALSE(cap.admit(0, 100));
  EXPECT_EQ(cap.admitted(0, 100), 2u);
  EXPECT_EQ(cap.rejected(0), 2u);
}

TEST(FilterVisitCap, VisitsCountSeparately) {
  VisitCap cap({1});
  EXPECT_TRUE(cap.admit(0, 100));
  EXPECT_TRUE(cap.admit(0, 101));
  EXPECT_FALSE(cap.admit(0, 100));
  EXPECT_FALSE(cap.admit(0, 101));
}

TEST(FilterVisitCap, FiltersCountSeparately) {
  VisitCap cap({1, 3});
  EXPECT_TRUE(cap.admit(0, 7));
  EXPECT_FALSE(cap.admit(0, 7));
  EXPECT_TRUE(cap.admit(1, 7));
  EXPECT_TRUE(cap.admit(1, 7));
  EXPECT_TRUE(cap.admit(1, 7));
  EXPECT_FALSE(cap.admit(1, 7));
  EXPECT_EQ(cap.rejected(0), 1u);
  EXPECT_EQ(cap.rejected(1), 1u);
}

TEST(FilterVisitCap, ZeroCapIsUnlimited) {
  VisitCap cap({0});
  for (int i = 0; i < 10000; ++i) ASSERT_TRUE(cap.admit(0, 5)) << "alert " << i;
  EXPECT_EQ(cap.admitted(0, 5), 10000u);
  EXPECT_EQ(cap.rejected(0), 0u);
}

TEST(FilterVisitCap, LdmCapAdmitsTwentyPerVisit) {
  VisitCap cap(std::vector<std::uint32_t>(100, 20));
  int admitted = 0;
  for (int alert = 0; alert < 10000; ++alert) admitted += cap.admit(42, 2024120100123) ? 1 : 0;
  EXPECT_EQ(admitted, 20);
  EXPECT_EQ(cap.rejected(42), 9980u);
  EXPECT_EQ(cap.rejected(41), 0u);
}

TEST(FilterVisitCap, LeastRecentVisitIsForgotten) {
  VisitCap cap({1}, 2);
  EXPECT_TRUE(cap.admit(0, 1));
  EXPECT_TRUE(cap.admit(0, 2));
  EXPECT_FALSE(cap.admit(0, 1));  // visit 1 is now more recent than visit 2
  EXPECT_TRUE(cap.admit(0, 3));   // drops visit 2
  EXPECT_EQ(cap.admitted(0, 2), 0u);
  EXPECT_EQ(cap.admitted(0, 1), 1u);
  EXPECT_EQ(cap.admitted(0, 3), 1u);
  EXPECT_TRUE(cap.admit(0, 2));  // counts of visit 2 start again
}

TEST(FilterVisitCap, FilterCountMatchesCaps) {
  VisitCap cap({20, 20, 0});
  EXPECT_EQ(cap.filter_count(), 3u);
}

TEST(FilterVisitReader, ReadsVisitOfSchemaEleven) {
  auto schema = load_rubin_schema(11);
  auto reader = VisitReader::create(schema->root());
  ASSERT_TRUE(reader) << reader.error().message;
  // visit is field 1 of lsst.v11_0.diaSource, which is field 3 of the alert.
  EXPECT_EQ(reader->path().fields, (std::vector<int>{3, 1}));

  avro::Value alert = avro::Value::zero(schema->root());
  alert.field("diaSource").field("visit").integer = 2025120300042;
  auto visit = reader->read(alert);
  ASSERT_TRUE(visit) << visit.error().message;
  EXPECT_EQ(*visit, 2025120300042);
}

TEST(FilterVisitReader, SchemaFourNeedsCcdVisitId) {
  auto schema = load_rubin_schema(4);
  auto missing = VisitReader::create(schema->root());
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().message,
            "visit field: unknown field 'diaSource.visit': record lsst.v4_0.diaSource has no "
            "field 'visit'");
  EXPECT_TRUE(VisitReader::create(schema->root(), "diaSource.ccdVisitId"));
}

TEST(FilterVisitReader, NonIntegerFieldFails) {
  auto schema = load_rubin_schema(11);
  auto reader = VisitReader::create(schema->root(), "diaSource.band");
  ASSERT_FALSE(reader);
  EXPECT_EQ(reader.error().message, "visit field 'diaSource.band' is a string, not an int or long");
}

TEST(FilterVisitReader, NullVisitFails) {
  auto schema = load_rubin_schema(11);
  // diaSource.diaObjectId is ["null", "long"], so it serves as a nullable visit field.
  auto reader = VisitReader::create(schema->root(), "diaSource.diaObjectId");
  ASSERT_TRUE(reader) << reader.error().message;
  avro::Value alert = avro::Value::zero(schema->root());
  auto visit = reader->read(alert);
  ASSERT_FALSE(visit);
  EXPECT_EQ(visit.error().message, "visit field 'diaSource.diaObjectId' is null");
}

}  // namespace
}  // namespace skystream::filter
