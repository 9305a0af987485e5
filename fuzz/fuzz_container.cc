// libFuzzer target: reading arbitrary bytes as an Avro container file.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>

#include "fuzz_checks.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  const std::string problem = skystream::fuzz::check_container(input);
  if (!problem.empty()) {
    std::fprintf(stderr, "container check failed: %s\n", problem.c_str());
    std::abort();
  }
  return 0;
}
