// libFuzzer target: projection of the campaign paths from arbitrary bytes as a Rubin 11.0
// alert, into one ProjectedRecord reused across inputs, compared with a full decode.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>

#include "fuzz_checks.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using skystream::avro::Projection;
  static const auto schema = skystream::fuzz::load_alert_schema();
  static const Projection projection = [] {
    auto compiled = Projection::compile(schema->root(), skystream::fuzz::kProjectionPaths);
    if (!compiled) std::abort();
    return *compiled;
  }();
  static skystream::avro::ProjectedRecord out;
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  const std::string problem =
      skystream::fuzz::check_projection(schema->root(), projection, input, out);
  if (!problem.empty()) {
    std::fprintf(stderr, "projection check failed: %s\n", problem.c_str());
    std::abort();
  }
  return 0;
}
