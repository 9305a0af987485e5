// skystream send, print and verify against the real broker (127.0.0.1:9092 by default).
//
// Visit files are built here from the schema 11.0 zero value with chosen ids, so the expected
// keys and ids follow from the rule in alert_plan(). The independent judge is a Python script
// with confluent-kafka and fastavro that reads the topic back. Every test writes to its own
// topics, named with the process id and the time, so runs do not see each other's messages.

#include <arpa/inet.h>
#include <fcntl.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "../support/process.h"
#include "avro/container.h"
#include "avro/value.h"
#include "wire/schemas.h"

namespace skystream {
namespace {

using nlohmann::json;
using testing::CommandResult;
using testing::run_command;
using testing::shell_quote;
using testing::TempDir;

// The broker from SKYSTREAM_BOOTSTRAP_SERVERS, which scripts/test sets, else 127.0.0.1:9092.
const std::string kBrokers = [] {
  const char* servers = std::getenv("SKYSTREAM_BOOTSTRAP_SERVERS");
  return std::string(servers && *servers ? servers : "127.0.0.1:9092");
}();
constexpr int kVisits = 2;
constexpr int kAlertsPerVisit = 150;
constexpr int kAlerts = kVisits * kAlertsPerVisit;

// Reads a topic from the start of each partition to its end and prints one JSON object per
// message: partition, offset, key, the first five value bytes as hex, the timestamp, the
// producer_timestamp header, and the diaSourceId that fastavro decodes from the body.
constexpr const char* kJudgeScript = R"PY(
import io, json, sys
import fastavro
import lsst.alert.packet as packet
from confluent_kafka import Consumer, KafkaError, TopicPartition

brokers, topic = sys.argv[1], sys.argv[2]
schema = packet.Schema.from_file(packet.get_schema_path(11, 0) + "/lsst.v11_0.alert.avsc")
parsed = fastavro.parse_schema(schema.definition)
consumer = Consumer({"bootstrap.servers": brokers, "group.id": "send-verify-judge",
                     "enable.auto.commit": False, "enable.partition.eof": True})
metadata = consumer.list_topics(topic, timeout=10)
partitions = [TopicPartition(topic, p, 0) for p in metadata.topics[topic].partitions]
ends = {tp.partition: consumer.get_watermark_offsets(tp, timeout=10)[1] for tp in partitions}
remaining = {p for p, end in ends.items() if end > 0}
consumer.assign(partitions)
messages = []
while remaining:
    message = consumer.poll(10)
    if message is None:
        sys.exit(f"timed out reading {topic}")
    if message.error():
        if message.error().code() == KafkaError._PARTITION_EOF:
            remaining.discard(message.partition())
            continue
        sys.exit(f"error reading {topic}: {message.error()}")
    value = message.value()
    alert = fastavro.schemaless_reader(io.BytesIO(value[5:]), parsed)
    headers = dict(message.headers() or [])
    messages.append({
        "partition": message.partition(), "offset": message.offset(),
        "key": None if message.key() is None else message.key().decode(),
        "header": value[:5].hex(), "timestamp": message.timestamp()[1],
        "producer_timestamp": headers.get("producer_timestamp", b"").decode(),
        "diaSourceId": alert["diaSourceId"]})
    if message.offset() + 1 >= ends[message.partition()]:
        remaining.discard(message.partition())
consumer.close()
print(json.dumps(messages))
)PY";

// Copies the first two messages of one topic into another, the second with its last byte
// changed, as a filter that altered an alert would.
constexpr const char* kCopyScript = R"PY(
import sys
from confluent_kafka import Consumer, Producer, TopicPartition

brokers, source, target = sys.argv[1], sys.argv[2], sys.argv[3]
consumer = Consumer({"bootstrap.servers": brokers, "group.id": "send-verify-copy",
                     "enable.auto.commit": False})
consumer.assign([TopicPartition(source, 0, 0)])
values = []
while len(values) < 2:
    message = consumer.poll(10)
    if message is None:
        sys.exit(f"timed out reading {source}")
    if not message.error():
        values.append(message.value())
consumer.close()
changed = values[1][:-1] + bytes([values[1][-1] ^ 1])
producer = Producer({"bootstrap.servers": brokers, "acks": "all"})
for value in (values[0], changed):
    producer.produce(target, value)
if producer.flush(30) != 0:
    sys.exit("messages not delivered")
)PY";

// Copies the first message of partition 0 of one topic into another with the timestamp 1 ms
// after the epoch, a timestamp no real send gives.
constexpr const char* kCopyWithOldTimestampScript = R"PY(
import sys
from confluent_kafka import Consumer, Producer, TopicPartition

brokers, source, target = sys.argv[1], sys.argv[2], sys.argv[3]
consumer = Consumer({"bootstrap.servers": brokers, "group.id": "send-verify-copy",
                     "enable.auto.commit": False})
consumer.assign([TopicPartition(source, 0, 0)])
message = None
while message is None or message.error():
    message = consumer.poll(10)
    if message is None:
        sys.exit(f"timed out reading {source}")
