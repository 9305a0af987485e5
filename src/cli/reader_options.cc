#include "cli/reader_options.h"

#include <cstdint>
#include <utility>

#include "wire/schemas.h"

namespace skystream::cli {

void add_reader_options(CLI::App& command, ReaderArguments& arguments) {
  command
      .add_option("--schema-root", arguments.schema_root,
                  "Directory of the Rubin alert schemas (<root>/<major>/<minor>/)")
      ->default_val(wire::default_schema_root().string())
      ->check(CLI::ExistingDirectory);
  command
      .add_option("--idle-timeout", arguments.idle_timeout_seconds,
                  "Seconds without a message before the read fails")
      ->default_val(30.0)
      ->check(CLI::PositiveNumber);
  command.add_option("-X,--kafka", arguments.kafka_settings,
                     "librdkafka setting key=value, applied last (repeatable)");
}

ReaderSettings reader_settings(const ReaderArguments& arguments) {
  ReaderSettings out;
  out.idle_timeout =
      std::chrono::milliseconds(static_cast<std::int64_t>(arguments.idle_timeout_seconds * 1000));
  auto settings = kafka::parse_settings(arguments.kafka_settings);
  if (!settings) throw CLI::ValidationError("--kafka", settings.error().message);
  out.settings = std::move(*settings);
  return out;
}

}  // namespace skystream::cli
