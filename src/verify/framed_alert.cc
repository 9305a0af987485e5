#include "verify/framed_alert.h"

#include <fmt/format.h>

#include "avro/codec.h"
#include "verify/alert_identity.h"
#include "wire/framing.h"

namespace skystream::verify {

avro::Result<FramedAlertReader::Framed> FramedAlertReader::open(std::string_view message) {
  const auto frame = wire::parse_frame(message);
  if (!frame) {
    return std::unexpected(
        avro::Error{std::string(wire::describe(frame.error())), "", std::string::npos});
  }
  auto found = schemas_.find(frame->schema_id);
  if (found == schemas_.end()) {
    found = schemas_.emplace(frame->schema_id, catalog_.by_id(frame->schema_id)).first;
  }
  if (!found->second) return std::unexpected(found->second.error());
  return Framed{found->second->get(), frame->body};
}

avro::Result<avro::Value> FramedAlertReader::decode(std::string_view message) {
  auto framed = open(message);
  if (!framed) return std::unexpected(std::move(framed.error()));
  return avro::decode_exact(framed->schema->root(), framed->body);
}

avro::Result<std::int64_t> FramedAlertReader::read_alert_id(std::string_view message) {
  auto framed = open(message);
  if (!framed) return std::unexpected(std::move(framed.error()));
  return verify::read_alert_id(framed->schema->root(), framed->body);
}

avro::Result<void> FramedAlertReader::check_frame(std::string_view message) {
  auto framed = open(message);
  if (!framed) return std::unexpected(std::move(framed.error()));
  return {};
}

std::string describe_body_error(const avro::Error& error) {
  std::string text = error.where;
  if (error.offset != std::string::npos) {
    if (!text.empty()) text += " at ";
    text += fmt::format("body byte {}", error.offset);
  }
  if (!text.empty()) text += ": ";
  return text + error.message;
}

void InvalidMessageLog::record(std::string_view topic, std::int32_t partition, std::int64_t offset,
                               const avro::Error& error) {
  ++count_;
  if (count_ <= kLogged) {
    log_->warn("invalid message at topic {} partition {} offset {}: {}", topic, partition, offset,
               describe_body_error(error));
  }
  if (count_ == kLogged) {
    log_->warn("{} invalid messages logged; further ones are only counted", kLogged);
  }
}

}  // namespace skystream::verify
