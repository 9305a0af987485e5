// skystream cat: print the alerts in files as JSON lines, or check that every record decodes.
//
// Input formats, recognized by their first bytes:
//   container  an Avro Object Container File ("Obj" 0x01), such as a visit file
//   framed     one or more Confluent-framed packets back to back, each byte 0 = 0, bytes 1-4 =
//              schema id (big-endian), then the Avro body. The schema comes from the Rubin
//              schema id, and each body's length from decoding it
//   bare       only with --schema-version or --schema-dir, which make every file that is not
//              a container file one or more Avro bodies back to back with no framing, as the
//              2018 prototype packets were written
// Packets carry no length, so a packet that does not decode ends the reading of its file.

#include <fmt/format.h>

#include <CLI/CLI.hpp>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <memory>
#include <span>
#include <sstream>
#include <string>
#include <vector>

#include "avro/avro_json.h"
#include "avro/codec.h"
#include "avro/container.h"
#include "avro/json.h"
#include "cli/commands.h"
#include "logging.h"
#include "wire/framing.h"
#include "wire/schemas.h"

namespace skystream::cli {
namespace {

namespace fs = std::filesystem;

constexpr int kFailure = 1;
constexpr std::string_view kContainerMagic{"Obj\x01", 4};

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

// A --fields path resolved against one schema: the record field index of each step.
struct FieldSelection {
  std::string text;
  std::vector<int> fields;
};

// Strips unions of one non-null branch and arrays from `node` and returns the type that the
// next step of a path looks into. Returns nullptr for a union of several non-null branches.
const avro::Node* step_into(const avro::Node* node) {
  while (node->type == avro::Type::kUnion || node->type == avro::Type::kArray) {
    if (node->type == avro::Type::kArray) {
      node = node->items;
      continue;
    }
    const avro::Node* chosen = nullptr;
    for (const avro::Node* branch : node->branches) {
      if (branch->type == avro::Type::kNull) continue;
      if (chosen != nullptr) return nullptr;
      chosen = branch;
    }
    if (chosen == nullptr) return node;
    node = chosen;
  }
  return node;
}

// Resolves a dotted path such as "diaSource.psfFlux" or "prvDiaSources.psfFlux" against the
// record `root`. Steps may pass through unions with one non-null branch and through arrays.
avro::Result<FieldSelection> resolve_field(const avro::Node& root, std::string_view text) {
  FieldSelection selection{std::string(text), {}};
  const avro::Node* node = &root;
  std::size_t start = 0;
  while (start <= text.size()) {
    const std::size_t dot = std::min(text.find('.', start), text.size());
    const std::string_view name = text.substr(start, dot - start);
    const std::string_view prefix = text.substr(0, start == 0 ? 0 : start - 1);
    node = step_into(node);
    if (node == nullptr || node->type != avro::Type::kRecord) {
      return std::unexpected(avro::Error{
          fmt::format("invalid --fields path \"{}\": \"{}\" is not a record or a nullable record",
                      text, prefix)});
    }
    const int index = node->field_index(name);
    if (index < 0) {
      return std::unexpected(
          avro::Error{fmt::format("invalid --fields path \"{}\": record {} has no field \"{}\"",
                                  text, node->full_name, name)});
    }
    selection.fields.push_back(index);
    node = node->fields[static_cast<std::size_t>(index)].type;
    start = dot + 1;
  }
  return selection;
}

// Reads the whole file; fails with a message that names the file.
avro::Result<std::string> read_file(const std::string& path) {
  std::error_code status;
  if (!fs::exists(path, status)) return std::unexpected(avro::Error{"file not found", path});
  if (fs::is_directory(path, status)) return std::unexpected(avro::Error{"is a directory", path});
  std::ifstream in(path, std::ios::binary);
  if (!in.is_open()) {
    return std::unexpected(avro::Error{fmt::format("cannot open: {}", std::strerror(errno)), path});
  }
  std::stringstream bytes;
  bytes << in.rdbuf();
  if (in.bad()) return std::unexpected(avro::Error{"read failed", path});
  return std::move(bytes).str();
}

class Cat {
 public:
  explicit Cat(const CatOptions& options)
      : options_(options), catalog_(options.schema_root), log_(logger("cat")) {}

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
      report(bytes.error().to_string());
      return;
    }

