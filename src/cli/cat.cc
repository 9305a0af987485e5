// skystream cat: print the alerts in files as JSON lines, or check that every record decodes.
// cat_input.h reads the files by format, and cat_output.h formats the records.

#include <fmt/format.h>

#include <CLI/CLI.hpp>
#include <iostream>
#include <memory>
#include <string>
#include <vector>

#include "cli/cat_input.h"
#include "cli/cat_output.h"
#include "cli/commands.h"
#include "logging.h"
#include "wire/schemas.h"

namespace skystream::cli {
namespace {

constexpr int kFailure = 1;

struct CatOptions {
  std::vector<std::string> files;
  bool avro_json = false;
  bool quote_non_finite = false;
  std::string fields;              // comma-separated paths
  std::vector<std::string> paths;  // `fields` split at commas
  bool validate = false;
  bool skip_corrupt = false;
  // The schema of bare bodies: a Rubin version, or a directory of .avsc files and the full
  // name of the root type. Without either, files must be container files or framed packets.
  std::string schema_version;
  std::string schema_dir;
  std::string schema_name;
  std::string schema_root;
};

// Reads the files of one cat command, prints their records and counts records and errors.
class Cat final : public RecordSink {
 public:
  explicit Cat(const CatOptions& options)
      : options_(options),
        catalog_(options.schema_root),
        formatter_({.avro_json = options.avro_json,
                    .quote_non_finite = options.quote_non_finite,
                    .paths = options.paths}),
        log_(logger("cat")) {}

  // Loads the schema of bare bodies, if one is given; logs and fails when it does not load.
  void load_bare_schema() {
    if (!options_.schema_dir.empty()) {
      auto schema = avro::Schema::load(options_.schema_dir, options_.schema_name);
      if (!schema) {
        log_->error("cannot load --schema-dir {}: {}", options_.schema_dir,
                    schema.error().to_string());
        throw CLI::RuntimeError(kFailure);
      }
      bare_schema_ = *schema;
      return;
    }
    if (options_.schema_version.empty()) return;
    auto version = wire::parse_schema_version(options_.schema_version);
    if (!version) {
      log_->error("--schema-version: {}", version.error().to_string());
      throw CLI::RuntimeError(kFailure);
    }
    auto schema = catalog_.by_version(*version);
    if (!schema) {
      log_->error(
          "cannot load schema version {}: {}. Give --schema-root for another schema tree, or "
          "--schema-dir and --schema-name for a schema laid out otherwise.",
          options_.schema_version, schema.error().to_string());
      throw CLI::RuntimeError(kFailure);
    }
    bare_schema_ = *schema;
  }

  void read(const std::string& path) {
    const std::size_t records_before = records_;
    const std::size_t errors_before = errors_;
    auto bytes = read_file(path);
    if (!bytes) {
      error(bytes.error().to_string());
      return;
    }

    const InputFormat format = detect_format(*bytes, bare_schema_ != nullptr);
    switch (format) {
      case InputFormat::kContainer:
        read_container(path, std::move(*bytes), options_.skip_corrupt || options_.validate, *this);
        break;
      case InputFormat::kBare:
      case InputFormat::kFramed:
        read_packets(path, *bytes, format == InputFormat::kFramed, bare_schema_, catalog_, *this);
        break;
      case InputFormat::kUnknown:
        error(unknown_format_message(path, *bytes));
        return;
    }
    if (options_.files.size() > 1) {
      log_->info("{}: {}, {} records, {} errors", path, format_name(format),
                 records_ - records_before, errors_ - errors_before);
    }
  }

  // Prints the count and the errors of --validate; fails when there were errors.
  void finish() {
    if (options_.validate) {
      std::cout << fmt::format("{} valid record{}, {} error{}\n", records_,
                               records_ == 1 ? "" : "s", errors_, errors_ == 1 ? "" : "s");
    }
    std::cout.flush();
    if (errors_ > 0) throw CLI::RuntimeError(kFailure);
  }

  // Errors go to standard output under --validate, which prints nothing else, and to the log
  // otherwise.
  void error(const std::string& message) override {
    ++errors_;
    if (options_.validate) {
      std::cout << message << '\n';
    } else {
      log_->error("{}", message);
    }
  }

