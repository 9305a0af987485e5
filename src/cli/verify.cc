// skystream verify: compare what topics hold with the manifest of a send.

#include <fmt/format.h>

#include <CLI/CLI.hpp>
#include <cerrno>
#include <cstring>
#include <exception>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <memory>
#include <string>
#include <vector>

#include "cli/commands.h"
#include "cli/reader_options.h"
#include "logging.h"
#include "service/verifier.h"
#include "verify/report.h"

namespace skystream::cli {
namespace {

// Exit statuses: the check ran and found a difference, or the check could not run.
constexpr int kExitDifferences = 1;
constexpr int kExitError = 2;

struct VerifyArguments {
  service::VerifyOptions options;
  std::string json_path;
  ReaderArguments reader;
};

void run(VerifyArguments& arguments) {
  auto log = logger("verify");
  service::VerifyOptions& options = arguments.options;
  apply_reader_options(arguments.reader, options);

  // The JSON report is opened for appending first, which changes no existing file, so that a
  // path that cannot be written fails before the topics are read.
  const std::string& json_path = arguments.json_path;
  bool json_created = false;
  if (!json_path.empty()) {
    json_created = !std::filesystem::exists(json_path);
    if (!std::ofstream(json_path, std::ios::app)) {
      log->error("cannot open the JSON report {} for writing: {}", json_path, std::strerror(errno));
      throw CLI::RuntimeError(kExitError);
    }
  }

  verify::VerifyReport report;
  try {
    report = service::run_verify(options);
  } catch (const std::exception& e) {
    log->error("verify against manifest {} failed: {}", options.manifest_path.string(), e.what());
    if (json_created) {
      // The empty file created above is no report of a check that did not run.
      std::error_code ignored;
      std::filesystem::remove(json_path, ignored);
    }
    throw CLI::RuntimeError(kExitError);
  }

  // The table comes first, so that a failed JSON write loses nothing that was found.
  std::cout << verify::render_text(report) << std::flush;
  if (!json_path.empty()) {
    std::ofstream json_out(json_path, std::ios::trunc);
    json_out << verify::to_json(report).dump(2) << '\n';
    json_out.close();
    if (!json_out) {
      log->error("writing the JSON report {} failed: {}", json_path, std::strerror(errno));
      throw CLI::RuntimeError(kExitError);
    }
  }
  if (!report.passed()) throw CLI::RuntimeError(kExitDifferences);
}

}  // namespace

void add_verify_command(CLI::App& app) {
  auto arguments = std::make_shared<VerifyArguments>();
  service::VerifyOptions& options = arguments->options;
  CLI::App* command = app.add_subcommand(
      "verify", "Check that topics contain every alert of a manifest once, unchanged");
  command->footer(
      "Exit status: 0 the check passed; 1 it found a difference (missing, duplicate, mismatched, "
      "unknown or invalid messages, failed sends, or an incomplete manifest); 2 the check could "
      "not run (invalid options, an unreadable manifest, no broker, a missing topic, a stalled "
      "read, or a JSON report that cannot be written).");

  command->add_option("--manifest", options.manifest_path, "Manifest written by skystream send")
      ->required()
      ->check(CLI::ExistingFile);
  command->add_option("--brokers", options.brokers, "Kafka bootstrap servers, host:port[,...]")
      ->default_val("127.0.0.1:9092");
  command->add_option("--topic", options.topics,
                      "Topic to check (repeatable); default: the manifest's topic. Topics other "
                      "than the manifest's are checked as filtered streams");
  command->add_option("--json", arguments->json_path,
                      "File to write the figures to as JSON, after the table is printed");
  add_reader_options(*command, arguments->reader);

  command->callback([arguments] { run(*arguments); });
}

}  // namespace skystream::cli
