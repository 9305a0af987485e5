// Alert ids and message keys read from encoded alerts of the Rubin schemas, built from each
// schema's zero value with chosen ids set.

#include <gtest/gtest.h>

#include <string>

#include "avro/codec.h"
#include "avro/value.h"
#include "verify/alert_identity.h"
#include "wire/schemas.h"

namespace skystream::verify {
namespace {

std::shared_ptr<const avro::Schema> schema_of(int major, int minor) {
  wire::SchemaCatalog catalog(SKYSTREAM_SCHEMA_ROOT);
  auto schema = catalog.by_version(wire::SchemaVersion{major, minor});
  if (!schema) throw std::runtime_error(schema.error().to_string());
  return *schema;
}

// A schema 11.0 alert with diaSourceId 1001 on visit 77 and nothing else set.
avro::Value alert_11_0(const avro::Schema& schema) {
  avro::Value alert = avro::Value::zero(schema.root());
  alert.field("diaSourceId").integer = 1001;
  alert.field("diaSource").field("diaSourceId").integer = 1001;
  alert.field("diaSource").field("visit").integer = 77;
  return alert;
}

std::string encoded(const avro::Value& value) {
  std::string out;
  avro::encode(value, out);
  return out;
}

TEST(AlertIdentity, ObjectFromDiaSource) {
  const auto schema = schema_of(11, 0);
  avro::Value alert = alert_11_0(*schema);
  alert.field("diaSource").field("diaObjectId").select_type(avro::Type::kLong).integer = 42;

  auto identity = read_alert_identity(schema->root(), encoded(alert));
  ASSERT_TRUE(identity) << identity.error().to_string();
  EXPECT_EQ(identity->alert_id, 1001);
  EXPECT_EQ(identity->visit, 77);
  EXPECT_EQ(identity->object_id, 42);
}

TEST(AlertIdentity, SolarSystemObjectFromDiaSource) {
  const auto schema = schema_of(11, 0);
  avro::Value alert = alert_11_0(*schema);
  alert.field("diaSource").field("ssObjectId").select_type(avro::Type::kLong).integer = 555;

  auto identity = read_alert_identity(schema->root(), encoded(alert));
  ASSERT_TRUE(identity) << identity.error().to_string();
  EXPECT_EQ(identity->object_id, 555);
}

TEST(AlertIdentity, ObjectFromDiaObjectRecord) {
  const auto schema = schema_of(11, 0);
  avro::Value alert = alert_11_0(*schema);
  alert.field("diaObject").select_type(avro::Type::kRecord).field("diaObjectId").integer = 43;

  auto identity = read_alert_identity(schema->root(), encoded(alert));
  ASSERT_TRUE(identity) << identity.error().to_string();
  EXPECT_EQ(identity->object_id, 43);
}

TEST(AlertIdentity, ObjectFromSsSourceRecord) {
  const auto schema = schema_of(11, 0);
  avro::Value alert = alert_11_0(*schema);
  alert.field("ssSource").select_type(avro::Type::kRecord).field("ssObjectId").integer = 556;

  auto identity = read_alert_identity(schema->root(), encoded(alert));
  ASSERT_TRUE(identity) << identity.error().to_string();
  EXPECT_EQ(identity->object_id, 556);
}

TEST(AlertIdentity, NoObjectGivesNoKey) {
  const auto schema = schema_of(11, 0);
  auto identity = read_alert_identity(schema->root(), encoded(alert_11_0(*schema)));
  ASSERT_TRUE(identity) << identity.error().to_string();
  EXPECT_FALSE(identity->object_id.has_value());
}

// The fields after diaSource are not read when diaSource names the object: a body cut right
// after diaSource still gives the identity.
TEST(AlertIdentity, StopsReadingAfterDiaSource) {
  const auto schema = schema_of(11, 0);
  avro::Value alert = alert_11_0(*schema);
  alert.field("diaSource").field("diaObjectId").select_type(avro::Type::kLong).integer = 42;
  std::string prefix;
  for (const char* name : {"diaSourceId", "observation_reason", "target_name", "diaSource"}) {
    avro::encode(alert.field(name), prefix);
  }
  ASSERT_LT(prefix.size(), encoded(alert).size());

  auto identity = read_alert_identity(schema->root(), prefix);
  ASSERT_TRUE(identity) << identity.error().to_string();
  EXPECT_EQ(identity->object_id, 42);
}

TEST(AlertIdentity, TruncatedBodyFails) {
  const auto schema = schema_of(11, 0);
  const std::string body = encoded(alert_11_0(*schema));
  auto identity = read_alert_identity(schema->root(), body.substr(0, 20));
  EXPECT_FALSE(identity);
}

TEST(AlertIdentity, AlertIdReadFromFirstField) {
  const auto schema = schema_of(11, 0);
  const std::string body = encoded(alert_11_0(*schema));
  // diaSourceId 1001 is the zig-zag varint e4 0f (2002 = 0x7d2); nothing after it is needed.
  auto alert_id = read_alert_id(schema->root(), body.substr(0, 2));
  ASSERT_TRUE(alert_id) << alert_id.error().to_string();
  EXPECT_EQ(*alert_id, 1001);
}

TEST(AlertIdentity, OlderSchemaUsesAlertId) {
  const auto schema = schema_of(7, 0);
  avro::Value alert = avro::Value::zero(schema->root());
  alert.field("alertId").integer = 31;
  alert.field("diaSource").field("diaObjectId").select_type(avro::Type::kLong).integer = 9;

  auto identity = read_alert_identity(schema->root(), encoded(alert));
  ASSERT_TRUE(identity) << identity.error().to_string();
  EXPECT_EQ(identity->alert_id, 31);
  EXPECT_EQ(identity->object_id, 9);
}

TEST(AlertIdentity, SchemaWithoutIdFieldFails) {
  auto schema = avro::Schema::parse(
      R"({"type":"record","name":"other","fields":[{"name":"x","type":"long"}]})");
  ASSERT_TRUE(schema);
  auto identity = read_alert_identity((*schema)->root(), std::string(1, '\0'));
  ASSERT_FALSE(identity);
  EXPECT_NE(identity.error().message.find("no diaSourceId or alertId"), std::string::npos);
}

}  // namespace
}  // namespace skystream::verify
