// Schemas and alert values shared by the filter tests.
#pragma once

#include <gtest/gtest.h>

#include <memory>
#include <stdexcept>
#include <string>

#include "avro/schema.h"
#include "avro/value.h"

namespace skystream::filter::testing {

// Loads the official Rubin alert schema of version major.0 (lsst.v<major>_0.alert) from the
// lsst-alert-packet package.
inline std::shared_ptr<const avro::Schema> load_rubin_schema(int major) {
  std::string directory = std::string(SKYSTREAM_SCHEMA_ROOT) + "/" + std::to_string(major) + "/0";
  std::string root = "lsst.v" + std::to_string(major) + "_0.alert";
  auto schema = avro::Schema::load(directory, root);
  if (!schema) throw std::runtime_error(schema.error().to_string());
  return *schema;
}

inline std::shared_ptr<const avro::Schema> parse_schema(std::string_view json) {
  auto schema = avro::Schema::parse(json, "test");
  if (!schema) throw std::runtime_error(schema.error().to_string());
  return *schema;
}

// Puts the nullable union `field` of `record` on its branch of type `type` and returns that
// branch's value.
inline avro::Value& set_non_null(avro::Value& record, std::string_view field, avro::Type type) {
  return record.field(field).select_type(type);
}

// Puts a union on its null branch.
inline void set_null(avro::Value& record, std::string_view field) {
  record.field(field).select_type(avro::Type::kNull);
}

}  // namespace skystream::filter::testing
