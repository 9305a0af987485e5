#include "service/sender.h"

#include <fmt/format.h>

#include <algorithm>
#include <atomic>
#include <charconv>
#include <cstring>
#include <deque>
#include <future>
#include <stdexcept>
#include <thread>

#include "avro/codec.h"
#include "avro/container.h"
#include "kafka/producer.h"
#include "kafka/validate.h"
#include "logging.h"
#include "verify/alert_identity.h"
#include "verify/digest.h"
#include "verify/manifest.h"
#include "verify/plural.h"
#include "wire/framing.h"

namespace skystream::service {
namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;
using verify::count_of;

// The final flush waits this long past librdkafka's delivery timeout (message.timeout.ms), by
// which every message has its delivery report, before it counts the rest as failed.
constexpr std::chrono::seconds kFlushMargin{30};

// A visit that starts later than this after its scheduled time is logged as late, because
// the visits before it took longer than the interval or its file took longer to read.
constexpr std::chrono::seconds kLateStart{1};

// After a stop is requested, delivery reports are awaited this long at most; the alerts still
// without one are counted as failed, though the broker may yet store some of them.
constexpr std::chrono::seconds kStopFlushTimeout{10};

// Failed alerts logged one by one per visit; later failures of the visit are only counted.
constexpr std::int64_t kFailuresLoggedPerVisit = 10;

struct VisitState;

// One alert between its produce call and its delivery report; the report's opaque points here.
struct PendingAlert {
  VisitState* visit = nullptr;
  std::int64_t alert_id = 0;
  std::int64_t visit_id = 0;
  verify::Digest digest;
  std::int64_t send_ms = 0;
};

struct VisitState {
  verify::ManifestVisit record;
  Clock::time_point started;
  std::int64_t outstanding = 0;  // produced, delivery report not yet in
  std::int64_t failures_logged = 0;
  bool all_produced = false;
  bool finished = false;
  // Reserved for every alert of the visit before the first produce call, so that the
  // pointers handed to librdkafka stay valid.
  std::vector<PendingAlert> pending;
};

class Sender {
 public:
  explicit Sender(const SendOptions& options);
  Sender(const Sender&) = delete;
  Sender& operator=(const Sender&) = delete;

  SendSummary run(const std::vector<fs::path>& files);

 private:
  bool stopping();
  bool wait_for_file(const std::future<avro::Result<avro::ContainerReader>>& next);
  void wait_until(Clock::time_point start);
  std::int32_t check_visit_file(const avro::Result<avro::ContainerReader>& opened,
                                const fs::path& file);
  void send_visit(const avro::ContainerReader& reader, const fs::path& file, std::size_t index,
                  std::int32_t schema_id);
  bool send_alert(VisitState& visit, const avro::Node& writer_root, std::int32_t schema_id,
                  std::string_view body, std::size_t position);
  void on_delivery(const kafka::DeliveryReport& report);
  void record_failure(VisitState& visit, const std::string& message);
  void finish_visit(VisitState& visit);
  Clock::time_point delivery_deadline() const;
  void flush_all(Clock::time_point deadline);
  void log_stopped_early() const;

