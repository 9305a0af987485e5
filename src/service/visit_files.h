// Visit files, the Avro container files that `skystream send` publishes, one per visit: listing
// them, and reading the visit number and schema version from the names of files and schemas.
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string_view>
#include <vector>

#include "wire/schemas.h"

namespace skystream::service {

// Returns the *.avro files of `directory` sorted by name; throws std::runtime_error when the
// directory cannot be read or contains none.
std::vector<std::filesystem::path> list_visit_files(const std::filesystem::path& directory);

// Reads the schema version from a Rubin alert schema's full name: "lsst.v11_0.alert" is 11.0.
// Nothing for any other form.
std::optional<wire::SchemaVersion> version_from_schema_name(std::string_view full_name);

// Returns the number in a file name of the form "visit-000012.avro", or nothing.
std::optional<std::int64_t> visit_from_file_name(const std::filesystem::path& file);

}  // namespace skystream::service
