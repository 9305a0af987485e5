#include "filter/config.h"

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <toml++/toml.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <limits>
#include <map>
#include <set>
#include <sstream>
#include <utility>

namespace skystream::filter {

bool is_valid_topic(std::string_view topic) {
  if (topic.empty() || topic.size() > kMaxTopicLength || topic == "." || topic == "..") {
    return false;
  }
  return std::all_of(topic.begin(), topic.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' ||
           c == '_' || c == '-';
  });
}

namespace {

std::string_view trim(std::string_view text) {
  constexpr std::string_view kSpace = " \t\r\n";
  std::size_t first = text.find_first_not_of(kSpace);
  if (first == std::string_view::npos) return {};
  return text.substr(first, text.find_last_not_of(kSpace) - first + 1);
}

std::string_view node_type_name(const toml::node& node) {
  switch (node.type()) {
    case toml::node_type::table:
      return "a table";
    case toml::node_type::array:
      return "an array";
    case toml::node_type::string:
      return "a string";
    case toml::node_type::integer:
      return "an integer";
    case toml::node_type::floating_point:
      return "a float";
    case toml::node_type::boolean:
      return "a boolean";
    default:
      return "a date or time";
  }
}

// Validates one TOML document into a FilterConfig, remembering which names are taken.
class ConfigReader {
 public:
  explicit ConfigReader(std::string_view source) { config_.source = source; }

  Result<FilterConfig> run(const toml::table& document) {
    auto checked = check_keys(document, {"group", "visit_field"}, "the top level");
    if (!checked) return std::unexpected(std::move(checked.error()));

    if (const toml::node* visit_field = document.get("visit_field")) {
      auto text = read_string(*visit_field, "visit_field", "the top level");
      if (!text) return std::unexpected(std::move(text.error()));
      config_.visit_field = std::move(*text);
    }

    const toml::node* groups = document.get("group");
    if (groups == nullptr) return fail(1, "defines no filter group; add a [[group]] table");
    const toml::array* group_array = groups->as_array();
    if (group_array != nullptr && group_array->empty()) {
      return fail(*groups, "defines no filter group; add a [[group]] table");
    }
    if (group_array == nullptr || !group_array->is_array_of_tables()) {
      return fail(*groups, "'group' must be an array of tables, written [[group]]");
    }
    for (const toml::node& group : *group_array) {
      auto read = read_group(*group.as_table());
      if (!read) return std::unexpected(std::move(read.error()));
    }
    return std::move(config_);
  }

 private:
  std::unexpected<Error> fail(std::size_t line, std::string_view message) const {
    return std::unexpected(Error{fmt::format("{}:{}: {}", config_.source, line, message)});
  }

  std::unexpected<Error> fail(const toml::node& node, std::string_view message) const {
    return fail(node.source().begin.line, message);
  }

  Result<void> check_keys(const toml::table& table, std::initializer_list<std::string_view> known,
                          std::string_view where) const {
    for (auto&& [key, value] : table) {
      if (std::find(known.begin(), known.end(), key.str()) != known.end()) continue;
      return fail(value, fmt::format("unknown key '{}' in {} (known keys: {})", key.str(), where,
                                     fmt::join(known, ", ")));
    }
    return {};
  }

  Result<std::string> read_string(const toml::node& node, std::string_view key,
                                  std::string_view where) const {
    if (const auto* text = node.as_string()) return text->get();
    return fail(
        node, fmt::format("'{}' in {} must be a string, not {}", key, where, node_type_name(node)));
  }

  Result<std::string> require_string(const toml::table& table, std::string_view key,
                                     std::string_view where) const {
    const toml::node* node = table.get(key);
    if (node == nullptr) {
      return fail(table.source().begin.line, fmt::format("{} has no '{}'", where, key));
    }
    return read_string(*node, key, where);
  }