consumer.close()
producer = Producer({"bootstrap.servers": brokers, "acks": "all"})
producer.produce(target, message.value(), timestamp=1)
if producer.flush(30) != 0:
    sys.exit("message not delivered")
)PY";

// Creates a topic whose max.message.bytes is smaller than any alert, so that the broker
// rejects every message.
constexpr const char* kCreateTinyTopicScript = R"PY(
import sys
from confluent_kafka.admin import AdminClient, NewTopic

brokers, topic = sys.argv[1], sys.argv[2]
admin = AdminClient({"bootstrap.servers": brokers})
futures = admin.create_topics([NewTopic(topic, 1, 1, config={"max.message.bytes": "100"})])
for future in futures.values():
    future.result(30)
)PY";

// Produces each hex argument as one message value.
constexpr const char* kProduceScript = R"PY(
import sys
from confluent_kafka import Producer

brokers, topic = sys.argv[1], sys.argv[2]
producer = Producer({"bootstrap.servers": brokers, "acks": "all"})
for value in sys.argv[3:]:
    producer.produce(topic, bytes.fromhex(value))
if producer.flush(30) != 0:
    sys.exit("messages not delivered")
)PY";

struct PlannedAlert {
  std::int64_t alert_id = 0;
  std::optional<std::int64_t> dia_object_id;
  std::optional<std::int64_t> ss_object_id;
};

// Alert i of visit v: one in ten is a solar-system source (ssObjectId only), one in ten names
// no object, and the rest belong to a diaObject.
PlannedAlert alert_plan(int visit, int i) {
  PlannedAlert plan;
  plan.alert_id = visit * 1'000'000LL + i;
  if (i % 10 == 0) {
    plan.ss_object_id = 900'000'000LL + visit * 1000 + i;
  } else if (i % 10 != 1) {
    plan.dia_object_id = 500'000'000LL + visit * 1000 + i;
  }
  return plan;
}

// The message key the plan calls for: the object id in decimal, or none.
std::optional<std::string> expected_key(const PlannedAlert& plan) {
  if (plan.dia_object_id) return std::to_string(*plan.dia_object_id);
  if (plan.ss_object_id) return std::to_string(*plan.ss_object_id);
  return std::nullopt;
}

std::optional<PlannedAlert> find_plan(std::int64_t alert_id) {
  const int visit = static_cast<int>(alert_id / 1'000'000);
  const int i = static_cast<int>(alert_id % 1'000'000);
  if (visit < 1 || visit > kVisits || i >= kAlertsPerVisit) return std::nullopt;
  return alert_plan(visit, i);
}

void write_visit_files(const std::filesystem::path& directory) {
  std::filesystem::create_directories(directory);
  wire::SchemaCatalog catalog(SKYSTREAM_SCHEMA_ROOT);
  auto schema = catalog.by_version(wire::SchemaVersion{11, 0});
  if (!schema) throw std::runtime_error(schema.error().to_string());

  for (int visit = 1; visit <= kVisits; ++visit) {
    const auto path = directory / ("visit-00000" + std::to_string(visit) + ".avro");
    auto writer = avro::ContainerWriter::create(path, *schema);
    if (!writer) throw std::runtime_error(writer.error().to_string());
    for (int i = 0; i < kAlertsPerVisit; ++i) {
      const PlannedAlert plan = alert_plan(visit, i);
      avro::Value alert = avro::Value::zero((*schema)->root());
      alert.field("diaSourceId").integer = plan.alert_id;
      avro::Value& source = alert.field("diaSource");
      source.field("diaSourceId").integer = plan.alert_id;
      source.field("visit").integer = visit;
      if (plan.dia_object_id) {
        source.field("diaObjectId").select_type(avro::Type::kLong).integer = *plan.dia_object_id;
      }
      if (plan.ss_object_id) {
        source.field("ssObjectId").select_type(avro::Type::kLong).integer = *plan.ss_object_id;
      }
      writer->append(alert);
    }
    if (auto closed = writer->close(); !closed) {
      throw std::runtime_error(closed.error().to_string());
    }
  }
}