    std::string_view format;
    if (std::string_view(*bytes).starts_with(kContainerMagic)) {
      format = "container file";
      read_container(path, std::move(*bytes));
    } else if (bare_schema_) {
      format = "bare Avro bodies";
      read_packets(path, *bytes, false);
    } else if (bytes->size() >= wire::kHeaderSize && bytes->front() == wire::kMagicByte) {
      format = "framed packets";
      read_packets(path, *bytes, true);
    } else {
      report(unknown_format(path, *bytes));
      return;
    }
    if (options_.files.size() > 1) {
      log_->info("{}: {}, {} records, {} errors", path, format, records_ - records_before,
                 errors_ - errors_before);
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

 private:
  static std::string unknown_format(const std::string& path, std::string_view bytes) {
    if (bytes.empty()) return fmt::format("{}: unknown format: the file is empty", path);
    return fmt::format(
        "{}: unknown format: not an Avro container file (no \"Obj\\x01\" magic) and not a "
        "Confluent-framed packet (byte 0 is 0x{:02x}, not 0). For Avro bodies without framing, "
        "give --schema-version, or --schema-dir and --schema-name.",
        path, static_cast<unsigned char>(bytes.front()));
  }

  // Errors go to standard output under --validate, which prints nothing else, and to the log
  // otherwise.
  void report(const std::string& message) {
    ++errors_;
    if (options_.validate) {
      std::cout << message << '\n';
    } else {
      log_->error("{}", message);
    }
  }

  void read_container(const std::string& path, std::string bytes) {
    const bool skip = options_.skip_corrupt || options_.validate;
    auto reader =
        avro::ContainerReader::from_bytes(std::move(bytes), path, {.skip_corrupt_blocks = skip});
    if (!reader) {
      report(reader.error().to_string());
      return;
    }
    for (const avro::SkippedBlock& block : reader->skipped()) {
      const std::string message = fmt::format("{} (skipped {} bytes through the next sync marker)",
                                              block.error.to_string(), block.size);
      if (options_.validate) {
        report(message);
      } else {
        log_->warn("{}", message);
      }
    }
    for (std::size_t i = 0; i < reader->objects().size(); ++i) {
      auto value = avro::decode_exact(reader->schema()->root(), reader->objects()[i]);
      if (!value) {
        report(fmt::format("{}: record {}: {}", path, i, value.error().to_string()));
        continue;
      }
      if (!handle(*value, reader->schema(), path, i)) return;
    }
  }

  void read_packets(const std::string& path, std::string_view bytes, bool framed) {
    std::size_t position = 0;
    for (std::size_t index = 0; position < bytes.size(); ++index) {
      std::shared_ptr<const avro::Schema> schema = bare_schema_;
      std::size_t body = position;
      if (framed) {
        auto frame = wire::parse_frame(bytes.substr(position));
        if (!frame) {
          report(fmt::format("{} at byte {}: packet {}: {}", path, position, index,
                             wire::describe(frame.error())));
          return;
        }
        auto by_id = catalog_.by_id(frame->schema_id);
        if (!by_id) {
          report(fmt::format("{} at byte {}: packet {}: {} in the schema root {}", path, position,
                             index, by_id.error().message, catalog_.root().string()));
          return;
        }
        schema = *by_id;
        body += wire::kHeaderSize;
      }

      std::size_t used = 0;
      auto value = avro::decode(schema->root(), bytes.substr(body), &used);
      if (!value) {
        const avro::Error& cause = value.error();
        const std::string field = cause.where.empty() ? "" : " at " + cause.where;
        report(fmt::format("{} at byte {}: record {}{}: {}", path, body + cause.offset, index,
                           field, cause.message));
        return;
      }
      if (used == 0) {
        report(
            fmt::format("{}: schema {} encodes records in 0 bytes, so packets cannot be told "
                        "apart",
                        path, schema->root().full_name));
        return;
      }
      if (!handle(*value, schema, path, index)) return;
      position = body + used;
    }
  }

  // Prints one record, or under --validate only counts it. Returns false when --fields does not
  // resolve against the record's schema, which ends the reading of the file.
  bool handle(const avro::Value& value, const std::shared_ptr<const avro::Schema>& schema,
              const std::string& path, std::size_t index) {
    if (options_.validate) {
      ++records_;
      return true;
    }
    line_.clear();
    if (options_.paths.empty()) {
      if (auto status = append(value, line_); !status) {
        report(fmt::format("{}: record {}: {}", path, index, status.error().to_string()));
        return true;
      }
    } else {
      auto selections = selections_for(schema);
      if (!selections) {
        report(fmt::format("{}: {}", path, selections.error().message));
        return false;
      }
      if (auto status = append_fields(value, **selections); !status) {
        report(fmt::format("{}: record {}: {}", path, index, status.error().to_string()));
        return true;
      }
    }
    ++records_;
    line_.push_back('\n');
    std::cout.write(line_.data(), static_cast<std::streamsize>(line_.size()));
    return true;
  }

  avro::Result<void> append(const avro::Value& value, std::string& out) const {
    if (!options_.avro_json) {
      avro::append_json(value, out);
      return {};
    }
    return avro::append_avro_json(value, out, {.quote_non_finite = options_.quote_non_finite});
  }

  // NOTE: the selected fields are read from the fully decoded record, not with the projection
  // decoder of avro/projection.h. Both readers here decode every record in full to find where
  // it ends, so a projection would save nothing, and the walk prints leaves of any type.
  avro::Result<void> append_fields(const avro::Value& value,
                                   const std::vector<FieldSelection>& selections) {
    line_.push_back('{');
    for (const FieldSelection& selection : selections) {
      if (line_.size() > 1) line_.push_back(',');
      line_ += fmt::format("\"{}\":", selection.text);
      if (auto status = append_selected(value, selection.fields, line_); !status) return status;
    }
    line_.push_back('}');
    return {};
  }

  // Resolves --fields against `schema` once and keeps the result.
  avro::Result<const std::vector<FieldSelection>*> selections_for(
      const std::shared_ptr<const avro::Schema>& schema) {
    auto [entry, inserted] = selections_.try_emplace(schema, std::vector<FieldSelection>{});
    if (inserted) {
      for (const std::string& path : options_.paths) {
        auto selection = resolve_field(schema->root(), path);
        if (!selection) {
          entry->second = std::unexpected(selection.error());
          break;
        }
        entry->second->push_back(std::move(*selection));
      }
    }
    if (!entry->second) return std::unexpected(entry->second.error());
    return &*entry->second;
  }

  // Appends the value at the end of `steps`: null when a union on the way is null, and a JSON
  // array of the values below each item when the way passes through an array.
  avro::Result<void> append_selected(const avro::Value& value, std::span<const int> steps,
                                     std::string& out) const {
    if (steps.empty()) return append(value, out);
    const avro::Value& inner = value.unwrapped();
    if (inner.type() == avro::Type::kNull) {
      out += "null";
      return {};
    }
    if (inner.type() == avro::Type::kArray) {
      out.push_back('[');
      for (std::size_t i = 0; i < inner.children.size(); ++i) {
        if (i > 0) out.push_back(',');
        if (auto status = append_selected(inner.children[i], steps, out); !status) return status;
      }
      out.push_back(']');
      return {};
    }
    return append_selected(inner.children[static_cast<std::size_t>(steps.front())],
                           steps.subspan(1), out);
  }

  const CatOptions& options_;
  wire::SchemaCatalog catalog_;
  std::shared_ptr<spdlog::logger> log_;
  std::shared_ptr<const avro::Schema> bare_schema_;
  // Resolved --fields per schema; the key keeps each schema alive while its entry exists.
  std::map<std::shared_ptr<const avro::Schema>, avro::Result<std::vector<FieldSelection>>>
      selections_;
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
