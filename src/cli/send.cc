// skystream send: publish visit files to a Kafka topic and write a manifest of what was sent.

#include <CLI/CLI.hpp>
#include <exception>
#include <memory>
#include <string>
#include <vector>

#include "cli/commands.h"
#include "kafka/config.h"
#include "logging.h"
#include "service/sender.h"
#include "wire/schemas.h"

namespace skystream::cli {
namespace {

struct SendArguments {
  service::SendOptions options;
  double interval_seconds = 39.0;
  std::string schema_version;
  std::vector<std::string> kafka_settings;
};

void run(SendArguments& arguments) {
  auto log = logger("send");
  service::SendOptions& options = arguments.options;
  options.interval = std::chrono::duration<double>(arguments.interval_seconds);
  if (!arguments.schema_version.empty()) {
    auto version = wire::parse_schema_version(arguments.schema_version);
    if (!version) throw CLI::ValidationError("--schema-version", version.error().message);
    options.schema_version = *version;
  }
  auto settings = kafka::parse_settings(arguments.kafka_settings);
  if (!settings) throw CLI::ValidationError("--kafka", settings.error().message);
  options.settings = std::move(*settings);

  service::SendSummary summary;
  try {
    summary = service::run_send(options);
  } catch (const std::exception& e) {
    log->error("send to topic {} on {} stopped: {}", options.topic, options.brokers, e.what());
    throw CLI::RuntimeError(1);
  }

  log->info("sent {} alerts in {} visits to topic {} in {:.3f} s; manifest {}", summary.alerts,
            summary.visits, options.topic, summary.seconds, options.manifest_path.string());
  if (summary.failed > 0) {
    log->error("{} alerts were not sent", summary.failed);
    throw CLI::RuntimeError(1);
  }
}

}  // namespace

void add_send_command(CLI::App& app) {
  auto arguments = std::make_shared<SendArguments>();
  service::SendOptions& options = arguments->options;
  CLI::App* command = app.add_subcommand(
      "send", "Publish the alerts of visit files to a Kafka topic, paced by visit");

  command->add_option("directory", options.input_directory, "Directory of visit files (*.avro)")
      ->required()
      ->check(CLI::ExistingDirectory);
  command->add_option("--brokers", options.brokers, "Kafka bootstrap servers, host:port[,...]")
      ->default_val("127.0.0.1:9092");
  command->add_option("--topic", options.topic, "Topic to publish to")->default_val("alerts");
  command
      ->add_option("--manifest", options.manifest_path,
                   "File to write the manifest of sent alerts to (JSON lines)")
      ->required();
  command
      ->add_option("--interval", arguments->interval_seconds,
                   "Seconds from one visit's start to the next; 0 sends back to back")
      ->default_val(39.0)
      ->check(CLI::NonNegativeNumber);
  command
      ->add_option("--schema-root", options.schema_root,
                   "Directory of the Rubin alert schemas (<root>/<major>/<minor>/)")
      ->default_val(wire::default_schema_root().string())
      ->check(CLI::ExistingDirectory);
  command->add_option("--schema-version", arguments->schema_version,
                      "Schema version to frame alerts with, such as 11.0 (default: the version "
                      "in the visit file's schema name)");
  command->add_option("--compression", options.compression, "Kafka compression codec")
      ->default_val("snappy")
      ->check(CLI::IsMember({"none", "gzip", "snappy", "lz4", "zstd"}));
  command->add_option("-X,--kafka", arguments->kafka_settings,
                      "librdkafka setting key=value, applied last (repeatable), such as "
                      "-X sasl.mechanism=SCRAM-SHA-512");

  command->callback([arguments] { run(*arguments); });
}

}  // namespace skystream::cli
