// skystream: simulate, send, filter, print and verify a survey's alert stream.

#include <spdlog/spdlog.h>

#include <CLI/CLI.hpp>
#include <cstdlib>
#include <exception>

#include "cli/commands.h"

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

  try {
    app.parse(argc, argv);
  } catch (const CLI::RuntimeError& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    const int status = app.exit(e);
    // verify's status 2 means the check could not run, and invalid options are one such case.
    if (status != 0 && app.got_subcommand("verify")) return 2;
    return status;
  } catch (const std::exception& e) {
    spdlog::error("{}", e.what());
    return EXIT_FAILURE;
  }
  return EXIT_SUCCESS;
}
