// The Rubin alert schemas by version and by schema id, loaded from the lsst-alert-packet tree
// (<root>/<major>/<minor>/lsst.v<major>_<minor>.alert.avsc and its sibling files).
#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
#include <memory>
#include <mutex>
#include <string>

#include "avro/error.h"
#include "avro/schema.h"

namespace skystream::wire {

struct SchemaVersion {
  int major = 0;
  int minor = 0;
  std::int32_t id() const { return major * 100 + minor; }
  std::string to_string() const;  // "11.0"
};

// Parses "11.0" or "11"; fails on anything else.
[[nodiscard]] avro::Result<SchemaVersion> parse_schema_version(std::string_view text);

// The schema root compiled in at build time (the lsst-alert-packet package's schema folder),
// unless the environment variable SKYSTREAM_SCHEMA_ROOT names another.
std::filesystem::path default_schema_root();

// Loads schemas on first use and keeps them. Thread-safe.
class SchemaCatalog {
 public:
  explicit SchemaCatalog(std::filesystem::path root = default_schema_root());

  // The alert schema of `version`; errors name the directory or file that failed.
  [[nodiscard]] avro::Result<std::shared_ptr<const avro::Schema>> by_version(SchemaVersion version);
  // The alert schema whose Rubin schema id is `id` (1100 for 11.0); fails for an unknown id.
  [[nodiscard]] avro::Result<std::shared_ptr<const avro::Schema>> by_id(std::int32_t id);

  const std::filesystem::path& root() const { return root_; }

 private:
  std::filesystem::path root_;
  std::mutex mutex_;
  std::map<std::int32_t, std::shared_ptr<const avro::Schema>> loaded_;
};

}  // namespace skystream::wire
