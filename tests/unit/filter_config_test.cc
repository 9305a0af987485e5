// Filter configuration files: the shipped LDM-503-5 and example sets, defaults, group
// selection, and every validation error with its file and line. Line numbers in expected
// messages are counted by hand in the TOML texts below.

#include <gtest/gtest.h>

#include <cstdio>
#include <string>
#include <vector>

#include "filter/config.h"
#include "filter_test_support.h"

namespace skystream::filter {
namespace {

using testing::load_rubin_schema;

const std::string kConfigDir = std::string(SKYSTREAM_SOURCE_DIR) + "/config";

FilterConfig parse_or_die(std::string_view text) {
  auto config = parse_config(text, "test.toml");
  if (!config) throw std::runtime_error(config.error().message);
  return *config;
}

std::string group_name(int group) { return "filterer" + std::to_string(group + 1); }

std::string filter_name(int number) {
  char name[16];
  std::snprintf(name, sizeof name, "Filter%03d", number);
  return name;
}

TEST(FilterConfigLdm, HasFiveGroupsOfTwenty) {
  auto config = load_config(kConfigDir + "/ldm-503-5.toml");
  ASSERT_TRUE(config) << config.error().message;
  ASSERT_EQ(config->groups.size(), 5u);
  for (int group = 0; group < 5; ++group) {
    EXPECT_EQ(config->groups[group].name, group_name(group));
    EXPECT_EQ(config->groups[group].filters.size(), 20u) << group_name(group);
  }
}

TEST(FilterConfigLdm, FiltersHaveNamesTopicsAndCaps) {
  auto config = load_config(kConfigDir + "/ldm-503-5.toml");
  ASSERT_TRUE(config) << config.error().message;
  ASSERT_EQ(config->groups.size(), 5u);
  for (int group = 0; group < 5; ++group) {
    const auto& filters = config->groups[group].filters;
    ASSERT_EQ(filters.size(), 20u);
    for (int position = 0; position < 20; ++position) {
      std::string expected = filter_name(group * 20 + position + 1);
      const FilterSpec& spec = filters[position];
      EXPECT_EQ(spec.name, expected);
      EXPECT_EQ(spec.topic, expected);
      EXPECT_EQ(spec.max_per_visit, 20u) << expected;
      EXPECT_EQ(spec.expression, "diaSource.snr > 5 AND diaSource.psfFlux > 36310") << expected;
    }
  }
  EXPECT_EQ(config->groups.front().filters.front().name, "Filter001");
  EXPECT_EQ(config->groups.back().filters.back().name, "Filter100");
}

TEST(FilterConfigLdm, CompilesAgainstSchemaEleven) {
  auto schema = load_rubin_schema(11);
  auto config = load_config(kConfigDir + "/ldm-503-5.toml");
  ASSERT_TRUE(config) << config.error().message;
  for (const FilterGroup& group : config->groups) {
    auto compiled = compile_group(*config, group, schema->root());
    ASSERT_TRUE(compiled) << compiled.error().message;
    EXPECT_EQ(compiled->filters.size(), 20u);
    EXPECT_EQ(compiled->top_level_fields(), (std::vector<int>{3}));  // diaSource only
    EXPECT_EQ(compiled->max_per_visit(), std::vector<std::uint32_t>(20, 20));
  }
}

// Schema 4.0 calls the PSF flux psFlux. The first filter's table starts on line 10 of the file
// (five comment lines, a blank, [[group]], name, a blank, then [[group.filter]]).
TEST(FilterConfigLdm, SchemaFourLacksPsfFlux) {
  auto schema = load_rubin_schema(4);
  std::string path = kConfigDir + "/ldm-503-5.toml";
  auto config = load_config(path);
  ASSERT_TRUE(config) << config.error().message;
  auto compiled = compile_group(*config, config->groups[0], schema->root());
  ASSERT_FALSE(compiled);
  EXPECT_EQ(compiled.error().message,
            path +
                ":10: filter 'Filter001': unknown field 'diaSource.psfFlux': record "
                "lsst.v4_0.diaSource has no field 'psfFlux' at column 23");
}

TEST(FilterConfigExample, LoadsAndCompiles) {
  auto schema = load_rubin_schema(11);
  auto config = load_config(kConfigDir + "/example.toml");
  ASSERT_TRUE(config) << config.error().message;
  EXPECT_EQ(config->groups.size(), 2u);
  EXPECT_EQ(config->visit_field, "diaSource.visit");
  for (const FilterGroup& group : config->groups) {
    auto compiled = compile_group(*config, group, schema->root());
    EXPECT_TRUE(compiled) << compiled.error().message;
  }
}

constexpr std::string_view kMinimal = R"(
[[group]]
name = "g1"

[[group.filter]]
name = "bright"
expression = "diaSource.snr > 5"
)";

TEST(FilterConfigParse, TopicDefaultsToName) {
  FilterConfig config = parse_or_die(kMinimal);
  EXPECT_EQ(config.groups[0].filters[0].topic, "bright");
}

TEST(FilterConfigParse, CapDefaultsToTwenty) {
  FilterConfig config = parse_or_die(kMinimal);
  EXPECT_EQ(config.groups[0].filters[0].max_per_visit, 20u);
}

TEST(FilterConfigParse, VisitFieldDefaultsToVisit) {
  FilterConfig config = parse_or_die(kMinimal);
  EXPECT_EQ(config.visit_field, "diaSource.visit");
}

TEST(FilterConfigParse, RecordsSourceAndLines) {
  FilterConfig config = parse_or_die(kMinimal);
  EXPECT_EQ(config.source, "test.toml");
  EXPECT_EQ(config.groups[0].line, 2u);  // the raw string starts with a newline
  EXPECT_EQ(config.groups[0].filters[0].line, 5u);
}

TEST(FilterConfigParse, ExplicitValuesAreKept) {
  FilterConfig config = parse_or_die(R"(
visit_field = "diaSource.ccdVisitId"
[[group]]
name = "g1"
[[group.filter]]
name = "all"
expression = "TRUE"
topic = "all.alerts_v2-x"
max_per_visit = 0
)");
  EXPECT_EQ(config.visit_field, "diaSource.ccdVisitId");
  const FilterSpec& spec = config.groups[0].filters[0];
  EXPECT_EQ(spec.topic, "all.alerts_v2-x");
  EXPECT_EQ(spec.max_per_visit, 0u);
  EXPECT_EQ(spec.expression, "TRUE");
}

struct ErrorCase {
  std::string_view name;
  std::string_view text;
  std::string message;
};

TEST(FilterConfigParse, ErrorsNameLineAndKey) {
  const ErrorCase cases[] = {
      {"no groups", "# nothing\n", "test.toml:1: defines no filter group; add a [[group]] table"},
      {"empty group array", "group = []\n",
       "test.toml:1: defines no filter group; add a [[group]] table"},
      {"group not tables", "group = 5\n",
       "test.toml:1: 'group' must be an array of tables, written [[group]]"},
      {"unknown top-level key", "groups = 1\n",
       "test.toml:1: unknown key 'groups' in the top level (known keys: group, visit_field)"},
      {"group without name", "[[group]]\n[[group.filter]]\nname = \"f\"\nexpression = \"TRUE\"\n",
       "test.toml:1: a [[group]] has no 'name'"},
      {"group name not string", "[[group]]\nname = 1\n",
       "test.toml:2: 'name' in a [[group]] must be a string, not an integer"},
      {"group without filters", "[[group]]\nname = \"g\"\n",
       "test.toml:1: group 'g' has no filters; add a [[group.filter]] table"},
      {"duplicate group",
       "[[group]]\nname = \"g\"\n[[group.filter]]\nname = \"a\"\nexpression = \"TRUE\"\n"
       "[[group]]\nname = \"g\"\n[[group.filter]]\nname = \"b\"\nexpression = \"TRUE\"\n",
       "test.toml:7: group 'g' is defined twice"},
      {"unknown group key", "[[group]]\nname = \"g\"\nfilters = 1\n",
       "test.toml:3: unknown key 'filters' in a [[group]] (known keys: name, filter)"},
      {"duplicate filter in one group",
       "[[group]]\nname = \"g\"\n[[group.filter]]\nname = \"a\"\nexpression = \"TRUE\"\n"
       "[[group.filter]]\nname = \"a\"\nexpression = \"TRUE\"\n",
       "test.toml:7: filter 'a' is defined twice"},
      {"duplicate filter across groups",
       "[[group]]\nname = \"g\"\n[[group.filter]]\nname = \"a\"\nexpression = \"TRUE\"\n"
       "[[group]]\nname = \"h\"\n[[group.filter]]\nname = \"a\"\nexpression = \"TRUE\"\n",
       "test.toml:9: filter 'a' is defined twice"},
      {"duplicate topic",
       "[[group]]\nname = \"g\"\n[[group.filter]]\nname = \"a\"\nexpression = \"TRUE\"\n"
       "[[group.filter]]\nname = \"b\"\nexpression = \"TRUE\"\ntopic = \"a\"\n",
       "test.toml:9: filter 'b': topic 'a' is already the topic of filter 'a'"},
      {"filter without name", "[[group]]\nname = \"g\"\n[[group.filter]]\nexpression = \"TRUE\"\n",
       "test.toml:3: a filter of group 'g' has no 'name'"},
      {"empty filter name", "[[group]]\nname = \"g\"\n[[group.filter]]\nname = \" \"\n",
       "test.toml:4: a filter name must not be empty"},
      {"filter without expression", "[[group]]\nname = \"g\"\n[[group.filter]]\nname = \"f\"\n",
       "test.toml:3: filter 'f' has no 'expression'"},
      {"empty expression",
       "[[group]]\nname = \"g\"\n[[group.filter]]\nname = \"f\"\nexpression = \"  \"\n",
       "test.toml:5: filter 'f' has an empty expression"},
      {"expression syntax error",
       "[[group]]\nname = \"g\"\n[[group.filter]]\nname = \"f\"\nexpression = \"(a = 1\"\n",
       "test.toml:5: filter 'f': expected ')' at column 7, found end of expression"},
      {"unknown filter key",
       "[[group]]\nname = \"g\"\n[[group.filter]]\nname = \"f\"\nexpression = \"TRUE\"\n"
       "max_per_vist = 3\n",
       "test.toml:6: unknown key 'max_per_vist' in a filter of group 'g' (known keys: name, "
       "expression, topic, max_per_visit)"},
      {"negative cap",
       "[[group]]\nname = \"g\"\n[[group.filter]]\nname = \"f\"\nexpression = \"TRUE\"\n"
       "max_per_visit = -1\n",
       "test.toml:6: 'max_per_visit' of filter 'f' is -1; it must be between 0 (unlimited) and "
       "4294967295"},
      {"cap not integer",
       "[[group]]\nname = \"g\"\n[[group.filter]]\nname = \"f\"\nexpression = \"TRUE\"\n"
       "max_per_visit = \"20\"\n",
       "test.toml:6: 'max_per_visit' of filter 'f' must be an integer, not a string"},
      {"invalid topic",
       "[[group]]\nname = \"g\"\n[[group.filter]]\nname = \"f\"\nexpression = \"TRUE\"\n"
       "topic = \"bad topic\"\n",
       "test.toml:6: filter 'f': 'bad topic' is not a valid Kafka topic name (use at most 249 "
       "letters, digits, '.', '_' and '-'); set 'topic'"},
      {"name not a valid default topic",
       "[[group]]\nname = \"g\"\n[[group.filter]]\nname = \"my filter\"\nexpression = \"TRUE\"\n",
       "test.toml:3: filter 'my filter': 'my filter' is not a valid Kafka topic name (use at "
       "most 249 letters, digits, '.', '_' and '-'); set 'topic'"},
      {"visit field not string", "visit_field = 1\n",
       "test.toml:1: 'visit_field' in the top level must be a string, not an integer"},
  };
  for (const ErrorCase& test : cases) {
    auto config = parse_config(test.text, "test.toml");
    ASSERT_FALSE(config) << test.name;
    EXPECT_EQ(config.error().message, test.message) << test.name;
  }
}

// The rest of the message is toml++'s own description of the error.
TEST(FilterConfigParse, TomlSyntaxErrorGivesLineAndColumn) {
  auto config = parse_config("[[group]]\nname = \n", "test.toml");
  ASSERT_FALSE(config);
  EXPECT_TRUE(config.error().message.starts_with("test.toml:2:8: invalid TOML: "))
      << config.error().message;
}

TEST(FilterConfigParse, TopicOfMaximumLengthIsValid) {
  std::string topic(249, 't');
  std::string text =
      "[[group]]\nname = \"g\"\n[[group.filter]]\nname = \"f\"\n"
      "expression = \"TRUE\"\ntopic = \"" +
      topic + "\"\n";
  auto config = parse_config(text, "test.toml");
  ASSERT_TRUE(config) << config.error().message;
  EXPECT_EQ(config->groups[0].filters[0].topic, topic);
}

TEST(FilterConfigParse, TopicPastMaximumLengthFails) {
  std::string text =
      "[[group]]\nname = \"g\"\n[[group.filter]]\nname = \"f\"\n"
      "expression = \"TRUE\"\ntopic = \"" +
      std::string(250, 't') + "\"\n";
  EXPECT_FALSE(parse_config(text, "test.toml"));
}

TEST(FilterConfigLoad, MissingFileIsNamed) {
  auto config = load_config("/nonexistent/filters.toml");
  ASSERT_FALSE(config);
  EXPECT_EQ(config.error().message,
            "cannot open filter configuration /nonexistent/filters.toml: No such file or "
            "directory");
}

TEST(FilterConfigCompile, ErrorNamesFileLineAndFilter) {
  auto schema = load_rubin_schema(11);
  FilterConfig config = parse_or_die(R"(
[[group]]
name = "g1"

[[group.filter]]
name = "ok"
expression = "diaSource.snr > 5"

[[group.filter]]
name = "typo"
expression = "diaSource.snr > 5 AND diaSource.band = 3"
)");
  auto compiled = compile_group(config, config.groups[0], schema->root());
  ASSERT_FALSE(compiled);
  EXPECT_EQ(compiled.error().message,
            "test.toml:9: filter 'typo': type mismatch: 'diaSource.band' (string) is a string "
            "but 3 is a number at column 23");
}

TEST(FilterConfigCompile, TopLevelFieldsAreUnionOfFilters) {
  auto schema = load_rubin_schema(11);
  FilterConfig config = parse_or_die(R"(
[[group]]
name = "g1"
[[group.filter]]
name = "a"
expression = "diaObject.nDiaSources > 1"
[[group.filter]]
name = "b"
expression = "diaSource.snr > 5 OR diaSourceId = 3"
)");
  auto compiled = compile_group(config, config.groups[0], schema->root());
  ASSERT_TRUE(compiled) << compiled.error().message;
  // diaSourceId is field 0, diaSource 3 and diaObject 6 of lsst.v11_0.alert.
  EXPECT_EQ(compiled->top_level_fields(), (std::vector<int>{0, 3, 6}));
}

class FilterConfigSelect : public ::testing::Test {
 protected:
  void SetUp() override {
    auto config = load_config(kConfigDir + "/ldm-503-5.toml");
    ASSERT_TRUE(config) << config.error().message;
    config_ = std::move(*config);
  }
  FilterConfig config_;
};

TEST_F(FilterConfigSelect, EmptyNameSelectsAllGroups) {
  auto groups = select_groups(config_, "");
  ASSERT_TRUE(groups);
  ASSERT_EQ(groups->size(), 5u);
  for (int group = 0; group < 5; ++group) EXPECT_EQ((*groups)[group]->name, group_name(group));
}

TEST_F(FilterConfigSelect, NameSelectsOneGroup) {
  auto groups = select_groups(config_, "filterer3");
  ASSERT_TRUE(groups);
  ASSERT_EQ(groups->size(), 1u);
  EXPECT_EQ((*groups)[0]->name, "filterer3");
  EXPECT_EQ((*groups)[0]->filters.front().name, "Filter041");
}

TEST_F(FilterConfigSelect, UnknownNameListsGroups) {
  auto groups = select_groups(config_, "filterer6");
  ASSERT_FALSE(groups);
  EXPECT_EQ(groups.error().message,
            kConfigDir +
                "/ldm-503-5.toml has no group 'filterer6' (groups: filterer1, filterer2, "
                "filterer3, filterer4, filterer5)");
}

}  // namespace
}  // namespace skystream::filter
