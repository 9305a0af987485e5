#include "service/filter_service.h"

#include <fmt/format.h>

#include <atomic>
#include <csignal>
#include <limits>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <set>
#include <stdexcept>
#include <thread>
#include <utility>

#include "avro/codec.h"
#include "avro/partial.h"
#include "filter/config.h"
#include "filter/visit_cap.h"
#include "kafka/consumer.h"
#include "kafka/producer.h"
#include "logging.h"
#include "verify/tally.h"
#include "wire/framing.h"

namespace skystream::service {
namespace {

std::atomic<bool> stop_requested{false};

extern "C" void request_stop(int) { stop_requested.store(true); }

// Alerts whose visit cannot be read (a null visit field) share this visit for the caps.
constexpr std::int64_t kUnknownVisit = std::numeric_limits<std::int64_t>::min();

// Logs bad messages: the first kLoggedPerKind of each kind one by one, then one line per
// kEveryLater, so that a stream of garbage cannot flood the log.
class BadMessageLog {
 public:
  static constexpr std::uint64_t kLoggedPerKind = 20;
  static constexpr std::uint64_t kEveryLater = 10000;

  void report(std::string_view kind, std::uint64_t count, const kafka::Message& message,
              std::string_view reason) {
    if (count <= kLoggedPerKind || count % kEveryLater == 0) {
      logger("filter")->warn("skipped message {}/{}/{} ({} #{}): {}", message.topic(),
                             message.partition(), message.offset(), kind, count, reason);
    }
    if (count == kLoggedPerKind) {
      logger("filter")->warn("further {} messages are logged once per {}; all are counted", kind,
                             kEveryLater);
    }
  }
};

// Every filter of the selected groups, compiled for one schema id, and the decoder of the
// top-level fields they and the visit field read.
struct SchemaFilters {
  std::shared_ptr<const avro::Schema> schema;
  std::vector<std::optional<filter::Filter>> filters;  // one per entry of FilterSummary::filters
  std::optional<filter::VisitReader> visit;
  std::unique_ptr<avro::PartialDecoder> decoder;
  avro::Value alert;  // reused for every alert of this schema id
};

class FilterService {
 public:
  explicit FilterService(const FilterOptions& options)
      : options_(options), catalog_(options.schema_root) {}

  FilterSummary run();

 private:
  void load_config();
  SchemaFilters* filters_for(std::int32_t schema_id, const kafka::Message& message);
  void process(const kafka::Message& message);
  void publish(std::size_t filter_index, const kafka::Message& message);
  void dead_letter(const kafka::Message& message);
  void commit();
  bool all_partitions_at_end() const;
  void log_progress(bool final);
  kafka::Result<std::vector<std::int32_t>> wait_for_input_topic();
  void create_output_topics();

