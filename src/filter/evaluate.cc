// Filter::evaluate: three-valued evaluation of a compiled filter on a decoded alert.
#include <fmt/format.h>

#include "filter/filter.h"

namespace skystream::filter {
namespace {

template <typename T>
bool apply(CompareOp op, const T& a, const T& b) {
  switch (op) {
    case CompareOp::kEqual:
      return a == b;
    case CompareOp::kNotEqual:
      return a != b;
    case CompareOp::kLess:
      return a < b;
    case CompareOp::kLessEqual:
      return a <= b;
    case CompareOp::kGreater:
      return a > b;
    case CompareOp::kGreaterEqual:
      return a >= b;
  }
  return false;
}

double as_double(const Scalar& scalar) {
  return scalar.kind == Scalar::Kind::kInteger ? static_cast<double>(scalar.integer) : scalar.real;
}

Truth to_truth(bool value) { return value ? Truth::kTrue : Truth::kFalse; }

// Compares two scalars whose kinds compile() has checked to be compatible.
Truth compare(CompareOp op, const Scalar& a, const Scalar& b) {
  if (a.kind == Scalar::Kind::kNull || b.kind == Scalar::Kind::kNull) return Truth::kUnknown;

  switch (a.kind) {
    case Scalar::Kind::kInteger:
      if (b.kind == Scalar::Kind::kInteger) return to_truth(apply(op, a.integer, b.integer));
      return to_truth(apply(op, as_double(a), as_double(b)));
    case Scalar::Kind::kReal:
      return to_truth(apply(op, as_double(a), as_double(b)));
    case Scalar::Kind::kString:
      return to_truth(apply(op, a.text, b.text));
    case Scalar::Kind::kBoolean:
      return to_truth(apply(op, a.boolean, b.boolean));
    default:
      return Truth::kUnknown;
  }
}

Truth negate(Truth truth) {
  switch (truth) {
    case Truth::kFalse:
      return Truth::kTrue;
    case Truth::kTrue:
      return Truth::kFalse;
    case Truth::kUnknown:
      return Truth::kUnknown;
  }
  return Truth::kUnknown;
}

}  // namespace

std::string_view to_string(Truth truth) {
  switch (truth) {
    case Truth::kFalse:
      return "FALSE";
    case Truth::kTrue:
      return "TRUE";
    case Truth::kUnknown:
      return "UNKNOWN";
  }
  return "?";
}

Result<Truth> Filter::evaluate(const avro::Value& alert) const {
  Failure failure;
  Truth truth = evaluate_condition(root_, alert, failure);
  if (failure.failed) {
    return std::unexpected(Error{fmt::format(
        "alert value does not match the schema the filter was compiled against, at field '{}'",
        paths_[failure.path].text)});
  }
  return truth;
}

Result<bool> Filter::matches(const avro::Value& alert) const {
  auto truth = evaluate(alert);
  if (!truth) return std::unexpected(std::move(truth.error()));
  return *truth == Truth::kTrue;
}

bool Filter::read_term(const Term& term, const avro::Value& alert, Scalar* out,
                       Failure& failure) const {
  if (!term.is_path) {
    *out = term.constant;
    if (out->kind == Scalar::Kind::kString) out->text = term.text;
    return true;
  }
  if (read_path(paths_[term.path], alert, out) == ReadStatus::kOk) return true;
  failure.failed = true;
  failure.path = term.path;
  return false;
}

Truth Filter::evaluate_condition(std::uint32_t index, const avro::Value& alert,
                                 Failure& failure) const {
  const Condition& condition = conditions_[index];
  Scalar left;
  Scalar right;
  switch (condition.kind) {
    case Expression::Kind::kAnd:
    case Expression::Kind::kOr:
      return evaluate_chain(condition, alert, failure);
    case Expression::Kind::kNot:
      return negate(evaluate_condition(child_indices_[condition.first_child], alert, failure));
    case Expression::Kind::kCompare:
      if (!read_term(condition.left, alert, &left, failure)) return Truth::kUnknown;
      if (!read_term(condition.right, alert, &right, failure)) return Truth::kUnknown;
      return compare(condition.op, left, right);
    case Expression::Kind::kIsNull:
      if (!read_term(condition.left, alert, &left, failure)) return Truth::kUnknown;
      return to_truth(left.kind == Scalar::Kind::kNull);
    case Expression::Kind::kIsNotNull:
      if (!read_term(condition.left, alert, &left, failure)) return Truth::kUnknown;
      return to_truth(left.kind != Scalar::Kind::kNull);
    case Expression::Kind::kTest:
      if (!read_term(condition.left, alert, &left, failure)) return Truth::kUnknown;
      if (left.kind == Scalar::Kind::kNull) return Truth::kUnknown;
      return to_truth(left.boolean);
  }
  return Truth::kUnknown;
}

// AND is FALSE as soon as one operand is FALSE, else UNKNOWN if any operand is UNKNOWN, else TRUE.
// OR is the mirror image. Evaluation stops at the first deciding operand or failure.
Truth Filter::evaluate_chain(const Condition& condition, const avro::Value& alert,
                             Failure& failure) const {
  bool is_and = condition.kind == Expression::Kind::kAnd;
  Truth deciding = is_and ? Truth::kFalse : Truth::kTrue;
  Truth result = is_and ? Truth::kTrue : Truth::kFalse;
  for (std::uint32_t i = 0; i < condition.child_count; ++i) {
    std::uint32_t child = child_indices_[condition.first_child + i];
    Truth truth = evaluate_condition(child, alert, failure);
    if (failure.failed) return Truth::kUnknown;
    if (truth == deciding) return deciding;
    if (truth == Truth::kUnknown) result = Truth::kUnknown;
  }
  return result;
}

}  // namespace skystream::filter
