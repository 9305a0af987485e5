// Parsing Canonical Form and CRC-64-AVRO fingerprints (Avro 1.11 specification, "Parsing
// Canonical Form for Schemas" and "Schema Fingerprints").
//
// The Parsing Canonical Form keeps only what decoding depends on, so two schemas with the same
// form read the same bytes the same way:
//   - a primitive type is its bare name ("long", even when written with a logicalType);
//   - a named type is {"name":<full name>,"type":...} at its first use in a depth-first walk
//     and its full name, as a string, at every later use;
//   - only name, type, fields, symbols, items, values and size are kept, in that order, so doc,
//     aliases, namespace, default, order, logicalType and all other attributes are dropped;
//   - a record field is {"name":...,"type":...};
//   - there is no whitespace, integers have no leading zeros, and strings are UTF-8 with only
//     '"', '\' and control characters escaped.
//
// The CRC-64-AVRO fingerprint is the 64-bit Rabin fingerprint the specification defines by its
// reference code: the polynomial constant EMPTY = 0xc15d213aa4d7a795 is also the fingerprint of
// empty input, and each byte updates fp = (fp >> 8) ^ table[(fp ^ byte) & 0xff].
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "avro/schema.h"

namespace skystream::avro {

// The fingerprint of empty input, and the constant the CRC-64-AVRO table is built from.
inline constexpr std::uint64_t kRabinEmpty = 0xc15d213aa4d7a795ULL;

// Returns the Parsing Canonical Form of the schema rooted at `node`. The node and every node it
// reaches must stay alive for the call. Thread-safe.
std::string parsing_canonical_form(const Node& node);

// Returns the CRC-64-AVRO fingerprint of `bytes`.
std::uint64_t rabin_fingerprint(std::string_view bytes);

// Returns the CRC-64-AVRO fingerprint of the Parsing Canonical Form of `node` (or of the
// schema's root).
std::uint64_t schema_fingerprint(const Node& node);
std::uint64_t schema_fingerprint(const Schema& schema);

// Returns the 8 bytes of `fingerprint`, least significant byte first, the order in which Java's
// SchemaNormalization.fingerprint("CRC-64-AVRO", ...) and fastavro.schema.fingerprint() give it.
std::string fingerprint_bytes(std::uint64_t fingerprint);

}  // namespace skystream::avro
