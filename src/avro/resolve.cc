#include "avro/resolve.h"

#include <fmt/format.h>

#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <utility>

#include "avro/codec.h"
#include "avro/codec_nested.h"
#include "avro/reader.h"
#include "avro/resolve_plan.h"
#include "avro/skip.h"

namespace skystream::avro {
namespace {

using resolve_detail::Action;
using resolve_detail::BranchStep;
using resolve_detail::describe_type;
using resolve_detail::FieldStep;
using resolve_detail::Plan;
using resolve_detail::Step;

// Runs a plan on one input. Reads return false at the first fault, and error() then describes
// it with the reader field path, which the failing calls collect as they return. Nesting depth
// and the values that take no bytes are counted as in codec.cc, including those of the subtrees
// read with decode_nested() and the reader fields that take their default in a writer record
// that takes no bytes.
class PlanReader {
 public:
  PlanReader(const skip::Skipper& skipper, std::string_view bytes)
      : skipper_(skipper), cursor_(bytes) {}

  std::size_t position() const { return cursor_.offset(); }

  bool read(const Step& step, Value& value, int depth) {
    if (depth > kMaxValueDepth) return cursor_.fail(Fault::kNestedTooDeep, cursor_.position);
    value.node = step.reader;
    // Scalars are read in place; a decode_nested() call pays off only for a whole subtree.
    const bool scalar = step.action == Action::kPrimitive || step.action == Action::kEnum;
    if (step.identical && !scalar) return read_identical(step, value, depth);
    switch (step.action) {
      case Action::kPrimitive:
        return read_primitive(*step.writer, *step.reader, value);
      case Action::kEnum:
        return read_enum(step, value);
      case Action::kRecord:
        return read_record(step, value, depth);
      case Action::kArray:
      case Action::kMap:
        return read_blocks(step, value, depth);
      case Action::kWriterUnion:
        return read_writer_union(step, value, depth);
      case Action::kReaderUnion:
        value.index = step.branch.reader_branch;
        value.children.resize(1);
        return read(*step.branch.step, value.children.front(), depth);
    }
    return fail_other(cursor_.position, "unknown plan step");
  }

  // The error of the failed read: an error that a nested decoder built, or the cursor's fault.
  Error error() const {
    Error error = nested_ ? *nested_ : Error{describe(cursor_), "", cursor_.fault_offset};
    if (cursor_.fault == Fault::kOther && !nested_) error.message = message_;
    error.where = path_.text();
    return error;
  }

 private:
  // Records a fault that the reader describes itself, at byte `at`.
  [[gnu::noinline, gnu::cold]] bool fail_other(const char* at, std::string message) {
    message_ = std::move(message);
    return cursor_.fail(Fault::kOther, at);
  }

  // Records an error that a nested decoder built, whose path is below the current value.
  [[gnu::noinline, gnu::cold]] bool fail_nested(Error error) {
    path_.add_text(error.where);
    error.where.clear();
    nested_ = std::move(error);
    return cursor_.fail(Fault::kOther, cursor_.position);
  }

  // Reads a subtree with decode_nested(), then moves its error offset into this input.
  [[gnu::noinline]] bool read_identical(const Step& step, Value& value, int depth) {
    const std::size_t start = cursor_.offset();
    std::size_t used = 0;
    auto decoded = codec_detail::decode_nested(*step.reader,
                                               std::string_view(cursor_.position, cursor_.left()),
                                               value, &used, depth, zero_byte_values_);
    if (!decoded) {
      Error error = std::move(decoded.error());
      if (error.offset != std::string::npos) error.offset += start;
      return fail_nested(std::move(error));
    }
    cursor_.position += used;
    return true;
  }

