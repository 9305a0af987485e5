// skystream print: write a topic's alerts as JSON lines, or count them.

#include <CLI/CLI.hpp>
#include <exception>
#include <iostream>
#include <memory>
#include <string>
#include <vector>

#include "cli/commands.h"
#include "cli/reader_options.h"
#include "logging.h"
#include "service/printer.h"
#include "verify/plural.h"

namespace skystream::cli {
namespace {

struct PrintArguments {
  service::PrintOptions options;
  ReaderArguments reader;
};

void run(PrintArguments& arguments) {
  auto log = logger("print");
  service::PrintOptions& options = arguments.options;
  apply_reader_options(arguments.reader, options);

  service::PrintSummary summary;
  try {
    summary = service::run_print(options, std::cout);
  } catch (const std::exception& e) {
    log->error("reading topic {} on {} failed: {}", options.topic, options.brokers, e.what());
    throw CLI::RuntimeError(1);
  }
  log->info("topic {}: {}, {} printed, {} invalid", options.topic,
            verify::count_of(static_cast<std::int64_t>(summary.messages), "message"),
            summary.printed, summary.invalid);
}

}  // namespace

void add_print_command(CLI::App& app) {
  auto arguments = std::make_shared<PrintArguments>();
  service::PrintOptions& options = arguments->options;
  CLI::App* command = app.add_subcommand(
      "print", "Print a topic's alerts as JSON lines, from the beginning to the end");

  command->add_option("--brokers", options.brokers, "Kafka bootstrap servers, host:port[,...]")
      ->default_val("127.0.0.1:9092");
  command->add_option("--topic", options.topic, "Topic to read")->default_val("alerts");
  auto* every =
      command
          ->add_option("--every", options.every, "Print one alert in N (the first, the N+1th, ...)")
          ->default_val(1)
          ->check(CLI::PositiveNumber);
  command
      ->add_flag("--count", options.count_only,
                 "Print only the message counts per partition and in total")
      ->excludes(every);
  // Reading always starts at the beginning; the flag is accepted for familiarity with
  // kafka-console-consumer.
  command->add_flag("--from-beginning")
      ->description("Read from the first stored offset (the default)");
  add_reader_options(*command, arguments->reader);

  command->callback([arguments] { run(*arguments); });
}

}  // namespace skystream::cli
