// The Rubin alert schema versions present in a schema tree laid out as lsst-alert-packet ships
// it: <root>/<major>/<minor>/lsst.v<major>_<minor>.alert.avsc, and <root>/latest.txt.
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "wire/schemas.h"

namespace skystream::sim {

// Returns the versions whose alert schema file exists under `root`, in ascending order; an
// empty list when `root` is missing or holds none.
std::vector<wire::SchemaVersion> available_schema_versions(const std::filesystem::path& root);

// Returns the versions as "3.0, 4.0, ..., 11.0", or "none".
std::string join_schema_versions(const std::vector<wire::SchemaVersion>& versions);

// Returns the version named in <root>/latest.txt, or nothing when the file is missing or does
// not hold a version.
std::optional<wire::SchemaVersion> latest_schema_version(const std::filesystem::path& root);

}  // namespace skystream::sim
