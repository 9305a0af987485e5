// Evaluating compiled filters on alert values built field by field: comparisons of every type,
// SQL three-valued logic with nulls, IEEE NaN, exact integer comparison, and the absence of
// heap allocation.

#include <gtest/gtest.h>

#include <atomic>
#include <cmath>
#include <cstdlib>
#include <functional>
#include <limits>
#include <new>
#include <span>
#include <string>

#include "filter/filter.h"
#include "filter_test_support.h"

// Counts heap allocations so that a test can check that evaluation makes none. The replacement
// applies to the whole test binary, and it only counts and forwards to malloc.
namespace {
std::atomic<std::size_t> allocation_count{0};
}  // namespace

void* operator new(std::size_t size) {
  ++allocation_count;
  if (void* memory = std::malloc(size == 0 ? 1 : size)) return memory;
  throw std::bad_alloc();
}

void operator delete(void* memory) noexcept { std::free(memory); }
void operator delete(void* memory, std::size_t) noexcept { std::free(memory); }

namespace skystream::filter {
namespace {

using avro::Type;
using avro::Value;
using testing::load_rubin_schema;
using testing::set_non_null;
using testing::set_null;

class FilterEvaluate : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { schema_ = load_rubin_schema(11); }
  static void TearDownTestSuite() { schema_.reset(); }

  void SetUp() override { alert_ = Value::zero(schema_->root()); }

  Value& dia_source() { return alert_.field("diaSource"); }

  void set_snr(float snr) { set_non_null(dia_source(), "snr", Type::kFloat).float32 = snr; }
  void set_psf_flux(float flux) {
    set_non_null(dia_source(), "psfFlux", Type::kFloat).float32 = flux;
  }
  void set_band(std::string band) {
    set_non_null(dia_source(), "band", Type::kString).bytes = std::move(band);
  }
  void set_is_dipole(bool value) {
    set_non_null(dia_source(), "isDipole", Type::kBoolean).boolean = value;
  }
  void set_n_dia_sources(std::int64_t count) {
    Value& object = set_non_null(alert_, "diaObject", Type::kRecord);
    object.field("nDiaSources").integer = count;
  }

  // Compiles `expression` against schema 11.0 and evaluates it on alert_.
  Truth evaluate(std::string_view expression) {
    auto filter = Filter::compile(expression, schema_->root());
    if (!filter) throw std::runtime_error(filter.error().message);
    auto truth = filter->evaluate(alert_);
    if (!truth) throw std::runtime_error(truth.error().message);
    return *truth;
  }

