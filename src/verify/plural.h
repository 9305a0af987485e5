// Counts in log lines and reports, with the noun in the singular or the plural.
#pragma once

#include <fmt/format.h>

#include <cstdint>
#include <string>
#include <string_view>

namespace skystream::verify {

// Formats "1 visit", "2 visits", "0 visits". The plural adds "s", which fits the nouns used
// here (alert, visit, message, delivery report) but not every English noun.
inline std::string count_of(std::int64_t count, std::string_view noun) {
  return fmt::format("{} {}{}", count, noun, count == 1 ? "" : "s");
}

}  // namespace skystream::verify