  void skipped_block(const std::string& message) override {
    if (options_.validate) {
      error(message);
    } else {
      log_->warn("{}", message);
    }
  }

  // Prints one record, or under --validate only counts it. Returns false when --fields does not
  // resolve against the record's schema, which ends the reading of the file.
  bool record(const avro::Value& value, const std::shared_ptr<const avro::Schema>& schema,
              const std::string& path, std::size_t index) override {
    if (options_.validate) {
      ++records_;
      return true;
    }
    line_.clear();
    if (!formatter_.selects_fields()) {
      if (auto status = formatter_.append(value, line_); !status) {
        error(fmt::format("{}: record {}: {}", path, index, status.error().to_string()));
        return true;
      }
    } else {
      auto selections = formatter_.selections_for(schema);
      if (!selections) {
        error(fmt::format("{}: {}", path, selections.error().message));
        return false;
      }
      if (auto status = formatter_.append_fields(value, **selections, line_); !status) {
        error(fmt::format("{}: record {}: {}", path, index, status.error().to_string()));
        return true;
      }
    }
    ++records_;
    line_.push_back('\n');
    std::cout.write(line_.data(), static_cast<std::streamsize>(line_.size()));
    return true;
  }

 private:
  const CatOptions& options_;
  wire::SchemaCatalog catalog_;
  RecordFormatter formatter_;
  std::shared_ptr<spdlog::logger> log_;
  std::shared_ptr<const avro::Schema> bare_schema_;
  std::string line_;
  std::size_t records_ = 0;
  std::size_t errors_ = 0;
};

void run_cat(CatOptions& options) {
  for (std::size_t start = 0; !options.fields.empty() && start <= options.fields.size();) {
    const std::size_t comma = std::min(options.fields.find(',', start), options.fields.size());
    options.paths.push_back(options.fields.substr(start, comma - start));
    start = comma + 1;
  }
  Cat cat(options);
  cat.load_bare_schema();
  for (const std::string& path : options.files) cat.read(path);
  cat.finish();
}

}  // namespace

void add_cat_command(CLI::App& app) {
  auto options = std::make_shared<CatOptions>();
  options->schema_root = wire::default_schema_root().string();
  CLI::App* command = app.add_subcommand(
      "cat",
      "Print the alerts of Avro container files and files of framed or bare Avro packets as "
      "JSON lines, one line per alert");

  command->add_option("files", options->files, "Files to read, in order")->required();
  auto* avro_json = command->add_flag(
      "--avro-json", options->avro_json,
      "Write the Avro JSON encoding (unions as {\"branch\": value}, bytes as code points 0-255) "
      "in place of plain JSON");
  command
      ->add_flag("--quote-non-finite", options->quote_non_finite,
                 "With --avro-json, write NaN and the infinities as strings, for JSON parsers that "
                 "reject the bare tokens")
      ->needs(avro_json);
  auto* fields =
      command->add_option("--fields", options->fields,
                          "Print only these comma-separated fields, as an object keyed by "
                          "path, such as diaSource.psfFlux,diaObject.ra. A path through an "
                          "array gives a list");
  command
      ->add_flag("--validate", options->validate,
                 "Decode every record and print only the errors and the count; exit 1 on any "
                 "error")
      ->excludes(fields)
      ->excludes(avro_json);
  command->add_flag("--skip-corrupt", options->skip_corrupt,
                    "Skip corrupt container blocks with a warning and go on after the next sync "
                    "marker");
  auto* version =
      command->add_option("--schema-version", options->schema_version,
                          "Read files that are not container files as Avro bodies without "
                          "framing, of this Rubin schema version (such as 11.0)");
  auto* directory =
      command
          ->add_option("--schema-dir", options->schema_dir,
                       "Read files that are not container files as Avro bodies without framing, "
                       "of a schema loaded from this directory of .avsc files")
          ->excludes(version);
  auto* name = command
                   ->add_option("--schema-name", options->schema_name,
                                "Full name of the root type in --schema-dir, such as lsst.alert")
                   ->needs(directory);
  directory->needs(name);
  command
      ->add_option("--schema-root", options->schema_root,
                   "Folder of the Rubin schemas (<root>/<major>/<minor>/), for framed packets and "
                   "--schema-version")
      ->capture_default_str();

  command->callback([options] { run_cat(*options); });
}

}  // namespace skystream::cli
