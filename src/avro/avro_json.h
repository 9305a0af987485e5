// The Avro JSON encoding (Avro 1.11 specification, "JSON Encoding"), the text form that Avro
// tools exchange: fastavro.json_writer and json_reader, Avro C's avrocat, Java's JsonEncoder.
// It differs from the plain JSON of avro/json.h in that a value can be decoded back to the
// same binary encoding given its schema.
//
// Each type as encode writes it:
//   null            null
//   boolean         true or false
//   int, long       a JSON integer
//   float, double   a JSON number: the shortest decimal that reads back to the same double,
//                   with ".0" added to integral values; a float is first widened to double,
//                   as fastavro 1.13 and Avro C 1.11 write it (0.1f is 0.10000000149011612).
//                   NaN and the infinities are the bare tokens NaN, Infinity and -Infinity
//                   (Python's json module, and so fastavro.json_writer, writes them so), or
//                   the strings "NaN", "Infinity" and "-Infinity" with quote_non_finite
//   bytes, fixed    a string whose code points 0-255 are the bytes; bytes outside printable
//                   ASCII are written as \u00XX
//   string          a string; UTF-8 passes through, control characters are escaped
//   enum            the symbol as a string
//   record          an object of the fields in schema order
//   array           an array
//   map             an object
//   union           null for a null branch, else {"<branch>": value}, where <branch> is the
//                   full name of a record, enum or fixed and the type name ("string",
//                   "array", "map", ...) of any other type
//
// Output is compact: no spaces, no newline.
#pragma once

#include <string>
#include <string_view>

#include "avro/error.h"
#include "avro/value.h"

namespace skystream::avro {

struct AvroJsonOptions {
  // Write NaN and the infinities as strings, for JSON parsers that reject the bare tokens.
  bool quote_non_finite = false;
};

// Appends the Avro JSON encoding of `value` to `out`. Fails, naming the field path, when a
// string value or map key is not valid UTF-8, which only a Value built by hand can hold since
// the decoders reject them; `out` is then left as it was, so it never holds invalid JSON.
[[nodiscard]] Result<void> append_avro_json(const Value& value, std::string& out,
                                            AvroJsonOptions options = {});
[[nodiscard]] Result<std::string> to_avro_json(const Value& value, AvroJsonOptions options = {});

// Decodes one value of type `node` from the Avro JSON text `text`, which may have whitespace
// around it but nothing else. The returned value points into `node`'s schema.
//
// Accepts more than encode writes: record fields in any order; a missing field that has a
// default in the schema (decoded as the default, whose union defaults are for the first
// branch that fits); a union branch named by the short name of a named type (Avro C 1.11
// writes "diaObject" for "lsst.v11_0.diaObject"); NaN and the infinities as tokens or strings.
// Rejects what would not encode back to the schema: an unknown or repeated field, an int out
// of range, a number with a fraction for an int or long, a code point above 255 in bytes, a
// fixed of the wrong size, an unknown enum symbol or union branch, invalid UTF-8 or JSON.
// Errors carry the field path ("diaSource.psfFlux", "prvDiaSources[3].ra") and the byte
// offset in `text`.
[[nodiscard]] Result<Value> from_avro_json(const Node& node, std::string_view text);

}  // namespace skystream::avro
