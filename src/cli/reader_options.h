// Command-line options shared by the commands that read topics (print, verify): the schema root,
// the idle timeout and librdkafka settings.
#pragma once

#include <CLI/CLI.hpp>
#include <chrono>
#include <filesystem>
#include <string>
#include <utility>
#include <vector>

#include "kafka/config.h"

namespace skystream::cli {

// The options as parsed, before they are checked and converted.
struct ReaderArguments {
  std::filesystem::path schema_root;
  double idle_timeout_seconds = 30;
  std::vector<std::string> kafka_settings;
};

// The options converted for a service's options struct.
struct ReaderSettings {
  std::chrono::milliseconds idle_timeout{30000};
  std::vector<kafka::Setting> settings;  // librdkafka settings applied after the defaults
};

// Registers --schema-root, --idle-timeout and -X/--kafka on `command`, storing into
// `arguments`, which must outlive the parse and the command's callback.
void add_reader_options(CLI::App& command, ReaderArguments& arguments);

// Converts the idle timeout to milliseconds and parses the -X settings. Throws
// CLI::ValidationError naming --kafka when a setting is not key=value.
ReaderSettings reader_settings(const ReaderArguments& arguments);

// Stores the converted options in the options of a reading service, such as
// service::PrintOptions or service::VerifyOptions. Throws as reader_settings() does.
template <typename Options>
void apply_reader_options(const ReaderArguments& arguments, Options& options) {
  ReaderSettings reader = reader_settings(arguments);
  options.schema_root = arguments.schema_root;
  options.idle_timeout = reader.idle_timeout;
  options.settings = std::move(reader.settings);
}

}  // namespace skystream::cli
