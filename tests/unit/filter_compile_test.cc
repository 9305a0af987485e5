// Compiling filters against the Rubin alert schemas: path resolution, the fields a filter
// reads, and compile errors. Field indices are counted by hand from the .avsc files of
// lsst-alert-packet (lsst.v11_0.alert: diaSourceId 0, observation_reason 1, target_name 2,
// diaSource 3, prvDiaSources 4, prvDiaForcedSources 5, diaObject 6; lsst.v11_0.diaSource:
// visit 1, detector 2, snr 22, psfFlux 23; lsst.v11_0.diaObject: nDiaSources 81).

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "filter/filter.h"
#include "filter_test_support.h"

namespace skystream::filter {
namespace {

using testing::load_rubin_schema;
using testing::parse_schema;

class FilterCompile : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { schema_ = load_rubin_schema(11); }
  static void TearDownTestSuite() { schema_.reset(); }

  static const avro::Node& root() { return schema_->root(); }

  static std::shared_ptr<const avro::Schema> schema_;
};

std::shared_ptr<const avro::Schema> FilterCompile::schema_;

TEST_F(FilterCompile, ResolvesNestedPathThroughRecord) {
  auto filter = Filter::compile("diaSource.snr > 5", root());
  ASSERT_TRUE(filter) << filter.error().message;
  ASSERT_EQ(filter->paths().size(), 1u);
  const FieldPath& path = filter->paths()[0];
  EXPECT_EQ(path.text, "diaSource.snr");
  EXPECT_EQ(path.fields, (std::vector<int>{3, 22}));
  EXPECT_EQ(path.leaf->type, avro::Type::kFloat);  // snr is ["null", "float"]
  EXPECT_TRUE(path.nullable);
}

TEST_F(FilterCompile, ResolvesPathThroughNullableRecord) {
  auto filter = Filter::compile("diaObject.nDiaSources >= 3", root());
  ASSERT_TRUE(filter) << filter.error().message;
  const FieldPath& path = filter->paths()[0];
  EXPECT_EQ(path.fields, (std::vector<int>{6, 81}));
  EXPECT_EQ(path.leaf->type, avro::Type::kInt);
  EXPECT_TRUE(path.nullable);  // diaObject is ["null", diaObject]
}

TEST_F(FilterCompile, TopLevelFieldIsNotNullable) {
  auto filter = Filter::compile("diaSourceId = 1", root());
  ASSERT_TRUE(filter) << filter.error().message;
  EXPECT_EQ(filter->paths()[0].fields, (std::vector<int>{0}));
  EXPECT_EQ(filter->paths()[0].leaf->type, avro::Type::kLong);
  EXPECT_FALSE(filter->paths()[0].nullable);
}

TEST_F(FilterCompile, TopLevelFieldsAreSortedAndUnique) {
  auto filter = Filter::compile(
      "diaObject.nDiaSources > 2 AND diaSource.snr > 5 OR diaSourceId = 1 OR diaSource.psfFlux > 0",
      root());
  ASSERT_TRUE(filter) << filter.error().message;
  EXPECT_EQ(std::vector<int>(filter->top_level_fields().begin(), filter->top_level_fields().end()),
            (std::vector<int>{0, 3, 6}));
}

TEST_F(FilterCompile, RepeatedPathIsReadOnce) {
  auto filter = Filter::compile("diaSource.snr > 5 AND diaSource.snr < 100", root());
  ASSERT_TRUE(filter) << filter.error().message;
  EXPECT_EQ(filter->paths().size(), 1u);
}

TEST_F(FilterCompile, TextIsCanonicalForm) {
  auto filter = Filter::compile("diaSource.snr>5 and not diaSource.isDipole", root());
  ASSERT_TRUE(filter) << filter.error().message;
  EXPECT_EQ(filter->text(), "(diaSource.snr > 5 AND (NOT diaSource.isDipole))");
}

TEST_F(FilterCompile, AcceptsEveryValidForm) {
  const std::string_view expressions[] = {
      "diaSource.snr > 5 AND diaSource.psfFlux > 36310",
      "diaSource.band = 'g' OR diaSource.band = \"r\"",
      "diaSource.band < 'z'",
      "observation_reason IS NULL",
      "diaObject IS NOT NULL",
      "prvDiaSources IS NULL",
      "cutoutDifference IS NOT NULL",
      "diaSource.isDipole",
      "NOT diaSource.isDipole",
      "diaSource.isDipole = FALSE",
      "TRUE != diaSource.pixelFlags_cr",
      "diaSource.psfFlux > diaSource.psfFluxErr",
      "diaSource.detector < 3.5",
      "diaSourceId != 9223372036854775807",
      "5 < diaSource.snr",
      "1 = 1",
      "TRUE",
  };
  for (std::string_view expression : expressions) {
    auto filter = Filter::compile(expression, root());
    EXPECT_TRUE(filter) << expression << ": " << filter.error().message;
  }
}

struct ErrorCase {
  std::string_view expression;
  std::string message;
  std::size_t column;
};

TEST_F(FilterCompile, UnknownFieldNamesPathAndRecord) {
  const ErrorCase cases[] = {
      {"diaSource.psfFlx > 1",
       "unknown field 'diaSource.psfFlx': record lsst.v11_0.diaSource has no field 'psfFlx' at "
       "column 1",
       1},
      {"diaSource.snr > 5 AND nosuch = 1",
       "unknown field 'nosuch': record lsst.v11_0.alert has no field 'nosuch' at column 23", 23},
      {"diaObject.nDiaSource > 1",
       "unknown field 'diaObject.nDiaSource': record lsst.v11_0.diaObject has no field "
       "'nDiaSource' at column 1",
       1},
      {"DiaSource.snr > 1",
       "unknown field 'DiaSource.snr': record lsst.v11_0.alert has no field 'DiaSource' at "
       "column 1",
       1},
  };
  for (const ErrorCase& test : cases) {
    auto filter = Filter::compile(test.expression, root());
    ASSERT_FALSE(filter) << test.expression;
    EXPECT_EQ(filter.error().message, test.message) << test.expression;
    EXPECT_EQ(filter.error().column, test.column) << test.expression;
  }
}

TEST_F(FilterCompile, TypeErrorsNameBothSides) {
  const ErrorCase cases[] = {
      {"diaSource.band = 5",
       "type mismatch: 'diaSource.band' (string) is a string but 5 is a number at column 1", 1},
      {"diaSource.snr > 5 AND diaSource.snr = 'high'",
       "type mismatch: 'diaSource.snr' (float) is a number but 'high' is a string at column 23",
       23},
      {"diaSource.isDipole = 1",
       "type mismatch: 'diaSource.isDipole' (boolean) is a boolean but 1 is a number at column 1",
       1},
      {"diaSource.band = TRUE",
       "type mismatch: 'diaSource.band' (string) is a string but TRUE is a boolean at column 1", 1},
      {"diaSource.isDipole < TRUE", "'<' cannot order booleans; use = or != at column 1", 1},
      {"diaSource.snr",
       "'diaSource.snr' (float) is not a boolean, so it needs a comparison or IS NULL at column 1",
       1},
      {"NOT diaSourceId",
       "'diaSourceId' (long) is not a boolean, so it needs a comparison or IS NULL at column 5", 5},
      {"diaObject = 1",
       "cannot compare 'diaObject' (record lsst.v11_0.diaObject): only IS NULL and IS NOT NULL "
       "apply to it at column 1",
       1},
      {"cutoutDifference = 'x'",
       "cannot compare 'cutoutDifference' (bytes): only IS NULL and IS NOT NULL apply to it at "
       "column 1",
       1},
      {"prvDiaSources > 0",
       "cannot compare 'prvDiaSources' (array): only IS NULL and IS NOT NULL apply to it at "
       "column 1",
       1},
  };
  for (const ErrorCase& test : cases) {
    auto filter = Filter::compile(test.expression, root());
    ASSERT_FALSE(filter) << test.expression;
    EXPECT_EQ(filter.error().message, test.message) << test.expression;
    EXPECT_EQ(filter.error().column, test.column) << test.expression;
  }
}

TEST_F(FilterCompile, StepIntoNonRecordFails) {
  const ErrorCase cases[] = {
      {"diaSource.snr.value > 1",
       "cannot read 'diaSource.snr.value': 'diaSource.snr' has type float, not record at column "
       "1",
       1},
      {"prvDiaSources.snr > 1",
       "cannot read 'prvDiaSources.snr': 'prvDiaSources' has type array, not record at column 1",
       1},
      {"diaSourceId.x IS NULL",
       "cannot read 'diaSourceId.x': 'diaSourceId' has type long, not record at column 1", 1},
  };
  for (const ErrorCase& test : cases) {
    auto filter = Filter::compile(test.expression, root());
    ASSERT_FALSE(filter) << test.expression;
    EXPECT_EQ(filter.error().message, test.message) << test.expression;
    EXPECT_EQ(filter.error().column, test.column) << test.expression;
  }
}

TEST_F(FilterCompile, SyntaxErrorPassesThrough) {
  auto filter = Filter::compile("(diaSource.snr > 5", root());
  ASSERT_FALSE(filter);
  EXPECT_EQ(filter.error().message, "expected ')' at column 19, found end of expression");
  EXPECT_EQ(filter.error().column, 19u);
}

// Schema 4.0 names the PSF flux psFlux, so the LDM-503-5 expression cannot compile there.
TEST(FilterCompileOlderSchema, MissingPsfFluxIsNamed) {
  auto schema = load_rubin_schema(4);
  auto filter = Filter::compile("diaSource.snr > 5 AND diaSource.psfFlux > 36310", schema->root());
  ASSERT_FALSE(filter);
  EXPECT_EQ(filter.error().message,
            "unknown field 'diaSource.psfFlux': record lsst.v4_0.diaSource has no field "
            "'psfFlux' at column 23");
}

TEST(FilterCompileOlderSchema, OldFieldNameCompiles) {
  auto schema = load_rubin_schema(4);
  auto filter = Filter::compile("diaSource.snr > 5 AND diaSource.psFlux > 36310", schema->root());
  EXPECT_TRUE(filter) << filter.error().message;
}

constexpr std::string_view kEnumSchema = R"({
  "type": "record", "name": "test.alert",
  "fields": [
    {"name": "kind", "type": {"type": "enum", "name": "test.kind", "symbols": ["STAR", "GALAXY"]}},
    {"name": "choice", "type": ["null", "int", "string"]},
    {"name": "maybe", "type": ["double", "null"]},
    {"name": "only", "type": ["long"]}
  ]
})";