  // Reads an int or long of the writer and stores it as the reader's int, long, float or double.
  bool read_integer(const Node& writer, const Node& reader, Value& value) {
    std::int64_t n = 0;
    const bool read = writer.type == Type::kInt ? read_int(cursor_, n) : read_long(cursor_, n);
    if (!read) return false;
    if (reader.type == Type::kFloat) {
      value.float32 = static_cast<float>(n);
    } else if (reader.type == Type::kDouble) {
      value.float64 = static_cast<double>(n);
    } else {
      value.integer = n;
    }
    return true;
  }

  [[gnu::noinline]] bool read_primitive(const Node& writer, const Node& reader, Value& value) {
    std::string_view raw;
    switch (writer.type) {
      case Type::kNull:
        return true;
      case Type::kBoolean:
        return read_boolean(cursor_, value.boolean);
      case Type::kInt:
      case Type::kLong:
        return read_integer(writer, reader, value);
      case Type::kFloat:
        if (!read_float(cursor_, value.float32)) return false;
        if (reader.type == Type::kDouble) value.float64 = static_cast<double>(value.float32);
        return true;
      case Type::kDouble:
        return read_double(cursor_, value.float64);
      case Type::kBytes:
      case Type::kString:
        if (!read_string(cursor_, raw)) return false;
        // A string read as bytes, or bytes read as a string, must be UTF-8 text too.
        if ((writer.type == Type::kString || reader.type == Type::kString) &&
            !check_utf8(cursor_, raw)) {
          return false;
        }
        value.bytes.assign(raw.data(), raw.size());
        return true;
      case Type::kFixed:
        if (!read_bytes(cursor_, static_cast<std::uint64_t>(writer.fixed_size), raw)) {
          return false;
        }
        value.bytes.assign(raw.data(), raw.size());
        return true;
      default:
        return fail_other(cursor_.position,
                          fmt::format("{} is not a primitive type", describe_type(writer)));
    }
  }

  [[gnu::noinline]] bool read_enum(const Step& step, Value& value) {
    const char* start = cursor_.position;
    const auto& writer_symbols = step.writer->symbols;
    std::int64_t symbol = 0;
    if (!read_symbol(cursor_, writer_symbols.size(), symbol)) return false;
    int index = step.symbols[static_cast<std::size_t>(symbol)];
    if (index < 0) index = step.default_symbol;
    if (index < 0) {
      return fail_other(start, fmt::format("enum symbol {} is not in the reader {}, which has no "
                                           "default",
                                           writer_symbols[static_cast<std::size_t>(symbol)],
                                           describe_type(*step.reader)));
    }
    value.index = index;
    return true;
  }

  bool read_record(const Step& step, Value& value, int depth) {
    const char* start = cursor_.position;
    const Node& reader = *step.reader;
    value.children.resize(reader.fields.size());
    for (const FieldStep& field : step.fields) {
      if (field.reader_index < 0) {
        if (!skip_value(field, depth + 1)) return false;
        continue;
      }
      const auto index = static_cast<std::size_t>(field.reader_index);
      if (!read(*field.step, value.children[index], depth + 1)) {
        path_.add_field(reader.fields[index].name);
        return false;
      }
    }
    for (const auto& [index, default_value] : step.defaults) {
      value.children[static_cast<std::size_t>(index)] = default_value;
    }
    if (cursor_.position == start) [[unlikely]] {
      return add_zero_byte_values(cursor_, zero_byte_values_,
                                  reader.fields.size() + step.default_descendants, start, 0);
    }
    return true;
  }

  bool read_writer_union(const Step& step, Value& value, int depth) {
    const char* start = cursor_.position;
    const Node& writer = *step.writer;
    std::int64_t branch = 0;
    if (!read_branch(cursor_, writer.branches.size(), branch)) return false;
    const BranchStep& target = step.branches[static_cast<std::size_t>(branch)];
    if (target.step == nullptr) return fail_branch(start, step, branch);
    if (step.reader->type != Type::kUnion) return read(*target.step, value, depth);
    value.index = target.reader_branch;
    value.children.resize(1);
    return read(*target.step, value.children.front(), depth);
  }

