#include "sim/simulator.h"

#include <fmt/format.h>

#include <chrono>
#include <cmath>
#include <optional>
#include <system_error>

#include "avro/container.h"
#include "logging.h"
#include "sim/ids.h"
#include "sim/photometry.h"

namespace skystream::sim {
namespace {

constexpr double kSecondsPerDay = 86400;

// Objects seen before: their earliest source lies up to a year back, which is as far as
// Rubin's alert history reaches, and they have kMeanEarlierSources earlier sources on average.
constexpr double kMaxObjectAgeDays = 365;
constexpr double kMeanEarlierSources = 20;
constexpr int kMaxDiaSources = 1000;

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
  return std::nullopt;
}

}  // namespace

avro::Result<Simulator> Simulator::create(std::shared_ptr<const avro::Schema> schema,
                                          const SimulatorConfig& config) {
  if (auto error = check_config(config)) return std::unexpected(std::move(*error));
  return Simulator(std::move(schema), config);
}

Simulator::Simulator(std::shared_ptr<const avro::Schema> schema, const SimulatorConfig& config)
    : schema_(schema), config_(config), builder_(schema), day_obs_(day_obs(config.start_mjd_tai)) {}

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
  facts.dia_source_id = dia_source_id(visit.visit, index);
  facts.visit = visit.visit;
  facts.band = visit.band;
  facts.midpoint_mjd_tai = visit.midpoint_mjd_tai;
  facts.processed_mjd_tai = visit.processed_mjd_tai;

  // Where: a pixel of a detector, seen through the visit's pointing.
  facts.detector = static_cast<int>(random.uniform_int(0, kDetectorCount - 1));
  facts.x = random.uniform(0, kCcdWidthPixels);
  facts.y = random.uniform(0, kCcdHeightPixels);
  facts.position = pixel_to_sky(visit.pointing, facts.detector, facts.x, facts.y);

  // How bright.
  const double magnitude = draw_magnitude(random);
  facts.photometry = measure(flux_from_magnitude(magnitude), visit.limiting_magnitude, random);

  // Which object: a solar-system object, or a diaObject seen first now or earlier.
  facts.solar_system =
      builder_.supports_solar_system() && random.bernoulli(config_.solar_system_fraction);
  if (facts.solar_system) {
    const std::int64_t ordinal = solar_system_objects_++;
    const CalendarDate date = calendar_date(visit.midpoint_mjd_tai);
    facts.ss_object_id = std::int64_t{day_obs_} * kMaxAlertsPerNight + ordinal;
    facts.designation = provisional_designation(date, ordinal);
    facts.packed_designation = packed_provisional_designation(date, ordinal);
  } else if (random.bernoulli(config_.new_object_fraction)) {
    facts.dia_object_id = facts.dia_source_id;
    facts.n_dia_sources = 1;
    facts.first_dia_source_mjd_tai = visit.midpoint_mjd_tai;
  } else {
    // The object's id is the diaSourceId of its first source, on an earlier night. Reusing this
    // alert's sequence number and index keeps the ids unique within the simulated night.
    const std::int64_t earlier = 1 + random.geometric(1.0 / kMeanEarlierSources);
    facts.n_dia_sources = static_cast<int>(std::min<std::int64_t>(1 + earlier, kMaxDiaSources));
    facts.first_dia_source_mjd_tai = visit.midpoint_mjd_tai - random.uniform(1, kMaxObjectAgeDays);
    const std::int64_t first_visit =
        visit_id(day_obs(facts.first_dia_source_mjd_tai), visit.sequence);
    facts.dia_object_id = dia_source_id(first_visit, index);
  }
  return facts;
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
                                                 const std::filesystem::path& out_dir) {
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
    auto writer = avro::ContainerWriter::create(file.path, simulator.schema(),
                                                avro::Codec::kDeflate, sync_seed);
    if (!writer) return std::unexpected(writer.error());
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
