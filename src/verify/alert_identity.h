// The ids that name an alert on Kafka, read from its encoded Avro body without decoding the
// whole alert when the schema allows.
//
// Alert id: the root field diaSourceId (Rubin schemas 8.0 and later) or alertId (1.0 to 7.0).
// Object id, the message key: diaSource.diaObjectId, else diaSource.ssObjectId, else
// diaObject.diaObjectId, else ssSource.ssObjectId, taking the first one that is set. Rubin's
// association sets diaSource.diaObjectId to the id of the alert's diaObject, so the first two,
// which come early in the alert, decide for real alerts; the others need the whole alert.
// Visit: diaSource.visit (schemas 7.0 and later), else nothing.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

#include "avro/error.h"
#include "avro/schema.h"

namespace skystream::verify {

struct AlertIdentity {
  std::int64_t alert_id = 0;
  std::optional<std::int64_t> object_id;
  std::optional<std::int64_t> visit;
};

// Reads the alert id, the visit and the object id from `body`, an alert encoded with the
// schema whose root is `alert`. Fails when the schema has no alert id field or the body is
// invalid up to the fields read.
[[nodiscard]] avro::Result<AlertIdentity> read_alert_identity(const avro::Node& alert,
                                                              std::string_view body);

// Reads only the alert id, decoding the root fields up to it.
[[nodiscard]] avro::Result<std::int64_t> read_alert_id(const avro::Node& alert,
                                                       std::string_view body);

}  // namespace skystream::verify
