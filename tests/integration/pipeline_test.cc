// The whole path on the real broker (127.0.0.1:9092 by default): simulate, send, filter with two
// filter groups, verify. Counts are judged by confluent-kafka and fastavro
// (tests/tools/kafka_judge.py), not by skystream itself.

#include <gtest/gtest.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>

#include "../support/process.h"

namespace skystream {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;
using testing::run_command;
using testing::shell_quote;
using testing::TempDir;

// The broker that scripts/test points the tests at, 127.0.0.1:9092 unless
// SKYSTREAM_BOOTSTRAP_SERVERS names another.
const std::string kBrokers = [] {
  const char* servers = std::getenv("SKYSTREAM_BOOTSTRAP_SERVERS");
  return std::string(servers && *servers ? servers : "127.0.0.1:9092");
}();
const std::string kBinary = SKYSTREAM_BINARY;
const fs::path kSource = SKYSTREAM_SOURCE_DIR;
constexpr int kCap = 20;  // max_per_visit of every filter in config/ldm-503-5.toml

// A prefix unique to this test run, so reruns on the same broker never share a topic.
std::string run_prefix() {
  static const std::string prefix =
      "it" + std::to_string(getpid()) + "x" +
      std::to_string(std::chrono::system_clock::now().time_since_epoch().count() % 1000000000) +
      "-";
  return prefix;
}

std::string skystream(const std::string& arguments) {
  return shell_quote(kBinary) + " " + arguments;
}

std::string judge(const std::string& arguments) {
  return shell_quote(SKYSTREAM_PYTHON) + " " +
         shell_quote((kSource / "tests/tools/kafka_judge.py").string()) + " " + arguments;
}

json read_json(const fs::path& path) {
  std::ifstream in(path);
  return json::parse(in);
}

json run_judge(const std::string& arguments) {
  auto result = run_command(judge(arguments));
  if (result.exit_code != 0) throw std::runtime_error("kafka_judge.py failed: " + arguments);
  return json::parse(result.output);
}

class Pipeline : public ::testing::Test {
 protected:
  void SetUp() override {
    auto status =
        run_command("kcat -b " + kBrokers + " -L -t __broker_check__ -m 5 >/dev/null 2>&1");
    ASSERT_EQ(status.exit_code, 0)
        << "no Kafka broker answers at " << kBrokers << "; start one with scripts/kafka start";
  }

  // Simulates `visits` x `alerts` alerts into dir/visits and sends them to `topic`. The alerts
  // carry no history and no cutouts, so that they stay near 700 bytes: the tests need many
  // alerts fast, and BadPacketsCountedStreamGoesOn passes a whole alert as a hex argument.
  void simulate_and_send(const fs::path& dir, int visits, int alerts, const std::string& topic) {
    auto simulated = run_command(skystream(
        fmt_args("simulate --schema-version 11.0 --visits {} --alerts-per-visit {} --seed 11 "
                 "--history-days 0 --cutout-size 0 --out {}",
                 visits, alerts, shell_quote((dir / "visits").string()))));
    ASSERT_EQ(simulated.exit_code, 0);
    auto sent = run_command(skystream("send --brokers " + kBrokers + " --topic " + topic +
                                      " --interval 0 --manifest " +
                                      shell_quote((dir / "manifest.jsonl").string()) + " " +
                                      shell_quote((dir / "visits").string())));
    ASSERT_EQ(sent.exit_code, 0);
  }

