#include "sim/field_fill.h"

#include <algorithm>
#include <array>
#include <cmath>

namespace skystream::sim {
namespace {

using avro::Node;
using avro::Type;
using avro::Value;

// Share of flags that are set.
constexpr double kFlagProbability = 0.02;

// MJD of the Unix epoch (1970-01-01), and TAI - UTC in seconds since 2017-01-01.
constexpr double kUnixEpochMjd = 40587.0;
constexpr double kTaiMinusUtcSeconds = 37.0;

// Fields that stay null when nullable: a record that was never withdrawn, a source that is no
// deblended child, the orbit fit's raw JSON, and the non-gravitational parameters of an orbit
// fitted without them.
constexpr std::array<std::string_view, 15> kLeftNull = {"timeWithdrawnMjdTai",
                                                        "parentDiaSourceId",
                                                        "mpc_orb_jsonb",
                                                        "yarkovsky",
                                                        "yarkovsky_unc",
                                                        "srp",
                                                        "srp_unc",
                                                        "a1",
                                                        "a1_unc",
                                                        "a2",
                                                        "a2_unc",
                                                        "a3",
                                                        "a3_unc",
                                                        "dt",
                                                        "dt_unc"};

// Positions measured by the fits of versions 3.0 to 11.x, and the ephemeris position.
constexpr std::array<std::string_view, 7> kRaNames = {"ra",       "psfRa", "psRa", "trailRa",
                                                      "dipoleRa", "dipRa", "ephRa"};
constexpr std::array<std::string_view, 9> kDecNames = {
    "dec", "decl", "psfDec", "psDecl", "trailDec", "trailDecl", "dipoleDec", "dipDecl", "ephDec"};

bool contains(std::string_view text, std::string_view part) {
  return text.find(part) != std::string_view::npos;
}

template <std::size_t N>
bool is_one_of(std::string_view name, const std::array<std::string_view, N>& names) {
  return std::find(names.begin(), names.end(), name) != names.end();
}

bool is_numeric(Type type) {
  return type == Type::kInt || type == Type::kLong || type == Type::kFloat || type == Type::kDouble;
}

bool is_integer(Type type) { return type == Type::kInt || type == Type::kLong; }

FieldKind classify_string(std::string_view name) {
  if (name == "band" || name == "filterName") return FieldKind::kBand;
  if (contains(name, "esignation")) return FieldKind::kDesignation;
  return FieldKind::kText;
}

bool is_count(std::string_view name) {
  return contains(name, "Ndata") || contains(name, "nObs") || contains(name, "numObs") ||
         contains(name, "nobs") || name.starts_with("nDia") || name == "nopp";
}

bool is_time(std::string_view name) {
  return contains(name, "Mjd") || contains(name, "mjd") || name.ends_with("Tai") ||
         contains(name, "Date") || name == "epoch" || name == "t_p" || name == "peri_time";
}

FieldKind classify_flux(std::string_view name) {
  if (contains(name, "Chi2")) return FieldKind::kChi2;
  if (name.ends_with("Err") || name.ends_with("ErrMean") || name.ends_with("Sigma")) {
    return FieldKind::kFluxError;
  }
  return FieldKind::kFlux;
}

// Classifies a numeric field by its name, trying the most specific patterns first.
FieldKind classify_number(std::string_view name, Type type) {
  if (name.ends_with("_Cov")) return FieldKind::kCovariance;
  if (is_integer(type) && is_count(name)) return FieldKind::kCount;
  if (is_integer(type) && (name.ends_with("Id") || name == "id" || name.starts_with("nearbyObj"))) {
    if (!contains(name, "Dist") && !contains(name, "LnP")) return FieldKind::kId;
  }
  if (is_time(name)) return FieldKind::kMjd;
  if (is_one_of(name, kRaNames)) return FieldKind::kRa;
  if (is_one_of(name, kDecNames)) return FieldKind::kDec;
  if (name.ends_with("aErr") || name.ends_with("ecErr") || name.ends_with("eclErr")) {
    return FieldKind::kPositionError;
  }
  if (contains(name, "Flux") || contains(name, "flux")) return classify_flux(name);
  if (name.ends_with("Chi2")) return FieldKind::kChi2;
  if (name.ends_with("LnL") || name.ends_with("LnP")) return FieldKind::kLogLikelihood;
  if (name == "x" || name == "y") return FieldKind::kPixel;
  if (name == "xErr" || name == "yErr") return FieldKind::kPixelError;
  if (is_integer(type) && name.ends_with("Size")) {
    return FieldKind::kPixelCount;
  }
  if (name == "extendedness" || name == "reliability") return FieldKind::kFraction;
  if (name.ends_with("Err") || name.ends_with("_unc") || name.ends_with("Sigma")) {
    return FieldKind::kError;
  }
  if (contains(name, "Angle") || name == "elongation") return FieldKind::kAngle;
  if (name.ends_with("Length")) return FieldKind::kLength;
  if (contains(name, "Range") || contains(name, "Dist")) return FieldKind::kDistance;
  return FieldKind::kOther;
}

double wrap_ra(double ra) {
  double wrapped = std::fmod(ra, 360.0);
  if (wrapped < 0) wrapped += 360.0;
  // A tiny negative angle plus 360 can round to exactly 360.
  return wrapped >= 360.0 ? 0.0 : wrapped;
}

// A generic number of `kind` for the alert described by `context`.
double generic_number(FieldKind kind, const FillContext& context, Random& random) {
  // Measured positions scatter around the source by up to about 0.1 arcsec.
  constexpr double kPositionScatter = 0.03 / 3600.0;
  switch (kind) {
    case FieldKind::kCount:
      return static_cast<double>(random.uniform_int(1, 50));
    case FieldKind::kMjd:
      return context.midpoint_mjd_tai;
    case FieldKind::kRa:
      return wrap_ra(context.position.ra + random.normal(0, kPositionScatter));
    case FieldKind::kDec:
      return std::clamp(context.position.dec + random.normal(0, kPositionScatter), -90.0, 90.0);
    case FieldKind::kPositionError:
      return random.uniform(1e-5, 5e-5);
    case FieldKind::kCovariance:
      // Small enough for the smallest pair of uncertainties, 1e-5 deg each.
      return random.uniform(-0.3e-10, 0.3e-10);
    case FieldKind::kFlux:
      // Other bands and measurements of the source: within half a magnitude of its flux.
      return context.flux * std::pow(10.0, -0.4 * random.uniform(-0.5, 0.5));
    case FieldKind::kFluxError:
      return context.flux_err * random.uniform(0.9, 1.1);
    case FieldKind::kChi2:
      return random.uniform(10, 60);
    case FieldKind::kLogLikelihood:
      return -random.uniform(10, 100);
    case FieldKind::kPixel:
      return random.uniform(0, kCcdHeightPixels);
    case FieldKind::kPixelError:
      return random.uniform(0.02, 0.5);
    case FieldKind::kFraction:
      return random.uniform01();
    case FieldKind::kAngle:
      return random.uniform(0, 180);
    case FieldKind::kLength:
      return random.uniform(0.2, 3);
    case FieldKind::kDistance:
      return random.uniform(1.5, 4);
    case FieldKind::kError:
      return random.uniform(1e-4, 1e-2);
    case FieldKind::kPixelCount:
      return static_cast<double>(random.uniform_int(10, 60));
    default:
      return random.uniform01();
  }
}

std::int64_t timestamp_micros(double mjd_tai) {
  const double seconds = (mjd_tai - kUnixEpochMjd) * 86400.0 - kTaiMinusUtcSeconds;
  return std::llround(seconds * 1e6);
}

}  // namespace

FieldKind classify_field(std::string_view name, const avro::Node& type) {
  switch (type.type) {
    case Type::kRecord:
      return FieldKind::kRecord;
    case Type::kArray:
    case Type::kMap:
    case Type::kBytes:
    case Type::kFixed:
    case Type::kNull:
      // The alert builder fills the history arrays and the cutouts by rule; arrays, maps and
      // bytes elsewhere stay empty.
      return FieldKind::kLeaveNull;
    default:
      break;
  }
  if (is_one_of(name, kLeftNull)) return FieldKind::kLeaveNull;
  if (type.type == Type::kBoolean) return FieldKind::kFlag;
  if (type.type == Type::kString) return classify_string(name);
  if (type.type == Type::kLong && type.logical_type == "timestamp-micros") {
    return FieldKind::kTimestampMicros;
  }
  if (type.type == Type::kLong && type.logical_type == "timestamp-millis") {
    return FieldKind::kTimestampMillis;
  }
  if (type.type == Type::kEnum) return FieldKind::kOther;
  return classify_number(name, type.type);
}

const std::vector<RecordFiller::FieldPlan>& RecordFiller::plan_for(const avro::Node& record) {
  auto found = plans_.find(&record);
  if (found != plans_.end()) return found->second;

  std::vector<FieldPlan> plan;
  plan.reserve(record.fields.size());
  for (const avro::Field& field : record.fields) {
    FieldPlan field_plan;
    field_plan.type = field.type;
    if (field.type->type == Type::kUnion) {
      // The first branch that is not null; a union of null alone stays null.
      const auto& branches = field.type->branches;
      for (std::size_t i = 0; i < branches.size(); ++i) {
        if (branches[i]->type != Type::kNull) {
          field_plan.branch = static_cast<int>(i);
          field_plan.type = branches[i];
          break;
        }
      }
    }
    field_plan.kind = classify_field(field.name, *field_plan.type);
    plan.push_back(field_plan);
  }
  return plans_.emplace(&record, std::move(plan)).first->second;
}

void RecordFiller::fill(avro::Value& record, const FillContext& context, Random& random) {
  const auto& plan = plan_for(*record.node);
  for (std::size_t i = 0; i < plan.size(); ++i) {
    fill_value(record.children[i], plan[i], context, random);
  }
}

void RecordFiller::fill_field(avro::Value& record, int index, const FillContext& context,
                              Random& random) {
  const auto& plan = plan_for(*record.node);
  fill_value(record.children[index], plan[index], context, random);
}

void RecordFiller::fill_value(avro::Value& field, const FieldPlan& plan, const FillContext& context,
                              Random& random) {
  if (plan.kind == FieldKind::kLeaveNull) return;
  Value& value = plan.branch >= 0 ? field.select(plan.branch) : field;

  switch (plan.kind) {
    case FieldKind::kRecord:
      fill(value, context, random);
      return;
    case FieldKind::kFlag:
      value.boolean = random.bernoulli(kFlagProbability);
      return;
    case FieldKind::kBand:
      value.bytes.assign(1, context.band);
      return;
    case FieldKind::kDesignation:
      value.bytes.assign(context.designation);
      return;
    case FieldKind::kText:
      value.bytes.assign("simulated");
      return;
    case FieldKind::kTimestampMicros:
      value.integer = timestamp_micros(context.processed_mjd_tai);
      return;
    case FieldKind::kTimestampMillis:
      value.integer = timestamp_micros(context.processed_mjd_tai) / 1000;
      return;
    case FieldKind::kId:
      value.integer = value.type() == Type::kLong
                          ? random.uniform_int(100'000'000'000'000'000, 999'999'999'999'999'999)
                          : random.uniform_int(1, 999'999);
      return;
    default:
      break;
  }
  if (value.type() == Type::kEnum) {
    value.index = 0;
    return;
  }
  if (plan.kind == FieldKind::kOther && is_integer(value.type())) {
    value.integer = random.uniform_int(1, 100);
    return;
  }
  store_number(value, generic_number(plan.kind, context, random));
}

bool store_number(avro::Value& field, double x) {
  Value* value = &field;
  if (field.type() == Type::kUnion) {
    const auto& branches = field.node->branches;
    const auto numeric = std::find_if(branches.begin(), branches.end(),
                                      [](const Node* branch) { return is_numeric(branch->type); });
    if (numeric == branches.end()) return false;
    value = &field.select(static_cast<int>(numeric - branches.begin()));
  }

  switch (value->type()) {
    case Type::kInt:
    case Type::kLong:
      value->integer = std::llround(x);
      return true;
    case Type::kFloat:
      value->float32 = static_cast<float>(x);
      return true;
    case Type::kDouble:
      value->float64 = x;
      return true;
    default:
      return false;
  }
}

avro::Value* find_field(avro::Value& record, std::initializer_list<std::string_view> names) {
  for (std::string_view name : names) {
    const int index = record.node->field_index(name);
    if (index >= 0) return &record.children[index];
  }
  return nullptr;
}

namespace {

// Returns the value of `field` that can hold a value of type `type`: the field itself, or the
// union branch of that type, which becomes the chosen branch. Returns nullptr when neither
// exists.
Value* holder_of(Value& field, Type type) {
  if (field.type() == type) return &field;
  if (field.type() != Type::kUnion) return nullptr;
  const auto& branches = field.node->branches;
  for (std::size_t i = 0; i < branches.size(); ++i) {
    if (branches[i]->type == type) return &field.select(static_cast<int>(i));
  }
  return nullptr;
}

}  // namespace

bool set_number(avro::Value& record, std::initializer_list<std::string_view> names, double x) {
  Value* field = find_field(record, names);
  return field != nullptr && store_number(*field, x);
}

bool set_integer(avro::Value& record, std::initializer_list<std::string_view> names,
                 std::int64_t x) {
  Value* field = find_field(record, names);
  if (field == nullptr) return false;
  Value* holder = holder_of(*field, Type::kLong);
  if (holder == nullptr) holder = holder_of(*field, Type::kInt);
  if (holder == nullptr) return store_number(*field, static_cast<double>(x));
  holder->integer = x;
  return true;
}

bool set_string(avro::Value& record, std::initializer_list<std::string_view> names,
                std::string_view text) {
  Value* field = find_field(record, names);
  Value* holder = field != nullptr ? holder_of(*field, Type::kString) : nullptr;
  if (holder == nullptr) return false;
  holder->bytes.assign(text);
  return true;
}

bool set_boolean(avro::Value& record, std::initializer_list<std::string_view> names, bool flag) {
  Value* field = find_field(record, names);
  Value* holder = field != nullptr ? holder_of(*field, Type::kBoolean) : nullptr;
  if (holder == nullptr) return false;
  holder->boolean = flag;
  return true;
}

bool set_null(avro::Value& record, std::initializer_list<std::string_view> names) {
  Value* field = find_field(record, names);
  if (field == nullptr || field->type() != Type::kUnion) return false;
  const int branch = field->node->null_branch();
  if (branch < 0) return false;
  field->select(branch);
  return true;
}

}  // namespace skystream::sim