  static std::shared_ptr<const avro::Schema> schema_;
  Value alert_;
};

std::shared_ptr<const avro::Schema> FilterEvaluate::schema_;

constexpr Truth kTrue = Truth::kTrue;
constexpr Truth kFalse = Truth::kFalse;
constexpr Truth kUnknown = Truth::kUnknown;

struct Case {
  std::string_view expression;
  Truth expected;
};

void expect_cases(std::function<Truth(std::string_view)> evaluate, std::span<const Case> cases) {
  for (const Case& test : cases) {
    EXPECT_EQ(to_string(evaluate(test.expression)), to_string(test.expected)) << test.expression;
  }
}

#define EXPECT_CASES(...)                                                          \
  do {                                                                             \
    const Case cases[] = {__VA_ARGS__};                                            \
    expect_cases([this](std::string_view text) { return evaluate(text); }, cases); \
  } while (false)

TEST_F(FilterEvaluate, FloatComparisons) {
  set_snr(7.5f);
  EXPECT_CASES({"diaSource.snr > 5", kTrue}, {"diaSource.snr > 7.5", kFalse},
               {"diaSource.snr >= 7.5", kTrue}, {"diaSource.snr = 7.5", kTrue},
               {"diaSource.snr == 7.5", kTrue}, {"diaSource.snr != 7.5", kFalse},
               {"diaSource.snr < 8", kTrue}, {"diaSource.snr <= 7", kFalse},
               {"5 < diaSource.snr", kTrue}, {"diaSource.snr > -1e3", kTrue});
}

// A float field is widened to double, and 0.1f is 0.100000001490116..., not the double 0.1.
TEST_F(FilterEvaluate, FloatWidensToDouble) {
  set_snr(0.1f);
  EXPECT_CASES({"diaSource.snr = 0.1", kFalse}, {"diaSource.snr > 0.1", kTrue},
               {"diaSource.snr < 0.10000001", kTrue});
}

TEST_F(FilterEvaluate, NanComparesFalseExceptNotEqual) {
  set_snr(std::numeric_limits<float>::quiet_NaN());
  EXPECT_CASES({"diaSource.snr > 5", kFalse}, {"diaSource.snr < 5", kFalse},
               {"diaSource.snr >= 5", kFalse}, {"diaSource.snr <= 5", kFalse},
               {"diaSource.snr = 5", kFalse}, {"diaSource.snr != 5", kTrue},
               {"NOT diaSource.snr > 5", kTrue}, {"diaSource.snr IS NOT NULL", kTrue});
}

TEST_F(FilterEvaluate, NanFieldAgainstNanField) {
  set_snr(std::numeric_limits<float>::quiet_NaN());
  set_psf_flux(std::numeric_limits<float>::quiet_NaN());
  EXPECT_CASES({"diaSource.snr = diaSource.psfFlux", kFalse},
               {"diaSource.snr != diaSource.psfFlux", kTrue});
}

TEST_F(FilterEvaluate, IntFieldAgainstDecimals) {
  dia_source().field("detector").integer = 3;
  EXPECT_CASES({"diaSource.detector = 3", kTrue}, {"diaSource.detector = 3.0", kTrue},
               {"diaSource.detector < 3.5", kTrue}, {"diaSource.detector > 2.9999", kTrue},
               {"diaSource.detector > 3e0", kFalse}, {"diaSource.detector != 4", kTrue});
}

// 2^53 + 1 = 9007199254740993 is not representable as a double, which rounds it to 2^53.
TEST_F(FilterEvaluate, LongAgainstIntegerIsExact) {
  alert_.field("diaSourceId").integer = 9007199254740993;
  EXPECT_CASES(
      {"diaSourceId = 9007199254740993", kTrue}, {"diaSourceId = 9007199254740992", kFalse},
      {"diaSourceId > 9007199254740992", kTrue}, {"diaSourceId = 9007199254740992.0", kTrue});
}

TEST_F(FilterEvaluate, LongExtremes) {
  alert_.field("diaSourceId").integer = std::numeric_limits<std::int64_t>::min();
  EXPECT_CASES({"diaSourceId = -9223372036854775808", kTrue},
               {"diaSourceId < -9223372036854775807", kTrue});
}

TEST_F(FilterEvaluate, FieldAgainstField) {
  set_psf_flux(500.0f);
  set_non_null(dia_source(), "psfFluxErr", Type::kFloat).float32 = 50.0f;
  dia_source().field("detector").integer = 500;
  EXPECT_CASES({"diaSource.psfFlux > diaSource.psfFluxErr", kTrue},
               {"diaSource.psfFlux = diaSource.detector", kTrue},
               {"diaSource.psfFluxErr >= diaSource.psfFlux", kFalse});
}

TEST_F(FilterEvaluate, StringComparisons) {
  set_band("g");
  EXPECT_CASES({"diaSource.band = 'g'", kTrue}, {"diaSource.band = \"g\"", kTrue},
               {"diaSource.band = 'r'", kFalse}, {"diaSource.band != 'r'", kTrue},
               {"diaSource.band < 'h'", kTrue}, {"diaSource.band > 'G'", kTrue},
               {"diaSource.band = 'g '", kFalse}, {"diaSource.band = ''", kFalse});
}

TEST_F(FilterEvaluate, StringWithEscapesAndBytes) {
  set_band("it's\n\xc3\xa9");
  EXPECT_CASES({"diaSource.band = 'it\\'s\\n\\u00e9'", kTrue},
               {"diaSource.band = \"it's\\n\xc3\xa9\"", kTrue});
}

TEST_F(FilterEvaluate, EmptyStringIsNotNull) {
  set_band("");
  EXPECT_CASES({"diaSource.band = ''", kTrue}, {"diaSource.band IS NULL", kFalse});
}

TEST_F(FilterEvaluate, NullFieldMakesComparisonUnknown) {
  set_null(dia_source(), "snr");
  EXPECT_CASES({"diaSource.snr > 5", kUnknown}, {"diaSource.snr = 5", kUnknown},
               {"diaSource.snr != 5", kUnknown}, {"NOT diaSource.snr > 5", kUnknown},
               {"diaSource.snr IS NULL", kTrue}, {"diaSource.snr IS NOT NULL", kFalse},
               {"NOT diaSource.snr IS NULL", kFalse});
}

TEST_F(FilterEvaluate, NullStringMakesComparisonUnknown) {
  set_null(dia_source(), "band");
  EXPECT_CASES({"diaSource.band = 'g'", kUnknown}, {"diaSource.band != 'g'", kUnknown},
               {"observation_reason = 'x'", kUnknown});
}

TEST_F(FilterEvaluate, NullRecordOnPathMakesLeafNull) {
  set_null(alert_, "diaObject");
  EXPECT_CASES({"diaObject.nDiaSources > 2", kUnknown}, {"diaObject.nDiaSources IS NULL", kTrue},
               {"diaObject IS NULL", kTrue}, {"diaObject IS NOT NULL", kFalse});
}

TEST_F(FilterEvaluate, PresentRecordOnPathIsRead) {
  set_n_dia_sources(3);
  EXPECT_CASES({"diaObject.nDiaSources > 2", kTrue}, {"diaObject.nDiaSources > 3", kFalse},
               {"diaObject.nDiaSources IS NULL", kFalse}, {"diaObject IS NOT NULL", kTrue});
}

TEST_F(FilterEvaluate, BooleanFieldAsCondition) {
  set_is_dipole(true);
  EXPECT_CASES({"diaSource.isDipole", kTrue}, {"NOT diaSource.isDipole", kFalse},
               {"!diaSource.isDipole", kFalse}, {"diaSource.isDipole = TRUE", kTrue},
               {"diaSource.isDipole != true", kFalse}, {"diaSource.isDipole = FALSE", kFalse});
}

TEST_F(FilterEvaluate, NullBooleanIsUnknown) {
  set_null(dia_source(), "isDipole");
  EXPECT_CASES({"diaSource.isDipole", kUnknown}, {"NOT diaSource.isDipole", kUnknown},
               {"diaSource.isDipole = FALSE", kUnknown});
}

// The truth tables of SQL's three-valued AND, OR and NOT. UNKNOWN comes from comparing the
// null diaSource.snr, TRUE and FALSE from literals.
TEST_F(FilterEvaluate, ThreeValuedTruthTables) {
  set_null(dia_source(), "snr");
  EXPECT_CASES({"TRUE AND TRUE", kTrue}, {"TRUE AND FALSE", kFalse}, {"FALSE AND FALSE", kFalse},
               {"FALSE AND diaSource.snr > 0", kFalse}, {"diaSource.snr > 0 AND FALSE", kFalse},
               {"TRUE AND diaSource.snr > 0", kUnknown}, {"diaSource.snr > 0 AND TRUE", kUnknown},
               {"diaSource.snr > 0 AND diaSource.snr < 0", kUnknown}, {"TRUE OR FALSE", kTrue},
               {"FALSE OR FALSE", kFalse}, {"TRUE OR diaSource.snr > 0", kTrue},
               {"diaSource.snr > 0 OR TRUE", kTrue}, {"FALSE OR diaSource.snr > 0", kUnknown},
               {"diaSource.snr > 0 OR FALSE", kUnknown},
               {"diaSource.snr > 0 OR diaSource.snr < 0", kUnknown}, {"NOT TRUE", kFalse},
               {"NOT FALSE", kTrue}, {"NOT diaSource.snr > 0", kUnknown},
               {"NOT NOT diaSource.snr > 0", kUnknown});
}

TEST_F(FilterEvaluate, LongChainsDecideByAnyOperand) {
  set_null(dia_source(), "snr");
  EXPECT_CASES({"TRUE AND TRUE AND diaSource.snr > 0 AND TRUE", kUnknown},
               {"TRUE AND diaSource.snr > 0 AND FALSE AND TRUE", kFalse},
               {"FALSE OR diaSource.snr > 0 OR TRUE", kTrue},
               {"FALSE OR FALSE OR diaSource.snr > 0", kUnknown});
}

TEST_F(FilterEvaluate, PrecedenceAffectsResult) {
  // FALSE AND FALSE OR TRUE groups as (FALSE AND FALSE) OR TRUE = TRUE. If AND bound looser, it
  // would be FALSE AND (FALSE OR TRUE) = FALSE.
  EXPECT_CASES({"FALSE AND FALSE OR TRUE", kTrue}, {"FALSE AND (FALSE OR TRUE)", kFalse},
               {"NOT FALSE AND FALSE", kFalse}, {"NOT (FALSE AND FALSE)", kTrue});
}

TEST_F(FilterEvaluate, LdmExpressionOnBrightSource) {
  set_snr(6.0f);
  set_psf_flux(40000.0f);
  EXPECT_EQ(evaluate("diaSource.snr > 5 AND diaSource.psfFlux > 36310"), kTrue);
}

TEST_F(FilterEvaluate, LdmExpressionAtThresholdIsFalse) {
  set_snr(6.0f);
  set_psf_flux(36310.0f);  // exactly representable as a float, and not greater than itself
  EXPECT_EQ(evaluate("diaSource.snr > 5 AND diaSource.psfFlux > 36310"), kFalse);
}

TEST_F(FilterEvaluate, LdmExpressionWithoutFluxIsUnknown) {
  set_snr(6.0f);
  set_null(dia_source(), "psfFlux");
  EXPECT_EQ(evaluate("diaSource.snr > 5 AND diaSource.psfFlux > 36310"), kUnknown);
}

TEST_F(FilterEvaluate, MatchesOnlyWhenTrue) {
  auto filter = Filter::compile("diaSource.snr > 5", schema_->root());
  ASSERT_TRUE(filter);

  set_snr(6.0f);
  auto bright = filter->matches(alert_);
  ASSERT_TRUE(bright);
  EXPECT_TRUE(*bright);

  set_snr(4.0f);
  auto faint = filter->matches(alert_);
  ASSERT_TRUE(faint);
  EXPECT_FALSE(*faint);

  set_null(dia_source(), "snr");
  auto unknown = filter->matches(alert_);
  ASSERT_TRUE(unknown);
  EXPECT_FALSE(*unknown);
}

TEST_F(FilterEvaluate, CopiedFilterKeepsStringConstants) {
  set_band("r");
  auto compiled = Filter::compile("diaSource.band = 'r'", schema_->root());
  ASSERT_TRUE(compiled);
  Filter copy = *compiled;
  compiled = Filter::compile("diaSource.band = 'g'", schema_->root());
  auto truth = copy.evaluate(alert_);
  ASSERT_TRUE(truth);
  EXPECT_EQ(*truth, kTrue);
}

TEST_F(FilterEvaluate, ValueOfOtherSchemaFails) {
  auto filter = Filter::compile("diaSource.snr > 5", schema_->root());
  ASSERT_TRUE(filter);
  // A diaSource record where an alert record is expected: field 3 of diaSource is
  // diaObjectId, a union of null and long, not the diaSource record.
  Value wrong = Value::zero(*dia_source().node);
  auto truth = filter->evaluate(wrong);
  ASSERT_FALSE(truth);
  EXPECT_EQ(truth.error().message,
            "alert value does not match the schema the filter was compiled against, at field "
            "'diaSource.snr'");
}

TEST_F(FilterEvaluate, TruncatedRecordFails) {
  auto filter = Filter::compile("diaObject IS NULL", schema_->root());
  ASSERT_TRUE(filter);
  alert_.children.resize(3);  // diaObject is field 6
  auto truth = filter->evaluate(alert_);
  ASSERT_FALSE(truth);
  EXPECT_EQ(truth.error().message,
            "alert value does not match the schema the filter was compiled against, at field "
            "'diaObject'");
}

// Checks that the counter records allocations, so that a zero count below means something.
TEST_F(FilterEvaluate, ErrorPathAllocationIsCounted) {
  auto filter = Filter::compile("diaSource.snr > 5", schema_->root());
  ASSERT_TRUE(filter);
  Value wrong = Value::zero(*dia_source().node);

  std::size_t before = allocation_count.load();
  auto truth = filter->evaluate(wrong);
  std::size_t after = allocation_count.load();

  ASSERT_FALSE(truth);
  EXPECT_GT(after - before, 0u);
}

TEST_F(FilterEvaluate, EvaluationAllocatesNothing) {
  auto filter = Filter::compile(
      "(diaSource.snr > 5 AND diaSource.psfFlux > 36310 OR diaSource.band = 'g') AND NOT "
      "diaSource.isDipole AND diaObject.nDiaSources >= 2 AND observation_reason IS NULL",
      schema_->root());
  ASSERT_TRUE(filter) << filter.error().message;
  set_snr(6.0f);
  set_psf_flux(40000.0f);
  set_band("a band name longer than the small-string buffer");
  set_is_dipole(false);
  set_n_dia_sources(2);

  std::size_t before = allocation_count.load();
  auto truth = filter->evaluate(alert_);
  std::size_t after = allocation_count.load();

  ASSERT_TRUE(truth);
  EXPECT_EQ(*truth, kTrue);
  EXPECT_EQ(after - before, 0u);
}

}  // namespace
}  // namespace skystream::filter
