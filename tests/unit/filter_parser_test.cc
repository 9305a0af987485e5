// Lexer and parser of the filter language: tokens, precedence, canonical form and syntax
// errors with their columns. Expected strings and columns are counted by hand from the input.

#include <gtest/gtest.h>

#include <cstdint>
#include <limits>
#include <string>
#include <vector>

#include "filter/expression.h"
#include "filter/lexer.h"

namespace skystream::filter {
namespace {

std::vector<TokenKind> kinds_of(std::string_view text) {
  auto tokens = tokenize(text);
  if (!tokens) throw std::runtime_error(tokens.error().message);
  std::vector<TokenKind> kinds;
  for (const Token& token : *tokens) kinds.push_back(token.kind);
  return kinds;
}

Token single_token(std::string_view text) {
  auto tokens = tokenize(text);
  if (!tokens) throw std::runtime_error(tokens.error().message);
  if (tokens->size() != 2) throw std::runtime_error("expected one token and the end");
  return tokens->front();
}

TEST(FilterLexer, OperatorsAndKeywords) {
  using enum TokenKind;
  EXPECT_EQ(kinds_of("= == != <> < <= > >="),
            (std::vector{kEqual, kEqual, kNotEqual, kNotEqual, kLess, kLessEqual, kGreater,
                         kGreaterEqual, kEnd}));
  EXPECT_EQ(kinds_of("and AND And && or OR || not NOT !"),
            (std::vector{kAnd, kAnd, kAnd, kAnd, kOr, kOr, kOr, kNot, kNot, kNot, kEnd}));
  EXPECT_EQ(kinds_of("is Null TRUE false ( ) ."),
            (std::vector{kIs, kNull, kTrue, kFalse, kLeftParen, kRightParen, kDot, kEnd}));
}

TEST(FilterLexer, PathIsNamesAndDots) {
  using enum TokenKind;
  EXPECT_EQ(kinds_of("diaSource.snr"), (std::vector{kIdentifier, kDot, kIdentifier, kEnd}));
}

TEST(FilterLexer, ColumnsCountBytesFromOne) {
  auto tokens = tokenize("a  >= 10");
  ASSERT_TRUE(tokens);
  ASSERT_EQ(tokens->size(), 4u);
  EXPECT_EQ((*tokens)[0].column, 1u);
  EXPECT_EQ((*tokens)[1].column, 4u);
  EXPECT_EQ((*tokens)[2].column, 7u);
  EXPECT_EQ((*tokens)[3].column, 9u);  // end: one past the last character
}

struct IntegerCase {
  std::string_view text;
  std::int64_t value;
};

TEST(FilterLexer, IntegerLiterals) {
  const IntegerCase cases[] = {
      {"0", 0},
      {"42", 42},
      {"-7", -7},
      {"36310", 36310},
      {"9223372036854775807", std::numeric_limits<std::int64_t>::max()},
      {"-9223372036854775808", std::numeric_limits<std::int64_t>::min()},
  };
  for (const IntegerCase& test : cases) {
    Token token = single_token(test.text);
    EXPECT_EQ(token.kind, TokenKind::kInteger) << test.text;
    EXPECT_EQ(token.integer, test.value) << test.text;
  }
}

struct RealCase {
  std::string_view text;
  double value;
};

TEST(FilterLexer, RealLiterals) {
  const RealCase cases[] = {
      {"0.5", 0.5},    {".5", 0.5},    {"5.", 5.0},      {"-2.25", -2.25},
      {"1e3", 1000.0}, {"1E-2", 0.01}, {"-.5e+1", -5.0}, {"2.5e0", 2.5},
  };
  for (const RealCase& test : cases) {
    Token token = single_token(test.text);
    EXPECT_EQ(token.kind, TokenKind::kReal) << test.text;
    EXPECT_EQ(token.real, test.value) << test.text;
  }
}

struct StringCase {
  std::string_view text;
  std::string value;
};

TEST(FilterLexer, StringLiteralsAndEscapes) {
  const StringCase cases[] = {
      {"'g'", "g"},
      {"\"r\"", "r"},
      {"''", ""},
      {"'it\\'s'", "it's"},
      {"\"say \\\"hi\\\"\"", "say \"hi\""},
      {"'a\"b'", "a\"b"},
      {"'back\\\\slash'", "back\\slash"},
      {"'tab\\tnew\\nret\\r'", "tab\tnew\nret\r"},
      {"'\\u00e9'", "\xc3\xa9"},      // U+00E9 in UTF-8
      {"'\\u20AC'", "\xe2\x82\xac"},  // U+20AC, upper-case hex digits
      {"'\\u0041b'", "Ab"},
  };
  for (const StringCase& test : cases) {
    Token token = single_token(test.text);
    EXPECT_EQ(token.kind, TokenKind::kString) << test.text;
    EXPECT_EQ(token.text, test.value) << test.text;
  }
}

struct ErrorCase {
  std::string_view text;
  std::string message;
  std::size_t column;
};

TEST(FilterLexer, ErrorsNameTheColumn) {
  const ErrorCase cases[] = {
      {"a = 'open", "unterminated string at column 5", 5},
      {"a = 'ends with \\", "unterminated string at column 5", 5},
      {"a = 'x\\qy'", "unknown escape '\\q' in string at column 7", 7},
      {"a = '\\u12'", "invalid escape: \\u needs four hexadecimal digits at column 6", 6},
      {"a = '\\ud800'", "invalid escape: \\u cannot encode a UTF-16 surrogate at column 6", 6},
      {"a & b", "unexpected character '&' (write AND or &&) at column 3", 3},
      {"a | b", "unexpected character '|' (write OR or ||) at column 3", 3},
      {"a = - 5", "expected a number after '-' at column 5", 5},
      {"a # 1", "unexpected character '#' at column 3", 3},
      {"a = 1e", "invalid number: exponent without digits at column 5", 5},
      {"a = 12abc", "invalid number '12abc' at column 5", 5},
      {"a = 1.2.3", "invalid number '1.2.3' at column 5", 5},
      {"a = 9223372036854775808",
       "integer 9223372036854775808 is outside the 64-bit range (write it as a decimal, such "
       "as 1e20, to compare it as a double) at column 5",
       5},
      {"a = 1e999", "number 1e999 is outside the range of a double at column 5", 5},
  };
  for (const ErrorCase& test : cases) {
    auto tokens = tokenize(test.text);
    ASSERT_FALSE(tokens) << test.text;
    EXPECT_EQ(tokens.error().message, test.message) << test.text;
    EXPECT_EQ(tokens.error().column, test.column) << test.text;
  }
}

struct CanonicalCase {
  std::string_view text;
  std::string canonical;
};

// The canonical form puts every AND, OR and NOT group in parentheses, so it shows how the
// parser grouped the input.
TEST(FilterParser, PrecedenceAndGrouping) {
  const CanonicalCase cases[] = {
      {"a = 1", "a = 1"},
      {"a == 1", "a = 1"},
      {"a = 1 OR b = 2 AND c = 3", "(a = 1 OR (b = 2 AND c = 3))"},
      {"a = 1 AND b = 2 OR c = 3", "((a = 1 AND b = 2) OR c = 3)"},
      {"(a = 1 OR b = 2) AND c = 3", "((a = 1 OR b = 2) AND c = 3)"},
      {"NOT a = 1 AND b = 2", "((NOT a = 1) AND b = 2)"},
      {"NOT (a = 1 AND b = 2)", "(NOT (a = 1 AND b = 2))"},
      {"not not x", "(NOT (NOT x))"},
      {"a = 1 and b = 2 and c = 3", "(a = 1 AND b = 2 AND c = 3)"},
      {"a = 1 or b = 2 or c = 3", "(a = 1 OR b = 2 OR c = 3)"},
      {"a = 1 && b = 2 || !c", "((a = 1 AND b = 2) OR (NOT c))"},
      {"((a = 1))", "a = 1"},
      {"x", "x"},
      {"TRUE", "TRUE"},
  };
  for (const CanonicalCase& test : cases) {
    auto parsed = parse(test.text);
    ASSERT_TRUE(parsed) << test.text << ": " << parsed.error().message;
    EXPECT_EQ(to_string(*parsed), test.canonical) << test.text;
  }
}

TEST(FilterParser, OperandsAndPredicates) {
  const CanonicalCase cases[] = {
      {"diaSource.snr>5", "diaSource.snr > 5"},
      {"a <> 1", "a != 1"},
      {"a<=-2.5", "a <= -2.5"},
      {"a >= 1e3", "a >= 1000.0"},
      {"a > .5", "a > 0.5"},
      {"a < 5.", "a < 5.0"},
      {"a > 1E-2", "a > 0.01"},
      {"a > 1e20", "a > 1e+20"},
      {"s = \"dq\"", "s = 'dq'"},
      {"s = 'it\\'s'", "s = 'it\\'s'"},
      {"s = 'a\\nb'", "s = 'a\\nb'"},
      {"flag = true", "flag = TRUE"},
      {"FALSE != flag", "FALSE != flag"},
      {"5 < a", "5 < a"},
      {"a.b IS NULL", "a.b IS NULL"},
      {"a is not null", "a IS NOT NULL"},
      {"diaSource.null = 1", "diaSource.null = 1"},
      {"a.b.c >= b.a", "a.b.c >= b.a"},
  };
  for (const CanonicalCase& test : cases) {
    auto parsed = parse(test.text);
    ASSERT_TRUE(parsed) << test.text << ": " << parsed.error().message;
    EXPECT_EQ(to_string(*parsed), test.canonical) << test.text;
  }
}

TEST(FilterParser, TreeOfComparisonHoldsOperands) {
  auto parsed = parse("diaSource.psfFlux >= 36310");
  ASSERT_TRUE(parsed);
  EXPECT_EQ(parsed->kind, Expression::Kind::kCompare);
  EXPECT_EQ(parsed->op, CompareOp::kGreaterEqual);
  EXPECT_EQ(parsed->left.kind, Operand::Kind::kPath);
  EXPECT_EQ(parsed->left.path, (std::vector<std::string>{"diaSource", "psfFlux"}));
  EXPECT_EQ(parsed->left.column, 1u);
  EXPECT_EQ(parsed->right.kind, Operand::Kind::kInteger);
  EXPECT_EQ(parsed->right.integer, 36310);
  EXPECT_EQ(parsed->right.column, 22u);
}

TEST(FilterParser, ErrorsSayWhatWasExpected) {
  const ErrorCase cases[] = {
      {"(diaSource.snr>5", "expected ')' at column 17, found end of expression", 17},
      {"(a = 1 OR b = 2 c", "expected ')' at column 17, found 'c'", 17},
      {"",
       "expected a field, a number, a string, TRUE, FALSE, NOT or '(' at column 1, found end "
       "of expression",
       1},
      {"a = ",
       "expected a field, a number, a string, TRUE, FALSE, NOT or '(' at column 5, found "
       "end of expression",
       5},
      {"a AND",
       "expected a field, a number, a string, TRUE, FALSE, NOT or '(' at column 6, "
       "found end of expression",
       6},
      {"a = )",
       "expected a field, a number, a string, TRUE, FALSE, NOT or '(' at column 5, "
       "found ')'",
       5},
      {"a = 1 b = 2", "expected AND, OR or end of expression at column 7, found 'b'", 7},
      {"a = 1)", "expected AND, OR or end of expression at column 6, found ')'", 6},
      {"a = 1 = 2", "expected AND, OR or end of expression at column 7, found '='", 7},
      {"5", "expected a comparison operator or IS at column 2, found end of expression", 2},
      {"'g' AND a", "expected a comparison operator or IS at column 5, found 'AND'", 5},
      {"a IS 5", "expected NULL at column 6, found '5'", 6},
      {"a IS NOT", "expected NULL at column 9, found end of expression", 9},
      {"a = NULL", "NULL at column 5 may only follow IS, as in 'field IS NULL'", 5},
      {"a. = 1", "expected a field name after '.' at column 4, found '='", 4},
      {"a.5 = 1", "expected a field name after '.' at column 3, found '5'", 3},
  };
  for (const ErrorCase& test : cases) {
    auto parsed = parse(test.text);
    ASSERT_FALSE(parsed) << test.text;
    EXPECT_EQ(parsed.error().message, test.message) << test.text;
    EXPECT_EQ(parsed.error().column, test.column) << test.text;
  }
}

std::string nested(std::size_t depth, std::string_view opener) {
  std::string text;
  for (std::size_t i = 0; i < depth; ++i) text += opener;
  text += "x";
  if (opener == "(") text.append(depth, ')');
  return text;
}

TEST(FilterParser, NestingUpToLimitParses) {
  EXPECT_TRUE(parse(nested(kMaxNesting, "(")));
  EXPECT_TRUE(parse(nested(kMaxNesting, "NOT ")));
}

TEST(FilterParser, NestingPastLimitFails) {
  auto parentheses = parse(nested(kMaxNesting + 1, "("));
  ASSERT_FALSE(parentheses);
  // The 101st '(' is character 101.
  EXPECT_EQ(parentheses.error().message, "expression nests deeper than 100 levels at column 101");

  auto negations = parse(nested(kMaxNesting + 1, "NOT "));
  ASSERT_FALSE(negations);
  // Each "NOT " takes 4 characters, so the 101st starts at 4 * 100 + 1.
  EXPECT_EQ(negations.error().column, 401u);
}

}  // namespace
}  // namespace skystream::filter
