// Filter::compile: resolves paths and checks the types of an Expression against a schema.
#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <utility>

#include "filter/filter.h"

namespace skystream::filter {
namespace {

std::unexpected<Error> error_at(std::size_t column, std::string_view message) {
  return std::unexpected(Error{fmt::format("{} at column {}", message, column), column});
}

bool is_numeric(Scalar::Kind kind) {
  return kind == Scalar::Kind::kInteger || kind == Scalar::Kind::kReal;
}

bool is_ordering(CompareOp op) { return op != CompareOp::kEqual && op != CompareOp::kNotEqual; }

// The word used in type errors for a value of `kind`: "a number", "a string", ...
std::string_view kind_word(Scalar::Kind kind) {
  switch (kind) {
    case Scalar::Kind::kNull:
      return "null";
    case Scalar::Kind::kBoolean:
      return "a boolean";
    case Scalar::Kind::kInteger:
    case Scalar::Kind::kReal:
      return "a number";
    case Scalar::Kind::kString:
      return "a string";
    case Scalar::Kind::kOther:
      return "not a scalar";
  }
  return "?";
}

}  // namespace

// Builds a Filter's flat tree from an Expression, one Condition per node.
class Compiler {
 public:
  explicit Compiler(const avro::Node& root) : root_(root) {}

  Result<Filter> run(const Expression& expression) {
    auto root = add(expression);
    if (!root) return std::unexpected(std::move(root.error()));

    filter_.root_ = *root;
    filter_.text_ = to_string(expression);
    for (const FieldPath& path : filter_.paths_)
      filter_.top_level_fields_.push_back(path.fields[0]);
    auto& fields = filter_.top_level_fields_;
    std::sort(fields.begin(), fields.end());
    fields.erase(std::unique(fields.begin(), fields.end()), fields.end());
    return std::move(filter_);
  }

 private:
  // A Term with the type information that compile-time checks need.
  struct Typed {
    Filter::Term term;
    Scalar::Kind kind = Scalar::Kind::kNull;
    const avro::Node* leaf = nullptr;  // for paths
    std::string description;           // "'diaSource.band' (string)" or "5"
  };

  Result<std::uint32_t> add(const Expression& expression) {
    Filter::Condition condition;
    condition.kind = expression.kind;
    condition.op = expression.op;

    switch (expression.kind) {
      case Expression::Kind::kAnd:
      case Expression::Kind::kOr:
      case Expression::Kind::kNot: {
        auto status = add_children(expression, condition);
        if (!status) return std::unexpected(std::move(status.error()));
        break;
      }
      case Expression::Kind::kCompare: {
        auto status = add_comparison(expression, condition);
        if (!status) return std::unexpected(std::move(status.error()));
        break;
      }
      case Expression::Kind::kIsNull:
      case Expression::Kind::kIsNotNull: {
        auto left = type(expression.left);
        if (!left) return std::unexpected(std::move(left.error()));
        condition.left = std::move(left->term);
        break;
      }
      case Expression::Kind::kTest: {
        auto left = type(expression.left);
        if (!left) return std::unexpected(std::move(left.error()));
        if (left->kind != Scalar::Kind::kBoolean) {
          return error_at(expression.column,
                          fmt::format("{} is not a boolean, so it needs a comparison or IS NULL",
                                      left->description));
        }
        condition.left = std::move(left->term);
        break;
      }
    }

    filter_.conditions_.push_back(std::move(condition));
    return static_cast<std::uint32_t>(filter_.conditions_.size() - 1);
  }

  Result<void> add_children(const Expression& expression, Filter::Condition& condition) {
    std::vector<std::uint32_t> children;
    for (const Expression& child : expression.children) {
      auto index = add(child);
      if (!index) return std::unexpected(std::move(index.error()));
      children.push_back(*index);
    }
    condition.first_child = static_cast<std::uint32_t>(filter_.child_indices_.size());
    condition.child_count = static_cast<std::uint32_t>(children.size());
    filter_.child_indices_.insert(filter_.child_indices_.end(), children.begin(), children.end());
    return {};
  }

  Result<void> add_comparison(const Expression& expression, Filter::Condition& condition) {
    auto left = type(expression.left);
    if (!left) return std::unexpected(std::move(left.error()));
    auto right = type(expression.right);
    if (!right) return std::unexpected(std::move(right.error()));

    auto checked = check_comparison(expression, *left, *right);
    if (!checked) return checked;
    condition.left = std::move(left->term);
    condition.right = std::move(right->term);
    return {};
  }

