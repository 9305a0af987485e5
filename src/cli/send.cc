// skystream send: publish visit files to a Kafka topic and write a manifest of what was sent.

#include <fmt/format.h>
#include <signal.h>

#include <CLI/CLI.hpp>
#include <atomic>
#include <cstring>
#include <exception>
#include <memory>
#include <string>
#include <vector>

#include "cli/commands.h"
#include "kafka/config.h"
#include "logging.h"
#include "service/sender.h"
#include "verify/plural.h"
#include "wire/schemas.h"

namespace skystream::cli {
namespace {

// The number of the first SIGINT or SIGTERM received, or 0. Storing a lock-free atomic is safe
// in a signal handler.
std::atomic<int> received_signal{0};
static_assert(std::atomic<int>::is_always_lock_free);

extern "C" void on_stop_signal(int signal) {
  received_signal.store(signal, std::memory_order_relaxed);
}

// Makes the first SIGINT or SIGTERM stop the send in order. The handler then resets itself, so
// a second signal ends the process at once.
void install_stop_handlers() {
  struct sigaction action {};
  action.sa_handler = on_stop_signal;
  sigemptyset(&action.sa_mask);
  action.sa_flags = SA_RESETHAND | SA_RESTART;
  for (const int signal : {SIGINT, SIGTERM}) {
    if (::sigaction(signal, &action, nullptr) != 0) {
      throw std::runtime_error(
          fmt::format("cannot handle signal {}: {}", signal, std::strerror(errno)));
    }
  }
}

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
  options.stop_signal = &received_signal;

  service::SendSummary summary;
  try {
    install_stop_handlers();
    summary = service::run_send(options);
  } catch (const std::exception& e) {
    log->error("send to topic {} on {} stopped: {}", options.topic, options.brokers, e.what());
    throw CLI::RuntimeError(1);
  }

  if (summary.stop_signal != 0) {
    log->error("send to topic {} stopped on signal {} ({}) after {} in {}; manifest {}",
               options.topic, summary.stop_signal, ::strsignal(summary.stop_signal),
               verify::count_of(summary.alerts, "alert"), verify::count_of(summary.visits, "visit"),
               options.manifest_path.string());
    // The shell's convention for a process ended by a signal.
    throw CLI::RuntimeError(128 + summary.stop_signal);
  }
  log->info("sent {} in {} to topic {} in {:.3f} s; manifest {}",
            verify::count_of(summary.alerts, "alert"), verify::count_of(summary.visits, "visit"),
            options.topic, summary.seconds, options.manifest_path.string());
  if (summary.failed > 0) {
    log->error("{} not sent", verify::count_of(summary.failed, "alert"));
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
