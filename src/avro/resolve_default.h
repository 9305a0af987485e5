// Reader field defaults for schema resolution: the JSON default of a field converted to a Value
// of the field's type, following the Avro 1.11 rules that resolve.h lists.
#pragma once

#include <nlohmann/json.hpp>
#include <string>

#include "avro/error.h"
#include "avro/schema.h"
#include "avro/value.h"

namespace skystream::avro::resolve_detail {

// Converts the JSON default `json_value` into a Value of `node`. A union default is a value of
// the first branch; a bytes or fixed default is a string whose code points U+0000 to U+00FF are
// the bytes; a record default without some field takes that field's own default. Errors name
// the default (abbreviated) and the type it does not fit; `where` is left empty for the caller.
// `depth` counts the nesting so far, and nesting deeper than kMaxValueDepth fails.
[[nodiscard]] Result<Value> value_from_json(const Node& node, const nlohmann::json& json_value,
                                            int depth);

// Returns the JSON text of `value`, cut to 60 characters, for errors.
std::string abbreviated(const nlohmann::json& value);

}  // namespace skystream::avro::resolve_detail
