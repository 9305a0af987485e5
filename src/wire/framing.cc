#include "wire/framing.h"

namespace skystream::wire {

std::string_view describe(FrameError error) {
  switch (error) {
    case FrameError::kTooShort:
      return "message shorter than the 5-byte Confluent header";
    case FrameError::kWrongMagic:
      return "wrong magic byte (expected 0, the Confluent wire format)";
  }
  return "unknown frame error";
}

std::expected<Frame, FrameError> parse_frame(std::string_view message) {
  if (message.size() < kHeaderSize) return std::unexpected(FrameError::kTooShort);
  if (message[0] != kMagicByte) return std::unexpected(FrameError::kWrongMagic);
  const auto byte = [&](std::size_t i) {
    return static_cast<std::uint32_t>(static_cast<std::uint8_t>(message[i]));
  };
  const std::uint32_t id = byte(1) << 24 | byte(2) << 16 | byte(3) << 8 | byte(4);
  return Frame{static_cast<std::int32_t>(id), message.substr(kHeaderSize)};
}

void append_header(std::int32_t schema_id, std::string& out) {
  const auto id = static_cast<std::uint32_t>(schema_id);
  out.push_back(kMagicByte);
  out.push_back(static_cast<char>(id >> 24));
  out.push_back(static_cast<char>(id >> 16));
  out.push_back(static_cast<char>(id >> 8));
  out.push_back(static_cast<char>(id));
}

}  // namespace skystream::wire
