// Properties that the fuzz targets check on every input, shared with the regression test that
// replays saved inputs (tests/unit/avro_fuzz_regression_test.cc).
//
// Each check returns an empty string when the property is true and a description of the
// violation otherwise. Crashes, sanitizer reports and hangs are found by running the checks;
// the returned descriptions catch wrong results:
//   decode       a value that decodes re-encodes to bytes that decode to the same encoding, its
//                strings and map keys are UTF-8, and so is its plain JSON
//   decode_into  decoding into a reused Value agrees with decode(): same verdict, same error,
//                same bytes used, same re-encoding
//   projection   errors point inside the input; projected strings are UTF-8; when the input
//                decodes in full, the projection of its canonical encoding succeeds and equals
//                the values in the decoded tree
//   container    reading a container file from bytes never crashes or hangs
#pragma once

#include <fmt/format.h>

#include <cstring>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "avro/codec.h"
#include "avro/container.h"
#include "avro/json.h"
#include "avro/projection.h"
#include "avro/schema.h"
#include "avro/utf8.h"

namespace skystream::fuzz {

// The paths that the projection check reads: scalars early and late in the alert, a nullable
// record, both history arrays and the last cutout, which makes the projection read the whole
// alert.
inline const std::vector<std::string> kProjectionPaths = {
    "diaSourceId",
    "diaSource.psfFlux",
    "diaSource.snr",
    "diaSource.band",
    "diaObject.nDiaSources",
    "prvDiaSources.psfFlux",
    "prvDiaForcedSources.psfFlux",
    "ssSource.ssObjectId",
    "cutoutTemplate",
};

// Loads the Rubin 11.0 alert schema from the lsst-alert-packet package the build found.
inline std::shared_ptr<const avro::Schema> load_alert_schema() {
  auto schema =
      avro::Schema::load(std::string(SKYSTREAM_SCHEMA_ROOT) + "/11/0", "lsst.v11_0.alert");
  if (!schema) throw std::runtime_error(schema.error().to_string());
  return *schema;
}

inline std::string check_error_offset(const avro::Error& error, std::size_t size) {
  if (error.offset == std::string::npos || error.offset <= size) return {};
  return fmt::format("error offset {} past the input of {} bytes: {}", error.offset, size,
                     error.to_string());
}

// Returns a description of the first string value or map key of `value` that is not UTF-8,
// which the decoders must reject, or an empty string.
inline std::string check_utf8(const avro::Value& value) {
  if (value.type() == avro::Type::kString && !avro::utf8::is_valid(value.bytes)) {
    return "a decoded string is not UTF-8";
  }
  for (const std::string& key : value.keys) {
    if (!avro::utf8::is_valid(key)) return "a decoded map key is not UTF-8";
  }
  for (const avro::Value& child : value.children) {
    if (auto problem = check_utf8(child); !problem.empty()) return problem;
  }
  return {};
}

inline std::string check_decode(const avro::Node& root, std::string_view input) {
  auto value = avro::decode(root, input);
  if (!value) return check_error_offset(value.error(), input.size());
  if (auto problem = check_utf8(*value); !problem.empty()) return problem;
  if (!avro::utf8::is_valid(avro::to_json(*value))) return "plain JSON output is not UTF-8";
  std::string encoded;
  avro::encode(*value, encoded);
  auto again = avro::decode_exact(root, encoded);
  if (!again) return "re-encoding does not decode: " + again.error().to_string();
  std::string encoded_again;
  avro::encode(*again, encoded_again);
  if (encoded_again != encoded) return "re-encoding changes after a second decode";
  return {};
}

inline std::string check_decode_into(const avro::Node& root, std::string_view input,
                                     avro::Value& reused) {
  std::size_t used_fresh = 0;
  std::size_t used_reused = 0;
  auto fresh = avro::decode(root, input, &used_fresh);
  auto into = avro::decode_into(root, input, reused, &used_reused);
  if (fresh.has_value() != into.has_value()) return "decode and decode_into disagree";
  if (!fresh) {
    if (fresh.error().to_string() != into.error().to_string()) {
      return "errors differ: " + fresh.error().to_string() + " / " + into.error().to_string();
    }
    return {};
  }
  if (used_fresh != used_reused) return "decode and decode_into use different byte counts";
  if (auto problem = check_utf8(reused); !problem.empty()) return problem;
  std::string a;
  std::string b;
  avro::encode(*fresh, a);
  avro::encode(reused, b);
  if (a != b) return "decode and decode_into give different values";
  return {};
}

// One value at the end of a path in a decoded tree, null when a union on the way is null.
struct TreeValue {
  bool is_null = true;
  const avro::Value* value = nullptr;
};

// Walks `names` from `value` like a projection does, appending one TreeValue per value that
// the projection reports. A null inside an array item gives a null item, which matches the
// projection for paths through one array, the only kind in the alert schemas.
inline void collect_tree_values(const avro::Value& value, const std::vector<std::string>& names,
                                std::size_t step, bool through_array, bool in_array,
                                std::vector<TreeValue>& out, bool& list_null) {
  const avro::Value& v = value.unwrapped();
  if (v.type() == avro::Type::kNull) {
    if (in_array || !through_array) out.push_back({});
    if (!in_array) list_null = true;
    return;
  }
  if (v.type() == avro::Type::kArray) {
    for (const avro::Value& item : v.children) {
      collect_tree_values(item, names, step, through_array, true, out, list_null);
    }
    return;
  }
  if (step == names.size()) {
    out.push_back({false, &v});
    return;
  }
  collect_tree_values(v.field(names[step]), names, step + 1, through_array, in_array, out,
                      list_null);
}

inline bool same_projected(const avro::ProjectedValue& projected, const TreeValue& expected) {
  if (projected.is_null != expected.is_null) return false;
  if (expected.is_null) return true;
  const avro::Value& v = *expected.value;
  switch (v.type()) {
    case avro::Type::kBoolean:
      return projected.boolean == v.boolean;
    case avro::Type::kInt:
    case avro::Type::kLong:
      return projected.integer == v.integer;
    case avro::Type::kFloat:
      return std::memcmp(&projected.float32, &v.float32, 4) == 0;
    case avro::Type::kDouble:
      return std::memcmp(&projected.float64, &v.float64, 8) == 0;
    case avro::Type::kString:
    case avro::Type::kBytes:
    case avro::Type::kFixed:
      return projected.bytes == v.bytes;
    case avro::Type::kEnum:
      return projected.index == v.index;
    default:
      return true;
  }
}

inline std::string compare_projection(const avro::Projection& projection,
                                      const avro::ProjectedRecord& out, const avro::Value& tree) {
  for (std::size_t path = 0; path < projection.path_count(); ++path) {
    std::vector<std::string> names;
    const std::string& text = projection.path(path);
    for (std::size_t start = 0, dot = 0; start <= text.size(); start = dot + 1) {
      dot = std::min(text.find('.', start), text.size());
      names.push_back(text.substr(start, dot - start));
    }
    std::vector<TreeValue> expected;
    bool list_null = false;
    collect_tree_values(tree, names, 0, projection.through_array(path), false, expected, list_null);
    const auto values = out.values(path);
    if (projection.through_array(path) && out.is_null(path) != list_null) {
      return fmt::format("{}: null flag differs from the decoded tree", text);
    }
    if (values.size() != expected.size()) {
      return fmt::format("{}: {} values, the decoded tree has {}", text, values.size(),
                         expected.size());
    }
    for (std::size_t i = 0; i < values.size(); ++i) {
      if (!same_projected(values[i], expected[i])) {
        return fmt::format("{}: value {} differs from the decoded tree", text, i);
      }
    }
  }
  return {};
}

inline std::string check_projection(const avro::Node& root, const avro::Projection& projection,
                                    std::string_view input, avro::ProjectedRecord& out) {
  auto status = projection.decode(input, out);
  if (!status) {
    if (auto problem = check_error_offset(status.error(), input.size()); !problem.empty()) {
      return problem;
    }
  } else {
    for (std::size_t path = 0; path < projection.path_count(); ++path) {
      if (projection.leaf(path).type != avro::Type::kString) continue;
      for (const avro::ProjectedValue& value : out.values(path)) {
        if (!value.is_null && !avro::utf8::is_valid(value.bytes)) {
          return fmt::format("{}: a projected string is not UTF-8", projection.path(path));
        }
      }
    }
  }

  // Sized blocks may lie about their size, which a full decode ignores and a projection
  // trusts, so values are compared on the canonical encoding, which has no sized blocks.
  auto tree = avro::decode(root, input);
  if (!tree) return {};
  std::string canonical;
  avro::encode(*tree, canonical);
  auto canonical_status = projection.decode(canonical, out);
  if (!canonical_status) {
    return "projection fails on a value that decodes: " + canonical_status.error().to_string();
  }
  return compare_projection(projection, out, *tree);
}

inline std::string check_container(std::string_view input) {
  auto reader = avro::ContainerReader::from_bytes(std::string(input), "fuzz input");
  if (!reader) return {};
  for (std::string_view object : reader->objects()) {
    if (object.data() == nullptr && !object.empty()) return "object view without data";
  }
  return {};
}

}  // namespace skystream::fuzz
