// Tokens of the filter language.
//
// Keywords (AND, OR, NOT, IS, NULL, TRUE, FALSE) are case-insensitive. Operators: = and ==,
// != and <>, <, <=, >, >=, && (AND), || (OR), ! (NOT). Numbers are integers ("42", "-7"),
// decimals ("0.5", ".5", "5.") or carry an exponent ("1e-3"). A '-' directly before a digit or
// a decimal point is part of the number, because the language has no arithmetic. Strings are
// quoted with ' or " and accept the escapes \\ \' \" \n \r \t and \uXXXX (written as UTF-8).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "filter/error.h"

namespace skystream::filter {

enum class TokenKind : std::uint8_t {
  kIdentifier,
  kInteger,
  kReal,
  kString,
  kDot,
  kLeftParen,
  kRightParen,
  kEqual,
  kNotEqual,
  kLess,
  kLessEqual,
  kGreater,
  kGreaterEqual,
  kAnd,
  kOr,
  kNot,
  kIs,
  kNull,
  kTrue,
  kFalse,
  kEnd,
};

struct Token {
  TokenKind kind = TokenKind::kEnd;
  std::string_view lexeme;  // the token's characters in the source, empty for kEnd
  std::string text;         // identifier name, or the string literal after unescaping
  std::int64_t integer = 0;
  double real = 0;
  std::size_t column = 1;  // 1-based byte column of the token's first character
};

// Splits `expression` into tokens, ending with one kEnd token whose column is one past the last
// character. Tokens' lexemes are views into `expression`, which must outlive them. Fails on an
// unexpected character, an unterminated string, an unknown escape, a malformed number, or an
// integer outside the 64-bit range, and the error gives the column.
[[nodiscard]] Result<std::vector<Token>> tokenize(std::string_view expression);

// Describes a token for error messages: "'AND'", "'diaSource'", or "end of expression".
std::string describe(const Token& token);

}  // namespace skystream::filter
