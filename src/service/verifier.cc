#include "service/verifier.h"

#include <fmt/format.h>

#include <algorithm>
#include <map>
#include <memory>

#include "kafka/client.h"
#include "kafka/reader.h"
#include "kafka/validate.h"
#include "logging.h"
#include "verify/digest.h"
#include "verify/framed_alert.h"
#include "verify/manifest.h"
#include "verify/plural.h"
#include "verify/tally.h"

namespace skystream::service {
namespace {

kafka::Config reader_config(const VerifyOptions& options) {
  kafka::Config config =
      kafka::value_or_throw(kafka::Config::from_settings(std::vector<kafka::Setting>{
          {"bootstrap.servers", options.brokers}, {"client.id", "skystream-verify"}}));
  kafka::value_or_throw(config.set_all(options.settings));
  return config;
}

// Missing and mismatched alerts logged one by one per topic; the rest are only counted.
constexpr std::int64_t kDifferencesLogged = 20;

// Logs the first kDifferencesLogged mismatched messages of each topic with where they are.
class MismatchLog {
 public:
  explicit MismatchLog(std::shared_ptr<spdlog::logger> log) : log_(std::move(log)) {}

  void record(const kafka::Message& message, const verify::ManifestAlert& expected,
              const verify::Digest& digest) {
    std::int64_t& logged = logged_[std::string(message.topic())];
    if (logged == kDifferencesLogged) return;
    log_->warn(
        "topic {} partition {} offset {}: alert {} differs from the manifest: digest {}, "
        "manifest {}",
        message.topic(), message.partition(), message.offset(), expected.alert_id, digest.to_hex(),
        expected.digest.to_hex());
    if (++logged == kDifferencesLogged) {
      log_->warn("topic {}: {} mismatched alerts logged; further ones are only counted",
                 message.topic(), kDifferencesLogged);
    }
  }

 private:
  std::shared_ptr<spdlog::logger> log_;
  std::map<std::string, std::int64_t, std::less<>> logged_;
};

// Logs the first kDifferencesLogged missing alerts of a topic with where the manifest put them.
void log_missing(spdlog::logger& log, std::string_view topic, const verify::TopicFigures& figures,
                 const verify::ManifestIndex& index) {
  const std::size_t listed =
      std::min(figures.missing_ids.size(), static_cast<std::size_t>(kDifferencesLogged));
  for (std::size_t i = 0; i < listed; ++i) {
    const verify::ManifestAlert& alert = index.at(*index.find(figures.missing_ids[i]));
    log.warn("topic {}: alert {} of visit {} is missing (manifest: partition {} offset {})", topic,
             alert.alert_id, alert.visit, alert.partition, alert.offset);
  }
  if (figures.missing > kDifferencesLogged) {
    log.warn("topic {}: {} alerts missing, the first {} logged", topic, figures.missing,
             kDifferencesLogged);
  }
}

std::int64_t failed_sends(const verify::Manifest& manifest) {
  std::int64_t failed = 0;
  for (const verify::ManifestVisit& visit : manifest.visits) failed += visit.failed;
  return failed;
}

}  // namespace

verify::VerifyReport run_verify(const VerifyOptions& options) {
  auto log = logger("verify");
  kafka::value_or_throw(kafka::check_broker_list(options.brokers));
  for (const std::string& topic : options.topics) {
    kafka::value_or_throw(kafka::check_topic_name(topic));
  }
  const verify::Manifest manifest = verify::read_manifest(options.manifest_path);
  const verify::ManifestIndex index(manifest.alerts);
  log->info("manifest {}: {} to topic {} in {}", options.manifest_path.string(),
            verify::count_of(static_cast<std::int64_t>(manifest.alerts.size()), "alert"),
            manifest.header.topic,
            verify::count_of(static_cast<std::int64_t>(manifest.visits.size()), "visit"));
  if (manifest.cut_off_line) {
    log->warn(
        "manifest {} line {} is cut off, as a send stopped in the middle of a write "
        "leaves it, and is ignored; the manifest counts as incomplete",
        options.manifest_path.string(), *manifest.cut_off_line);
  }

  // Each topic is read once, however often it was named.
  std::vector<std::string> topics;
  for (const std::string& topic : options.topics) {
    if (std::ranges::find(topics, topic) == topics.end()) topics.push_back(topic);
  }
  if (topics.empty()) topics.push_back(manifest.header.topic);
  std::map<std::string, std::unique_ptr<verify::TopicTally>, std::less<>> tallies;
  for (const std::string& topic : topics) {
    tallies.emplace(topic, std::make_unique<verify::TopicTally>(
                               index, topic == manifest.header.topic, manifest.header.started_ms));
  }

  kafka::ReadOptions read_options;
  read_options.idle_timeout = options.idle_timeout;
  kafka::TopicReader reader(reader_config(options), topics, read_options);
  log->info("reading {} from the beginning: {} offsets", fmt::join(topics, ", "),
            reader.offsets_to_read());

  // Each message counts once: an invalid one by its position, a valid one by its alert id.
  wire::SchemaCatalog catalog(options.schema_root);
  verify::FramedAlertReader alerts(catalog);
  verify::InvalidMessageLog invalid(log);
  MismatchLog mismatches(log);
  auto on_message = [&](const kafka::Message& message) {
    std::optional<verify::MessageTime> time;
    if (const auto timestamp = message.timestamp_ms()) {
      time = verify::MessageTime{*timestamp, kafka::now_ms()};
    }

    verify::TopicTally& tally = *tallies.find(message.topic())->second;
    auto alert_id = alerts.read_alert_id(message.value());
    if (!alert_id) {
      invalid.record(message.topic(), message.partition(), message.offset(), alert_id.error());
      tally.add_invalid(time);
      return;
    }
    const verify::Digest digest = verify::digest_of(message.value());
    if (tally.add(*alert_id, digest, time).mismatched) {
      mismatches.record(message, index.at(*index.find(*alert_id)), digest);
    }
  };
  auto on_end = [&](const kafka::PartitionEnd& end) {
    log->debug("topic {} partition {} read to offset {}", end.topic, end.partition, end.offset);
  };
  kafka::value_or_throw(reader.read(on_message, on_end));

  verify::VerifyReport report;
  report.manifest_path = options.manifest_path.string();
  report.header = manifest.header;
  report.manifest_alerts = static_cast<std::int64_t>(manifest.alerts.size());
  report.manifest_complete = manifest.end.has_value();
  report.manifest_cut_off_line = manifest.cut_off_line;
  report.failed_sends = failed_sends(manifest);
  report.visits = manifest.visits;
  std::vector<const verify::TopicTally*> parts;
  for (const std::string& topic : topics) {
    const verify::TopicTally& tally = *tallies.find(topic)->second;
    report.topics.push_back({topic, tally.full_stream(), tally.figures()});
    log_missing(*log, topic, report.topics.back().figures, index);
    if (const std::int64_t bad = report.topics.back().figures.bad_timestamps; bad > 0) {
      log->warn(
          "topic {}: messages left out of latency because their timestamp is more than "
          "1 h before the send started or more than 1 min after they were read: {}",
          topic, bad);
    }
    parts.push_back(&tally);
  }
  report.total = verify::total_figures(parts);
  return report;
}

}  // namespace skystream::service
