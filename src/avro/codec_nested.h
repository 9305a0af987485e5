// Decoding a value that is part of a larger decode, for resolve_decode() and PartialDecoder,
// which hand subtrees to the full decoder. Internal to src/avro.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "avro/error.h"
#include "avro/schema.h"
#include "avro/value.h"

namespace skystream::avro::codec_detail {

// Decodes like decode_into() one value of `node` from the start of `bytes`, for a value that
// lies at nesting depth `depth` (see kMaxValueDepth) of a larger decode that already holds
// `zero_byte_values` values that take no bytes (see kMaxZeroByteValues). Adds the values of
// that kind that it decodes to `zero_byte_values`, so that the limits of reader.h hold for the
// whole decode. Error offsets count from the start of `bytes`.
[[nodiscard]] Result<void> decode_nested(const Node& node, std::string_view bytes, Value& out,
                                         std::size_t* consumed, int depth,
                                         std::uint64_t& zero_byte_values);

}  // namespace skystream::avro::codec_detail
