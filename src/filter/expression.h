// Syntax tree of a filter expression, and the parser that builds it.
//
// Grammar, with case-insensitive keywords and precedence NOT > AND > OR (AND and OR group from
// left to right):
//
//   expression := or
//   or         := and { ("OR" | "||") and }
//   and        := not { ("AND" | "&&") not }
//   not        := ("NOT" | "!") not | primary
//   primary    := "(" expression ")" | predicate
//   predicate  := operand [ comparison operand | "IS" ["NOT"] "NULL" ]
//   comparison := "=" | "==" | "!=" | "<>" | "<" | "<=" | ">" | ">="
//   operand    := path | number | string | "TRUE" | "FALSE"
//   path       := name { "." name }
//
// A predicate without a comparison is a boolean test, which the compiler accepts only for boolean
// fields and TRUE or FALSE. The parser checks syntax only, and Filter::compile checks names and
// types against a schema.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "filter/error.h"

namespace skystream::filter {

// Parentheses and NOT may nest this deep, which bounds the recursion of the parser, the
// compiler and the evaluator.
inline constexpr std::size_t kMaxNesting = 100;

enum class CompareOp : std::uint8_t {
  kEqual,
  kNotEqual,
  kLess,
  kLessEqual,
  kGreater,
  kGreaterEqual,
};

// The operator as written in canonical form: "=", "!=", "<", "<=", ">", ">=".
std::string_view op_symbol(CompareOp op);

struct Operand {
  enum class Kind : std::uint8_t { kPath, kInteger, kReal, kString, kBoolean };

  Kind kind = Kind::kPath;
  std::vector<std::string> path;  // kPath: the names, outermost first
  std::int64_t integer = 0;       // kInteger
  double real = 0;                // kReal
  std::string text;               // kString, after unescaping
  bool boolean = false;           // kBoolean
  std::size_t column = 1;         // 1-based byte column of the operand's first character

  // The path joined with dots: "diaSource.snr".
  std::string dotted_path() const;
};

struct Expression {
  enum class Kind : std::uint8_t { kAnd, kOr, kNot, kCompare, kIsNull, kIsNotNull, kTest };

  Kind kind = Kind::kTest;
  std::vector<Expression> children;  // kAnd, kOr: two or more; kNot: one
  CompareOp op = CompareOp::kEqual;  // kCompare
  Operand left;                      // kCompare, kIsNull, kIsNotNull, kTest
  Operand right;                     // kCompare
  std::size_t column = 1;            // 1-based byte column where the expression starts
};

// Parses `text`. Errors name the column of the offending token and what was expected there:
// "expected ')' at column 17, found end of expression".
[[nodiscard]] Result<Expression> parse(std::string_view text);

// Writes `expression` back as text with every AND, OR and NOT group in parentheses and
// keywords in upper case, so that "a = 1 or b = 2 and not c" becomes
// "(a = 1 OR (b = 2 AND (NOT c)))". Strings are written in single quotes with quotes,
// backslashes and control characters escaped, and reals in the shortest form that reads back
// to the same double, with ".0" added when that form looks like an integer.
std::string to_string(const Expression& expression);
std::string to_string(const Operand& operand);

}  // namespace skystream::filter