  Result<void> check_comparison(const Expression& expression, const Typed& left,
                                const Typed& right) {
    std::size_t column = expression.column;
    std::string_view op = op_symbol(expression.op);
    for (const Typed* side : {&left, &right}) {
      if (side->kind == Scalar::Kind::kOther || side->kind == Scalar::Kind::kNull) {
        return error_at(column, fmt::format("cannot compare {}: only IS NULL and IS NOT NULL "
                                            "apply to it",
                                            side->description));
      }
    }

    bool same_category =
        left.kind == right.kind || (is_numeric(left.kind) && is_numeric(right.kind));
    if (!same_category) {
      return error_at(column,
                      fmt::format("type mismatch: {} is {} but {} is {}", left.description,
                                  kind_word(left.kind), right.description, kind_word(right.kind)));
    }
    if (left.kind == Scalar::Kind::kBoolean && is_ordering(expression.op)) {
      return error_at(column, fmt::format("'{}' cannot order booleans; use = or !=", op));
    }
    for (const Typed* side : {&left, &right}) {
      if (side->leaf == nullptr || side->leaf->type != avro::Type::kEnum) continue;
      if (is_ordering(expression.op)) {
        return error_at(column, fmt::format("'{}' cannot order the symbols of enum {}; use = or !=",
                                            op, side->leaf->full_name));
      }
      const Typed& other = side == &left ? right : left;
      auto checked = check_symbol(column, *side->leaf, other);
      if (!checked) return checked;
    }
    return {};
  }

  // Rejects a string literal compared with an enum unless it is one of the enum's symbols.
  Result<void> check_symbol(std::size_t column, const avro::Node& enumeration, const Typed& other) {
    if (other.term.is_path) return {};
    const auto& symbols = enumeration.symbols;
    if (std::find(symbols.begin(), symbols.end(), other.term.text) != symbols.end()) return {};
    return error_at(column,
                    fmt::format("{} is not a symbol of enum {} (symbols: {})", other.description,
                                enumeration.full_name, fmt::join(symbols, ", ")));
  }

  Result<Typed> type(const Operand& operand) {
    Typed typed;
    typed.description = to_string(operand);
    switch (operand.kind) {
      case Operand::Kind::kPath:
        return type_path(operand);
      case Operand::Kind::kInteger:
        typed.kind = Scalar::Kind::kInteger;
        typed.term.constant.integer = operand.integer;
        break;
      case Operand::Kind::kReal:
        typed.kind = Scalar::Kind::kReal;
        typed.term.constant.real = operand.real;
        break;
      case Operand::Kind::kString:
        typed.kind = Scalar::Kind::kString;
        typed.term.text = operand.text;
        break;
      case Operand::Kind::kBoolean:
        typed.kind = Scalar::Kind::kBoolean;
        typed.term.constant.boolean = operand.boolean;
        break;
    }
    typed.term.constant.kind = typed.kind;
    return typed;
  }

  Result<Typed> type_path(const Operand& operand) {
    auto resolved = resolve_path(root_, operand.path);
    if (!resolved) {
      return error_at(operand.column, resolved.error().message);
    }

    Typed typed;
    typed.leaf = resolved->leaf;
    typed.kind = scalar_kind(*typed.leaf);
    typed.description =
        fmt::format("'{}' ({}{}{})", resolved->text, avro::type_name(typed.leaf->type),
                    typed.leaf->is_named() ? " " : "", typed.leaf->full_name);
    typed.term.is_path = true;
    typed.term.path = intern(std::move(*resolved));
    return typed;
  }

  // Returns the index of `path` in the filter's path list, adding it when new.
  std::uint32_t intern(FieldPath path) {
    auto& paths = filter_.paths_;
    for (std::size_t i = 0; i < paths.size(); ++i) {
      if (paths[i].fields == path.fields) return static_cast<std::uint32_t>(i);
    }
    paths.push_back(std::move(path));
    return static_cast<std::uint32_t>(paths.size() - 1);
  }

  const avro::Node& root_;
  Filter filter_;
};

Result<Filter> Filter::compile(const Expression& expression, const avro::Node& root) {
  if (root.type != avro::Type::kRecord) {
    return std::unexpected(Error{
        fmt::format("the alert schema must be a record, not {}", avro::type_name(root.type))});
  }
  return Compiler(root).run(expression);
}

Result<Filter> Filter::compile(std::string_view expression, const avro::Node& root) {
  auto parsed = parse(expression);
  if (!parsed) return std::unexpected(std::move(parsed.error()));
  return compile(*parsed, root);
}

}  // namespace skystream::filter
