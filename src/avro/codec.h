// The Avro binary encoding (Avro 1.11 specification, "Binary Encoding").
//
// Byte layout of each type:
//   null        nothing
//   boolean     one byte, 0 or 1
//   int, long   zig-zag varint: (n << 1) ^ (n >> 63), 7 bits per byte, low group first, high
//               bit set on every byte but the last; at most 5 bytes (int) or 10 bytes (long)
//   float       4 bytes, IEEE 754 binary32, little-endian
//   double      8 bytes, IEEE 754 binary64, little-endian
//   bytes,      long length, then that many bytes (UTF-8 for string)
//   string
//   fixed       exactly Node::fixed_size bytes
//   enum        int symbol index
//   record      each field in schema order, nothing between them
//   array, map  blocks: long count, then count items (map: string key, then value); a negative
//               count -c is followed by a long byte size of the block and c items; a count of
//               0 ends the value
//   union       long branch index, then the branch's value
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "avro/error.h"
#include "avro/value.h"

namespace skystream::avro {

// Decodes one value of type `node` from the start of `bytes` and stores the number of bytes it
// used in `*consumed` when `consumed` is not null. Never reads past `bytes`; rejects negative
// lengths, lengths past the end of the input, out-of-range union branches and enum symbols.
// Errors carry the field path being read and the byte offset.
[[nodiscard]] Result<Value> decode(const Node& node, std::string_view bytes,
                                   std::size_t* consumed = nullptr);

// Like decode(), but fails unless the value uses all of `bytes`.
[[nodiscard]] Result<Value> decode_exact(const Node& node, std::string_view bytes);

// Decodes like decode() into `out`, reusing the memory that `out` already has, so that
// decoding alerts one after another into the same Value allocates nothing as long as no
// array is longer and no string is longer than in the alerts before. On success `out` equals what
// decode() returns. Reused capacity: record fields, strings and bytes, array and map items up to
// the previous length, and the branch value of a union. Items past the new length, and the contents
// of a value whose type changes (a union that switches branch), are freed. On failure `out`
// contains a partly decoded value that may be destroyed or decoded into again, and the error is the
// one decode() returns. `out` must not be shared with another thread during the call.
[[nodiscard]] Result<void> decode_into(const Node& node, std::string_view bytes, Value& out,
                                       std::size_t* consumed = nullptr);

// Like decode_into(), but fails unless the value uses all of `bytes`.
[[nodiscard]] Result<void> decode_exact_into(const Node& node, std::string_view bytes, Value& out);

// Appends the encoding of `value` to `out`. Arrays and maps are written as one block (count,
// items, 0) when not empty, and as a single 0 when empty.
void encode(const Value& value, std::string& out);

// Low-level primitives, exposed for the container file reader and for tests.
void encode_long(std::int64_t n, std::string& out);

// Reads a zig-zag varint long at `bytes[*pos]` and advances `*pos`; fails on a varint that runs
// past the input or is longer than 10 bytes.
[[nodiscard]] Result<std::int64_t> decode_long(std::string_view bytes, std::size_t* pos);

}  // namespace skystream::avro
