// Decodes Avro JSON text into values with a recursive-descent JSON parser guided by the
// schema. The parser builds the Value as it reads, so no JSON document tree is built in
// between, and numbers keep their full precision (int64, and floats parsed straight to float).

#include <fmt/format.h>

#include <charconv>
#include <cmath>
#include <limits>
#include <vector>

#include "avro/avro_json.h"
#include "avro/avro_json_text.h"
#include "avro/reader.h"

namespace skystream::avro {
namespace {

class Decoder {
 public:
  // In default mode the text is a schema default value. There a union is written as the bare
  // value of one of its branches, with no {"<branch>": ...} wrapper, and the first branch that
  // fits is taken.
  Decoder(std::string_view text, bool default_mode) : text_(text), default_mode_(default_mode) {}

  // Reads one value of `node` into a new Value.
  Result<Value> read_value(const Node& node, int depth) {
    Value value;
    if (auto status = read(node, value, depth); !status) {
      return std::unexpected(std::move(status.error()));
    }
    return value;
  }

  Result<void> finish() {
    skip_whitespace();
    if (pos_ != text_.size()) return fail("unexpected text after the value");
    return {};
  }

 private:
  std::unexpected<Error> fail(std::string message) const {
    std::string where;
    for (const std::string& step : path_) {
      if (!where.empty() && step.front() != '[') where += '.';
      where += step;
    }
    return std::unexpected(Error{std::move(message), std::move(where), pos_});
  }

  // Describes the JSON text at the read position for error messages.
  std::string found() const {
    if (pos_ >= text_.size()) return "the end of the text";
    return fmt::format("'{}'", text_.substr(pos_, std::min<std::size_t>(16, text_.size() - pos_)));
  }

  // Reads one value of `node` into `value`, which is empty. `depth` counts the nesting as the
  // binary decoders do (see kMaxValueDepth): records, arrays and maps add a level, unions none,
  // and the same limit keeps hostile text from exhausting the stack. The values are read in
  // place, and the readers of scalars are kept out of line, so that each level of nesting takes
  // little stack.
  Result<void> read(const Node& node, Value& value, int depth) {
    if (depth > kMaxValueDepth) [[unlikely]] {
      return fail_too_deep();
    }
    value.node = &node;
    skip_whitespace();
    return read_into(node, value, depth);
  }

  [[gnu::noinline, gnu::cold]] std::unexpected<Error> fail_too_deep() const {
    return fail(
        fmt::format("values nested too deep (more than {} levels of records, arrays and maps)",
                    kMaxValueDepth));
  }

  void skip_whitespace() {
    while (pos_ < text_.size() && (text_[pos_] == ' ' || text_[pos_] == '\t' ||
                                   text_[pos_] == '\n' || text_[pos_] == '\r')) {
      ++pos_;
    }
  }

  bool peek(char c) {
    skip_whitespace();
    return pos_ < text_.size() && text_[pos_] == c;
  }

  Result<void> expect(char c) {
    if (!peek(c)) return fail(fmt::format("expected '{}', found {}", c, found()));
    ++pos_;
    return {};
  }

  bool consume_word(std::string_view word) {
    if (text_.substr(pos_, word.size()) != word) return false;
    pos_ += word.size();
    return true;
  }

  // Reads a JSON string and returns its text as UTF-8.
  Result<std::string> read_string() {
    if (!peek('"')) return fail(fmt::format("expected a string, found {}", found()));
    ++pos_;
    std::string out;
    while (true) {
      if (pos_ >= text_.size()) return fail("string runs past the end of the text");
      const auto c = static_cast<unsigned char>(text_[pos_]);
      if (c == '"') {
        ++pos_;
        return out;
      }
      if (c == '\\') {
        if (auto status = read_escape(out); !status) return std::unexpected(status.error());
      } else if (c < 0x20) {
        return fail("control character in a string must be escaped");
      } else if (c < 0x80) {
        out.push_back(static_cast<char>(c));
        ++pos_;
      } else {
        const std::size_t start = pos_;
        if (json_text::next_code_point(text_, &pos_) < 0) return fail("invalid UTF-8 in a string");
        out.append(text_.substr(start, pos_ - start));
      }
    }
  }

