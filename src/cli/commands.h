// The subcommands of the skystream command. Each add_*_command() registers one subcommand
// with its options on `app`. The subcommand's callback runs the work. On failure it logs why
// and throws CLI::RuntimeError with a non-zero exit code.
#pragma once

#include <CLI/CLI.hpp>

namespace skystream::cli {

void add_simulate_command(CLI::App& app);
void add_send_command(CLI::App& app);
void add_filter_command(CLI::App& app);
void add_print_command(CLI::App& app);
void add_verify_command(CLI::App& app);
void add_cat_command(CLI::App& app);

}  // namespace skystream::cli