  [[gnu::noinline, gnu::cold]] bool fail_branch(const char* start, const Step& step,
                                                std::int64_t branch) {
    return fail_other(
        start, fmt::format("writer union branch {} ({}) cannot be read as {}", branch,
                           describe_type(*step.writer->branches[static_cast<std::size_t>(branch)]),
                           describe_type(*step.reader)));
  }

  [[gnu::noinline]] bool read_blocks(const Step& step, Value& value, int depth) {
    const Node& writer = *step.writer;
    const Node& element = writer.type == Type::kArray ? *writer.items : *writer.values;
    while (true) {
      std::int64_t count = 0;
      std::int64_t size = 0;
      const char* start = nullptr;
      if (!read_block_header(cursor_, count, size, start)) return false;
      if (count == 0) return true;
      if (block_count_needs_check(cursor_, count, zero_byte_values_)) [[unlikely]] {
        const std::uint64_t key = writer.type == Type::kMap ? 1 : 0;
        if (!check_block_count(cursor_, count, key + min_encoded_size(element), &zero_byte_values_,
                               start)) {
          return false;
        }
      }
      value.children.reserve(value.children.size() + static_cast<std::size_t>(count));
      const char* first_item = cursor_.position;
      for (std::int64_t i = 0; i < count; ++i) {
        const std::size_t item = value.children.size();
        std::string_view key;
        if (writer.type == Type::kMap) {
          if (!read_key(cursor_, key) || !check_utf8(cursor_, key)) {
            path_.add_index(item);
            return false;
          }
          value.keys.emplace_back(key);
        }
        if (!read(*step.element, value.children.emplace_back(), depth + 1)) {
          path_.add_index(item);
          return false;
        }
      }
      if (cursor_.position == first_item) [[unlikely]] {
        if (!add_zero_byte_values(cursor_, zero_byte_values_, static_cast<std::uint64_t>(count),
                                  start, count)) {
          return false;
        }
      }
    }
  }

  // Advances past one writer value that the reader does not keep, without building it.
  [[gnu::noinline]] bool skip_value(const FieldStep& field, int depth) {
    const char* start = cursor_.position;
    if (skipper_.skip(field.skip, cursor_, depth)) return true;
    return fail_nested(
        skipper_.locate_fault(*field.writer_field->type, cursor_, start, field.writer_field->name));
  }

  const skip::Skipper& skipper_;
  Cursor cursor_;
  ErrorPath path_;
  std::string message_;          // the message of a Fault::kOther without a nested error
  std::optional<Error> nested_;  // an error that decode_nested() or the skipper built
  std::uint64_t zero_byte_values_ = 0;
};

}  // namespace

Result<Resolver> Resolver::create(const Node& writer, const Node& reader) {
  auto plan = std::make_shared<Plan>();
  plan->writer = &writer;
  plan->reader = &reader;
  if (auto built = resolve_detail::build_plan(*plan); !built) {
    return std::unexpected(built.error());
  }
  return Resolver(std::move(plan));
}

Result<Value> Resolver::resolve_decode(std::string_view bytes, std::size_t* consumed) const {
  PlanReader reader(plan_->skipper, bytes);
  Value value;
  if (!reader.read(*plan_->root, value, 0)) return std::unexpected(reader.error());
  if (consumed) *consumed = reader.position();
  return value;
}

Result<Value> Resolver::resolve_decode_exact(std::string_view bytes) const {
  std::size_t consumed = 0;
  auto value = resolve_decode(bytes, &consumed);
  if (value && consumed != bytes.size()) {
    return std::unexpected(
        Error{fmt::format("{} bytes left over after the value", bytes.size() - consumed),
              plan_->reader->full_name, consumed});
  }
  return value;
}

const Node& Resolver::writer() const { return *plan_->writer; }

const Node& Resolver::reader() const { return *plan_->reader; }

}  // namespace skystream::avro