  Result<std::int32_t> read_hex4() {
    std::int32_t code = 0;
    if (text_.size() - pos_ < 4) return fail("truncated \\u escape");
    for (int i = 0; i < 4; ++i) {
      const char c = text_[pos_++];
      const int digit = c >= '0' && c <= '9'   ? c - '0'
                        : c >= 'a' && c <= 'f' ? c - 'a' + 10
                        : c >= 'A' && c <= 'F' ? c - 'A' + 10
                                               : -1;
      if (digit < 0) return fail("invalid \\u escape");
      code = code << 4 | digit;
    }
    return code;
  }

  // Reads the escape that starts at the backslash under the read position. A \u escape of a
  // UTF-16 high surrogate must be followed by a \u escape of a low surrogate.
  Result<void> read_escape(std::string& out) {
    if (++pos_ >= text_.size()) return fail("truncated escape");
    const char c = text_[pos_++];
    constexpr std::string_view kFrom = "\"\\/bfnrt";
    constexpr std::string_view kTo = "\"\\/\b\f\n\r\t";
    if (const std::size_t simple = kFrom.find(c); simple != std::string_view::npos) {
      out.push_back(kTo[simple]);
      return {};
    }
    if (c != 'u') return fail(fmt::format("invalid escape '\\{}'", c));
    auto code = read_hex4();
    if (!code) return std::unexpected(code.error());
    if (*code >= 0xdc00 && *code <= 0xdfff) return fail("unpaired UTF-16 low surrogate");
    if (*code >= 0xd800 && *code <= 0xdbff) {
      if (!consume_word("\\u")) return fail("unpaired UTF-16 high surrogate");
      auto low = read_hex4();
      if (!low) return std::unexpected(low.error());
      if (*low < 0xdc00 || *low > 0xdfff) return fail("unpaired UTF-16 high surrogate");
      *code = 0x10000 + ((*code - 0xd800) << 10) + (*low - 0xdc00);
    }
    json_text::append_utf8(*code, out);
    return {};
  }

  // Reads a number token by the JSON grammar: -?(0|[1-9][0-9]*)(.[0-9]+)?([eE][+-]?[0-9]+)?
  Result<std::string_view> read_number_token(bool* integral) {
    skip_whitespace();
    const std::size_t start = pos_;
    auto digits = [&] {
      const std::size_t first = pos_;
      while (pos_ < text_.size() && text_[pos_] >= '0' && text_[pos_] <= '9') ++pos_;
      return pos_ - first;
    };
    if (pos_ < text_.size() && text_[pos_] == '-') ++pos_;
    const std::size_t integer_start = pos_;
    const std::size_t integer_digits = digits();
    if (integer_digits == 0 || (integer_digits > 1 && text_[integer_start] == '0')) {
      pos_ = start;
      return fail(fmt::format("expected a number, found {}", found()));
    }
    *integral = true;
    if (pos_ < text_.size() && text_[pos_] == '.') {
      ++pos_;
      *integral = false;
      if (digits() == 0) return fail("expected a digit after the decimal point");
    }
    if (pos_ < text_.size() && (text_[pos_] == 'e' || text_[pos_] == 'E')) {
      ++pos_;
      *integral = false;
      if (pos_ < text_.size() && (text_[pos_] == '+' || text_[pos_] == '-')) ++pos_;
      if (digits() == 0) return fail("expected a digit in the exponent");
    }
    return text_.substr(start, pos_ - start);
  }

  [[gnu::noinline]] Result<void> read_integer(const Node& node, Value& value) {
    const std::size_t start = pos_;
    bool integral = false;
    auto token = read_number_token(&integral);
    if (!token) return std::unexpected(token.error());
    pos_ = start;
    if (!integral)
      return fail(
          fmt::format("expected an integer for {}, found {}", type_name(node.type), *token));
    std::int64_t number = 0;
    auto [end, status] = std::from_chars(token->data(), token->data() + token->size(), number);
    if (status != std::errc() ||
        (node.type == Type::kInt && (number < INT32_MIN || number > INT32_MAX))) {
      return fail(fmt::format("{} out of range for {}", *token, type_name(node.type)));
    }
    pos_ = start + token->size();
    value.integer = number;
    return {};
  }

