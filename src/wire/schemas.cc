#include "wire/schemas.h"

#include <fmt/format.h>

#include <charconv>
#include <cstdlib>

namespace skystream::wire {

std::string SchemaVersion::to_string() const { return fmt::format("{}.{}", major, minor); }

avro::Result<SchemaVersion> parse_schema_version(std::string_view text) {
  SchemaVersion version;
  const char* end = text.data() + text.size();
  auto [after_major, major_status] = std::from_chars(text.data(), end, version.major);
  const char* after = after_major;
  if (major_status == std::errc() && after != end && *after == '.') {
    auto [after_minor, minor_status] = std::from_chars(after + 1, end, version.minor);
    after = minor_status == std::errc() ? after_minor : nullptr;
  }
  if (major_status != std::errc() || after != end || version.major <= 0 || version.minor < 0 ||
      version.minor > 99) {
    return std::unexpected(avro::Error{
        fmt::format("invalid schema version \"{}\" (expected MAJOR.MINOR, such as 11.0)", text), "",
        std::string::npos});
  }
  return version;
}

std::filesystem::path default_schema_root() {
  if (const char* root = std::getenv("SKYSTREAM_SCHEMA_ROOT"); root && *root) return root;
  return SKYSTREAM_DEFAULT_SCHEMA_ROOT;
}

SchemaCatalog::SchemaCatalog(std::filesystem::path root) : root_(std::move(root)) {}

avro::Result<std::shared_ptr<const avro::Schema>> SchemaCatalog::by_version(SchemaVersion version) {
  std::lock_guard lock(mutex_);
  if (auto it = loaded_.find(version.id()); it != loaded_.end()) return it->second;

  const auto directory = root_ / std::to_string(version.major) / std::to_string(version.minor);
  std::error_code status;
  if (!std::filesystem::is_directory(directory, status)) {
    return std::unexpected(
        avro::Error{fmt::format("no schema version {} (directory not found)", version.to_string()),
                    directory.string(), std::string::npos});
  }
  const std::string root_name = fmt::format("lsst.v{}_{}.alert", version.major, version.minor);
  auto schema = avro::Schema::load(directory, root_name);
  if (!schema) return schema;
  loaded_.emplace(version.id(), *schema);
  return schema;
}

avro::Result<std::shared_ptr<const avro::Schema>> SchemaCatalog::by_id(std::int32_t id) {
  if (id <= 0) {
    return std::unexpected(
        avro::Error{fmt::format("unknown schema id {}", id), "", std::string::npos});
  }
  auto schema = by_version(SchemaVersion{id / 100, id % 100});
  if (!schema) {
    schema.error().message = fmt::format("unknown schema id {}: {}", id, schema.error().message);
  }
  return schema;
}

}  // namespace skystream::wire
