// Error type shared by the Avro layer: schema parsing, decoding, container files.
#pragma once

#include <cstddef>
#include <expected>
#include <string>

namespace skystream::avro {

// What went wrong and where. `where` is a file name, a field path such as
// "alert.diaSource.psfFlux", or empty; `offset` is a byte offset into the input when the error
// comes from bytes, or std::string::npos.
struct Error {
  std::string message;
  std::string where;
  std::size_t offset = std::string::npos;

  // Formats as "<where> at byte <offset>: <message>", leaving out the parts that are unset.
  std::string to_string() const;
};

template <typename T>
using Result = std::expected<T, Error>;

}  // namespace skystream::avro