  // A float or double: a JSON number, or NaN and the infinities as tokens or strings.
  template <typename Real>
  Result<Real> read_real(const Node& node) {
    skip_whitespace();
    const bool quoted = pos_ < text_.size() && text_[pos_] == '"';
    const std::size_t start = pos_;
    if (quoted) ++pos_;
    Real special = 0;
    if (consume_word("NaN")) {
      special = std::numeric_limits<Real>::quiet_NaN();
    } else if (consume_word("Infinity")) {
      special = std::numeric_limits<Real>::infinity();
    } else if (consume_word("-Infinity")) {
      special = -std::numeric_limits<Real>::infinity();
    } else {
      pos_ = start;
    }
    if (pos_ != start) {
      if (!quoted || consume_word("\"")) return special;
      pos_ = start;
      return fail(fmt::format("expected a number for {}, found {}", type_name(node.type), found()));
    }

    bool integral = false;
    auto token = read_number_token(&integral);
    if (!token) return std::unexpected(token.error());
    Real number = 0;
    auto [end, status] = std::from_chars(token->data(), token->data() + token->size(), number);
    if (status != std::errc() || std::isinf(number)) {
      pos_ = start;
      return fail(fmt::format("{} out of range for {}", *token, type_name(node.type)));
    }
    return number;
  }

  // Bytes and fixed: each code point of the string, at most U+00FF, is one byte.
  Result<std::string> read_byte_string() {
    const std::size_t start = pos_;
    auto text = read_string();
    if (!text) return text;
    std::string bytes;
    bytes.reserve(text->size());
    std::size_t pos = 0;
    while (pos < text->size()) {
      const std::int32_t code_point = json_text::next_code_point(*text, &pos);
      if (code_point > 0xff) {
        pos_ = start;
        return fail(fmt::format("code point U+{:04X} above U+00FF in bytes", code_point));
      }
      bytes.push_back(static_cast<char>(code_point));
    }
    return bytes;
  }

  Result<void> read_into(const Node& node, Value& value, int depth) {
    switch (node.type) {
      case Type::kNull:
        if (!consume_word("null")) return fail(fmt::format("expected null, found {}", found()));
        return {};
      case Type::kBoolean:
        if (consume_word("true")) {
          value.boolean = true;
        } else if (!consume_word("false")) {
          return fail(fmt::format("expected true or false, found {}", found()));
        }
        return {};
      case Type::kInt:
      case Type::kLong:
        return read_integer(node, value);
      case Type::kFloat:
      case Type::kDouble:
        return read_float_or_double(node, value);
      case Type::kString:
        return read_string_value(value);
      case Type::kBytes:
      case Type::kFixed:
        return read_bytes_or_fixed(node, value);
      case Type::kEnum:
        return read_enum(node, value);
      case Type::kUnion:
        return default_mode_ ? read_default_union(node, value, depth)
                             : read_union(node, value, depth);
      case Type::kRecord:
        return read_record(node, value, depth);
      case Type::kArray:
        return read_array(node, value, depth);
      case Type::kMap:
        return read_map(node, value, depth);
    }
    return fail("unknown type");
  }

  [[gnu::noinline]] Result<void> read_string_value(Value& value) {
    auto text = read_string();
    if (!text) return std::unexpected(text.error());
    value.bytes = std::move(*text);
    return {};
  }

  [[gnu::noinline]] Result<void> read_float_or_double(const Node& node, Value& value) {
    if (node.type == Type::kFloat) {
      auto number = read_real<float>(node);
      if (!number) return std::unexpected(number.error());
      value.float32 = *number;
    } else {
      auto number = read_real<double>(node);
      if (!number) return std::unexpected(number.error());
      value.float64 = *number;
    }
    return {};
  }

