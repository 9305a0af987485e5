// The Confluent wire format that carries alerts on Kafka.
//
// Layout of one message value:
//   byte 0      magic byte, always 0
//   bytes 1-4   schema id, big-endian signed 32-bit integer
//   bytes 5-    the Avro binary body
// Rubin numbers its schema ids major * 100 + minor, so schema 11.0 has id 1100.
#pragma once

#include <cstdint>
#include <expected>
#include <string>
#include <string_view>

namespace skystream::wire {

inline constexpr std::size_t kHeaderSize = 5;
inline constexpr char kMagicByte = 0;

enum class FrameError {
  kTooShort,   // fewer than 5 bytes
  kWrongMagic  // byte 0 is not 0
};

std::string_view describe(FrameError error);

struct Frame {
  std::int32_t schema_id = 0;
  std::string_view body;  // view into the message; lives as long as the message bytes
};

[[nodiscard]] std::expected<Frame, FrameError> parse_frame(std::string_view message);

// Appends the 5-byte header for `schema_id` to `out`.
void append_header(std::int32_t schema_id, std::string& out);

// Rubin's schema id for a schema version: 11.0 -> 1100.
constexpr std::int32_t schema_id(int major, int minor) { return major * 100 + minor; }

}  // namespace skystream::wire