  Result<void> read_group(const toml::table& table) {
    FilterGroup group;
    group.line = table.source().begin.line;
    auto checked = check_keys(table, {"name", "filter"}, "a [[group]]");
    if (!checked) return checked;

    auto name = require_string(table, "name", "a [[group]]");
    if (!name) return std::unexpected(std::move(name.error()));
    if (trim(*name).empty()) return fail(*table.get("name"), "a group name must not be empty");
    if (!group_names_.insert(*name).second) {
      return fail(*table.get("name"), fmt::format("group '{}' is defined twice", *name));
    }
    group.name = std::move(*name);

    std::string where = fmt::format("group '{}'", group.name);
    const toml::node* filters = table.get("filter");
    if (filters == nullptr) {
      return fail(group.line,
                  fmt::format("{} has no filters; add a [[group.filter]] table", where));
    }
    const toml::array* filter_array = filters->as_array();
    if (filter_array != nullptr && filter_array->empty()) {
      return fail(*filters, fmt::format("{} has no filters; add a [[group.filter]] table", where));
    }
    if (filter_array == nullptr || !filter_array->is_array_of_tables()) {
      return fail(*filters, fmt::format("'filter' in {} must be an array of tables, written "
                                        "[[group.filter]]",
                                        where));
    }
    for (const toml::node& filter : *filter_array) {
      auto spec = read_filter(*filter.as_table(), group.name);
      if (!spec) return std::unexpected(std::move(spec.error()));
      group.filters.push_back(std::move(*spec));
    }
    config_.groups.push_back(std::move(group));
    return {};
  }

  Result<FilterSpec> read_filter(const toml::table& table, std::string_view group) {
    FilterSpec spec;
    spec.line = table.source().begin.line;
    std::string where = fmt::format("a filter of group '{}'", group);
    auto checked = check_keys(table, {"name", "expression", "topic", "max_per_visit"}, where);
    if (!checked) return std::unexpected(std::move(checked.error()));

    auto name = require_string(table, "name", where);
    if (!name) return std::unexpected(std::move(name.error()));
    if (trim(*name).empty()) return fail(*table.get("name"), "a filter name must not be empty");
    if (!filter_names_.insert(*name).second) {
      return fail(*table.get("name"), fmt::format("filter '{}' is defined twice", *name));
    }
    spec.name = std::move(*name);
    where = fmt::format("filter '{}'", spec.name);

    auto expression = read_expression(table, where);
    if (!expression) return std::unexpected(std::move(expression.error()));
    spec.expression = std::move(*expression);

    auto topic = read_topic(table, spec.name, where);
    if (!topic) return std::unexpected(std::move(topic.error()));
    spec.topic = std::move(*topic);

    if (const toml::node* cap = table.get("max_per_visit")) {
      auto read = read_cap(*cap, where);
      if (!read) return std::unexpected(std::move(read.error()));
      spec.max_per_visit = *read;
    }
    return spec;
  }

  Result<std::string> read_expression(const toml::table& table, std::string_view where) const {
    auto expression = require_string(table, "expression", where);
    if (!expression) return expression;
    const toml::node& node = *table.get("expression");
    if (trim(*expression).empty())
      return fail(node, fmt::format("{} has an empty expression", where));

    auto parsed = parse(*expression);
    if (!parsed) return fail(node, fmt::format("{}: {}", where, parsed.error().message));
    return expression;
  }

  Result<std::string> read_topic(const toml::table& table, std::string_view name,
                                 std::string_view where) {
    std::string topic(name);
    std::size_t line = table.source().begin.line;
    if (const toml::node* node = table.get("topic")) {
      auto text = read_string(*node, "topic", where);
      if (!text) return text;
      topic = std::move(*text);
      line = node->source().begin.line;
    }
    if (!is_valid_topic(topic)) {
      return fail(line, fmt::format("{}: '{}' is not a valid Kafka topic name (use at most {} "
                                    "letters, digits, '.', '_' and '-'); set 'topic'",
                                    where, topic, kMaxTopicLength));
    }
    auto [previous, inserted] = topics_.emplace(topic, std::string(name));
    if (!inserted) {
      return fail(line, fmt::format("{}: topic '{}' is already the topic of filter '{}'", where,
                                    topic, previous->second));
    }
    return topic;
  }

