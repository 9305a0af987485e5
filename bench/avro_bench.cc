// skystream_bench: builds benchmark input files and times the Avro codec on them.
//
//   skystream_bench realistic --sample FILE --stamps DIR --alerts N --out FILE
//       Writes a container file of N copies of a realistic 11.0 alert (see realistic_alert.h).
//   skystream_bench measure --file FILE [--repetitions R] [--bodies-out FILE]
//       Times projected decode, full decode and encode over every alert of a container file
//       and prints one JSON line per operation. --bodies-out writes the alert bodies for
//       fastavro_bench.py, each as a 4-byte little-endian length and the body.
//
// Every timing is the best of R passes over all alerts, which keeps the passes that other
// processes slowed down out of the result.

#include <fmt/format.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <string>
#include <vector>

#include "avro/codec.h"
#include "avro/container.h"
#include "avro/projection.h"
#include "realistic_alert.h"

namespace skystream::bench {
namespace {

namespace fs = std::filesystem;

// Alerts whose decoded values are cycled through by the encode benchmark, so that memory
// stays small for 80 KB alerts.
constexpr std::size_t kEncodeSetSize = 100;

[[noreturn]] void fail(const std::string& message) {
  fmt::print(stderr, "skystream_bench: {}\n", message);
  std::exit(EXIT_FAILURE);
}

// Runs `pass` `repetitions` times and returns the shortest time in seconds.
double best_of(int repetitions, const std::function<void()>& pass) {
  double best = 1e300;
  for (int i = 0; i < repetitions; ++i) {
    const auto start = std::chrono::steady_clock::now();
    pass();
    const auto stop = std::chrono::steady_clock::now();
    best = std::min(best, std::chrono::duration<double>(stop - start).count());
  }
  return best;
}

void print_result(std::string_view operation, std::size_t alerts, std::size_t bytes, double seconds,
                  double checksum) {
  fmt::print(
      "{{\"tool\": \"skystream\", \"operation\": \"{}\", \"alerts\": {}, \"bytes\": {}, "
      "\"seconds\": {:.6f}, \"checksum\": {}}}\n",
      operation, alerts, bytes, seconds, checksum);
}

void write_bodies(const std::vector<std::string_view>& bodies, const fs::path& path) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  for (std::string_view body : bodies) {
    const auto size = static_cast<std::uint32_t>(body.size());
    const char length[4] = {static_cast<char>(size), static_cast<char>(size >> 8),
                            static_cast<char>(size >> 16), static_cast<char>(size >> 24)};
    out.write(length, 4);
    out.write(body.data(), static_cast<std::streamsize>(body.size()));
  }
  if (!out) fail("cannot write " + path.string());
}

void measure_projection(const avro::Node& root, const std::vector<std::string_view>& bodies,
                        std::size_t bytes, int repetitions) {
  auto projection = avro::Projection::compile(root, {"diaSource.snr", "diaSource.psfFlux"});
  if (!projection) fail(projection.error().to_string());
  avro::ProjectedRecord out;
  double checksum = 0;
  const double seconds = best_of(repetitions, [&] {
    checksum = 0;
    for (std::string_view body : bodies) {
      if (!projection->decode(body, out)) fail("projection failed");
      checksum += out.value(0).float32 + out.value(1).float32;
    }
  });
  print_result("projected_decode", bodies.size(), bytes, seconds, checksum);
}

void measure_full_decode(const avro::Node& root, const std::vector<std::string_view>& bodies,
                         std::size_t bytes, int repetitions) {
  double checksum = 0;
  double seconds = best_of(repetitions, [&] {
    checksum = 0;
    for (std::string_view body : bodies) {
      auto value = avro::decode_exact(root, body);
      if (!value) fail(value.error().to_string());
      checksum += static_cast<double>(value->children.size());
    }
  });
  print_result("full_decode", bodies.size(), bytes, seconds, checksum);

  avro::Value reused;
  seconds = best_of(repetitions, [&] {
    checksum = 0;
    for (std::string_view body : bodies) {
      if (!avro::decode_exact_into(root, body, reused)) fail("decode_into failed");
      checksum += static_cast<double>(reused.children.size());
    }
  });
  print_result("full_decode_into", bodies.size(), bytes, seconds, checksum);
}

void measure_encode(const avro::Node& root, const std::vector<std::string_view>& bodies,
                    int repetitions) {
  const std::size_t set_size = std::min(kEncodeSetSize, bodies.size());
  std::vector<avro::Value> values(set_size);
  for (std::size_t i = 0; i < set_size; ++i) {
    if (!avro::decode_exact_into(root, bodies[i], values[i])) fail("decode failed");
  }
  std::string out;
  double checksum = 0;
  const double seconds = best_of(repetitions, [&] {
    checksum = 0;
    for (std::size_t i = 0; i < bodies.size(); ++i) {
      out.clear();
      avro::encode(values[i % set_size], out);
      checksum += static_cast<double>(out.size());
    }
  });
  print_result("encode", bodies.size(), static_cast<std::size_t>(checksum), seconds, checksum);
}

void run_measure(const fs::path& file, int repetitions, const fs::path& bodies_out) {
  auto reader = avro::ContainerReader::open(file);
  if (!reader) fail(reader.error().to_string());
  const auto& bodies = reader->objects();
  if (bodies.empty()) fail(file.string() + " contains no alerts");
  std::size_t bytes = 0;
  for (std::string_view body : bodies) bytes += body.size();
  if (!bodies_out.empty()) write_bodies(bodies, bodies_out);

  const avro::Node& root = reader->schema()->root();
  measure_projection(root, bodies, bytes, repetitions);
  measure_full_decode(root, bodies, bytes, repetitions);
  measure_encode(root, bodies, repetitions);
}

void run_realistic(const fs::path& sample_file, const fs::path& stamps_dir, int alerts,
                   const fs::path& out_file) {
  auto reader = avro::ContainerReader::open(sample_file);
  if (!reader) fail(reader.error().to_string());
  auto sample = avro::decode_exact(reader->schema()->root(), reader->objects().front());
  if (!sample) fail(sample.error().to_string());

  RealisticAlertOptions options;
  for (const auto& entry : fs::directory_iterator(stamps_dir)) {
    if (entry.path().extension() == ".fits") options.stamps.push_back(entry.path());
  }
  std::sort(options.stamps.begin(), options.stamps.end());
  auto alert = build_realistic_alert(*sample, options);
  if (!alert) fail(alert.error().to_string());
  std::string body;
  avro::encode(*alert, body);

  auto writer = avro::ContainerWriter::create(out_file, reader->schema(), avro::Codec::kNull);
  if (!writer) fail(writer.error().to_string());
  writer->objects_per_block = 100;
  for (int i = 0; i < alerts; ++i) writer->append_encoded(body);
  if (auto closed = writer->close(); !closed) fail(closed.error().to_string());
  fmt::print("wrote {} alerts of {} bytes to {}\n", alerts, body.size(), out_file.string());
}

}  // namespace
}  // namespace skystream::bench