// Connects to "host:port", the first of a bootstrap list, where host is an IPv4 address.
bool broker_listening(const std::string& brokers) {
  const std::string first = brokers.substr(0, brokers.find(','));
  const std::size_t colon = first.rfind(':');
  if (colon == std::string::npos) return false;
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(static_cast<std::uint16_t>(std::stoi(first.substr(colon + 1))));
  if (::inet_pton(AF_INET, first.substr(0, colon).c_str(), &address.sin_addr) != 1) return false;

  const int socket_fd = ::socket(AF_INET, SOCK_STREAM, 0);
  const bool connected =
      ::connect(socket_fd, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0;
  ::close(socket_fd);
  return connected;
}

std::string skystream(const std::string& arguments) {
  return shell_quote(SKYSTREAM_BINARY) + " " + arguments;
}

std::int64_t now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// Starts the skystream binary with `arguments`, its standard output and error going to `log`.
pid_t spawn_skystream(const std::vector<std::string>& arguments, const std::filesystem::path& log) {
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO, log.c_str(),
                                   O_WRONLY | O_CREAT | O_TRUNC, 0644);
  posix_spawn_file_actions_adddup2(&actions, STDOUT_FILENO, STDERR_FILENO);

  std::vector<std::string> words{SKYSTREAM_BINARY};
  words.insert(words.end(), arguments.begin(), arguments.end());
  std::vector<char*> argv;
  for (std::string& word : words) argv.push_back(word.data());
  argv.push_back(nullptr);

  pid_t pid = -1;
  const int status = ::posix_spawn(&pid, SKYSTREAM_BINARY, &actions, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  if (status != 0) throw std::runtime_error("posix_spawn failed for " SKYSTREAM_BINARY);
  return pid;
}

std::string read_text(const std::filesystem::path& path) {
  std::ifstream in(path);
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

// Waits up to `timeout` for `text` to appear in the file at `path`.
bool wait_for_text(const std::filesystem::path& path, const std::string& text,
                   std::chrono::seconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    if (read_text(path).find(text) != std::string::npos) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return false;
}

// Waits up to `timeout` for process `pid` to exit and returns its exit status; kills it and
// returns -1 when it is still running then, or when it ended on a signal.
int wait_for_exit(pid_t pid, std::chrono::seconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  int status = 0;
  while (::waitpid(pid, &status, WNOHANG) == 0) {
    if (std::chrono::steady_clock::now() >= deadline) {
      ::kill(pid, SIGKILL);
      ::waitpid(pid, &status, 0);
      return -1;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

json read_json(const std::filesystem::path& path) {
  std::ifstream in(path);
  return json::parse(in);
}

class SendVerify : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(broker_listening(kBrokers))
        << "no Kafka broker at " << kBrokers << "; start it with scripts/kafka start";
    topic_ = "send-verify-" + std::to_string(::getpid()) + "-" + std::to_string(now_ms());
    write_visit_files(dir_.path() / "visits");
  }

  // Sends the visit files to topic_ back to back and records the time around the send.
  void send() {
    send_started_ms_ = now_ms();
    const CommandResult sent =
        run_command(skystream("send --brokers " + kBrokers + " --topic " + topic_ +
                              " --interval 0 --manifest " + shell_quote(manifest_path().string()) +
                              " " + shell_quote((dir_.path() / "visits").string())));
    send_finished_ms_ = now_ms();
    ASSERT_EQ(sent.exit_code, 0);
  }

  CommandResult verify(const std::filesystem::path& manifest, const std::string& topics) {
    return run_command(skystream("verify --brokers " + kBrokers + " --manifest " +
                                 shell_quote(manifest.string()) + topics + " --json " +
                                 shell_quote(report_path().string())));
  }

  json judge(const std::string& topic) {
    const auto script = dir_.path() / "judge.py";
    std::ofstream(script) << kJudgeScript;
    const CommandResult result =
        run_command(shell_quote(SKYSTREAM_PYTHON) + " " + shell_quote(script.string()) + " " +
                    kBrokers + " " + topic);
    EXPECT_EQ(result.exit_code, 0);
    return json::parse(result.output);
  }

  std::filesystem::path manifest_path() const { return dir_.path() / "manifest.jsonl"; }
  std::filesystem::path report_path() const { return dir_.path() / "verify.json"; }

  TempDir dir_;
  std::string topic_;
  std::int64_t send_started_ms_ = 0;
  std::int64_t send_finished_ms_ = 0;
};

TEST_F(SendVerify, SentAlertsFramedAndKeyed) {
  ASSERT_NO_FATAL_FAILURE(send());
  const json messages = judge(topic_);
  ASSERT_EQ(messages.size(), static_cast<std::size_t>(kAlerts));

  std::set<std::int64_t> alert_ids;
  for (const json& message : messages) {
    const std::int64_t alert_id = message["diaSourceId"];
    alert_ids.insert(alert_id);
    const auto plan = find_plan(alert_id);
    ASSERT_TRUE(plan.has_value()) << "unexpected alert id " << alert_id;

    // Magic byte 0, then schema id 1100 (0x0000044c) big-endian.
    EXPECT_EQ(message["header"], "000000044c") << alert_id;
    const auto key = expected_key(*plan);
    if (key) {
      EXPECT_EQ(message["key"], *key) << alert_id;
    } else {
      EXPECT_TRUE(message["key"].is_null()) << alert_id;
    }
    const std::int64_t timestamp = message["timestamp"];
    EXPECT_EQ(message["producer_timestamp"], std::to_string(timestamp)) << alert_id;
    EXPECT_GE(timestamp, send_started_ms_) << alert_id;
    EXPECT_LE(timestamp, send_finished_ms_) << alert_id;
  }
  EXPECT_EQ(alert_ids.size(), static_cast<std::size_t>(kAlerts));
}

TEST_F(SendVerify, ManifestListsEveryDelivery) {
  ASSERT_NO_FATAL_FAILURE(send());
  const json messages = judge(topic_);

  // Each alert line names the partition and offset where the judge found that alert.
  std::map<std::int64_t, std::pair<int, std::int64_t>> found;
  for (const json& message : messages) {
    found[message["diaSourceId"]] = {message["partition"], message["offset"]};
  }
  std::ifstream in(manifest_path());
  std::string line;
  int alert_lines = 0;
  int visit_lines = 0;
  int end_lines = 0;
  while (std::getline(in, line)) {
    const json entry = json::parse(line);
    if (entry["type"] == "alert") {
      ++alert_lines;
      const std::int64_t alert_id = entry["alert_id"];
      ASSERT_TRUE(found.contains(alert_id)) << alert_id;
      EXPECT_EQ(entry["partition"], found[alert_id].first) << alert_id;
      EXPECT_EQ(entry["offset"], found[alert_id].second) << alert_id;
      EXPECT_EQ(entry["topic"], topic_);
    } else if (entry["type"] == "visit") {
      ++visit_lines;
      EXPECT_EQ(entry["alerts"], kAlertsPerVisit);
      EXPECT_EQ(entry["failed"], 0);
    } else if (entry["type"] == "end") {
      ++end_lines;
      EXPECT_EQ(entry["alerts"], kAlerts);
    }
  }
  EXPECT_EQ(alert_lines, kAlerts);
  EXPECT_EQ(visit_lines, kVisits);
  EXPECT_EQ(end_lines, 1);
}

TEST_F(SendVerify, VerifyPassesOnCleanSend) {
  ASSERT_NO_FATAL_FAILURE(send());
  const CommandResult verified = verify(manifest_path(), " --topic " + topic_);
  EXPECT_EQ(verified.exit_code, 0) << verified.output;
  EXPECT_NE(verified.output.find("PASSED"), std::string::npos) << verified.output;

  const json report = read_json(report_path());
  for (const json& figures : {report["topics"][topic_], report["total"]}) {
    EXPECT_EQ(figures["expected"], kAlerts);
    EXPECT_EQ(figures["received"], kAlerts);
    EXPECT_EQ(figures["missing"], 0);
    EXPECT_EQ(figures["duplicates"], 0);
    EXPECT_EQ(figures["mismatched"], 0);
    EXPECT_EQ(figures["unknown"], 0);
    EXPECT_EQ(figures["invalid"], 0);
    EXPECT_TRUE(figures["latency_ms"]["p50"].is_number());
    EXPECT_TRUE(figures["latency_ms"]["p99"].is_number());
  }
  EXPECT_EQ(report["visits"].size(), static_cast<std::size_t>(kVisits));
}

// A manifest with one more alert line than was sent: that alert is missing.
TEST_F(SendVerify, UnsentAlertCountsAsMissing) {
  ASSERT_NO_FATAL_FAILURE(send());
  const auto tampered = dir_.path() / "tampered.jsonl";
  {
    std::ifstream in(manifest_path());
    std::ofstream out(tampered);
    std::string line;
    std::getline(in, line);
    out << line << '\n';
    out << R"({"type":"alert","alert_id":999999999,"visit":1,"topic":")" << topic_
        << R"(","partition":0,"offset":0,"digest":"99aa06d3014798d86001c324468d497f",)"
        << R"("send_ms":0})" << '\n';
    while (std::getline(in, line)) out << line << '\n';
  }

  const CommandResult verified = verify(tampered, "");
  EXPECT_EQ(verified.exit_code, 1) << verified.output;
  EXPECT_NE(verified.output.find("FAILED: 1 missing"), std::string::npos) << verified.output;
  const json report = read_json(report_path());
  EXPECT_EQ(report["topics"][topic_]["expected"], kAlerts + 1);
  EXPECT_EQ(report["topics"][topic_]["received"], kAlerts);
  EXPECT_EQ(report["topics"][topic_]["missing"], 1);
  EXPECT_EQ(report["topics"][topic_]["missing_ids"], json({999999999}));
  EXPECT_EQ(report["total"]["missing"], 1);
  EXPECT_EQ(report["total"]["mismatched"], 0);
}

// A manifest whose first alert has another digest: that alert counts as changed.
TEST_F(SendVerify, ChangedDigestCountsAsMismatched) {
  ASSERT_NO_FATAL_FAILURE(send());
  const auto tampered = dir_.path() / "tampered.jsonl";
  std::int64_t changed_id = 0;
  {
    std::ifstream in(manifest_path());
    std::ofstream out(tampered);
    std::string line;
    bool changed = false;
    while (std::getline(in, line)) {
      json entry = json::parse(line);
      if (!changed && entry["type"] == "alert") {
        entry["digest"] = "0123456789abcdef0123456789abcdef";
        changed_id = entry["alert_id"];
        changed = true;
      }
      out << entry.dump() << '\n';
    }
  }

  const CommandResult verified = verify(tampered, "");
  EXPECT_EQ(verified.exit_code, 1) << verified.output;
  const json report = read_json(report_path());
  EXPECT_EQ(report["total"]["mismatched"], 1);
  EXPECT_EQ(report["total"]["missing"], 0);
  EXPECT_EQ(report["topics"][topic_]["mismatched_ids"], json({changed_id}));
}

// A second topic holding two alerts of the first, one of them changed, checked as a filtered
// stream: both are expected because both were received, and one is mismatched.
TEST_F(SendVerify, FilteredTopicChecksEveryAlert) {
  ASSERT_NO_FATAL_FAILURE(send());
  const std::string filtered = topic_ + "-filtered";
  const auto script = dir_.path() / "copy.py";
  std::ofstream(script) << kCopyScript;
  ASSERT_EQ(run_command(shell_quote(SKYSTREAM_PYTHON) + " " + shell_quote(script.string()) + " " +
                        kBrokers + " " + topic_ + " " + filtered)
                .exit_code,
            0);

  const CommandResult verified =
      verify(manifest_path(), " --topic " + topic_ + " --topic " + filtered);
  EXPECT_EQ(verified.exit_code, 1) << verified.output;
  const json report = read_json(report_path());
  EXPECT_EQ(report["topics"][filtered]["full_stream"], false);
  EXPECT_EQ(report["topics"][filtered]["expected"], 2);
  EXPECT_EQ(report["topics"][filtered]["received"], 2);
  EXPECT_EQ(report["topics"][filtered]["missing"], 0);
  EXPECT_EQ(report["topics"][filtered]["mismatched"], 1);
  EXPECT_EQ(report["topics"][topic_]["mismatched"], 0);
  EXPECT_EQ(report["total"]["expected"], kAlerts + 2);
  EXPECT_EQ(report["total"]["received"], kAlerts + 2);
}

// A copy of an alert with the timestamp 1 ms after the epoch counts as a bad timestamp, not
// as a latency of 56 years.
TEST_F(SendVerify, OldTimestampLeftOutOfLatency) {
  ASSERT_NO_FATAL_FAILURE(send());
  const std::string copied = topic_ + "-old-timestamp";
  const auto script = dir_.path() / "copy_old.py";
  std::ofstream(script) << kCopyWithOldTimestampScript;
  ASSERT_EQ(run_command(shell_quote(SKYSTREAM_PYTHON) + " " + shell_quote(script.string()) + " " +
                        kBrokers + " " + topic_ + " " + copied)
                .exit_code,
            0);

  const CommandResult verified =
      verify(manifest_path(), " --topic " + topic_ + " --topic " + copied);
  EXPECT_EQ(verified.exit_code, 0) << verified.output;
  const json report = read_json(report_path());
  EXPECT_EQ(report["topics"][copied]["received"], 1);
  EXPECT_EQ(report["topics"][copied]["bad_timestamps"], 1);
  EXPECT_TRUE(report["topics"][copied]["latency_ms"].is_null());
  EXPECT_EQ(report["topics"][topic_]["bad_timestamps"], 0);
  EXPECT_EQ(report["total"]["bad_timestamps"], 1);
  // The pooled percentiles hold only the sent alerts, read within minutes of the send.
  EXPECT_LT(report["total"]["latency_ms"]["p99"].get<std::int64_t>(), 600'000);
}

TEST_F(SendVerify, PrintCountsEveryPartition) {
  ASSERT_NO_FATAL_FAILURE(send());
  const CommandResult printed =
      run_command(skystream("print --brokers " + kBrokers + " --topic " + topic_ + " --count"));
  ASSERT_EQ(printed.exit_code, 0);

  std::int64_t partition_sum = 0;
  json total;
  std::istringstream lines(printed.output);
  std::string line;
  while (std::getline(lines, line)) {
    const json entry = json::parse(line);
    if (entry["event"] == "partition_end") partition_sum += entry["messages"].get<std::int64_t>();
    if (entry["event"] == "total") total = entry;
  }
  EXPECT_EQ(partition_sum, kAlerts);
  EXPECT_EQ(total["messages"], kAlerts);
  EXPECT_EQ(total["invalid"], 0);
  EXPECT_EQ(total["printed"], 0);
}

TEST_F(SendVerify, PrintEveryNthDecodesAlerts) {
  ASSERT_NO_FATAL_FAILURE(send());
  const CommandResult printed =
      run_command(skystream("print --brokers " + kBrokers + " --topic " + topic_ + " --every 100"));
  ASSERT_EQ(printed.exit_code, 0);

  int alerts = 0;
  std::istringstream lines(printed.output);
  std::string line;
  while (std::getline(lines, line)) {
    const json entry = json::parse(line);
    if (entry.contains("event")) continue;
    ++alerts;
    EXPECT_TRUE(find_plan(entry["diaSourceId"].get<std::int64_t>()).has_value()) << line;
  }
  EXPECT_EQ(alerts, kAlerts / 100);
}

// Four bad messages after the good ones: a wrong magic byte, an unknown schema id, 3 bytes, and
// a body cut short. Only print's decoding finds the last, so --count reports 3 invalid.
TEST_F(SendVerify, InvalidMessagesCountedAndSkipped) {
  ASSERT_NO_FATAL_FAILURE(send());
  const auto script = dir_.path() / "produce.py";
  std::ofstream(script) << kProduceScript;
  // Schema id 1100, then a varint whose continuation bit promises a byte that never comes.
  const std::string truncated = "000000044c80";  // schema id 1100, then half a long
  ASSERT_EQ(run_command(shell_quote(SKYSTREAM_PYTHON) + " " + shell_quote(script.string()) + " " +
                        kBrokers + " " + topic_ + " 010000044c00 000000270f00 000000 " + truncated)
                .exit_code,
            0);

  auto total_of = [](const std::string& output) {
    std::istringstream lines(output);
    std::string line;
    json total;
    while (std::getline(lines, line)) {
      const json entry = json::parse(line);
      if (entry.contains("event") && entry["event"] == "total") total = entry;
    }
    return total;
  };
  const std::string print = "print --brokers " + kBrokers + " --topic " + topic_;
  const CommandResult counted = run_command(skystream(print + " --count"));
  ASSERT_EQ(counted.exit_code, 0);
  EXPECT_EQ(total_of(counted.output)["messages"], kAlerts + 4);
  EXPECT_EQ(total_of(counted.output)["invalid"], 3);

  const CommandResult printed = run_command(skystream(print));
  ASSERT_EQ(printed.exit_code, 0);
  EXPECT_EQ(total_of(printed.output)["printed"], kAlerts);
  EXPECT_EQ(total_of(printed.output)["invalid"], 4);

  const CommandResult verified = verify(manifest_path(), "");
  EXPECT_EQ(verified.exit_code, 1) << verified.output;
  const json report = read_json(report_path());
  EXPECT_EQ(report["total"]["received"], kAlerts + 4);
  EXPECT_EQ(report["total"]["invalid"], 4);
  EXPECT_EQ(report["total"]["missing"], 0);
}

// Every message is larger than the topic allows, so every delivery fails.
TEST_F(SendVerify, FailedDeliveriesExitNonZero) {
  const auto script = dir_.path() / "create.py";
  std::ofstream(script) << kCreateTinyTopicScript;
  ASSERT_EQ(run_command(shell_quote(SKYSTREAM_PYTHON) + " " + shell_quote(script.string()) + " " +
                        kBrokers + " " + topic_)
                .exit_code,
            0);

  const CommandResult sent =
      run_command(skystream("send --brokers " + kBrokers + " --topic " + topic_ +
                            " --interval 0 --manifest " + shell_quote(manifest_path().string()) +
                            " " + shell_quote((dir_.path() / "visits").string())) +
                  " 2>&1");
  EXPECT_EQ(sent.exit_code, 1) << sent.output;
  const std::string first_failure = "delivery of alert 1000000 of visit 1 to topic " + topic_ +
                                    " failed: Broker: Message size too large";
  EXPECT_NE(sent.output.find(first_failure), std::string::npos) << sent.output;

  // Each visit logs its first 10 failures one by one and only counts the rest.
  int failure_lines = 0;
  for (std::size_t at = sent.output.find("delivery of alert"); at != std::string::npos;
       at = sent.output.find("delivery of alert", at + 1)) {
    ++failure_lines;
  }
  EXPECT_EQ(failure_lines, kVisits * 10) << sent.output;

  std::ifstream in(manifest_path());
  std::string line;
  int alert_lines = 0;
  int failed = 0;
  while (std::getline(in, line)) {
    const json entry = json::parse(line);
    if (entry["type"] == "alert") ++alert_lines;
    if (entry["type"] == "visit") failed += entry["failed"].get<int>();
  }
  EXPECT_EQ(alert_lines, 0);
  EXPECT_EQ(failed, kAlerts);

  const CommandResult verified = verify(manifest_path(), "");
  EXPECT_EQ(verified.exit_code, 1) << verified.output;
  EXPECT_EQ(read_json(report_path())["failed_sends"], kAlerts);
}

// A second visit file cut to half its size stops the send before its visit starts, and the
// manifest still lists every alert of the first visit, where the judge found it.
TEST_F(SendVerify, BadVisitFileKeepsEarlierManifest) {
  const auto second = dir_.path() / "visits" / "visit-000002.avro";
  std::filesystem::resize_file(second, std::filesystem::file_size(second) / 2);

  const CommandResult sent =
      run_command(skystream("send --brokers " + kBrokers + " --topic " + topic_ +
                            " --interval 0 --manifest " + shell_quote(manifest_path().string()) +
                            " " + shell_quote((dir_.path() / "visits").string())) +
                  " 2>&1");
  EXPECT_EQ(sent.exit_code, 1) << sent.output;
  EXPECT_NE(sent.output.find("cannot read visit file: " + second.string()), std::string::npos)
      << sent.output;
  EXPECT_EQ(sent.output.find("not yet delivered"), std::string::npos) << sent.output;

  std::map<std::int64_t, std::pair<int, std::int64_t>> found;
  for (const json& message : judge(topic_)) {
    found[message["diaSourceId"]] = {message["partition"], message["offset"]};
  }
  EXPECT_EQ(found.size(), static_cast<std::size_t>(kAlertsPerVisit));

  std::ifstream in(manifest_path());
  std::string line;
  int alert_lines = 0;
  std::vector<json> visit_lines;
  int end_lines = 0;
  while (std::getline(in, line)) {
    const json entry = json::parse(line);
    if (entry["type"] == "alert") {
      ++alert_lines;
      const std::int64_t alert_id = entry["alert_id"];
      ASSERT_TRUE(found.contains(alert_id)) << alert_id;
      EXPECT_EQ(entry["partition"], found[alert_id].first) << alert_id;
      EXPECT_EQ(entry["offset"], found[alert_id].second) << alert_id;
    } else if (entry["type"] == "visit") {
      visit_lines.push_back(entry);
    } else if (entry["type"] == "end") {
      ++end_lines;
    }
  }
  EXPECT_EQ(alert_lines, kAlertsPerVisit);
  ASSERT_EQ(visit_lines.size(), 1u);
  EXPECT_EQ(visit_lines[0]["file"], "visit-000001.avro");
  EXPECT_EQ(visit_lines[0]["alerts"], kAlertsPerVisit);
  EXPECT_EQ(visit_lines[0]["failed"], 0);
  EXPECT_EQ(end_lines, 0);

  // Every alert on the topic is in the manifest, but the manifest is incomplete.
  const CommandResult verified = verify(manifest_path(), "");
  EXPECT_EQ(verified.exit_code, 1) << verified.output;
  const json report = read_json(report_path());
  EXPECT_EQ(report["manifest_complete"], false);
  EXPECT_EQ(report["total"]["received"], kAlertsPerVisit);
  EXPECT_EQ(report["total"]["missing"], 0);
  EXPECT_EQ(report["total"]["unknown"], 0);
}

// SIGTERM while the first visit is being produced. librdkafka holds messages for linger.ms
// (5 s) and queues at most 50, so at the signal, 0.5 s after the visit started, 50 alerts are
// queued and none delivered. send must deliver those, list each in the manifest, and exit with
// 128 + 15.
TEST_F(SendVerify, SignalStopsSendWithManifest) {
  const auto log = dir_.path() / "send.log";
  const pid_t pid =
      spawn_skystream({"send", "--brokers", kBrokers, "--topic", topic_, "--interval", "0", "-X",
                       "linger.ms=5000", "-X", "queue.buffering.max.messages=50", "--manifest",
                       manifest_path().string(), (dir_.path() / "visits").string()},
                      log);
  const bool started = wait_for_text(log, "visit 1 started", std::chrono::seconds(30));
  if (started) std::this_thread::sleep_for(std::chrono::milliseconds(500));
  ::kill(pid, SIGTERM);
  const int exit_code = wait_for_exit(pid, std::chrono::seconds(30));
  const std::string output = read_text(log);
  ASSERT_TRUE(started) << output;
  EXPECT_EQ(exit_code, 128 + SIGTERM) << output;
  EXPECT_NE(output.find("stopping on a signal"), std::string::npos) << output;

  std::map<std::int64_t, std::pair<int, std::int64_t>> found;
  for (const json& message : judge(topic_)) {
    found[message["diaSourceId"]] = {message["partition"], message["offset"]};
  }

  std::ifstream in(manifest_path());
  std::string line;
  std::set<std::int64_t> listed;
  std::vector<json> visit_lines;
  int end_lines = 0;
  while (std::getline(in, line)) {
    const json entry = json::parse(line);
    if (entry["type"] == "alert") {
      const std::int64_t alert_id = entry["alert_id"];
      listed.insert(alert_id);
      ASSERT_TRUE(found.contains(alert_id)) << alert_id;
      EXPECT_EQ(entry["partition"], found[alert_id].first) << alert_id;
      EXPECT_EQ(entry["offset"], found[alert_id].second) << alert_id;
    } else if (entry["type"] == "visit") {
      visit_lines.push_back(entry);
    } else if (entry["type"] == "end") {
      ++end_lines;
    }
  }
  // Every alert on the topic has its manifest line, and the visit stopped part way.
  EXPECT_EQ(listed.size(), found.size());
  EXPECT_GT(listed.size(), 0u);
  EXPECT_LT(listed.size(), static_cast<std::size_t>(kAlertsPerVisit));
  ASSERT_EQ(visit_lines.size(), 1u);
  EXPECT_EQ(visit_lines[0]["alerts"], listed.size());
  EXPECT_EQ(visit_lines[0]["failed"], 0);
  EXPECT_EQ(end_lines, 0);
}

// An invalid topic name stops send before it connects, with one error and no manifest.
TEST_F(SendVerify, InvalidTopicRejectedAtStart) {
  const CommandResult sent =
      run_command(skystream("send --brokers " + kBrokers + " --topic 'bad topic!' --interval 0 " +
                            "--manifest " + shell_quote(manifest_path().string()) + " " +
                            shell_quote((dir_.path() / "visits").string())) +
                  " 2>&1");
  EXPECT_EQ(sent.exit_code, 1) << sent.output;
  EXPECT_NE(sent.output.find("invalid topic name \"bad topic!\""), std::string::npos)
      << sent.output;
  EXPECT_EQ(std::count(sent.output.begin(), sent.output.end(), '\n'), 1) << sent.output;
  EXPECT_FALSE(std::filesystem::exists(manifest_path()));
}

// A --json path in a directory that does not exist fails before any topic is read.
TEST_F(SendVerify, UnwritableJsonFailsBeforeReading) {
  ASSERT_NO_FATAL_FAILURE(send());
  const std::string json_path = (dir_.path() / "no-such-directory" / "verify.json").string();
  const auto log = dir_.path() / "verify.log";
  const CommandResult verified = run_command(
      skystream("verify --brokers " + kBrokers + " --manifest " +
                shell_quote(manifest_path().string()) + " --json " + shell_quote(json_path)) +
      " 2>" + shell_quote(log.string()));
  const std::string errors = read_text(log);
  EXPECT_EQ(verified.exit_code, 2) << errors;
  EXPECT_EQ(verified.output, "");
  EXPECT_NE(errors.find("cannot open the JSON report " + json_path), std::string::npos) << errors;
  EXPECT_EQ(errors.find("reading"), std::string::npos) << errors;
}

// /dev/full opens but fails every write: the table is printed all the same, then verify exits 2.
TEST_F(SendVerify, FailedJsonWriteKeepsTable) {
  ASSERT_NO_FATAL_FAILURE(send());
  const CommandResult verified =
      run_command(skystream("verify --brokers " + kBrokers + " --manifest " +
                            shell_quote(manifest_path().string()) + " --json /dev/full"));
  EXPECT_EQ(verified.exit_code, 2) << verified.output;
  EXPECT_NE(verified.output.find("PASSED"), std::string::npos) << verified.output;
}

// Port 1 on the loopback address has no listener, so every command fails at start-up.
TEST_F(SendVerify, UnreachableBrokerFailsFast) {
  const std::string brokers = "127.0.0.1:1";
  ASSERT_FALSE(broker_listening(brokers));
  const std::string commands[] = {
      "send --brokers " + brokers + " --topic t --interval 0 --manifest " +
          shell_quote(manifest_path().string()) + " " +
          shell_quote((dir_.path() / "visits").string()),
      "print --brokers " + brokers + " --topic t",
  };
  for (const std::string& command : commands) {
    const auto start = std::chrono::steady_clock::now();
    const CommandResult result = run_command(skystream(command) + " 2>&1");
    const auto elapsed = std::chrono::steady_clock::now() - start;
    EXPECT_EQ(result.exit_code, 1) << command;
    EXPECT_LT(elapsed, std::chrono::seconds(15)) << command;
    EXPECT_NE(result.output.find("no Kafka broker at \"" + brokers + "\""), std::string::npos)
        << result.output;
  }

  // verify exits with 2 when it cannot check, as opposed to 1 for a difference found.
  std::ofstream(manifest_path()) << R"({"type":"manifest","format":1,"topic":"t",)"
                                 << R"("brokers":"127.0.0.1:1","started_ms":0})" << '\n';
  const CommandResult verified =
      run_command(skystream("verify --brokers " + brokers + " --manifest " +
                            shell_quote(manifest_path().string())) +
                  " 2>&1");
  EXPECT_EQ(verified.exit_code, 2) << verified.output;
}

// verify's invalid options exit with 2, the status of a check that could not run, before any
// broker is contacted; --help still exits with 0.
TEST(VerifyCommand, InvalidOptionsExitTwo) {
  const std::string cases[] = {
      "verify --manifest /nonexistent/manifest.jsonl",  // no such file
      "verify",                                         // --manifest missing
      "verify --manifest /dev/null --idle-timeout -1",  // not a positive number
      "verify --manifest /dev/null --no-such-option",   // unknown option
  };
  for (const std::string& arguments : cases) {
    EXPECT_EQ(run_command(skystream(arguments) + " 2>&1").exit_code, 2) << arguments;
  }
  EXPECT_EQ(run_command(skystream("verify --help")).exit_code, 0);
}

// An empty or malformed --brokers fails at once in every command, without waiting for the 5 s
// start-up timeout: send and print with 1, verify with 2.
TEST(BrokerOption, MalformedListRejectedAtOnce) {
  TempDir dir;
  const std::string manifest = shell_quote((dir.path() / "manifest.jsonl").string());
  const std::string visits = shell_quote(dir.path().string());
  for (const std::string brokers : {"''", "'not a broker'", "'localhost'"}) {
    const std::pair<std::string, int> commands[] = {
        {"send --brokers " + brokers + " --manifest " + manifest + " " + visits, 1},
        {"print --brokers " + brokers, 1},
        {"verify --brokers " + brokers + " --manifest /dev/null", 2},
    };
    for (const auto& [command, status] : commands) {
      const auto start = std::chrono::steady_clock::now();
      const CommandResult result = run_command(skystream(command) + " 2>&1");
      const auto elapsed = std::chrono::steady_clock::now() - start;
      EXPECT_EQ(result.exit_code, status) << command << "\n" << result.output;
      EXPECT_LT(elapsed, std::chrono::seconds(2)) << command;
      EXPECT_NE(result.output.find("invalid broker list"), std::string::npos) << command << "\n"
                                                                              << result.output;
    }
  }
}

}  // namespace
}  // namespace skystream