  const SendOptions& options_;
  std::shared_ptr<spdlog::logger> log_ = logger("send");
  wire::SchemaCatalog catalog_;
  std::optional<verify::ManifestWriter> manifest_;  // opened once a broker has responded
  std::deque<VisitState> visits_;                   // unfinished visits, oldest first
  SendSummary summary_;
  std::string framed_;  // the message being produced, reused from alert to alert
  // Declared last so that it is destroyed first, while what its callback uses still exists.
  kafka::Producer producer_;
};

kafka::Config make_producer_config(const SendOptions& options) {
  kafka::Config config =
      kafka::value_or_throw(kafka::Config::from_settings(producer_settings(options)));
  kafka::value_or_throw(config.set_all(options.settings));
  return config;
}

Sender::Sender(const SendOptions& options)
    : options_(options),
      catalog_(options.schema_root),
      producer_(make_producer_config(options),
                [this](const kafka::DeliveryReport& report) { on_delivery(report); }) {
  kafka::value_or_throw(producer_.check_reachable(kafka::kStartupTimeout));
  manifest_.emplace(options.manifest_path,
                    verify::ManifestHeader{options.topic, options.brokers, kafka::now_ms()});
}

SendSummary Sender::run(const std::vector<fs::path>& files) {
  // Each visit file is read in the background while the visit before it is sent, so that a
  // visit starts on time however long its file takes to read.
  auto read = [](const fs::path& file) { return avro::ContainerReader::open(file); };
  auto next = std::async(std::launch::async, read, files.front());
  std::optional<Clock::time_point> start;
  const auto interval = std::chrono::duration_cast<Clock::duration>(options_.interval);
  for (std::size_t index = 0; index < files.size(); ++index) {
    if (!wait_for_file(next)) break;
    avro::Result<avro::ContainerReader> reader = next.get();
    if (index + 1 < files.size()) next = std::async(std::launch::async, read, files[index + 1]);
    if (!start) start = Clock::now();

    // A bad file stops the send before its scheduled start, but only after the visits already
    // produced have their delivery reports, so that the manifest lists every alert they put on
    // the topic.
    std::int32_t schema_id = 0;
    try {
      schema_id = check_visit_file(reader, files[index]);
    } catch (const std::exception&) {
      flush_all(delivery_deadline());
      log_stopped_early();
      throw;
    }

    const Clock::time_point scheduled = *start + static_cast<Clock::rep>(index) * interval;
    wait_until(scheduled);
    if (stopping()) break;
    if (const auto late = Clock::now() - scheduled; index > 0 && late > kLateStart) {
      log_->warn("{} starts {:.1f} s after its scheduled time", files[index].string(),
                 std::chrono::duration<double>(late).count());
    }
    send_visit(*reader, files[index], index, schema_id);
    if (stopping()) break;
  }
  flush_all(delivery_deadline());

  if (start) summary_.seconds = std::chrono::duration<double>(Clock::now() - *start).count();
  if (stopping()) {
    log_stopped_early();
    return summary_;
  }
  manifest_->write_end(
      verify::ManifestEnd{summary_.visits, summary_.alerts, summary_.failed, kafka::now_ms()});
  return summary_;
}

// Returns true once a stop has been requested through options_.stop_signal, and records and
// logs the signal the first time.
bool Sender::stopping() {
  if (summary_.stop_signal != 0) return true;
  if (options_.stop_signal == nullptr) return false;
  const int signal = options_.stop_signal->load(std::memory_order_relaxed);
  if (signal == 0) return false;

  summary_.stop_signal = signal;
  log_->warn("stopping on a signal ({}): no more alerts are produced", ::strsignal(signal));
  return true;
}

// Serves delivery reports while the next file is read. Returns false when a stop was requested
// first.
bool Sender::wait_for_file(const std::future<avro::Result<avro::ContainerReader>>& next) {
  while (next.wait_for(std::chrono::milliseconds(0)) != std::future_status::ready) {
    if (stopping()) return false;
    producer_.poll(std::chrono::milliseconds(100));
  }
  return !stopping();
}

// Serves delivery reports while waiting, so that earlier visits finish on time. Returns early
// when a stop is requested.
void Sender::wait_until(Clock::time_point start) {
  while (!stopping()) {
    const auto remaining = start - Clock::now();
    if (remaining <= Clock::duration::zero()) return;
    const auto step = std::min<Clock::duration>(remaining, std::chrono::milliseconds(100));
    producer_.poll(std::chrono::ceil<std::chrono::milliseconds>(step));
  }
}

std::int32_t Sender::check_visit_file(const avro::Result<avro::ContainerReader>& opened,
                                      const fs::path& file) {
  if (!opened) {
    throw std::runtime_error(fmt::format("cannot read visit file: {}", opened.error().to_string()));
  }
  const avro::ContainerReader& reader = *opened;
  const std::string& writer_name = reader.schema()->root().full_name;
  std::optional<wire::SchemaVersion> version = options_.schema_version;
  if (!version) version = version_from_schema_name(writer_name);
  if (!version) {
    throw std::runtime_error(fmt::format(
        "visit file {}: writer schema \"{}\" is not named lsst.vMAJOR_MINOR.alert; give the "
        "schema version with --schema-version",
        file.string(), writer_name));
  }

  // Consumers decode with the schema the id names, so the file's alerts must decode with it.
  auto schema = catalog_.by_version(*version);
  if (!schema) {
    throw std::runtime_error(fmt::format("visit file {}: schema {}: {}", file.string(),
                                         version->to_string(), schema.error().to_string()));
  }
  if (!reader.objects().empty()) {
    auto decoded = avro::decode_exact((*schema)->root(), reader.objects().front());
    if (!decoded) {
      throw std::runtime_error(fmt::format(
          "visit file {}: its first alert does not decode with schema {} of {}: {}", file.string(),
          version->to_string(), catalog_.root().string(), decoded.error().to_string()));
    }
  }
  return version->id();
}

void Sender::send_visit(const avro::ContainerReader& reader, const fs::path& file,
                        std::size_t index, std::int32_t schema_id) {
  const auto& objects = reader.objects();

  // The visit id is the first alert's diaSource.visit, else the number in the file name.
  const avro::Node& writer_root = reader.schema()->root();
  std::optional<std::int64_t> visit_id;
  if (!objects.empty()) {
    if (auto first = verify::read_alert_identity(writer_root, objects.front())) {
      visit_id = first->visit;
    }
  }
  if (!visit_id) visit_id = visit_from_file_name(file);

  VisitState& visit = visits_.emplace_back();
  visit.record.visit = visit_id.value_or(static_cast<std::int64_t>(index));
  visit.record.file = file.filename().string();
  visit.record.alerts = static_cast<std::int64_t>(objects.size());
  visit.pending.reserve(objects.size());
  visit.started = Clock::now();
  log_->info("visit {} started: {} from {}, schema id {}", visit.record.visit,
             count_of(static_cast<std::int64_t>(objects.size()), "alert"), file.string(),
             schema_id);

  for (std::size_t position = 0; position < objects.size(); ++position) {
    if (stopping() || !send_alert(visit, writer_root, schema_id, objects[position], position)) {
      // The visit line counts only the alerts handled before the stop.
      visit.record.alerts = static_cast<std::int64_t>(position);
      log_->warn("visit {} stopped after {} of {} alerts", visit.record.visit, position,
                 objects.size());
      break;
    }
  }
  visit.all_produced = true;
  if (visit.outstanding == 0) finish_visit(visit);
}

bool Sender::send_alert(VisitState& visit, const avro::Node& writer_root, std::int32_t schema_id,
                        std::string_view body, std::size_t position) {
  auto identity = verify::read_alert_identity(writer_root, body);
  if (!identity) {
    record_failure(visit, fmt::format("visit file {} alert {} is not sent: {}", visit.record.file,
                                      position, identity.error().to_string()));
    return true;
  }

  framed_.clear();
  wire::append_header(schema_id, framed_);
  framed_.append(body);

  PendingAlert& pending = visit.pending.emplace_back();
  pending.visit = &visit;
  pending.alert_id = identity->alert_id;
  pending.visit_id = identity->visit.value_or(visit.record.visit);
  pending.digest = verify::digest_of(framed_);
  pending.send_ms = kafka::now_ms();

  std::array<char, 24> key{};
  std::optional<std::string_view> key_view;
  if (identity->object_id) {
    const auto end = std::to_chars(key.data(), key.data() + key.size(), *identity->object_id).ptr;
    key_view = std::string_view(key.data(), end);
  }
  // NOTE: the header value is ASCII decimal here; the byte encoding of Rubin's own
  // producer_timestamp header has not been checked against its source.
  std::array<char, 24> timestamp{};
  const auto timestamp_end =
      std::to_chars(timestamp.data(), timestamp.data() + timestamp.size(), pending.send_ms).ptr;
  const kafka::Header headers[] = {
      {"producer_timestamp", std::string_view(timestamp.data(), timestamp_end)}};

  const kafka::OutgoingMessage message{.topic = options_.topic,
                                       .key = key_view,
                                       .value = framed_,
                                       .timestamp_ms = pending.send_ms,
                                       .headers = headers,
                                       .opaque = &pending};
  auto produced = producer_.produce(message);
  while (!produced && produced.error().code == RD_KAFKA_RESP_ERR__QUEUE_FULL) {
    // librdkafka's queue is full: serve delivery reports until there is room, or stop.
    if (stopping()) {
      visit.pending.pop_back();
      return false;
    }
    producer_.poll(std::chrono::milliseconds(100));
    produced = producer_.produce(message);
  }

  if (visit.record.first_send_ms == 0) visit.record.first_send_ms = pending.send_ms;
  visit.record.last_send_ms = pending.send_ms;
  if (!produced) {
    record_failure(visit, fmt::format("alert {} of visit {} is not sent: {}", pending.alert_id,
                                      visit.record.visit, produced.error().message));
    visit.pending.pop_back();
    return true;
  }
  ++visit.outstanding;
  producer_.poll(std::chrono::milliseconds(0));
  return true;
}

void Sender::on_delivery(const kafka::DeliveryReport& report) {
  auto& pending = *static_cast<PendingAlert*>(report.opaque);
  VisitState& visit = *pending.visit;
  if (report.error) {
    record_failure(visit, fmt::format("delivery of alert {} of visit {} to topic {} failed: {}",
                                      pending.alert_id, visit.record.visit, report.topic,
                                      report.error->message));
  } else {
    manifest_->write_alert(verify::ManifestAlert{pending.alert_id, pending.visit_id,
                                                 std::string(report.topic), report.partition,
                                                 report.offset, pending.digest, pending.send_ms});
    ++summary_.alerts;
  }
  --visit.outstanding;
  if (visit.all_produced && visit.outstanding == 0) finish_visit(visit);
}

void Sender::record_failure(VisitState& visit, const std::string& message) {
  ++visit.record.failed;
  if (visit.failures_logged == kFailuresLoggedPerVisit) return;
  log_->error("{}", message);
  if (++visit.failures_logged == kFailuresLoggedPerVisit) {
    log_->error("visit {}: {} failures logged; further ones are only counted", visit.record.visit,
                kFailuresLoggedPerVisit);
  }
}

void Sender::finish_visit(VisitState& visit) {
  visit.record.seconds = std::chrono::duration<double>(Clock::now() - visit.started).count();
  const std::int64_t sent = visit.record.alerts - visit.record.failed;
  const double rate = visit.record.seconds > 0 ? sent / visit.record.seconds : 0;
  if (visit.record.failed == 0) {
    log_->info("visit {} done: {} in {:.3f} s ({:.0f} alerts/s)", visit.record.visit,
               count_of(sent, "alert"), visit.record.seconds, rate);
  } else {
    log_->error("visit {} done: {} in {:.3f} s ({:.0f} alerts/s), {} not sent", visit.record.visit,
                count_of(sent, "alert"), visit.record.seconds, rate, visit.record.failed);
  }
  manifest_->write_visit(visit.record);
  ++summary_.visits;
  summary_.failed += visit.record.failed;
  visit.finished = true;

  // Visits finish in order unless a later one is empty, so only finished visits at the
  // front are released.
  while (!visits_.empty() && visits_.front().finished) visits_.pop_front();
}

// By this time librdkafka has reported every message produced by now, delivered or not.
Clock::time_point Sender::delivery_deadline() const {
  const auto timeout_ms = std::stoll(producer_.setting("message.timeout.ms").value_or("300000"));
  return Clock::now() + std::chrono::milliseconds(timeout_ms) + kFlushMargin;
}

// Serves delivery reports until every message has one or `deadline` passes, then finishes the
// visits still open, counting the alerts without a report as failed.
void Sender::flush_all(Clock::time_point deadline) {
  bool stop_seen = false;
  while (producer_.outstanding() > 0 && Clock::now() < deadline) {
    if (!stop_seen && stopping()) {
      stop_seen = true;
      deadline = std::min(deadline, Clock::now() + kStopFlushTimeout);
      log_->info("waiting up to {} s for {}", kStopFlushTimeout.count(),
                 count_of(producer_.outstanding(), "delivery report"));
    }
    (void)producer_.flush(std::chrono::milliseconds(200));
  }

  // finish_visit() releases the visit at the front, so this loop ends.
  while (!visits_.empty()) {
    VisitState& visit = visits_.front();
    if (visit.outstanding > 0) {
      log_->error("visit {}: {} alerts without a delivery report after the final flush",
                  visit.record.visit, visit.outstanding);
    }
    visit.record.failed += visit.outstanding;
    visit.outstanding = 0;
    finish_visit(visit);
  }
}

void Sender::log_stopped_early() const {
  log_->warn("manifest {} has no end line, because the send stopped early; it lists {} in {}",
             options_.manifest_path.string(), count_of(summary_.alerts, "alert"),
             count_of(summary_.visits, "finished visit"));
}

}  // namespace

std::vector<kafka::Setting> producer_settings(const SendOptions& options) {
  return {
      {"bootstrap.servers", options.brokers},
      {"client.id", "skystream-send"},
      // An alert counts as sent once every in-sync replica has stored it, and retries neither
      // duplicate nor reorder messages.
      {"acks", "all"},
      {"enable.idempotence", "true"},
      // Batches of alerts instead of one request per alert.
      {"linger.ms", "20"},
      {"compression.type", options.compression},
      // Rubin's alert topic allows messages up to 10 MiB.
      {"message.max.bytes", "10485760"},
      // The partitioner of the Java client, so that other producers keying by object id put
      // an object's alerts on the same partition.
      {"partitioner", "murmur2_random"},
  };
}

SendSummary run_send(const SendOptions& options) {
  kafka::value_or_throw(kafka::check_broker_list(options.brokers));
  kafka::value_or_throw(kafka::check_topic_name(options.topic));
  const std::vector<fs::path> files = list_visit_files(options.input_directory);
  Sender sender(options);
  return sender.run(files);
}

}  // namespace skystream::service