  [[gnu::noinline]] Result<void> read_bytes_or_fixed(const Node& node, Value& value) {
    const std::size_t start = pos_;
    auto bytes = read_byte_string();
    if (!bytes) return std::unexpected(bytes.error());
    if (node.type == Type::kFixed && bytes->size() != static_cast<std::size_t>(node.fixed_size)) {
      pos_ = start;
      return fail(fmt::format("fixed {} needs {} bytes, found {}", node.full_name, node.fixed_size,
                              bytes->size()));
    }
    value.bytes = std::move(*bytes);
    return {};
  }

  [[gnu::noinline]] Result<void> read_enum(const Node& node, Value& value) {
    const std::size_t start = pos_;
    auto symbol = read_string();
    if (!symbol) return std::unexpected(symbol.error());
    for (std::size_t i = 0; i < node.symbols.size(); ++i) {
      if (node.symbols[i] == *symbol) {
        value.index = static_cast<std::int32_t>(i);
        return {};
      }
    }
    pos_ = start;
    return fail(fmt::format("\"{}\" is not a symbol of enum {}", *symbol, node.full_name));
  }

  // Finds the branch that `label` names: a type name or a named type's full name, else the
  // short name of a named type.
  static int find_branch(const Node& node, std::string_view label) {
    for (std::size_t i = 0; i < node.branches.size(); ++i) {
      const Node& branch = *node.branches[i];
      const std::string_view name =
          branch.is_named() ? std::string_view(branch.full_name) : type_name(branch.type);
      if (name == label) return static_cast<int>(i);
    }
    for (std::size_t i = 0; i < node.branches.size(); ++i) {
      const Node& branch = *node.branches[i];
      if (!branch.is_named()) continue;
      const std::size_t dot = branch.full_name.rfind('.');
      if (dot != std::string::npos && branch.full_name.substr(dot + 1) == label) {
        return static_cast<int>(i);
      }
    }
    return -1;
  }

  [[gnu::noinline]] Result<void> read_union(const Node& node, Value& value, int depth) {
    Result<void> status;
    const int branch = read_union_label(node, value, status);
    if (branch < 0) return status;
    value.index = branch;
    value.children.resize(1);
    status = read(*node.branches[static_cast<std::size_t>(branch)], value.children.front(), depth);
    if (!status) return status;
    return expect('}');
  }

  // Reads a union up to its value: null, which puts `value` on the null branch and returns -1,
  // or {"<branch>": and returns the branch. Returns -1 with the error in `status` on a fault.
  // Out of line, with read_record_field() below, so that the recursion takes little stack.
  [[gnu::noinline]] int read_union_label(const Node& node, Value& value, Result<void>& status) {
    if (consume_word("null")) {
      const int null_branch = node.null_branch();
      if (null_branch < 0) {
        status = fail("null is not a branch of this union");
      } else {
        value.select(null_branch);
      }
      return -1;
    }
    if (!peek('{')) {
      status = fail(
          fmt::format("expected null or {{\"<branch>\": value}} for a union, found {}", found()));
      return -1;
    }
    ++pos_;
    const std::size_t label_start = pos_;
    auto label = read_string();
    if (!label) {
      status = std::unexpected(label.error());
      return -1;
    }
    const int branch = find_branch(node, *label);
    if (branch < 0) {
      pos_ = label_start;
      status = fail(fmt::format("\"{}\" is not a branch of this union", *label));
      return -1;
    }
    status = expect(':');
    return status ? branch : -1;
  }

  Result<void> read_default_union(const Node& node, Value& value, int depth) {
    const std::size_t start = pos_;
    for (std::size_t i = 0; i < node.branches.size(); ++i) {
      pos_ = start;
      auto chosen = read_value(*node.branches[i], depth);
      if (!chosen) continue;
      value.index = static_cast<std::int32_t>(i);
      value.children.assign(1, std::move(*chosen));
      return {};
    }
    pos_ = start;
    return fail("default value fits no branch of the union");
  }

  [[gnu::noinline]] Result<void> read_record(const Node& node, Value& value, int depth) {
    Result<void> status = expect('{');
    if (!status) return status;
    value.children.resize(node.fields.size());
    std::vector<bool> seen(node.fields.size(), false);
    for (bool first = true; !peek('}'); first = false) {
      const int index = read_record_field(node, seen, first, status);
      if (index < 0) return status;
      status = read(*node.fields[static_cast<std::size_t>(index)].type,
                    value.children[static_cast<std::size_t>(index)], depth + 1);
      if (!status) return status;
      path_.pop_back();
      seen[static_cast<std::size_t>(index)] = true;
    }
    ++pos_;
    return read_missing_fields(node, seen, value, depth);
  }

