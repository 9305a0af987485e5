#include "filter/lexer.h"

#include <fmt/format.h>

#include <array>
#include <cctype>
#include <charconv>
#include <system_error>
#include <utility>

namespace skystream::filter {
namespace {

struct Keyword {
  std::string_view word;
  TokenKind kind;
};

constexpr std::array<Keyword, 7> kKeywords = {{
    {"and", TokenKind::kAnd},
    {"or", TokenKind::kOr},
    {"not", TokenKind::kNot},
    {"is", TokenKind::kIs},
    {"null", TokenKind::kNull},
    {"true", TokenKind::kTrue},
    {"false", TokenKind::kFalse},
}};

bool is_digit(char c) { return c >= '0' && c <= '9'; }
bool is_identifier_start(char c) { return std::isalpha(static_cast<unsigned char>(c)) || c == '_'; }
bool is_identifier_char(char c) { return is_identifier_start(c) || is_digit(c); }

bool equals_ignoring_case(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(a[i])) != b[i]) return false;
  }
  return true;
}

std::unexpected<Error> error_at(std::size_t offset, std::string message) {
  std::size_t column = offset + 1;
  return std::unexpected(Error{fmt::format("{} at column {}", message, column), column});
}

void append_utf8(std::uint32_t code_point, std::string& out) {
  if (code_point < 0x80) {
    out += static_cast<char>(code_point);
  } else if (code_point < 0x800) {
    out += static_cast<char>(0xC0 | (code_point >> 6));
    out += static_cast<char>(0x80 | (code_point & 0x3F));
  } else {
    out += static_cast<char>(0xE0 | (code_point >> 12));
    out += static_cast<char>(0x80 | ((code_point >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (code_point & 0x3F));
  }
}

class Lexer {
 public:
  explicit Lexer(std::string_view text) : text_(text) {}

  Result<std::vector<Token>> run() {
    std::vector<Token> tokens;
    while (true) {
      skip_whitespace();
      if (pos_ == text_.size()) break;
      auto token = next();
      if (!token) return std::unexpected(std::move(token.error()));
      tokens.push_back(std::move(*token));
    }
    Token end;
    end.kind = TokenKind::kEnd;
    end.column = text_.size() + 1;
    tokens.push_back(std::move(end));
    return tokens;
  }

 private:
  char peek(std::size_t ahead = 0) const {
    return pos_ + ahead < text_.size() ? text_[pos_ + ahead] : '\0';
  }

  void skip_whitespace() {
    while (pos_ < text_.size() && std::isspace(static_cast<unsigned char>(text_[pos_]))) ++pos_;
  }

  Token make(TokenKind kind, std::size_t start) const {
    Token token;
    token.kind = kind;
    token.lexeme = text_.substr(start, pos_ - start);
    token.column = start + 1;
    return token;
  }

  Token symbol(TokenKind kind, std::size_t length) {
    std::size_t start = pos_;
    pos_ += length;
    return make(kind, start);
  }

  Result<Token> next() {
    char c = peek();
    if (is_identifier_start(c)) return word();
    // A dot directly after a name separates path names, so "a.5" is an invalid path rather than
    // the name "a" followed by the number ".5".
    bool after_name = pos_ > 0 && is_identifier_char(text_[pos_ - 1]);
    if (is_digit(c) || (c == '.' && is_digit(peek(1)) && !after_name)) return number();
    if (c == '-' && (is_digit(peek(1)) || (peek(1) == '.' && is_digit(peek(2))))) return number();
    if (c == '\'' || c == '"') return string();
    return punctuation();
  }

  Result<Token> punctuation() {
    char c = peek();
    char following = peek(1);
    switch (c) {
      case '.':
        return symbol(TokenKind::kDot, 1);
      case '(':
        return symbol(TokenKind::kLeftParen, 1);
      case ')':
        return symbol(TokenKind::kRightParen, 1);
      case '=':
        return symbol(TokenKind::kEqual, following == '=' ? 2 : 1);
      case '!':
        if (following == '=') return symbol(TokenKind::kNotEqual, 2);
        return symbol(TokenKind::kNot, 1);
      case '<':
        if (following == '=') return symbol(TokenKind::kLessEqual, 2);
        if (following == '>') return symbol(TokenKind::kNotEqual, 2);
        return symbol(TokenKind::kLess, 1);
      case '>':
        if (following == '=') return symbol(TokenKind::kGreaterEqual, 2);
        return symbol(TokenKind::kGreater, 1);
      case '&':
        if (following == '&') return symbol(TokenKind::kAnd, 2);
        return error_at(pos_, "unexpected character '&' (write AND or &&)");
      case '|':
        if (following == '|') return symbol(TokenKind::kOr, 2);
        return error_at(pos_, "unexpected character '|' (write OR or ||)");
      case '-':
        return error_at(pos_, "expected a number after '-'");
      default:
        break;
    }
    if (std::isprint(static_cast<unsigned char>(c))) {
      return error_at(pos_, fmt::format("unexpected character '{}'", c));
    }
    return error_at(pos_, fmt::format("unexpected byte 0x{:02x}", static_cast<unsigned char>(c)));
  }

  Result<Token> word() {
    std::size_t start = pos_;
    while (is_identifier_char(peek())) ++pos_;
    Token token = make(TokenKind::kIdentifier, start);
    for (const Keyword& keyword : kKeywords) {
      if (equals_ignoring_case(token.lexeme, keyword.word)) token.kind = keyword.kind;
    }
    token.text = std::string(token.lexeme);
    return token;
  }

  void skip_digits() {
    while (is_digit(peek())) ++pos_;
  }

  Result<Token> number() {
    std::size_t start = pos_;
    bool integral = true;
    if (peek() == '-') ++pos_;
    skip_digits();
    if (peek() == '.') {
      integral = false;
      ++pos_;
      skip_digits();
    }
    if (peek() == 'e' || peek() == 'E') {
      integral = false;
      ++pos_;
      if (peek() == '+' || peek() == '-') ++pos_;
      if (!is_digit(peek())) return error_at(start, "invalid number: exponent without digits");
      skip_digits();
    }
    if (is_identifier_char(peek()) || peek() == '.') {
      while (is_identifier_char(peek()) || peek() == '.') ++pos_;
      return error_at(start, fmt::format("invalid number '{}'", text_.substr(start, pos_ - start)));
    }
    return integral ? integer(start) : real(start);
  }

  Result<Token> integer(std::size_t start) {
    Token token = make(TokenKind::kInteger, start);
    const char* first = token.lexeme.data();
    const char* last = first + token.lexeme.size();
    auto [end, status] = std::from_chars(first, last, token.integer);
    if (status == std::errc::result_out_of_range) {
      return error_at(start, fmt::format("integer {} is outside the 64-bit range (write it as a "
                                         "decimal, such as 1e20, to compare it as a double)",
                                         token.lexeme));
    }
    if (status != std::errc() || end != last) {
      return error_at(start, fmt::format("invalid number '{}'", token.lexeme));
    }
    return token;
  }

  Result<Token> real(std::size_t start) {
    Token token = make(TokenKind::kReal, start);
    const char* first = token.lexeme.data();
    const char* last = first + token.lexeme.size();
    auto [end, status] = std::from_chars(first, last, token.real);
    if (status == std::errc::result_out_of_range) {
      return error_at(start,
                      fmt::format("number {} is outside the range of a double", token.lexeme));
    }
    if (status != std::errc() || end != last) {
      return error_at(start, fmt::format("invalid number '{}'", token.lexeme));
    }
    return token;
  }

  Result<Token> string() {
    std::size_t start = pos_;
    char quote = text_[pos_++];
    std::string value;
    while (pos_ < text_.size() && text_[pos_] != quote) {
      if (text_[pos_] != '\\') {
        value += text_[pos_++];
        continue;
      }
      if (pos_ + 1 == text_.size()) return error_at(start, "unterminated string");
      auto escaped = escape(value);
      if (!escaped) return std::unexpected(std::move(escaped.error()));
    }
    if (pos_ == text_.size()) return error_at(start, "unterminated string");
    ++pos_;
    Token token = make(TokenKind::kString, start);
    token.text = std::move(value);
    return token;
  }

  // Decodes the escape sequence at pos_, a backslash that is not the last character, and
  // appends it to `out`.
  Result<void> escape(std::string& out) {
    std::size_t start = pos_;
    char code = text_[start + 1];
    pos_ += 2;
    switch (code) {
      case '\\':
      case '\'':
      case '"':
        out += code;
        return {};
      case 'n':
        out += '\n';
        return {};
      case 'r':
        out += '\r';
        return {};
      case 't':
        out += '\t';
        return {};
      case 'u':
        return unicode_escape(start, out);
      default:
        return error_at(start, fmt::format("unknown escape '\\{}' in string", code));
    }
  }

  Result<void> unicode_escape(std::size_t start, std::string& out) {
    std::string_view digits = text_.substr(pos_, 4);
    std::uint32_t code_point = 0;
    auto [end, status] =
        std::from_chars(digits.data(), digits.data() + digits.size(), code_point, 16);
    if (digits.size() != 4 || status != std::errc() || end != digits.data() + 4) {
      return error_at(start, "invalid escape: \\u needs four hexadecimal digits");
    }
    if (code_point >= 0xD800 && code_point <= 0xDFFF) {
      return error_at(start, "invalid escape: \\u cannot encode a UTF-16 surrogate");
    }
    pos_ += 4;
    append_utf8(code_point, out);
    return {};
  }

  std::string_view text_;
  std::size_t pos_ = 0;
};

}  // namespace

Result<std::vector<Token>> tokenize(std::string_view expression) { return Lexer(expression).run(); }

std::string describe(const Token& token) {
  if (token.kind == TokenKind::kEnd) return "end of expression";
  return fmt::format("'{}'", token.lexeme);
}

}  // namespace skystream::filter
