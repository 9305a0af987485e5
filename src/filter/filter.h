// A filter expression compiled against an alert schema, and its evaluation on decoded alerts.
//
// Compiling resolves every field path to record field indices and checks types, so evaluation
// only walks indices. Evaluation follows SQL's three-valued logic. A comparison that reads a null
// (a union on its null branch anywhere along a path) is UNKNOWN, NOT UNKNOWN is UNKNOWN, FALSE
// AND UNKNOWN is FALSE, and TRUE OR UNKNOWN is TRUE. An alert matches only when the result is
// TRUE. Numbers compare as IEEE doubles, so every comparison with NaN is false except !=, but
// two integers (int or long fields, integer literals) compare exactly as 64-bit integers.
// Strings compare by bytes.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "avro/schema.h"
#include "avro/value.h"
#include "filter/error.h"
#include "filter/expression.h"
#include "filter/path.h"

namespace skystream::filter {

enum class Truth : std::uint8_t { kFalse, kTrue, kUnknown };

// "FALSE", "TRUE" or "UNKNOWN".
std::string_view to_string(Truth truth);

// A compiled filter. Holds pointers into the schema it was compiled against, so it is valid
// only while that schema lives. Immutable after compile(), so one Filter may be evaluated from
// several threads at once. Copyable and movable.
class Filter {
 public:
  // Parses and compiles `expression` against the alert record `root`. Errors carry the column
  // and describe the problem: a syntax error, an unknown field (naming the path and the record
  // that lacks it), a step into a non-record, or a comparison between mismatched types (a string
  // with a number, an ordering of booleans, an enum with a string that is not one of its
  // symbols). A path that ends at a record, array, map, bytes or fixed accepts only IS NULL and
  // IS NOT NULL.
  [[nodiscard]] static Result<Filter> compile(std::string_view expression, const avro::Node& root);
  [[nodiscard]] static Result<Filter> compile(const Expression& expression, const avro::Node& root);

  // Evaluates the filter on `alert`, a record value of the schema the filter was compiled
  // against (decoded in full, or at least in the top-level fields that top_level_fields()
  // lists). Allocates nothing unless it fails. Fails only when the value's shape differs from
  // the schema (a different type, a missing field, a bad union or enum index), and the error
  // names the path being read.
  [[nodiscard]] Result<Truth> evaluate(const avro::Value& alert) const;

  // Evaluates the filter and returns whether the result is TRUE.
  [[nodiscard]] Result<bool> matches(const avro::Value& alert) const;

  // The indices of the alert record's fields that the filter reads, ascending and unique.
  std::span<const int> top_level_fields() const { return top_level_fields_; }

  // Every field path the filter reads, each once, in order of first appearance.
  std::span<const FieldPath> paths() const { return paths_; }

  // The expression in canonical form (see to_string(const Expression&)).
  const std::string& text() const { return text_; }

 private:
  friend class Compiler;

  // An operand: a field path or a constant. A string constant's text lives in `text` so that
  // copies of the Filter stay valid.
  struct Term {
    bool is_path = false;
    std::uint32_t path = 0;  // index into paths_
    Scalar constant;
    std::string text;
  };

  // One node of the expression tree. AND, OR and NOT refer to their operands through
  // child_indices_[first_child, first_child + child_count).
  struct Condition {
    Expression::Kind kind = Expression::Kind::kTest;
    CompareOp op = CompareOp::kEqual;
    std::uint32_t first_child = 0;
    std::uint32_t child_count = 0;
    Term left;
    Term right;
  };

  // Evaluation state: when reading a value fails, `failed` is set and `path` names the path.
  struct Failure {
    bool failed = false;
    std::uint32_t path = 0;
  };

  Filter() = default;

  Truth evaluate_condition(std::uint32_t index, const avro::Value& alert, Failure& failure) const;
  Truth evaluate_chain(const Condition& condition, const avro::Value& alert,
                       Failure& failure) const;
  bool read_term(const Term& term, const avro::Value& alert, Scalar* out, Failure& failure) const;

  std::vector<Condition> conditions_;
  std::vector<std::uint32_t> child_indices_;
  std::uint32_t root_ = 0;
  std::vector<FieldPath> paths_;
  std::vector<int> top_level_fields_;
  std::string text_;
};

}  // namespace skystream::filter
