// Error type of the filter language: parsing, compiling against a schema, evaluating, and
// loading filter configuration files.
#pragma once

#include <cstddef>
#include <expected>
#include <string>

namespace skystream::filter {

// A complete, human-readable message and, for errors about one spot of an expression, the
// 1-based column (in bytes) of that spot. The message already contains "at column N" where a
// column applies, so callers can print it as it is.
struct Error {
  std::string message;
  std::size_t column = 0;  // 0 when the error is not about a position in an expression
};

template <typename T>
using Result = std::expected<T, Error>;

}  // namespace skystream::filter
