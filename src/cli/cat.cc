// skystream cat: print the alerts in files as JSON lines, or check that every record decodes.
// cat_input.h reads the files by format, and cat_output.h formats the records.

#include <fmt/format.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <cerrno>
#include <iostream>
#include <memory>
#include <string>
#include <vector>

#include "cli/cat_input.h"
#include "cli/cat_output.h"
#include "cli/commands.h"
#include "cli/output.h"
#include "logging.h"
#include "verify/plural.h"
#include "wire/schemas.h"

namespace skystream::cli {
namespace {

// Exit statuses (docs/cat.md): errors, invalid options (mapped in main.cc from CLI11's codes),
// and blocks skipped under --skip-corrupt with no other error.
constexpr int kFailure = 1;
constexpr int kSkippedBlocks = 3;

struct CatOptions {
  std::vector<std::string> files;
  bool avro_json = false;
  bool quote_non_finite = false;
  std::string fields;              // comma-separated paths
  bool fields_given = false;       // whether --fields was given, perhaps as ""
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

  // Reads one file as a stream: its first bytes tell the format, and its records are printed
  // as they are read.
  void read(const std::string& path) {
    const std::size_t records_before = records_;
    const std::size_t errors_before = errors_;
    const std::size_t skipped_before = skipped_blocks_;
    auto input = avro::BufferedInput::open(path);
    if (!input) {
      error(input.error().to_string());
      return;
    }
    const std::string name = input->name();
    auto head = input->peek(kFormatBytes);
    if (!head) {
      error(head.error().to_string());
      return;
    }

    const InputFormat format = detect_format(*head, bare_schema_ != nullptr);
    switch (format) {
      case InputFormat::kContainer:
        read_container(std::move(*input), options_.skip_corrupt || options_.validate, *this);
        break;
      case InputFormat::kBare:
      case InputFormat::kFramed:
        read_packets(*input, format == InputFormat::kFramed, bare_schema_, catalog_, *this);
        break;
      case InputFormat::kUnknown:
        error(unknown_format_message(name, *head));
        return;
    }
    if (skipped_blocks_ > skipped_before) ++files_with_skips_;
    if (options_.files.size() > 1) {
      const std::size_t skipped = skipped_blocks_ - skipped_before;
      log_->info("{}: {}, {}, {}{}", name, format_name(format),
                 verify::count_of(static_cast<std::int64_t>(records_ - records_before), "record"),
                 verify::count_of(static_cast<std::int64_t>(errors_ - errors_before), "error"),
                 skipped > 0
                     ? ", " + verify::count_of(static_cast<std::int64_t>(skipped), "skipped block")
                     : "");
    }
  }

  // Prints the count of --validate and the summary of skipped blocks, checks that standard
  // output took everything, and fails with the exit status of what was found.
  void finish() {
    if (options_.validate) {
      write(fmt::format("{} valid {}, {}\n", records_, records_ == 1 ? "record" : "records",
                        verify::count_of(static_cast<std::int64_t>(errors_), "error")));
    }
    if (auto failure = stdout_failure()) output_failed(*failure);
    if (skipped_blocks_ > 0) {
      log_->warn("skipped {} ({}) in {}; the records they held were not {}{}",
                 verify::count_of(static_cast<std::int64_t>(skipped_blocks_), "corrupt block"),
                 verify::count_of(static_cast<std::int64_t>(skipped_bytes_), "byte"),
                 verify::count_of(static_cast<std::int64_t>(files_with_skips_), "file"),
                 options_.validate ? "counted" : "printed",
                 errors_ > 0 ? "" : fmt::format(" (exit status {})", kSkippedBlocks));
    }
    if (errors_ > 0) throw CLI::RuntimeError(kFailure);
    if (skipped_blocks_ > 0) throw CLI::RuntimeError(kSkippedBlocks);
  }

  // Errors go to standard output under --validate, which prints nothing else, and to the log
  // otherwise.
  void error(const std::string& message) override {
    ++errors_;
    if (options_.validate) {
      write(message + '\n');
    } else {
      log_->error("{}", message);
    }
  }

  void skipped_block(const avro::SkippedBlock& block, const std::string& message) override {
    ++skipped_blocks_;
    skipped_bytes_ += block.size;
    if (options_.validate) {
      error(message);
    } else {
      log_->warn("{}", message);
    }
  }

