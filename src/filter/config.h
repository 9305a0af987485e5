// Filter configuration files (TOML): groups of named filters, each with its output topic and
// per-visit cap.
//
//   visit_field = "diaSource.visit"   # optional, the field with the alert's visit id
//
//   [[group]]                          # one group per filter service consumer group
//   name = "filterer1"
//
//   [[group.filter]]
//   name = "Filter001"
//   expression = "diaSource.snr > 5 AND diaSource.psfFlux > 36310"
//   topic = "Filter001"                # optional, defaults to the filter's name
//   max_per_visit = 20                 # optional, defaults to 20, 0 means unlimited
//
// Group names, filter names and topics are each unique within a file, across groups too, so no
// two filters publish to one topic. Unknown keys are errors, so that a misspelt key is not
// silently ignored.
#pragma once

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "avro/schema.h"
#include "filter/error.h"
#include "filter/filter.h"
#include "filter/visit_cap.h"

namespace skystream::filter {

// The survey must serve at least 20 alerts per filter per visit, so that is the default cap.
inline constexpr std::uint32_t kDefaultMaxPerVisit = 20;

// Kafka accepts topic names of at most 249 characters from [a-zA-Z0-9._-], except "." and "..".
inline constexpr std::size_t kMaxTopicLength = 249;

// Returns whether Kafka accepts `topic` as a topic name.
bool is_valid_topic(std::string_view topic);

struct FilterSpec {
  std::string name;
  std::string expression;
  std::string topic;                                  // output topic, the filter's name by default
  std::uint32_t max_per_visit = kDefaultMaxPerVisit;  // 0 = unlimited
  std::size_t line = 0;  // line of the filter's table in the file, for messages
};

struct FilterGroup {
  std::string name;
  std::vector<FilterSpec> filters;  // in file order, never empty
  std::size_t line = 0;
};

struct FilterConfig {
  std::string source;  // the file name, or the `source` passed to parse_config()
  std::string visit_field = std::string(kDefaultVisitField);  // for VisitReader::create()
  std::vector<FilterGroup> groups;                            // in file order, never empty
};

// Reads and validates the TOML file `file`. Every filter's expression is parsed but not
// compiled, because compiling needs the alert schema (see compile_group()). Errors start with
// "<file>:<line>:" and name the group, filter or key at fault. They cover TOML syntax, missing,
// mistyped and unknown keys, empty expressions and expression syntax errors. They also cover a
// negative or oversized max_per_visit, an invalid Kafka topic name, and a group name, filter
// name or topic used twice.
[[nodiscard]] Result<FilterConfig> load_config(const std::filesystem::path& file);

// Validates the TOML document `toml_text` like load_config(). `source` names it in errors.
[[nodiscard]] Result<FilterConfig> parse_config(std::string_view toml_text,
                                                std::string_view source);

// Returns the group called `group_name`, or every group when `group_name` is empty. The
// pointers point into `config`. Fails on an unknown name, listing the groups that exist.
[[nodiscard]] Result<std::vector<const FilterGroup*>> select_groups(const FilterConfig& config,
                                                                    std::string_view group_name);

struct CompiledFilter {
  FilterSpec spec;
  Filter filter;
};

// A group whose filters are compiled against one alert schema. Valid while that schema lives.
struct CompiledGroup {
  std::string name;
  std::vector<CompiledFilter> filters;

  // The union of the filters' top-level field indices, ascending: the fields that a projected
  // decode of the alert must read for this group.
  std::vector<int> top_level_fields() const;

  // Each filter's max_per_visit, in filter order, as VisitCap takes them.
  std::vector<std::uint32_t> max_per_visit() const;
};

// Compiles every filter of `group` (from `config`) against the alert record `root`. An error
// names the file, the filter's line and the filter, then gives the compiler's message, such as
// "ldm.toml:7: filter 'Filter001': unknown field 'diaSource.psfFlux': record
// lsst.v4_0.diaSource has no field 'psfFlux' at column 22".
[[nodiscard]] Result<CompiledGroup> compile_group(const FilterConfig& config,
                                                  const FilterGroup& group, const avro::Node& root);

}  // namespace skystream::filter
