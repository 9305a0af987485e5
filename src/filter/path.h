// Field paths resolved against an Avro schema, and reading them from decoded values.
//
// A path such as "diaSource.psfFlux" names a record field, then a field of that field's record,
// and so on. Each step may pass through a union that has at most one non-null branch
// (["null", T], [T, "null"] or [T]). A value on the null branch of any such union makes the
// whole path null.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "avro/schema.h"
#include "avro/value.h"
#include "filter/error.h"

namespace skystream::filter {

struct FieldPath {
  std::string text;         // "diaSource.psfFlux"
  std::vector<int> fields;  // the record field index at each step, outermost first
  // The declared type of the field at each step (kUnion for a nullable field), which read_path()
  // checks against the value.
  std::vector<avro::Type> field_types;
  // The type at the end of the path with its union removed, so never a union.
  const avro::Node* leaf = nullptr;
  bool nullable = false;  // whether some step passes through a union with a null branch
};

// Resolves the dotted names `names` against the record `root`. Errors: an unknown field
// ("unknown field 'diaSource.psfFlux': record lsst.v4_0.diaSource has no field 'psfFlux'"), a
// step into a type that is not a record, or a union of more than one non-null type. Messages
// name the path but carry no column, which callers add.
[[nodiscard]] Result<FieldPath> resolve_path(const avro::Node& root,
                                             std::span<const std::string> names);

// Splits `dotted` at '.' and resolves it like resolve_path() above.
[[nodiscard]] Result<FieldPath> resolve_path(const avro::Node& root, std::string_view dotted);

// The scalar at the end of a path, as the evaluator compares it. `text` points into the
// decoded value (string) or into the schema (enum symbol) and lives as long as they do.
struct Scalar {
  enum class Kind : std::uint8_t { kNull, kBoolean, kInteger, kReal, kString, kOther };

  Kind kind = Kind::kNull;
  bool boolean = false;
  std::int64_t integer = 0;  // int, long
  double real = 0;           // float (widened), double
  std::string_view text;     // string, enum symbol
};

// Outcome of read_path(): kMismatch means that the value's shape differs from the schema the
// path was resolved with (wrong type, a missing field, a bad union or enum index).
enum class ReadStatus : std::uint8_t { kOk, kMismatch };

// Reads `path` from the record value `root` into `*out`: kNull when some union along the path is
// on its null branch, kOther when the leaf is a record, array, map, bytes or fixed value.
// Allocates nothing.
[[nodiscard]] ReadStatus read_path(const FieldPath& path, const avro::Value& root, Scalar* out);

// The scalar kind that values of the (non-union) type `node` read as.
Scalar::Kind scalar_kind(const avro::Node& node);

}  // namespace skystream::filter