  Result<std::uint32_t> read_cap(const toml::node& node, std::string_view where) const {
    const auto* integer = node.as_integer();
    if (integer == nullptr) {
      return fail(node, fmt::format("'max_per_visit' of {} must be an integer, not {}", where,
                                    node_type_name(node)));
    }
    std::int64_t value = integer->get();
    if (value < 0 || value > std::numeric_limits<std::uint32_t>::max()) {
      return fail(node, fmt::format("'max_per_visit' of {} is {}; it must be between 0 "
                                    "(unlimited) and {}",
                                    where, value, std::numeric_limits<std::uint32_t>::max()));
    }
    return static_cast<std::uint32_t>(value);
  }

  FilterConfig config_;
  std::set<std::string> group_names_;
  std::set<std::string> filter_names_;
  std::map<std::string, std::string> topics_;  // topic -> filter name
};

}  // namespace

Result<FilterConfig> parse_config(std::string_view toml_text, std::string_view source) {
  toml::table document;
  try {
    document = toml::parse(toml_text, source);
  } catch (const toml::parse_error& error) {
    const toml::source_position& begin = error.source().begin;
    return std::unexpected(Error{fmt::format("{}:{}:{}: invalid TOML: {}", source, begin.line,
                                             begin.column, error.description())});
  }
  return ConfigReader(source).run(document);
}

Result<FilterConfig> load_config(const std::filesystem::path& file) {
  std::ifstream stream(file, std::ios::binary);
  if (!stream) {
    return std::unexpected(Error{fmt::format("cannot open filter configuration {}: {}",
                                             file.string(), std::strerror(errno))});
  }
  std::ostringstream text;
  text << stream.rdbuf();
  if (stream.bad()) {
    return std::unexpected(
        Error{fmt::format("cannot read filter configuration {}", file.string())});
  }
  return parse_config(text.str(), file.string());
}

Result<std::vector<const FilterGroup*>> select_groups(const FilterConfig& config,
                                                      std::string_view group_name) {
  std::vector<const FilterGroup*> selected;
  for (const FilterGroup& group : config.groups) {
    if (group_name.empty() || group.name == group_name) selected.push_back(&group);
  }
  if (!selected.empty()) return selected;

  std::vector<std::string_view> names;
  for (const FilterGroup& group : config.groups) names.push_back(group.name);
  return std::unexpected(Error{fmt::format("{} has no group '{}' (groups: {})", config.source,
                                           group_name, fmt::join(names, ", "))});
}

std::vector<int> CompiledGroup::top_level_fields() const {
  std::vector<int> fields;
  for (const CompiledFilter& compiled : filters) {
    auto used = compiled.filter.top_level_fields();
    fields.insert(fields.end(), used.begin(), used.end());
  }
  std::sort(fields.begin(), fields.end());
  fields.erase(std::unique(fields.begin(), fields.end()), fields.end());
  return fields;
}

std::vector<std::uint32_t> CompiledGroup::max_per_visit() const {
  std::vector<std::uint32_t> caps;
  caps.reserve(filters.size());
  for (const CompiledFilter& compiled : filters) caps.push_back(compiled.spec.max_per_visit);
  return caps;
}

Result<CompiledGroup> compile_group(const FilterConfig& config, const FilterGroup& group,
                                    const avro::Node& root) {
  CompiledGroup compiled;
  compiled.name = group.name;
  for (const FilterSpec& spec : group.filters) {
    auto filter = Filter::compile(spec.expression, root);
    if (!filter) {
      return std::unexpected(Error{fmt::format("{}:{}: filter '{}': {}", config.source, spec.line,
                                               spec.name, filter.error().message)});
    }
    compiled.filters.push_back(CompiledFilter{spec, std::move(*filter)});
  }
  return compiled;
}

}  // namespace skystream::filter