  // Reads the separator before a field when it is not the first, the field's name and the
  // colon after it, and adds the name to path_. Returns the field's index, or -1 with the error
  // in `status` for an unknown or repeated field and malformed text.
  [[gnu::noinline]] int read_record_field(const Node& node, const std::vector<bool>& seen,
                                          bool first, Result<void>& status) {
    if (!first) {
      status = expect(',');
      if (!status) return -1;
    }
    const std::size_t name_start = pos_;
    auto name = read_string();
    if (!name) {
      status = std::unexpected(name.error());
      return -1;
    }
    const int index = node.field_index(*name);
    if (index < 0 || seen[static_cast<std::size_t>(index)]) {
      pos_ = name_start;
      status = fail(fmt::format("{} field \"{}\" in record {}", index < 0 ? "unknown" : "repeated",
                                *name, node.full_name));
      return -1;
    }
    status = expect(':');
    if (!status) return -1;
    path_.push_back(std::move(*name));
    return index;
  }

  // Gives the fields that the text left out their default.
  [[gnu::noinline]] Result<void> read_missing_fields(const Node& node,
                                                     const std::vector<bool>& seen, Value& value,
                                                     int depth) {
    for (std::size_t i = 0; i < node.fields.size(); ++i) {
      if (seen[i]) continue;
      auto child = read_field_default(node, node.fields[i], depth);
      if (!child) return std::unexpected(child.error());
      value.children[i] = std::move(*child);
    }
    return {};
  }

  Result<Value> read_field_default(const Node& record, const Field& field, int depth) {
    if (!field.default_value) {
      return fail(fmt::format("missing field \"{}\" of record {}, which has no default", field.name,
                              record.full_name));
    }
    const std::string text = field.default_value->dump();
    Decoder decoder(text, true);
    auto value = decoder.read_value(*field.type, depth + 1);
    if (value) {
      if (auto status = decoder.finish(); !status) value = std::unexpected(status.error());
    }
    if (!value) {
      return fail(fmt::format("missing field \"{}\" of record {}, whose default is invalid: {}",
                              field.name, record.full_name, value.error().message));
    }
    return value;
  }

  [[gnu::noinline]] Result<void> read_array(const Node& node, Value& value, int depth) {
    if (auto status = expect('['); !status) return status;
    while (!peek(']')) {
      if (!value.children.empty()) {
        if (auto status = expect(','); !status) return status;
      }
      path_.push_back(fmt::format("[{}]", value.children.size()));
      auto item = read(*node.items, value.children.emplace_back(), depth + 1);
      if (!item) return item;
      path_.pop_back();
    }
    ++pos_;
    return {};
  }

  [[gnu::noinline]] Result<void> read_map(const Node& node, Value& value, int depth) {
    if (auto status = expect('{'); !status) return status;
    while (!peek('}')) {
      if (!value.children.empty()) {
        if (auto status = expect(','); !status) return status;
      }
      auto key = read_string();
      if (!key) return std::unexpected(key.error());
      if (auto status = expect(':'); !status) return status;
      path_.push_back(fmt::format("[{}]", *key));
      auto item = read(*node.values, value.children.emplace_back(), depth + 1);
      if (!item) return item;
      path_.pop_back();
      value.keys.push_back(std::move(*key));
    }
    ++pos_;
    return {};
  }

  std::string_view text_;
  bool default_mode_ = false;
  std::size_t pos_ = 0;
  std::vector<std::string> path_;
};

}  // namespace

Result<Value> from_avro_json(const Node& node, std::string_view text) {
  Decoder decoder(text, false);
  auto value = decoder.read_value(node, 0);
  if (!value) return value;
  if (auto status = decoder.finish(); !status) return std::unexpected(status.error());
  return value;
}

}  // namespace skystream::avro