TEST(FilterCompileInlineSchema, EnumComparesWithItsSymbols) {
  auto schema = parse_schema(kEnumSchema);
  EXPECT_TRUE(Filter::compile("kind = 'STAR'", schema->root()));
  EXPECT_TRUE(Filter::compile("'GALAXY' != kind", schema->root()));
}

TEST(FilterCompileInlineSchema, EnumRejectsUnknownSymbol) {
  auto schema = parse_schema(kEnumSchema);
  auto filter = Filter::compile("kind = 'QSO'", schema->root());
  ASSERT_FALSE(filter);
  EXPECT_EQ(filter.error().message,
            "'QSO' is not a symbol of enum test.kind (symbols: STAR, GALAXY) at column 1");
}

TEST(FilterCompileInlineSchema, EnumRejectsOrdering) {
  auto schema = parse_schema(kEnumSchema);
  auto filter = Filter::compile("kind < 'STAR'", schema->root());
  ASSERT_FALSE(filter);
  EXPECT_EQ(filter.error().message,
            "'<' cannot order the symbols of enum test.kind; use = or != at column 1");
}

TEST(FilterCompileInlineSchema, UnionOfSeveralTypesFails) {
  auto schema = parse_schema(kEnumSchema);
  auto filter = Filter::compile("choice = 1", schema->root());
  ASSERT_FALSE(filter);
  EXPECT_EQ(filter.error().message,
            "cannot read 'choice': 'choice' is a union of several non-null types, which filters "
            "do not support at column 1");
}

TEST(FilterCompileInlineSchema, NullBranchMayComeSecond) {
  auto schema = parse_schema(kEnumSchema);
  auto filter = Filter::compile("maybe > 0.5", schema->root());
  ASSERT_TRUE(filter) << filter.error().message;
  EXPECT_EQ(filter->paths()[0].leaf->type, avro::Type::kDouble);
  EXPECT_TRUE(filter->paths()[0].nullable);
}

TEST(FilterCompileInlineSchema, SingleBranchUnionIsTransparent) {
  auto schema = parse_schema(kEnumSchema);
  auto filter = Filter::compile("only > 1", schema->root());
  ASSERT_TRUE(filter) << filter.error().message;
  EXPECT_EQ(filter->paths()[0].leaf->type, avro::Type::kLong);
  EXPECT_FALSE(filter->paths()[0].nullable);
}

TEST(FilterCompileInlineSchema, NonRecordRootFails) {
  auto schema = parse_schema(R"("long")");
  auto filter = Filter::compile("x = 1", schema->root());
  ASSERT_FALSE(filter);
  EXPECT_EQ(filter.error().message, "the alert schema must be a record, not long");
}

}  // namespace
}  // namespace skystream::filter