int main(int argc, char** argv) {
  namespace fs = std::filesystem;
  CLI::App app{"Builds benchmark inputs and times skystream's Avro codec"};
  app.require_subcommand(1);

  fs::path sample, stamps, out, file, bodies_out;
  int alerts = 10000;
  int repetitions = 5;
  CLI::App* realistic = app.add_subcommand("realistic", "Write N copies of a realistic alert");
  realistic->add_option("--sample", sample, "Official 11.0 sample container file")->required();
  realistic->add_option("--stamps", stamps, "Folder of FITS stamps for the cutouts")->required();
  realistic->add_option("--alerts", alerts, "Number of alerts to write")->capture_default_str();
  realistic->add_option("--out", out, "Container file to write")->required();
  realistic->callback([&] { skystream::bench::run_realistic(sample, stamps, alerts, out); });

  CLI::App* measure = app.add_subcommand("measure", "Time the codec on a container file");
  measure->add_option("--file", file, "Container file of alerts")->required();
  measure->add_option("--repetitions", repetitions, "Passes per operation; the best is kept")
      ->capture_default_str();
  measure->add_option("--bodies-out", bodies_out,
                      "Write the alert bodies here, each with a 4-byte little-endian length");
  measure->callback([&] { skystream::bench::run_measure(file, repetitions, bodies_out); });

  CLI11_PARSE(app, argc, argv);
  return EXIT_SUCCESS;
}