  // Prints one record, or under --validate only counts it. Returns false when --fields does not
  // resolve against the schema of a container file or of bare bodies, which ends the reading of
  // the file; a framed packet whose schema lacks a field is reported, and reading goes on.
  bool record(const avro::Value& value, const std::shared_ptr<const avro::Schema>& schema,
              const RecordPlace& place) override {
    if (options_.validate) {
      ++records_;
      return true;
    }
    line_.clear();
    if (!formatter_.selects_fields()) {
      if (auto status = formatter_.append(value, line_); !status) {
        error(fmt::format("{} at byte {}: record {}: {}", place.path, place.offset, place.index,
                          status.error().to_string()));
        return true;
      }
    } else {
      auto selections = formatter_.selections_for(schema);
      if (!selections) {
        if (place.framed) {
          error(fmt::format("{} at byte {}: packet {} (schema {}): {}", place.path, place.offset,
                            place.index, schema->root().full_name, selections.error().message));
          return true;
        }
        error(fmt::format("{}: {}", place.path, selections.error().message));
        return false;
      }
      if (auto status = formatter_.append_fields(value, **selections, line_); !status) {
        error(fmt::format("{} at byte {}: record {}: {}", place.path, place.offset, place.index,
                          status.error().to_string()));
        return true;
      }
    }
    ++records_;
    line_.push_back('\n');
    write(line_);
    return true;
  }

 private:
  // Writes to standard output, and stops cat as soon as a write fails.
  void write(std::string_view text) {
    errno = 0;
    std::cout.write(text.data(), static_cast<std::streamsize>(text.size()));
    if (!std::cout.good()) output_failed(stdout_failure(errno).value_or("write error"));
  }

  [[noreturn]] void output_failed(const std::string& reason) {
    log_->error("cannot write standard output: {}; the output is incomplete", reason);
    mark_stdout_failure_reported();
    throw CLI::RuntimeError(kFailure);
  }

  const CatOptions& options_;
  wire::SchemaCatalog catalog_;
  RecordFormatter formatter_;
  std::shared_ptr<spdlog::logger> log_;
  std::shared_ptr<const avro::Schema> bare_schema_;
  std::string line_;
  std::size_t records_ = 0;
  std::size_t errors_ = 0;
  std::size_t skipped_blocks_ = 0;
  std::uint64_t skipped_bytes_ = 0;
  std::size_t files_with_skips_ = 0;
};

// Splits --fields at commas into options.paths, and rejects an empty list, an empty path or
// step, and a path given twice, whose key would repeat in the JSON object.
void parse_fields(CatOptions& options) {
  if (!options.fields_given) return;
  const std::string& fields = options.fields;
  if (fields.empty()) {
    throw CLI::ValidationError("--fields",
                               "is empty; give one or more comma-separated field paths, such as "
                               "diaSourceId,diaSource.psfFlux");
  }
  for (std::size_t start = 0; start <= fields.size();) {
    const std::size_t comma = std::min(fields.find(',', start), fields.size());
    std::string path = fields.substr(start, comma - start);
    if (path.empty() || path.front() == '.' || path.back() == '.' ||
        path.find("..") != std::string::npos) {
      throw CLI::ValidationError(
          "--fields",
          fmt::format("\"{}\" holds an empty {}; paths are field names joined by dots "
                      "and separated by commas",
                      fields, path.empty() ? "path" : "field name in \"" + path + "\""));
    }
    if (std::find(options.paths.begin(), options.paths.end(), path) != options.paths.end()) {
      throw CLI::ValidationError("--fields",
                                 fmt::format("\"{}\" names \"{}\" twice", fields, path));
    }
    options.paths.push_back(std::move(path));
    start = comma + 1;
  }
}

void run_cat(CatOptions& options) {
  parse_fields(options);
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

  command->add_option("files", options->files, "Files to read, in order; - is standard input")
      ->required();
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
                          "array gives a list. Each path may be named once");
  command
      ->add_flag("--validate", options->validate,
                 "Decode every record and print only the errors and the count; exit 1 on any "
                 "error")
      ->excludes(fields)
      ->excludes(avro_json);
  command->add_flag("--skip-corrupt", options->skip_corrupt,
                    "Skip corrupt container blocks with a warning and go on after the next sync "
                    "marker; exit 3 when a block was skipped and nothing else failed");
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

  command->footer(
      "Exit status: 0 every file was read (and under --validate every record decoded); 1 an "
      "error: a missing or unreadable file, a file of unknown format, a corrupt block or packet, "
      "a record that does not decode, a --fields path that a schema lacks, or standard output "
      "that cannot be written; 2 invalid options; 3 under --skip-corrupt, corrupt blocks were "
      "skipped (their records are missing) and there was no other error.");

  command->callback([options, fields] {
    options->fields_given = fields->count() > 0;
    run_cat(*options);
  });
}

}  // namespace skystream::cli
