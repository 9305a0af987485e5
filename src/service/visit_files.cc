#include "service/visit_files.h"

#include <fmt/format.h>

#include <algorithm>
#include <regex>
#include <stdexcept>
#include <string>

namespace skystream::service {

namespace fs = std::filesystem;

std::vector<fs::path> list_visit_files(const fs::path& directory) {
  std::error_code status;
  fs::directory_iterator entries(directory, status);
  if (status) {
    throw std::runtime_error(
        fmt::format("cannot read directory {}: {}", directory.string(), status.message()));
  }
  std::vector<fs::path> files;
  for (const fs::directory_entry& entry : entries) {
    if (entry.is_regular_file() && entry.path().extension() == ".avro") {
      files.push_back(entry.path());
    }
  }
  if (files.empty()) {
    throw std::runtime_error(fmt::format("no visit files (*.avro) in {}", directory.string()));
  }
  std::ranges::sort(files);
  return files;
}

std::optional<wire::SchemaVersion> version_from_schema_name(std::string_view full_name) {
  static const std::regex pattern(R"(lsst\.v(\d+)_(\d+)\.alert)");
  std::match_results<std::string_view::const_iterator> match;
  if (!std::regex_match(full_name.begin(), full_name.end(), match, pattern)) return std::nullopt;
  auto version = wire::parse_schema_version(match[1].str() + "." + match[2].str());
  if (!version) return std::nullopt;
  return *version;
}

std::optional<std::int64_t> visit_from_file_name(const fs::path& file) {
  static const std::regex pattern(R"(visit-0*(\d+)\.avro)");
  std::smatch match;
  const std::string name = file.filename().string();
  if (!std::regex_match(name, match, pattern)) return std::nullopt;
  return std::stoll(match[1].str());
}

}  // namespace skystream::service
