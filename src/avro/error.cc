#include "avro/error.h"

#include <fmt/format.h>

namespace skystream::avro {

std::string Error::to_string() const {
  std::string text;
  if (!where.empty()) text = where;
  if (offset != std::string::npos) {
    text += text.empty() ? fmt::format("byte {}", offset) : fmt::format(" at byte {}", offset);
  }
  if (!text.empty()) text += ": ";
  text += message;
  return text;
}

}  // namespace skystream::avro
