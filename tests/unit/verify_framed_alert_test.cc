// Framed alerts read back from Kafka messages: the byte offsets in their errors count from the
// start of the Avro body, after the 5-byte header, whichever reader found the error.

#include <gtest/gtest.h>

#include <string>

#include "avro/codec.h"
#include "avro/value.h"
#include "verify/framed_alert.h"
#include "wire/schemas.h"

namespace skystream::verify {
namespace {

// Magic byte 0, then schema id 1100 (0x0000044c) big-endian.
const std::string kHeader11_0("\x00\x00\x00\x04\x4c", 5);

// diaSourceId, the first field, as a varint whose continuation bit promises a byte that never
// comes. Both readers report body byte 0, where the varint starts.
TEST(FramedAlert, TruncatedIdOffsetAfterHeader) {
  wire::SchemaCatalog catalog(SKYSTREAM_SCHEMA_ROOT);
  FramedAlertReader reader(catalog);
  const std::string message = kHeader11_0 + "\x80";

  auto alert_id = reader.read_alert_id(message);
  ASSERT_FALSE(alert_id);
  auto decoded = reader.decode(message);
  ASSERT_FALSE(decoded);
  EXPECT_EQ(decoded.error().offset, alert_id.error().offset);
  EXPECT_EQ(decoded.error().offset, 0u);  // where the varint starts
}

// A whole schema 11.0 alert and one byte more: decoding stops at the extra byte, whose body
// offset is the size of the encoded alert.
TEST(FramedAlert, TrailingByteOffsetIsBodySize) {
  wire::SchemaCatalog catalog(SKYSTREAM_SCHEMA_ROOT);
  auto schema = catalog.by_version(wire::SchemaVersion{11, 0});
  ASSERT_TRUE(schema) << schema.error().to_string();
  std::string body;
  avro::encode(avro::Value::zero((*schema)->root()), body);
  FramedAlertReader reader(catalog);

  auto decoded = reader.decode(kHeader11_0 + body + "x");
  ASSERT_FALSE(decoded);
  EXPECT_EQ(decoded.error().offset, body.size());
}

TEST(FramedAlert, ErrorDescribedWithBodyByte) {
  const avro::Error error{"varint runs past the end of the input", "diaSourceId", 0};
  EXPECT_EQ(describe_body_error(error),
            "diaSourceId at body byte 0: varint runs past the end of the input");
}

TEST(FramedAlert, FrameErrorHasNoOffset) {
  const avro::Error error{"wrong magic byte", "", std::string::npos};
  EXPECT_EQ(describe_body_error(error), "wrong magic byte");
}

}  // namespace
}  // namespace skystream::verify
