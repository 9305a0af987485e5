#include "filter/expression.h"

#include <fmt/format.h>

namespace skystream::filter {
namespace {

std::string quote(std::string_view text) {
  std::string out = "'";
  for (char c : text) {
    switch (c) {
      case '\'':
        out += "\\'";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\t':
        out += "\\t";
        break;
      default:
        if (static_cast<unsigned char>(c) < 0x20) {
          out += fmt::format("\\u{:04x}", static_cast<unsigned>(c));
        } else {
          out += c;
        }
    }
  }
  out += '\'';
  return out;
}

std::string format_real(double value) {
  std::string text = fmt::format("{}", value);
  if (text.find_first_of(".eEn") == std::string::npos) text += ".0";
  return text;
}

std::string join(const std::vector<Expression>& children, std::string_view keyword) {
  std::string out = "(";
  for (std::size_t i = 0; i < children.size(); ++i) {
    if (i > 0) out += fmt::format(" {} ", keyword);
    out += to_string(children[i]);
  }
  out += ')';
  return out;
}

}  // namespace

std::string_view op_symbol(CompareOp op) {
  switch (op) {
    case CompareOp::kEqual:
      return "=";
    case CompareOp::kNotEqual:
      return "!=";
    case CompareOp::kLess:
      return "<";
    case CompareOp::kLessEqual:
      return "<=";
    case CompareOp::kGreater:
      return ">";
    case CompareOp::kGreaterEqual:
      return ">=";
  }
  return "?";
}

std::string Operand::dotted_path() const {
  std::string out;
  for (const std::string& name : path) {
    if (!out.empty()) out += '.';
    out += name;
  }
  return out;
}

std::string to_string(const Operand& operand) {
  switch (operand.kind) {
    case Operand::Kind::kPath:
      return operand.dotted_path();
    case Operand::Kind::kInteger:
      return fmt::format("{}", operand.integer);
    case Operand::Kind::kReal:
      return format_real(operand.real);
    case Operand::Kind::kString:
      return quote(operand.text);
    case Operand::Kind::kBoolean:
      return operand.boolean ? "TRUE" : "FALSE";
  }
  return "?";
}

std::string to_string(const Expression& expression) {
  switch (expression.kind) {
    case Expression::Kind::kAnd:
      return join(expression.children, "AND");
    case Expression::Kind::kOr:
      return join(expression.children, "OR");
    case Expression::Kind::kNot:
      return fmt::format("(NOT {})", to_string(expression.children.front()));
    case Expression::Kind::kCompare:
      return fmt::format("{} {} {}", to_string(expression.left), op_symbol(expression.op),
                         to_string(expression.right));
    case Expression::Kind::kIsNull:
      return fmt::format("{} IS NULL", to_string(expression.left));
    case Expression::Kind::kIsNotNull:
      return fmt::format("{} IS NOT NULL", to_string(expression.left));
    case Expression::Kind::kTest:
      return to_string(expression.left);
  }
  return "?";
}

}  // namespace skystream::filter