  template <typename... Args>
  static std::string fmt_args(std::string_view format, Args&&... args) {
    std::string out;
    std::size_t arg_index = 0;
    std::string values[] = {to_text(args)...};
    for (std::size_t i = 0; i < format.size(); ++i) {
      if (format.substr(i, 2) == "{}") {
        out += values[arg_index++];
        ++i;
      } else {
        out += format[i];
      }
    }
    return out;
  }
  static std::string to_text(const std::string& text) { return text; }
  static std::string to_text(int number) { return std::to_string(number); }
};

TEST_F(Pipeline, TwoGroupsMatchVisitFileCounts) {
  TempDir dir;
  const std::string prefix = run_prefix() + "a-";
  const std::string topic = prefix + "alerts";
  simulate_and_send(dir.path(), 2, 2000, topic);

  // Two filter groups, each its own consumer group, as two separate processes.
  for (const char* group : {"filterer1", "filterer2"}) {
    auto filtered = run_command(skystream(
        "filter --brokers " + kBrokers + " --topic " + topic + " --config " +
        shell_quote((kSource / "config/ldm-503-5.toml").string()) + " --filter-group " + group +
        " --group " + prefix + group + " --topic-prefix " + prefix + " --exit-at-eof --json " +
        shell_quote((dir.path() / (std::string(group) + ".json")).string())));
    ASSERT_EQ(filtered.exit_code, 0) << group;
  }

  // The expected counts come from the visit files, read by fastavro.
  const json per_visit =
      run_judge("campaign-matches " + shell_quote((dir.path() / "visits").string()));
  ASSERT_EQ(per_visit.size(), 2u);
  std::uint64_t expected_matched = 0;
  std::uint64_t expected_published = 0;
  for (const auto& [file, count] : per_visit.items()) {
    expected_matched += count.get<std::uint64_t>();
    expected_published += std::min<std::uint64_t>(count.get<std::uint64_t>(), kCap);
  }
  ASSERT_GT(expected_matched, 0u) << "the simulation produced no bright alerts";

  std::vector<std::string> filter_topics;
  for (const char* group : {"filterer1", "filterer2"}) {
    const json summary = read_json(dir.path() / (std::string(group) + ".json"));
    EXPECT_EQ(summary["alerts"], 4000) << group;
    EXPECT_EQ(summary["decoded"], 4000) << group;
    ASSERT_EQ(summary["filters"].size(), 20u) << group;
    for (const json& filter : summary["filters"]) {
      EXPECT_EQ(filter["matched"], expected_matched) << filter["filter"];
      EXPECT_EQ(filter["published"], expected_published) << filter["filter"];
      filter_topics.push_back(filter["topic"].get<std::string>());
    }
  }
  ASSERT_EQ(filter_topics.size(), 40u);
  EXPECT_EQ(filter_topics.front(), prefix + "Filter001");
  EXPECT_EQ(filter_topics.back(), prefix + "Filter040");

  // confluent-kafka counts what each topic holds.
  std::string topics_argument = topic;
  for (const std::string& filter_topic : filter_topics) topics_argument += " " + filter_topic;
  const json counts = run_judge("count " + kBrokers + " " + topics_argument);
  EXPECT_EQ(counts[topic], 4000);
  for (const std::string& filter_topic : filter_topics) {
    EXPECT_EQ(counts[filter_topic], expected_published) << filter_topic;
  }

  // skystream verify agrees: nothing missing, duplicated or altered on any topic.
  std::string verify_topics;
  for (const std::string& name : filter_topics) verify_topics += " --topic " + name;
  auto verified = run_command(skystream("verify --brokers " + kBrokers + " --manifest " +
                                        shell_quote((dir.path() / "manifest.jsonl").string()) +
                                        " --topic " + topic + verify_topics + " --json " +
                                        shell_quote((dir.path() / "verify.json").string())));
  EXPECT_EQ(verified.exit_code, 0);
  const json report = read_json(dir.path() / "verify.json");
  EXPECT_EQ(report["total"]["missing"], 0);
  EXPECT_EQ(report["total"]["duplicates"], 0);
  EXPECT_EQ(report["total"]["mismatched"], 0);
  EXPECT_EQ(report["topics"][topic]["expected"], 4000);
  EXPECT_EQ(report["topics"][topic]["received"], 4000);
  EXPECT_EQ(report["topics"][prefix + "Filter001"]["received"], expected_published);
}

// A filter process may start before the full-stream topic exists: it waits for the topic, then
// reads every alert that the sender publishes to it. It creates its output topics itself.
TEST_F(Pipeline, FilterStartedBeforeTopicReadsAll) {
  TempDir dir;
  const std::string prefix = run_prefix() + "w-";
  const std::string topic = prefix + "alerts";
  auto simulated = run_command(skystream(
      fmt_args("simulate --schema-version 11.0 --visits 1 --alerts-per-visit 300 --seed 12 "
               "--history-days 0 --cutout-size 0 --out {}",
               shell_quote((dir.path() / "visits").string()))));
  ASSERT_EQ(simulated.exit_code, 0);

  const fs::path summary_path = dir.path() / "filter.json";
  const std::string filter =
      skystream("filter --brokers " + kBrokers + " --topic " + topic + " --config " +
                shell_quote((kSource / "config/ldm-503-5.toml").string()) +
                " --filter-group filterer1 --group " + prefix + "g --topic-prefix " + prefix +
                " --exit-at-eof --eof-grace 3 --dead-letter-topic " + prefix + "dead --json " +
                shell_quote(summary_path.string()));
  const std::string send =
      skystream("send --brokers " + kBrokers + " --topic " + topic + " --interval 0 --manifest " +
                shell_quote((dir.path() / "manifest.jsonl").string()) + " " +
                shell_quote((dir.path() / "visits").string()));
  auto run = run_command(filter + " & filter=$!; sleep 3; " + send +
                         " && wait $filter; echo \"filter exit $?\"");
  EXPECT_NE(run.output.find("filter exit 0"), std::string::npos) << run.output;

  const json summary = read_json(summary_path);
  EXPECT_EQ(summary["alerts"], 300);
  EXPECT_EQ(summary["decoded"], 300);

  // The service created every output topic at start-up, also those that received nothing:
  // the dead-letter topic, as no message was bad.
  std::string topics = prefix + "dead";
  for (const json& filter : summary["filters"]) topics += " " + filter["topic"].get<std::string>();
  const json partitions = run_judge("partitions " + kBrokers + " " + topics);
  ASSERT_EQ(partitions.size(), 21u);
  for (const auto& [name, count] : partitions.items()) EXPECT_GT(count, 0) << name;
  EXPECT_EQ(run_judge("count " + kBrokers + " " + prefix + "dead")[prefix + "dead"], 0);
}

// A frame with the given first byte and schema id, then `body`, as hex.
std::string framed_hex(int magic, std::uint32_t schema_id, const std::string& body_hex) {
  char header[11];
  std::snprintf(header, sizeof header, "%02x%08x", magic, schema_id);
  return header + body_hex;
}

TEST_F(Pipeline, BadPacketsCountedStreamGoesOn) {
  TempDir dir;
  const std::string prefix = run_prefix() + "b-";
  const std::string topic = prefix + "alerts";
  simulate_and_send(dir.path(), 1, 300, topic);

  // Hand-built bad messages, produced by confluent-kafka after the good alerts: a body cut to
  // 40 bytes, the same alert with magic byte 1, one with unknown schema id 9999, and 3 bytes.
  auto first = run_command(judge("first " + kBrokers + " " + topic));
  ASSERT_EQ(first.exit_code, 0);
  std::string valid = first.output.substr(0, first.output.find('\n'));
  ASSERT_EQ(valid.substr(0, 10), "000000044c");  // magic 0, schema id 1100
  const std::string body = valid.substr(10);
  const std::string truncated = framed_hex(0, 1100, body.substr(0, 80));
  const std::string wrong_magic = framed_hex(1, 1100, body);
  const std::string unknown_id = framed_hex(0, 9999, body);
  ASSERT_EQ(run_command(judge("produce " + kBrokers + " " + topic + " " + truncated + " " +
                              wrong_magic + " " + unknown_id + " 000000"))
                .exit_code,
            0);

  // One more good batch after the bad messages: the stream must go on past them.
  auto sent = run_command(skystream("send --brokers " + kBrokers + " --topic " + topic +
                                    " --interval 0 --manifest " +
                                    shell_quote((dir.path() / "manifest2.jsonl").string()) + " " +
                                    shell_quote((dir.path() / "visits").string())));
  ASSERT_EQ(sent.exit_code, 0);

  auto filtered = run_command(
      skystream("filter --brokers " + kBrokers + " --topic " + topic + " --config " +
                shell_quote((kSource / "config/ldm-503-5.toml").string()) +
                " --filter-group filterer3 --group " + prefix + "g --topic-prefix " + prefix +
                " --dead-letter-topic " + prefix + "dead --exit-at-eof --json " +
                shell_quote((dir.path() / "filter.json").string())) +
      " 2>" + shell_quote((dir.path() / "filter.log").string()));
  ASSERT_EQ(filtered.exit_code, 0);

  const json summary = read_json(dir.path() / "filter.json");
  EXPECT_EQ(summary["alerts"], 604);
  EXPECT_EQ(summary["decoded"], 600);
  EXPECT_EQ(summary["bad_frame"], 2);  // the wrong magic byte and the 3-byte message
  EXPECT_EQ(summary["unknown_schema"], 1);
  EXPECT_EQ(summary["undecodable"], 1);

  // Both sends were of the same visit, so the cap limits each filter to 20 for it.
  const json per_visit =
      run_judge("campaign-matches " + shell_quote((dir.path() / "visits").string()));
  const std::uint64_t matches = per_visit["visit-000001.avro"].get<std::uint64_t>();
  const json counts =
      run_judge("count " + kBrokers + " " + prefix + "Filter041 " + prefix + "dead");
  EXPECT_EQ(counts[prefix + "Filter041"], std::min<std::uint64_t>(2 * matches, kCap));
  EXPECT_EQ(counts[prefix + "dead"], 4);

  // Each bad message is logged with its topic/partition/offset.
  std::ifstream log_file(dir.path() / "filter.log");
  std::stringstream log;
  log << log_file.rdbuf();
  EXPECT_NE(log.str().find("wrong magic byte"), std::string::npos);
  EXPECT_NE(log.str().find("unknown schema id"), std::string::npos);
  EXPECT_NE(log.str().find("runs past the end"), std::string::npos);
  EXPECT_NE(log.str().find("skipped message " + topic + "/"), std::string::npos);
}

TEST_F(Pipeline, UnreachableBrokerFailsFast) {
  // Port 1 on loopback: nothing listens there, so the connection is refused at once.
  TempDir dir;
  const auto start = std::chrono::steady_clock::now();
  auto filtered = run_command(skystream("filter --brokers 127.0.0.1:1 --topic x --config " +
                                        shell_quote((kSource / "config/ldm-503-5.toml").string()) +
                                        " --group g") +
                              " 2>" + shell_quote((dir.path() / "err.log").string()));
  const auto seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  EXPECT_NE(filtered.exit_code, 0);
  EXPECT_LT(seconds, 15.0);
  std::ifstream err(dir.path() / "err.log");
  std::stringstream text;
  text << err.rdbuf();
  EXPECT_NE(text.str().find("127.0.0.1:1"), std::string::npos) << text.str();
}

}  // namespace
}  // namespace skystream

