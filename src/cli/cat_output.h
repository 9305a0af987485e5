// Output of skystream cat: one JSON line per record, as plain JSON, as Avro JSON, or as the
// --fields selection (an object keyed by path).
#pragma once

#include <map>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "avro/error.h"
#include "avro/schema.h"
#include "avro/value.h"

namespace skystream::cli {

// A --fields path resolved against one schema: the record field index of each step.
struct FieldSelection {
  std::string text;
  std::vector<int> fields;
};

// Resolves a dotted path such as "diaSource.psfFlux" or "prvDiaSources.psfFlux" against the
// record `root`. Steps may pass through unions with one non-null branch and through arrays.
// Errors name the path and the step that is not a record or not a field.
[[nodiscard]] avro::Result<FieldSelection> resolve_field(const avro::Node& root,
                                                         std::string_view text);

// Formats records as JSON lines. Not thread-safe: it caches the --fields selection per schema.
class RecordFormatter {
 public:
  struct Options {
    bool avro_json = false;          // the Avro JSON encoding in place of plain JSON
    bool quote_non_finite = false;   // with avro_json, NaN and infinities as strings
    std::vector<std::string> paths;  // --fields paths; empty for the whole record
  };

  explicit RecordFormatter(Options options) : options_(std::move(options)) {}

  bool selects_fields() const { return !options_.paths.empty(); }

  // Resolves the --fields paths against `schema` once and keeps the result, or the error of the
  // first path that does not resolve. The key keeps `schema` alive while the formatter lives.
  [[nodiscard]] avro::Result<const std::vector<FieldSelection>*> selections_for(
      const std::shared_ptr<const avro::Schema>& schema);

  // Appends `value` in the chosen JSON encoding to `out`. Fails only for Avro JSON, on a value
  // that it cannot write.
  [[nodiscard]] avro::Result<void> append(const avro::Value& value, std::string& out) const;

  // Appends the object of the selected fields of `value`, keyed by path, to `out`.
  [[nodiscard]] avro::Result<void> append_fields(const avro::Value& value,
                                                 const std::vector<FieldSelection>& selections,
                                                 std::string& out) const;

 private:
  avro::Result<void> append_selected(const avro::Value& value, std::span<const int> steps,
                                     std::string& out) const;

  Options options_;
  std::map<std::shared_ptr<const avro::Schema>, avro::Result<std::vector<FieldSelection>>>
      selections_;
};

}  // namespace skystream::cli
