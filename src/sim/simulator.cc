#include "sim/simulator.h"

#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <numbers>
#include <optional>
#include <system_error>

#include "avro/container.h"
#include "logging.h"
#include "sim/ids.h"
#include "sim/photometry.h"

namespace skystream::sim {
namespace {

constexpr double kSecondsPerDay = 86400;

// Scatter of a diaObject's mean position around the alert's source [arcsec].
constexpr double kObjectScatterArcsec = 0.02;

// Static flux beneath a diaObject, in the template, relative to the alert's difference flux.
constexpr double kMinTemplateRatio = 0.1;
constexpr double kMaxTemplateRatio = 2.0;

// Alerts per container block when alerts carry cutouts.
constexpr std::size_t kObjectsPerLargeBlock = 100;

// Time from the end of a visit to the diaSources it yields [s].
constexpr double kMinProcessingSeconds = 30;
constexpr double kMaxProcessingSeconds = 90;

avro::Error config_error(std::string message, std::string_view value) {
  return avro::Error{std::move(message), std::string(value)};
}

std::optional<avro::Error> check_config(const SimulatorConfig& config) {
  if (config.visits < 1 || config.visits > kMaxVisitSequence) {
    return config_error(fmt::format("must be 1 to {}, not {}", kMaxVisitSequence, config.visits),
                        "visits");
  }
  if (config.alerts_per_visit < 1 || config.alerts_per_visit > kMaxAlertIndex + 1) {
    return config_error(
        fmt::format("must be 1 to {}, not {}", kMaxAlertIndex + 1, config.alerts_per_visit),
        "alerts per visit");
  }
  if (std::int64_t{config.visits} * config.alerts_per_visit > kMaxAlertsPerNight) {
    return config_error(
        fmt::format("visits times alerts per visit must be at most {}", kMaxAlertsPerNight),
        "alerts per night");
  }
  // MJD 40587 is 1970-01-01 and MJD 100000 is in 2132; ids are built for that span.
  if (!(config.start_mjd_tai >= 40587 && config.start_mjd_tai < 100000)) {
    return config_error(
        fmt::format("must be an MJD from 40587 to 100000, not {}", config.start_mjd_tai),
        "start time");
  }
  if (!(config.visit_interval_seconds > 0 && config.visit_interval_seconds < kSecondsPerDay)) {
    return config_error(fmt::format("must be more than 0 and less than a day, not {} s",
                                    config.visit_interval_seconds),
                        "visit interval");
  }
  if (!(config.solar_system_fraction >= 0 && config.solar_system_fraction <= 1)) {
    return config_error(fmt::format("must be in [0, 1], not {}", config.solar_system_fraction),
                        "solar-system fraction");
  }
  if (!(config.new_object_fraction >= 0 && config.new_object_fraction <= 1)) {
    return config_error(fmt::format("must be in [0, 1], not {}", config.new_object_fraction),
                        "new-object fraction");
  }
  if (config.history_days < 0 || config.history_days > kMaxHistoryDays) {
    return config_error(
        fmt::format("must be 0 to {} days, not {}", kMaxHistoryDays, config.history_days),
        "history days");
  }
  if (config.max_history < 1 || config.max_history > kMaxHistoryEntries) {
    return config_error(
        fmt::format("must be 1 to {}, not {}", kMaxHistoryEntries, config.max_history),
        "max history");
  }
  if (config.cutout_size != 0 &&
      (config.cutout_size < kMinCutoutSize || config.cutout_size > kMaxCutoutSize)) {
    return config_error(fmt::format("must be 0 or {} to {} pixels, not {}", kMinCutoutSize,
                                    kMaxCutoutSize, config.cutout_size),
                        "cutout size");
  }
  return std::nullopt;
}

AlertOptions alert_options(const SimulatorConfig& config) {
  AlertOptions options;
  options.history_days = config.history_days;
  options.max_history = config.max_history;
  options.cutout_size = config.cutout_size;
  options.seed = config.seed;
  return options;
}

}  // namespace

avro::Result<Simulator> Simulator::create(std::shared_ptr<const avro::Schema> schema,
                                          const SimulatorConfig& config) {
  if (auto error = check_config(config)) return std::unexpected(std::move(*error));
  return Simulator(std::move(schema), config);
}

Simulator::Simulator(std::shared_ptr<const avro::Schema> schema, const SimulatorConfig& config)
    : schema_(schema),
      config_(config),
      builder_(schema, alert_options(config)),
      day_obs_(day_obs(config.start_mjd_tai)) {}

VisitInfo Simulator::start_visit(Random& random) {
  VisitInfo info;
  info.sequence = next_sequence_++;
  info.visit = visit_id(day_obs_, info.sequence);
  info.midpoint_mjd_tai = config_.start_mjd_tai +
                          (info.sequence - 1) * (config_.visit_interval_seconds / kSecondsPerDay);

  band_ = draw_band(random, band_);
  info.band = band_;
  info.pointing = random_pointing(random);
  info.limiting_magnitude = draw_limiting_magnitude(random);
  info.processed_mjd_tai =
      info.midpoint_mjd_tai +
      random.uniform(kMinProcessingSeconds, kMaxProcessingSeconds) / kSecondsPerDay;
  return info;
}

AlertFacts Simulator::draw_alert(const VisitInfo& visit, int index, Random& random) {
  AlertFacts facts;
  SourceFacts& source = facts.source;
  source.dia_source_id = dia_source_id(visit.visit, index);
  source.visit = visit.visit;
  source.band = visit.band;
  source.midpoint_mjd_tai = visit.midpoint_mjd_tai;
  source.processed_mjd_tai = visit.processed_mjd_tai;
  facts.rotation = visit.pointing.rotation;

  // Where: a pixel of a detector, seen through the visit's pointing.
  source.detector = static_cast<int>(random.uniform_int(0, kDetectorCount - 1));
  source.x = random.uniform(0, kCcdWidthPixels);
  source.y = random.uniform(0, kCcdHeightPixels);
  source.position = pixel_to_sky(visit.pointing, source.detector, source.x, source.y);

  // How bright.
  const double magnitude = draw_magnitude(random);
  source.photometry = measure(flux_from_magnitude(magnitude), visit.limiting_magnitude, random);

  // Which object: a solar-system object, or a diaObject seen first now or earlier.
  facts.solar_system =
      builder_.supports_solar_system() && random.bernoulli(config_.solar_system_fraction);
  if (facts.solar_system) {
    const std::int64_t ordinal = solar_system_objects_++;
    const CalendarDate date = calendar_date(visit.midpoint_mjd_tai);
    facts.ss_object_id = std::int64_t{day_obs_} * kMaxAlertsPerNight + ordinal;
    facts.designation = provisional_designation(date, ordinal);
    facts.packed_designation = packed_provisional_designation(date, ordinal);
    return facts;
  }
  draw_object(facts, visit, index, random);
  return facts;
}

void Simulator::draw_object(AlertFacts& facts, const VisitInfo& visit, int index, Random& random) {
  // The object's mean position lies within a few hundredths of an arcsec of this source, and
  // a static source (a host galaxy, the star of a variable) lies beneath it in the template.
  SourceFacts& source = facts.source;
  const double dec = source.position.dec;
  const double cos_dec = std::max(std::cos(dec * std::numbers::pi / 180.0), 0.01);
  const double ra = source.position.ra + random.normal(0, kObjectScatterArcsec / 3600) / cos_dec;
  facts.object_position.ra = std::fmod(ra + 360.0, 360.0);
  facts.object_position.dec =
      std::clamp(dec + random.normal(0, kObjectScatterArcsec / 3600), -90.0, 90.0);
  const double template_ratio = random.uniform(kMinTemplateRatio, kMaxTemplateRatio);
  source.template_flux = template_ratio * source.photometry.flux;

  HistoryRequest request;
  request.night_start_mjd_tai = config_.start_mjd_tai;
  request.sequence = visit.sequence;
  request.index = index;
  request.dia_source_id = source.dia_source_id;
  request.midpoint_mjd_tai = source.midpoint_mjd_tai;
  request.band = source.band;
  request.photometry = source.photometry;
  request.template_ratio = template_ratio;
  request.new_object = random.bernoulli(config_.new_object_fraction);
  facts.object = draw_object_history(request, random);
}

VisitInfo Simulator::next_visit(const AlertSink& sink) {
  // Each visit draws from its own stream, derived from the seed and the sequence number.
  Random random(mix64(mix64(config_.seed) + static_cast<std::uint64_t>(next_sequence_)));
  VisitInfo info = start_visit(random);

  for (int index = 0; index < config_.alerts_per_visit; ++index) {
    const AlertFacts facts = draw_alert(info, index, random);
    if (facts.solar_system) ++info.solar_system_alerts;
    sink(builder_.build(facts, random));
  }
  info.alerts = config_.alerts_per_visit;
  return info;
}

std::vector<avro::Value> Simulator::next_visit(VisitInfo* info) {
  std::vector<avro::Value> alerts;
  alerts.reserve(config_.alerts_per_visit);
  const VisitInfo visit =
      next_visit([&alerts](const avro::Value& alert) { alerts.push_back(alert); });
  if (info != nullptr) *info = visit;
  return alerts;
}

std::string visit_file_name(int sequence) { return fmt::format("visit-{:06d}.avro", sequence); }

avro::Result<std::vector<VisitFile>> write_night(Simulator& simulator,
                                                 const std::filesystem::path& out_dir,
                                                 avro::Codec codec) {
  const auto log = logger("sim");

  std::error_code error;
  std::filesystem::create_directories(out_dir, error);
  if (error || !std::filesystem::is_directory(out_dir)) {
    const std::string reason = error ? error.message() : "exists and is not a directory";
    return std::unexpected(
        avro::Error{"cannot create the output directory: " + reason, out_dir.string()});
  }

  std::vector<VisitFile> files;
  while (!simulator.done()) {
    const auto start = std::chrono::steady_clock::now();
    const int sequence = simulator.next_sequence();
    VisitFile file;
    file.path = out_dir / visit_file_name(sequence);

    // The sync marker depends on the seed and the visit, so file bytes are reproducible.
    const std::uint64_t sync_seed = mix64(simulator.config().seed ^ mix64(sequence));
    auto writer = avro::ContainerWriter::create(file.path, simulator.schema(), codec, sync_seed);
    if (!writer) return std::unexpected(writer.error());
    // Alerts with cutouts take about 80 KB, so smaller blocks keep the buffer near 8 MB.
    if (simulator.config().cutout_size > 0) writer->objects_per_block = kObjectsPerLargeBlock;
    file.info =
        simulator.next_visit([&writer](const avro::Value& alert) { writer->append(alert); });
    if (auto closed = writer->close(); !closed) return std::unexpected(closed.error());

    file.bytes = std::filesystem::file_size(file.path, error);
    file.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    log->info(
        "wrote visit {} (sequence {}, band {}) to {}: {} alerts ({} solar-system), {} bytes, "
        "{:.2f} s",
        file.info.visit, sequence, file.info.band, file.path.string(), file.info.alerts,
        file.info.solar_system_alerts, file.bytes, file.seconds);
    files.push_back(std::move(file));
  }
  return files;
}

}  // namespace skystream::sim
