#include "verify/alert_identity.h"

#include <fmt/format.h>

#include <algorithm>
#include <vector>

#include "avro/codec.h"
#include "avro/value.h"

namespace skystream::verify {
namespace {

// Decodes the fields of an encoded record one at a time, in schema order, so that reading can
// stop after the last field needed.
class RecordCursor {
 public:
  RecordCursor(const avro::Node& record, std::string_view body) : record_(record), body_(body) {}

  // Decodes fields up to `index` and returns that field's value; valid while the cursor lives.
  avro::Result<const avro::Value*> field(int index) {
    while (static_cast<int>(values_.size()) <= index) {
      const avro::Field& next = record_.fields[values_.size()];
      std::size_t consumed = 0;
      auto value = avro::decode(*next.type, body_.substr(position_), &consumed);
      if (!value) {
        value.error().where = value.error().where.empty()
                                  ? next.name
                                  : fmt::format("{}.{}", next.name, value.error().where);
        if (value.error().offset != std::string::npos) value.error().offset += position_;
        return std::unexpected(std::move(value.error()));
      }
      position_ += consumed;
      values_.push_back(std::move(*value));
    }
    return &values_[index];
  }

 private:
  const avro::Node& record_;
  std::string_view body_;
  std::size_t position_ = 0;
  std::vector<avro::Value> values_;
};

// The id field of the alert record: diaSourceId from schema 8.0 on, alertId before.
avro::Result<int> alert_id_index(const avro::Node& alert) {
  if (alert.type == avro::Type::kRecord) {
    for (const char* name : {"diaSourceId", "alertId"}) {
      if (const int index = alert.field_index(name); index >= 0) return index;
    }
  }
  return std::unexpected(
      avro::Error{fmt::format("schema {} has no diaSourceId or alertId field", alert.full_name), "",
                  std::string::npos});
}

// Returns the long or int field `name` of a record (or of a union on a record branch), or
// nothing when the record is null, has no such field, or the field is null.
std::optional<std::int64_t> integer_field(const avro::Value& value, std::string_view name) {
  const avro::Value& record = value.unwrapped();
  if (record.is_null() || record.type() != avro::Type::kRecord) return std::nullopt;
  const int index = record.node->field_index(name);
  if (index < 0) return std::nullopt;
  const avro::Value& field = record.children[index].unwrapped();
  if (field.type() != avro::Type::kLong && field.type() != avro::Type::kInt) return std::nullopt;
  return field.integer;
}

}  // namespace

avro::Result<std::int64_t> read_alert_id(const avro::Node& alert, std::string_view body) {
  auto index = alert_id_index(alert);
  if (!index) return std::unexpected(std::move(index.error()));
  RecordCursor cursor(alert, body);
  auto value = cursor.field(*index);
  if (!value) return std::unexpected(std::move(value.error()));
  return (*value)->unwrapped().integer;
}

avro::Result<AlertIdentity> read_alert_identity(const avro::Node& alert, std::string_view body) {
  auto id_index = alert_id_index(alert);
  if (!id_index) return std::unexpected(std::move(id_index.error()));
  RecordCursor cursor(alert, body);
  AlertIdentity identity;

  auto id = cursor.field(*id_index);
  if (!id) return std::unexpected(std::move(id.error()));
  identity.alert_id = (*id)->unwrapped().integer;

  // diaSource comes before the history arrays, so these reads stay near the start.
  if (const int index = alert.field_index("diaSource"); index >= 0) {
    auto source = cursor.field(index);
    if (!source) return std::unexpected(std::move(source.error()));
    identity.visit = integer_field(**source, "visit");
    identity.object_id = integer_field(**source, "diaObjectId");
    if (!identity.object_id) identity.object_id = integer_field(**source, "ssObjectId");
  }

  // Only an alert whose diaSource names no object needs the rest decoded.
  const std::pair<const char*, const char*> fallbacks[] = {{"diaObject", "diaObjectId"},
                                                           {"ssSource", "ssObjectId"}};
  for (const auto& [record, id_field] : fallbacks) {
    if (identity.object_id) break;
    const int index = alert.field_index(record);
    if (index < 0) continue;
    auto value = cursor.field(index);
    if (!value) return std::unexpected(std::move(value.error()));
    identity.object_id = integer_field(**value, id_field);
  }
  return identity;
}

}  // namespace skystream::verify