  const FilterOptions& options_;
  wire::SchemaCatalog catalog_;
  filter::FilterConfig config_;
  std::vector<const filter::FilterSpec*> specs_;  // in FilterSummary::filters order
  std::map<std::int32_t, SchemaFilters> compiled_;
  std::set<std::int32_t> failed_schema_ids_;
  std::unique_ptr<filter::VisitCap> cap_;
  std::unique_ptr<kafka::Consumer> consumer_;
  std::unique_ptr<kafka::Producer> producer_;
  std::set<std::pair<std::string, std::int32_t>> at_end_;
  BadMessageLog bad_log_;
  std::vector<std::int64_t> latencies_ms_;
  FilterCounts dead_letters_;  // delivery reports of dead-letter copies point here
  std::uint64_t failures_at_last_commit_ = 0;
  bool failed_ = false;  // a match was not acknowledged: stop without committing past it
  FilterSummary summary_;
};

void FilterService::load_config() {
  auto config = filter::load_config(options_.config_path);
  if (!config) throw std::runtime_error(config.error().message);
  config_ = std::move(*config);
  auto groups = filter::select_groups(config_, options_.filter_group);
  if (!groups) throw std::runtime_error(groups.error().message);

  // Check every filter against the start-up schema now, so a bad config stops the service
  // before it reads anything.
  auto schema = catalog_.by_version(options_.schema_version);
  if (!schema) throw std::runtime_error(schema.error().to_string());
  std::vector<std::uint32_t> caps;
  for (const filter::FilterGroup* group : *groups) {
    auto compiled = filter::compile_group(config_, *group, (*schema)->root());
    if (!compiled) throw std::runtime_error(compiled.error().message);
    for (const filter::FilterSpec& spec : group->filters) {
      const std::string topic = options_.topic_prefix + spec.topic;
      if (!filter::is_valid_topic(topic)) {
        throw std::runtime_error(fmt::format(
            "filter {}: output topic \"{}\" is not a valid Kafka topic name (at most {} "
            "characters from a-z, A-Z, 0-9, '.', '_' and '-'); check --topic-prefix",
            spec.name, topic, filter::kMaxTopicLength));
      }
      if (topic == options_.input_topic) {
        throw std::runtime_error(fmt::format(
            "filter {}: output topic {} is the input topic, so the filter would read its own "
            "matches",
            spec.name, topic));
      }
      specs_.push_back(&spec);
      summary_.filters.push_back({group->name, spec.name, topic, 0, 0, 0});
      caps.push_back(spec.max_per_visit);
    }
  }
  if (!options_.dead_letter_topic.empty() && !filter::is_valid_topic(options_.dead_letter_topic)) {
    throw std::runtime_error(fmt::format("dead-letter topic \"{}\" is not a valid Kafka topic name",
                                         options_.dead_letter_topic));
  }
  if (auto visit = filter::VisitReader::create((*schema)->root(), config_.visit_field); !visit) {
    throw std::runtime_error(
        fmt::format("{}: visit_field: {}", config_.source, visit.error().message));
  }
  cap_ = std::make_unique<filter::VisitCap>(std::move(caps));
}

SchemaFilters* FilterService::filters_for(std::int32_t schema_id, const kafka::Message& message) {
  if (auto it = compiled_.find(schema_id); it != compiled_.end()) return &it->second;
  if (failed_schema_ids_.count(schema_id)) return nullptr;

  auto schema = catalog_.by_id(schema_id);
  if (!schema) {
    logger("filter")->warn("schema id {} first seen at {}/{}/{} is unknown: {}", schema_id,
                           message.topic(), message.partition(), message.offset(),
                           schema.error().to_string());
    failed_schema_ids_.insert(schema_id);
    return nullptr;
  }

  // A filter that does not compile for this schema (a field it lacks) skips its alerts.
  SchemaFilters entry;
  entry.schema = *schema;
  for (const filter::FilterSpec* spec : specs_) {
    auto compiled = filter::Filter::compile(spec->expression, entry.schema->root());
    if (!compiled) {
      logger("filter")->warn("filter {} does not apply to schema id {}: {}", spec->name, schema_id,
                             compiled.error().message);
      entry.filters.emplace_back();
    } else {
      entry.filters.emplace_back(std::move(*compiled));
    }
  }
  auto visit = filter::VisitReader::create(entry.schema->root(), config_.visit_field);
  if (visit) {
    entry.visit = std::move(*visit);
  } else {
    logger("filter")->warn(
        "schema id {} has no visit field {}: per-visit caps count its "
        "alerts as one visit",
        schema_id, config_.visit_field);
  }

  // Only the top-level fields that some filter or the visit field reads are decoded.
  std::vector<int> fields;
  for (const auto& filter : entry.filters) {
    if (filter)
      fields.insert(fields.end(), filter->top_level_fields().begin(),
                    filter->top_level_fields().end());
  }
  if (entry.visit) fields.push_back(entry.visit->path().fields.front());
  entry.decoder = std::make_unique<avro::PartialDecoder>(entry.schema->root(), fields);

  std::size_t applicable = 0;
  for (const auto& filter : entry.filters) applicable += filter ? 1 : 0;
  logger("filter")->info("compiled {} of {} filters for schema id {}", applicable, specs_.size(),
                         schema_id);
  return &compiled_.emplace(schema_id, std::move(entry)).first->second;
}

void FilterService::process(const kafka::Message& message) {
  ++summary_.alerts;
  auto frame = wire::parse_frame(message.value());
  if (!frame) {
    bad_log_.report("bad frame", ++summary_.bad_frame, message, wire::describe(frame.error()));
    return dead_letter(message);
  }
  SchemaFilters* filters = filters_for(frame->schema_id, message);
  if (!filters) {
    bad_log_.report("unknown schema id", ++summary_.unknown_schema, message,
                    fmt::format("schema id {}", frame->schema_id));
    return dead_letter(message);
  }
  auto alert = avro::decode_exact(filters->schema->root(), frame->body);
  if (!alert) {
    bad_log_.report("undecodable", ++summary_.undecodable, message, alert.error().to_string());
    return dead_letter(message);
  }
  ++summary_.decoded;

  std::int64_t visit = kUnknownVisit;
  if (filters->visit) visit = filters->visit->read(*alert).value_or(kUnknownVisit);
  for (std::size_t i = 0; i < filters->filters.size(); ++i) {
    const auto& filter = filters->filters[i];
    if (!filter) {
      ++summary_.not_applicable;
      continue;
    }
    auto matched = filter->matches(*alert);
    if (!matched || !*matched) continue;
    ++summary_.filters[i].matched;
    if (!cap_->admit(i, visit)) {
      ++summary_.filters[i].capped;
      continue;
    }
    publish(i, message);
  }
}

void FilterService::publish(std::size_t filter_index, const kafka::Message& message) {
  std::vector<kafka::Header> headers;
  if (auto sent_at = message.header("producer_timestamp")) {
    headers.push_back({"producer_timestamp", *sent_at});
  }
  // The match keeps the alert's key and timestamp, so latency on a filtered topic is measured
  // from the moment the alert was first sent.
  kafka::OutgoingMessage out;
  out.topic = summary_.filters[filter_index].topic;
  out.key = message.key();
  out.value = message.value();
  out.timestamp_ms = message.timestamp_ms().value_or(0);
  out.headers = headers;
  out.opaque = &summary_.filters[filter_index];
  while (true) {
    auto status = producer_->produce(out);
    if (status) return;
    if (status.error().code != RD_KAFKA_RESP_ERR__QUEUE_FULL) {
      logger("filter")->error("cannot publish {}/{}/{} to {}: {}", message.topic(),
                              message.partition(), message.offset(), out.topic,
                              status.error().message);
      ++summary_.delivery_failures;
      return;
    }
    producer_->poll(std::chrono::milliseconds(100));
  }
}

void FilterService::dead_letter(const kafka::Message& message) {
  if (options_.dead_letter_topic.empty()) return;
  kafka::OutgoingMessage out;
  out.topic = options_.dead_letter_topic;
  out.key = message.key();
  out.value = message.value();
  out.timestamp_ms = message.timestamp_ms().value_or(0);
  out.opaque = &dead_letters_;
  while (true) {
    auto status = producer_->produce(out);
    if (status || status.error().code != RD_KAFKA_RESP_ERR__QUEUE_FULL) {
      if (!status) {
        logger("filter")->error("cannot copy {}/{}/{} to dead-letter topic {}: {}", message.topic(),
                                message.partition(), message.offset(), out.topic,
                                status.error().message);
        ++summary_.delivery_failures;
      }
      return;
    }
    producer_->poll(std::chrono::milliseconds(100));
  }
}

// Commits the consumer group's offsets once every match produced so far is acknowledged.
void FilterService::commit() {
  auto flushed = producer_->flush(std::chrono::seconds(30));
  if (!flushed) {
    logger("filter")->warn("offsets not committed: {}", flushed.error().message);
    return;
  }
  // A match that failed to publish must be read again by the next run, so the service stops
  // here without committing the offsets after it.
  if (summary_.delivery_failures > failures_at_last_commit_) {
    if (!failed_) {
      logger("filter")->error(
          "{} messages were not published; stopping without committing "
          "offsets, so a restart reads them again",
          summary_.delivery_failures - failures_at_last_commit_);
    }
    failed_ = true;
    return;
  }
  auto committed = consumer_->commit();
  if (!committed && committed.error().code != RD_KAFKA_RESP_ERR__NO_OFFSET) {
    logger("filter")->warn("offset commit failed: {}", committed.error().message);
  }
}

bool FilterService::all_partitions_at_end() const {
  rd_kafka_topic_partition_list_t* assignment = nullptr;
  if (rd_kafka_assignment(consumer_->raw(), &assignment) != RD_KAFKA_RESP_ERR_NO_ERROR) {
    return false;
  }
  bool all = assignment->cnt > 0;
  for (int i = 0; all && i < assignment->cnt; ++i) {
    const auto& partition = assignment->elems[i];
    all = at_end_.count({partition.topic, partition.partition}) > 0;
  }
  rd_kafka_topic_partition_list_destroy(assignment);
  return all;
}

void FilterService::log_progress(bool final) {
  std::uint64_t published = 0;
  for (const FilterCounts& counts : summary_.filters) published += counts.published;
  logger("filter")->info("{}{} alerts read, {} decoded, {} bad, {} matches published",
                         final ? "finished: " : "", summary_.alerts, summary_.decoded,
                         summary_.bad(), published);
}

// Lists the input topic's partitions, retrying while the topic is not found until
// options_.topic_wait has passed.
kafka::Result<std::vector<std::int32_t>> FilterService::wait_for_input_topic() {
  const auto deadline = std::chrono::steady_clock::now() + options_.topic_wait;
  bool logged = false;
  while (true) {
    auto partitions = consumer_->list_partitions(options_.input_topic, kafka::kStartupTimeout);
    if (partitions || partitions.error().code != RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART ||
        std::chrono::steady_clock::now() >= deadline) {
      return partitions;
    }
    if (!logged) {
      logger("filter")->info("topic {} not found on {} yet; waiting up to {} s for it",
                             options_.input_topic, options_.brokers,
                             options_.topic_wait.count() / 1000.0);
      logged = true;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(500));
  }
}

// Creates every filter topic and the dead-letter topic that does not exist yet, with the
// broker's default partition count, so that publishing does not depend on the broker creating
// topics on first use (which many clusters turn off). A topic that cannot be created is
// logged; publishing to it fails later unless it appears by then.
void FilterService::create_output_topics() {
  std::vector<std::string> topics;
  for (const FilterCounts& counts : summary_.filters) topics.push_back(counts.topic);
  if (!options_.dead_letter_topic.empty()) topics.push_back(options_.dead_letter_topic);

  int created = 0;
  int existing = 0;
  for (const std::string& topic : topics) {
    kafka::TopicSpec spec;
    spec.name = topic;
    spec.partitions = -1;
    auto result = producer_->create_topic(spec, kafka::kStartupTimeout);
    if (result) {
      ++created;
    } else if (result.error().code == RD_KAFKA_RESP_ERR_TOPIC_ALREADY_EXISTS) {
      ++existing;
    } else {
      logger("filter")->warn("cannot create output topic {}: {} ({})", topic,
                             result.error().message, result.error().code_name());
    }
  }
  logger("filter")->info("output topics: {} created, {} existing, {} not created", created,
                         existing, topics.size() - created - existing);
}

FilterSummary FilterService::run() {
  auto log = logger("filter");
  load_config();

  // The producer publishes matches unchanged, so it keeps Rubin's 10 MiB message limit.
  auto producer_config = kafka::Config::from_settings(std::vector<kafka::Setting>{
      {"bootstrap.servers", options_.brokers},
      {"acks", "all"},
      {"enable.idempotence", "true"},
      {"linger.ms", "5"},
      {"message.max.bytes", "10485760"},
  });
  auto consumer_config = kafka::Config::from_settings(std::vector<kafka::Setting>{
      {"bootstrap.servers", options_.brokers},
      {"group.id", options_.consumer_group},
      {"auto.offset.reset", "earliest"},
      {"enable.auto.commit", "false"},
      {"enable.partition.eof", "true"},
      {"fetch.message.max.bytes", "10485760"},
  });
  for (auto* config : {&producer_config, &consumer_config}) {
    if (!*config) throw kafka::KafkaError(config->error());
    kafka::value_or_throw((*config)->set_all(options_.settings));
  }

  producer_ = std::make_unique<kafka::Producer>(
      std::move(*producer_config), [this](const kafka::DeliveryReport& report) {
        auto* counts = static_cast<FilterCounts*>(report.opaque);
        if (report.error) {
          ++summary_.delivery_failures;
          logger("filter")->error("delivery to {} failed: {} ({})", counts->topic,
                                  report.error->message, report.error->code_name());
        } else if (counts == &dead_letters_) {
          ++dead_letters_.published;
        } else {
          ++counts->published;
          if (report.timestamp_ms > 0)
            latencies_ms_.push_back(kafka::now_ms() - report.timestamp_ms);
        }
      });
  consumer_ = std::make_unique<kafka::Consumer>(std::move(*consumer_config));
  kafka::value_or_throw(consumer_->check_reachable(kafka::kStartupTimeout));
  create_output_topics();
  auto partitions = wait_for_input_topic();
  if (!partitions) {
    throw std::runtime_error(fmt::format("topic {} not found on {}: {}", options_.input_topic,
                                         options_.brokers, partitions.error().message));
  }
  const std::vector<std::string> topics{options_.input_topic};
  kafka::value_or_throw(consumer_->subscribe(topics));
  log->info("filtering topic {} ({} partitions) on {} as consumer group {} with {} filters",
            options_.input_topic, partitions->size(), options_.brokers, options_.consumer_group,
            specs_.size());

  // The loop: process messages, commit once per interval, stop at the end or on a signal.
  stop_requested.store(false);
  auto previous_int = std::signal(SIGINT, request_stop);
  auto previous_term = std::signal(SIGTERM, request_stop);
  const auto start = std::chrono::steady_clock::now();
  auto last_commit = start;
  auto last_progress = start;
  std::optional<std::chrono::steady_clock::time_point> all_at_end_since;
  dead_letters_.topic = options_.dead_letter_topic;
  while (!stop_requested.load() && !failed_) {
    auto message = consumer_->poll(std::chrono::milliseconds(200));
    if (message && message->is_partition_eof()) {
      at_end_.insert({std::string(message->topic()), message->partition()});
    } else if (message && message->is_error()) {
      log->warn("consumer error: {}", message->error().message);
    } else if (message) {
      at_end_.erase({std::string(message->topic()), message->partition()});
      all_at_end_since.reset();
      process(*message);
    }
    producer_->poll(std::chrono::milliseconds(0));

    const auto now = std::chrono::steady_clock::now();
    if (options_.exit_at_eof && all_partitions_at_end()) {
      if (!all_at_end_since) all_at_end_since = now;
      if (now - *all_at_end_since >= options_.eof_grace) break;
    }
    if (now - last_commit >= options_.commit_interval) {
      commit();
      last_commit = now;
    }
    if (now - last_progress >= std::chrono::seconds(10)) {
      log_progress(false);
      last_progress = now;
    }
  }
  std::signal(SIGINT, previous_int);
  std::signal(SIGTERM, previous_term);
  if (stop_requested.load()) log->info("stopping on a signal");

  commit();
  if (auto closed = consumer_->close(); !closed) {
    log->warn("closing the consumer failed: {}", closed.error().message);
  }
  summary_.seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  summary_.latency_p50_ms = verify::percentile(latencies_ms_, 50);
  summary_.latency_p99_ms = verify::percentile(latencies_ms_, 99);
  log_progress(true);
  return summary_;
}

}  // namespace

std::string FilterSummary::to_json() const {
  nlohmann::ordered_json out;
  out["alerts"] = alerts;
  out["decoded"] = decoded;
  out["bad_frame"] = bad_frame;
  out["unknown_schema"] = unknown_schema;
  out["undecodable"] = undecodable;
  out["not_applicable"] = not_applicable;
  out["delivery_failures"] = delivery_failures;
  out["seconds"] = seconds;
  if (latency_p50_ms && latency_p99_ms) {
    out["latency_ms"] = {{"p50", *latency_p50_ms}, {"p99", *latency_p99_ms}};
  } else {
    out["latency_ms"] = nullptr;
  }
  out["filters"] = nlohmann::ordered_json::array();
  for (const FilterCounts& counts : filters) {
    out["filters"].push_back({{"group", counts.group},
                              {"filter", counts.filter},
                              {"topic", counts.topic},
                              {"matched", counts.matched},
                              {"published", counts.published},
                              {"capped", counts.capped}});
  }
  return out.dump(2);
}

FilterSummary run_filter(const FilterOptions& options) {
  FilterService service(options);
  return service.run();
}

}  // namespace skystream::service
