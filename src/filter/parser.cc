#include <fmt/format.h>

#include <utility>

#include "filter/expression.h"
#include "filter/lexer.h"

namespace skystream::filter {
namespace {

bool is_comparison(TokenKind kind) {
  switch (kind) {
    case TokenKind::kEqual:
    case TokenKind::kNotEqual:
    case TokenKind::kLess:
    case TokenKind::kLessEqual:
    case TokenKind::kGreater:
    case TokenKind::kGreaterEqual:
      return true;
    default:
      return false;
  }
}

CompareOp to_compare_op(TokenKind kind) {
  switch (kind) {
    case TokenKind::kNotEqual:
      return CompareOp::kNotEqual;
    case TokenKind::kLess:
      return CompareOp::kLess;
    case TokenKind::kLessEqual:
      return CompareOp::kLessEqual;
    case TokenKind::kGreater:
      return CompareOp::kGreater;
    case TokenKind::kGreaterEqual:
      return CompareOp::kGreaterEqual;
    default:
      return CompareOp::kEqual;
  }
}

// Keywords may name fields after a dot ("x.null"), where no keyword can stand.
bool is_name(TokenKind kind) {
  switch (kind) {
    case TokenKind::kIdentifier:
    case TokenKind::kAnd:
    case TokenKind::kOr:
    case TokenKind::kNot:
    case TokenKind::kIs:
    case TokenKind::kNull:
    case TokenKind::kTrue:
    case TokenKind::kFalse:
      return true;
    default:
      return false;
  }
}

class Parser {
 public:
  explicit Parser(std::vector<Token> tokens) : tokens_(std::move(tokens)) {}

  Result<Expression> run() {
    auto expression = parse_or();
    if (!expression) return expression;
    if (current().kind != TokenKind::kEnd) return fail("expected AND, OR or end of expression");
    return expression;
  }

 private:
  const Token& current() const { return tokens_[pos_]; }
  const Token& advance() { return tokens_[pos_++]; }

  std::unexpected<Error> fail(std::string_view expected) const {
    const Token& token = current();
    return std::unexpected(
        Error{fmt::format("{} at column {}, found {}", expected, token.column, describe(token)),
              token.column});
  }

  // Parses one level of AND or OR: operands separated by `separator`, gathered into one node.
  template <typename ParseOperand>
  Result<Expression> parse_chain(TokenKind separator, Expression::Kind kind,
                                 ParseOperand parse_operand) {
    auto first = parse_operand();
    if (!first || current().kind != separator) return first;

    Expression chain;
    chain.kind = kind;
    chain.column = first->column;
    chain.children.push_back(std::move(*first));
    while (current().kind == separator) {
      advance();
      auto next = parse_operand();
      if (!next) return next;
      chain.children.push_back(std::move(*next));
    }
    return chain;
  }

  Result<Expression> parse_or() {
    return parse_chain(TokenKind::kOr, Expression::Kind::kOr, [this] { return parse_and(); });
  }

  Result<Expression> parse_and() {
    return parse_chain(TokenKind::kAnd, Expression::Kind::kAnd, [this] { return parse_not(); });
  }

  Result<Expression> parse_not() {
    if (current().kind != TokenKind::kNot) return parse_primary();

    std::size_t column = advance().column;
    if (++depth_ > kMaxNesting) return too_deep(column);
    auto operand = parse_not();
    --depth_;
    if (!operand) return operand;

    Expression negation;
    negation.kind = Expression::Kind::kNot;
    negation.column = column;
    negation.children.push_back(std::move(*operand));
    return negation;
  }

  Result<Expression> parse_primary() {
    if (current().kind != TokenKind::kLeftParen) return parse_predicate();

    std::size_t column = advance().column;
    if (++depth_ > kMaxNesting) return too_deep(column);
    auto inner = parse_or();
    --depth_;
    if (!inner) return inner;
    if (current().kind != TokenKind::kRightParen) return fail("expected ')'");
    advance();
    return inner;
  }

  std::unexpected<Error> too_deep(std::size_t column) const {
    return std::unexpected(Error{
        fmt::format("expression nests deeper than {} levels at column {}", kMaxNesting, column),
        column});
  }

  Result<Expression> parse_predicate() {
    auto left = parse_operand();
    if (!left) return std::unexpected(std::move(left.error()));

    Expression predicate;
    predicate.column = left->column;
    if (is_comparison(current().kind)) {
      predicate.kind = Expression::Kind::kCompare;
      predicate.op = to_compare_op(advance().kind);
      auto right = parse_operand();
      if (!right) return std::unexpected(std::move(right.error()));
      predicate.right = std::move(*right);
    } else if (current().kind == TokenKind::kIs) {
      advance();
      predicate.kind = Expression::Kind::kIsNull;
      if (current().kind == TokenKind::kNot) {
        advance();
        predicate.kind = Expression::Kind::kIsNotNull;
      }
      if (current().kind != TokenKind::kNull) return fail("expected NULL");
      advance();
    } else if (left->kind == Operand::Kind::kPath || left->kind == Operand::Kind::kBoolean) {
      predicate.kind = Expression::Kind::kTest;
    } else {
      return fail("expected a comparison operator or IS");
    }
    predicate.left = std::move(*left);
    return predicate;
  }

  Result<Operand> parse_operand() {
    const Token& token = current();
    Operand operand;
    operand.column = token.column;
    switch (token.kind) {
      case TokenKind::kIdentifier:
        return parse_path();
      case TokenKind::kInteger:
        operand.kind = Operand::Kind::kInteger;
        operand.integer = token.integer;
        break;
      case TokenKind::kReal:
        operand.kind = Operand::Kind::kReal;
        operand.real = token.real;
        break;
      case TokenKind::kString:
        operand.kind = Operand::Kind::kString;
        operand.text = token.text;
        break;
      case TokenKind::kTrue:
      case TokenKind::kFalse:
        operand.kind = Operand::Kind::kBoolean;
        operand.boolean = token.kind == TokenKind::kTrue;
        break;
      case TokenKind::kNull:
        return std::unexpected(
            Error{fmt::format("NULL at column {} may only follow IS, as in 'field IS NULL'",
                              token.column),
                  token.column});
      default:
        return fail("expected a field, a number, a string, TRUE, FALSE, NOT or '('");
    }
    advance();
    return operand;
  }

  Result<Operand> parse_path() {
    Operand operand;
    operand.kind = Operand::Kind::kPath;
    operand.column = current().column;
    operand.path.push_back(advance().text);
    while (current().kind == TokenKind::kDot) {
      advance();
      if (!is_name(current().kind)) return fail("expected a field name after '.'");
      operand.path.push_back(std::string(advance().lexeme));
    }
    return operand;
  }

  std::vector<Token> tokens_;
  std::size_t pos_ = 0;
  std::size_t depth_ = 0;
};

}  // namespace

Result<Expression> parse(std::string_view text) {
  auto tokens = tokenize(text);
  if (!tokens) return std::unexpected(std::move(tokens.error()));
  return Parser(std::move(*tokens)).run();
}

}  // namespace skystream::filter
