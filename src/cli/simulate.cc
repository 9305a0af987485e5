// skystream simulate: writes a simulated night of alerts, one Avro container file per visit.

#include <fmt/format.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <charconv>
#include <chrono>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>

#include "avro/container.h"
#include "cli/commands.h"
#include "logging.h"
#include "sim/schema_versions.h"
#include "sim/simulator.h"
#include "verify/plural.h"
#include "wire/schemas.h"

namespace skystream::cli {
namespace {

struct SimulateOptions {
  std::string schema_version;  // empty: the schema root's latest.txt
  std::string schema_root;
  std::filesystem::path out;
  std::string codec{avro::codec_name(sim::kVisitFileCodec)};
  sim::SimulatorConfig config;
};

// Exit status of a failed simulation.
constexpr int kFailure = 1;

[[noreturn]] void fail() { throw CLI::RuntimeError(kFailure); }

// Returns the version to simulate: the requested one, else the schema root's latest. Logs and
// fails unless that version exists under the schema root.
wire::SchemaVersion resolve_version(const SimulateOptions& options) {
  const auto log = logger("sim");
  const std::filesystem::path root = options.schema_root;
  const auto available = sim::available_schema_versions(root);

  wire::SchemaVersion version;
  if (options.schema_version.empty()) {
    const auto latest = sim::latest_schema_version(root);
    if (!latest) {
      log->error(
          "no --schema-version given and {} names no version; pass --schema-version "
          "with one of the available versions: {}",
          (root / "latest.txt").string(), sim::join_schema_versions(available));
      fail();
    }
    version = *latest;
  } else {
    auto parsed = wire::parse_schema_version(options.schema_version);
    if (!parsed) {
      log->error("{}", parsed.error().to_string());
      fail();
    }
    version = *parsed;
  }

  const bool found = std::any_of(available.begin(), available.end(),
                                 [&](const auto& known) { return known.id() == version.id(); });
  if (!found) {
    log->error(
        "schema version {} not found under {}; available versions: {} (--schema-root "
        "selects another schema tree)",
        version.to_string(), root.string(), sim::join_schema_versions(available));
    fail();
  }
  return version;
}

void run_simulate(const SimulateOptions& options) {
  const auto log = logger("sim");

  // Schema and simulator.
  const wire::SchemaVersion version = resolve_version(options);
  wire::SchemaCatalog catalog(options.schema_root);
  auto schema = catalog.by_version(version);
  if (!schema) {
    log->error("cannot load schema version {}: {}", version.to_string(),
               schema.error().to_string());
    fail();
  }
  auto simulator = sim::Simulator::create(*schema, options.config);
  if (!simulator) {
    log->error("invalid {}: {}", simulator.error().where, simulator.error().message);
    fail();
  }

  auto codec = avro::parse_codec(options.codec);
  if (!codec) {
    log->error("invalid --codec {}: use null, deflate, snappy or zstandard", options.codec);
    fail();
  }

  // The night.
  const auto& config = options.config;
  log->info("simulating {} of {} with schema {} and seed {} into {}",
            verify::count_of(config.visits, "visit"),
            verify::count_of(config.alerts_per_visit, "alert"), version.to_string(), config.seed,
            options.out.string());
  const auto start = std::chrono::steady_clock::now();
  auto files = sim::write_night(*simulator, options.out, *codec);
  if (!files) {
    log->error("simulation failed: {}", files.error().to_string());
    fail();
  }

  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::uintmax_t bytes = 0;
  std::int64_t alerts = 0;
  for (const auto& file : *files) {
    bytes += file.bytes;
    alerts += file.info.alerts;
  }
  log->info("wrote {} in {}, {}, in {:.2f} s ({:.0f} alerts/s)", verify::count_of(alerts, "alert"),
            verify::count_of(static_cast<std::int64_t>(files->size()), "visit file"),
            verify::count_of(static_cast<std::int64_t>(bytes), "byte"), seconds,
            seconds > 0 ? alerts / seconds : 0.0);
}

// Returns an empty string when `text` is a cutout size that the simulator accepts, else why not.
std::string check_cutout_size(const std::string& text) {
  int size = -1;
  const auto [end, status] = std::from_chars(text.data(), text.data() + text.size(), size);
  const bool valid = status == std::errc() && end == text.data() + text.size() &&
                     (size == 0 || (size >= sim::kMinCutoutSize && size <= sim::kMaxCutoutSize));
  if (valid) return {};
  return fmt::format("must be 0 or {} to {} pixels, not {}", sim::kMinCutoutSize,
                     sim::kMaxCutoutSize, text);
}

}  // namespace

void add_simulate_command(CLI::App& app) {
  auto options = std::make_shared<SimulateOptions>();
  options->schema_root = wire::default_schema_root().string();
  CLI::App* command = app.add_subcommand(
      "simulate", "Simulate a night of alerts, written as one Avro container file per visit");

  command->add_option("--schema-version", options->schema_version,
                      "Rubin alert schema version, such as 11.0 (default: the version in the "
                      "schema root's latest.txt)");
  command->add_option("--visits", options->config.visits, "Number of visits, 1-99999")
      ->capture_default_str();
  command
      ->add_option("--alerts-per-visit", options->config.alerts_per_visit,
                   "Alerts in each visit, 1-1000000")
      ->capture_default_str();
  command
      ->add_option("--seed", options->config.seed,
                   "Seed of the random numbers; the same seed gives the same files")
      ->capture_default_str();
  command
      ->add_option("--out", options->out,
                   "Directory for the visit files visit-NNNNNN.avro, created when missing")
      ->required();
  command
      ->add_option("--schema-root", options->schema_root,
                   "Folder of the Rubin schemas, laid out as lsst-alert-packet ships them")
      ->capture_default_str();
  command
      ->add_option("--start-mjd", options->config.start_mjd_tai,
                   "Mid-exposure time of the first visit, MJD TAI")
      ->capture_default_str();
  command
      ->add_option("--visit-interval", options->config.visit_interval_seconds,
                   "Time between visits, in seconds")
      ->capture_default_str();
  command
      ->add_option("--solar-system-fraction", options->config.solar_system_fraction,
                   "Share of alerts on solar-system objects, 0-1")
      ->capture_default_str();
  command
      ->add_option("--codec", options->codec,
                   "Codec of the visit files: null, deflate, snappy or zstandard")
      ->capture_default_str();
  command
      ->add_option("--history-days", options->config.history_days,
                   "Days of earlier detections and forced photometry that an alert carries, "
                   "0-365; 0 leaves prvDiaSources and prvDiaForcedSources null")
      ->capture_default_str()
      ->check(CLI::Range(0, sim::kMaxHistoryDays));
  command
      ->add_option("--max-history", options->config.max_history,
                   "Maximum number of entries in each history array, the most recent kept")
      ->capture_default_str()
      ->check(CLI::Range(1, sim::kMaxHistoryEntries));
  command
      ->add_option("--cutout-size", options->config.cutout_size,
                   "Side of the three FITS image cutouts in pixels, 8-256; 0 leaves the cutouts "
                   "null")
      ->capture_default_str()
      ->check(CLI::Validator(check_cutout_size, "0 or 8-256"));

  command->callback([options] { run_simulate(*options); });
}

}  // namespace skystream::cli
