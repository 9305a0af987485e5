// skystream filter: run the filters of a config file on the full alert stream as one member of
// a Kafka consumer group, publishing each filter's matches to its own topic.

#include <CLI/CLI.hpp>
#include <algorithm>
#include <exception>
#include <fstream>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "cli/commands.h"
#include "kafka/config.h"
#include "logging.h"
#include "service/filter_service.h"
#include "verify/plural.h"
#include "wire/schemas.h"

namespace skystream::cli {
namespace {

struct FilterArguments {
  service::FilterOptions options;
  std::string schema_version = "11.0";
  std::vector<std::string> kafka_settings;
  std::string json_path;
  double eof_grace_seconds = 0;
};

void print_summary(const service::FilterSummary& summary) {
  auto count = [](std::uint64_t n, std::string_view noun) {
    return verify::count_of(static_cast<std::int64_t>(n), noun);
  };
  fmt::print(
      "filter summary: {} read, {} decoded, {} bad ({} bad frame, {} unknown schema id, {} "
      "undecodable), {} not applicable to the alert's schema, {}, {:.3f} s\n",
      count(summary.alerts, "message"), count(summary.decoded, "alert"), summary.bad(),
      summary.bad_frame, summary.unknown_schema, summary.undecodable,
      count(summary.not_applicable, "filter run"),
      count(summary.delivery_failures, "delivery failure"), summary.seconds);
  if (summary.latency_p50_ms && summary.latency_p99_ms) {
    fmt::print(
        "match latency, first send to acknowledged on the filter topic: p50 {} ms, "
        "p99 {} ms\n",
        *summary.latency_p50_ms, *summary.latency_p99_ms);
  }
  std::size_t topic_width = 5;
  for (const service::FilterCounts& counts : summary.filters) {
    topic_width = std::max(topic_width, counts.topic.size());
  }
  fmt::print("{:<12} {:<12} {:<{}} {:>9} {:>10} {:>8}\n", "group", "filter", "topic", topic_width,
             "matched", "published", "capped");
  for (const service::FilterCounts& counts : summary.filters) {
    fmt::print("{:<12} {:<12} {:<{}} {:>9} {:>10} {:>8}\n", counts.group, counts.filter,
               counts.topic, topic_width, counts.matched, counts.published, counts.capped);
  }
}

void run(FilterArguments& arguments) {
  auto log = logger("filter");
  service::FilterOptions& options = arguments.options;
  auto version = wire::parse_schema_version(arguments.schema_version);
  if (!version) throw CLI::ValidationError("--schema-version", version.error().message);
  options.schema_version = *version;
  options.eof_grace =
      std::chrono::milliseconds(static_cast<std::int64_t>(arguments.eof_grace_seconds * 1000));
  auto settings = kafka::parse_settings(arguments.kafka_settings);
  if (!settings) throw CLI::ValidationError("--kafka", settings.error().message);
  options.settings = std::move(*settings);

  service::FilterSummary summary;
  try {
    summary = service::run_filter(options);
  } catch (const std::exception& e) {
    log->error("filter stopped: {}", e.what());
    throw CLI::RuntimeError(1);
  }

  print_summary(summary);
  if (!arguments.json_path.empty()) {
    std::ofstream out(arguments.json_path);
    out << summary.to_json() << "\n";
    if (!out) {
      log->error("cannot write the summary to {}", arguments.json_path);
      throw CLI::RuntimeError(1);
    }
  }
  if (summary.delivery_failures > 0) throw CLI::RuntimeError(1);
}

}  // namespace

void add_filter_command(CLI::App& app) {
  auto arguments = std::make_shared<FilterArguments>();
  service::FilterOptions& options = arguments->options;
  CLI::App* command = app.add_subcommand(
      "filter", "Run filters on the full alert stream as a Kafka consumer group member");

  command->add_option("--brokers", options.brokers, "Kafka bootstrap servers, host:port[,...]")
      ->default_val("127.0.0.1:9092");
  command->add_option("--topic", options.input_topic, "Full-stream topic to read")
      ->default_val("alerts");
  command->add_option("--config", options.config_path, "Filter config file (TOML)")
      ->required()
      ->check(CLI::ExistingFile);
  command->add_option("--filter-group", options.filter_group,
                      "Filter group of the config to run (default: every group)");
  command->add_option("--group", options.consumer_group, "Kafka consumer group id")->required();
  command->add_flag("--exit-at-eof", options.exit_at_eof,
                    "Stop once every assigned partition is read to its end");
  command
      ->add_option("--eof-grace", arguments->eof_grace_seconds,
                   "With --exit-at-eof, seconds every partition must stay at its end before "
                   "stopping, so pauses between visits of a live stream do not stop the service")
      ->default_val(0.0)
      ->check(CLI::NonNegativeNumber);
  command->add_option("--topic-prefix", options.topic_prefix,
                      "Text put before every filter's output topic name (default: none)");
  command->add_option("--dead-letter-topic", options.dead_letter_topic,
                      "Topic to copy undecodable messages to (default: none)");
  command
      ->add_option("--schema-version", arguments->schema_version,
                   "Schema version the filters are checked against at start-up")
      ->default_val("11.0");
  command
      ->add_option("--schema-root", options.schema_root,
                   "Directory of the Rubin alert schemas (<root>/<major>/<minor>/)")
      ->default_val(wire::default_schema_root().string())
      ->check(CLI::ExistingDirectory);
  command->add_option("--json", arguments->json_path, "File to write the summary to as JSON");
  command->add_option("-X,--kafka", arguments->kafka_settings,
                      "librdkafka setting key=value, applied last (repeatable)");

  command->callback([arguments] { run(*arguments); });
}

}  // namespace skystream::cli