namespace skystream {
namespace {

TEST_F(Pipeline, InvalidOutputTopicsRejectedAtStart) {
  TempDir dir;
  const std::string prefix = run_prefix() + "c-";
  const std::string topic = prefix + "alerts";
  simulate_and_send(dir.path(), 1, 50, topic);
  const std::string config = shell_quote((kSource / "config/ldm-503-5.toml").string());
  struct Case {
    std::string arguments;
    std::string message;
  };
  const Case cases[] = {
      {"--topic-prefix 'bad prefix/'", "is not a valid Kafka topic name"},
      {"--dead-letter-topic 'bad dlq'", "dead-letter topic"},
  };
  for (const Case& test : cases) {
    const fs::path log = dir.path() / "filter.log";
    auto filtered =
        run_command(skystream("filter --brokers " + kBrokers + " --topic " + topic + " --config " +
                              config + " --filter-group filterer1 " + "--group " + prefix +
                              "g --exit-at-eof " + test.arguments) +
                    " 2>" + shell_quote(log.string()));
    EXPECT_NE(filtered.exit_code, 0) << test.arguments;
    std::ifstream in(log);
    std::stringstream text;
    text << in.rdbuf();
    EXPECT_NE(text.str().find(test.message), std::string::npos) << text.str();
  }

  // Nothing was committed for the group, so a valid run still reads all 50 alerts.
  auto filtered = run_command(
      skystream("filter --brokers " + kBrokers + " --topic " + topic + " --config " + config +
                " --filter-group filterer1 " + "--group " + prefix + "g --topic-prefix " + prefix +
                " --exit-at-eof --json " + shell_quote((dir.path() / "f.json").string())));
  ASSERT_EQ(filtered.exit_code, 0);
  EXPECT_EQ(read_json(dir.path() / "f.json")["alerts"], 50);
}

}  // namespace
}  // namespace skystream
