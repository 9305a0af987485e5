#include "sim/schema_versions.h"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <fstream>
#include <system_error>

namespace skystream::sim {
namespace {

// Parses a directory name made of digits only; -1 for anything else.
int parse_number(const std::string& name) {
  int number = -1;
  const char* end = name.data() + name.size();
  const auto [after, status] = std::from_chars(name.data(), end, number);
  return status == std::errc() && after == end ? number : -1;
}

}  // namespace

std::vector<wire::SchemaVersion> available_schema_versions(const std::filesystem::path& root) {
  std::vector<wire::SchemaVersion> versions;
  std::error_code error;
  for (const auto& major_entry : std::filesystem::directory_iterator(root, error)) {
    const int major = parse_number(major_entry.path().filename().string());
    if (major < 0 || !major_entry.is_directory(error)) continue;
    for (const auto& minor_entry : std::filesystem::directory_iterator(major_entry.path(), error)) {
      const int minor = parse_number(minor_entry.path().filename().string());
      if (minor < 0) continue;
      const auto alert_file =
          minor_entry.path() / fmt::format("lsst.v{}_{}.alert.avsc", major, minor);
      if (std::filesystem::is_regular_file(alert_file, error)) versions.push_back({major, minor});
    }
  }
  std::sort(versions.begin(), versions.end(), [](const auto& a, const auto& b) {
    return a.major != b.major ? a.major < b.major : a.minor < b.minor;
  });
  return versions;
}

std::string join_schema_versions(const std::vector<wire::SchemaVersion>& versions) {
  if (versions.empty()) return "none";
  std::string joined;
  for (const auto& version : versions) {
    if (!joined.empty()) joined += ", ";
    joined += version.to_string();
  }
  return joined;
}

std::optional<wire::SchemaVersion> latest_schema_version(const std::filesystem::path& root) {
  std::ifstream file(root / "latest.txt");
  std::string text;
  if (!(file >> text)) return std::nullopt;
  auto version = wire::parse_schema_version(text);
  if (!version) return std::nullopt;
  return *version;
}

}  // namespace skystream::sim
