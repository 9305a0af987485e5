// skystream: simulate, send, filter, print and verify a survey's alert stream.

#include <spdlog/spdlog.h>

#include <CLI/CLI.hpp>
#include <cstdlib>
#include <exception>
#include <new>
#include <string>

#include "cli/commands.h"
#include "cli/output.h"
#include "logging.h"

namespace {

// The name of the subcommand that was given, such as "cat", or "skystream" before one is known.
std::string command_name(const CLI::App& app) {
  const auto subcommands = app.get_subcommands();
  return subcommands.empty() ? std::string("skystream") : subcommands.front()->get_name();
}

// The exit status of a command that could not finish: verify's status 2 means that the check
// could not run, and 1 is the failure of every other command.
int failure_status(const std::string& command) { return command == "verify" ? 2 : EXIT_FAILURE; }

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"skystream: distribute, filter and verify a survey telescope's alert stream"};
  app.require_subcommand(1);
  app.set_version_flag("--version", "skystream 0.1.0");

  bool verbose = false;
  app.add_flag("-v,--verbose", verbose, "Log debug detail, including per-alert events");
  app.parse_complete_callback([&verbose] {
    spdlog::set_pattern("%Y-%m-%dT%H:%M:%S.%e %^%l%$ [%n] %v");
    spdlog::set_level(verbose ? spdlog::level::debug : spdlog::level::info);
  });

  skystream::cli::add_simulate_command(app);
  skystream::cli::add_send_command(app);
  skystream::cli::add_filter_command(app);
  skystream::cli::add_print_command(app);
  skystream::cli::add_verify_command(app);
  skystream::cli::add_cat_command(app);

  int status = EXIT_SUCCESS;
  try {
    app.parse(argc, argv);
  } catch (const CLI::RuntimeError& e) {
    status = app.exit(e);
  } catch (const CLI::ParseError& e) {
    status = app.exit(e);
    // CLI11 reports invalid options with statuses 100 to 127. verify and cat document 2 for
    // them, as verify's "the check could not run".
    const std::string command = command_name(app);
    if (status != 0 && (command == "verify" || command == "cat")) status = 2;
  } catch (const std::exception& e) {
    // Logged to standard error, never to standard output, which may carry a command's JSON.
    const std::string command = command_name(app);
    const bool out_of_memory = dynamic_cast<const std::bad_alloc*>(&e) != nullptr;
    skystream::logger(command)->error("skystream {} stopped: {}{}", command,
                                      out_of_memory ? "out of memory: " : "", e.what());
    status = failure_status(command);
  }

  // Every command that writes to standard output (cat, print, verify, --help) fails when that
  // output was lost, as on a full disk, rather than exit 0.
  if (auto failure = skystream::cli::stdout_failure();
      failure && !skystream::cli::stdout_failure_reported()) {
    const std::string command = command_name(app);
    skystream::logger(command)->error("cannot write standard output: {}; the output is incomplete",
                                      *failure);
    if (status == EXIT_SUCCESS) status = failure_status(command);
  }
  return status;
}
