// libFuzzer target: decode_into() of arbitrary bytes as a Rubin 11.0 alert, into one Value
// reused across inputs, compared with decode().
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>

#include "fuzz_checks.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const auto schema = skystream::fuzz::load_alert_schema();
  static skystream::avro::Value reused;
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  const std::string problem = skystream::fuzz::check_decode_into(schema->root(), input, reused);
  if (!problem.empty()) {
    std::fprintf(stderr, "decode_into check failed: %s\n", problem.c_str());
    std::abort();
  }
  return 0;
}
