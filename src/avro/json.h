// Renders decoded values as plain JSON, the way people and scripts read alerts.
//
// Unions are written as their chosen branch's value (no {"type": value} wrapper), records as
// objects in field order, maps as objects, enums as their symbol, bytes and fixed as base64
// strings, floats and doubles in the shortest form that reads back to the same number, and
// NaN and infinities as the strings "NaN", "Infinity" and "-Infinity". The output is always
// valid JSON in UTF-8: a string or map key that is not UTF-8, which only a Value built by hand
// can hold since the decoders reject them, has each ill-formed sequence written as U+FFFD.
#pragma once

#include <string>

#include "avro/value.h"

namespace skystream::avro {

void append_json(const Value& value, std::string& out);
std::string to_json(const Value& value);

}  // namespace skystream::avro
