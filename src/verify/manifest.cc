#include "verify/manifest.h"

#include <fmt/format.h>

#include <nlohmann/json.hpp>
#include <stdexcept>
#include <unordered_map>

namespace skystream::verify {
namespace {

using Json = nlohmann::ordered_json;

// Parses one line and names the file and line in every error.
class LineReader {
 public:
  LineReader(const std::filesystem::path& path, std::size_t number, const std::string& text)
      : path_(path), number_(number) {
    json_ = Json::parse(text, nullptr, /*allow_exceptions=*/false);
  }

  bool is_object() const { return json_.is_object(); }

  [[noreturn]] void fail(std::string_view message) const {
    throw std::runtime_error(
        fmt::format("manifest {} line {}: {}", path_.string(), number_, message));
  }

  std::string type() const { return string("type"); }

  std::int64_t integer(const char* key) const {
    const Json& value = get(key);
    if (!value.is_number_integer()) fail(fmt::format("\"{}\" is not an integer", key));
    return value.get<std::int64_t>();
  }

  double number(const char* key) const {
    const Json& value = get(key);
    if (!value.is_number()) fail(fmt::format("\"{}\" is not a number", key));
    return value.get<double>();
  }

  std::string string(const char* key) const {
    const Json& value = get(key);
    if (!value.is_string()) fail(fmt::format("\"{}\" is not a string", key));
    return value.get<std::string>();
  }

  Digest digest(const char* key) const {
    const auto digest = Digest::from_hex(string(key));
    if (!digest) fail(fmt::format("\"{}\" is not 32 hexadecimal digits", key));
    return *digest;
  }

 private:
  const Json& get(const char* key) const {
    const auto found = json_.find(key);
    if (found == json_.end()) fail(fmt::format("missing key \"{}\"", key));
    return *found;
  }

  const std::filesystem::path& path_;
  std::size_t number_;
  Json json_;
};

ManifestHeader read_header(const LineReader& line) {
  if (line.type() != "manifest") line.fail("the first line is not a manifest header");
  if (const std::int64_t format = line.integer("format"); format != kManifestFormat) {
    line.fail(fmt::format("unsupported manifest format {} (this build reads {})", format,
                          kManifestFormat));
  }
  return ManifestHeader{line.string("topic"), line.string("brokers"), line.integer("started_ms")};
}

ManifestAlert read_alert(const LineReader& line) {
  return ManifestAlert{
      line.integer("alert_id"), line.integer("visit"),
      line.string("topic"),     static_cast<std::int32_t>(line.integer("partition")),
      line.integer("offset"),   line.digest("digest"),
      line.integer("send_ms")};
}

ManifestVisit read_visit(const LineReader& line) {
  return ManifestVisit{line.integer("visit"),         line.string("file"),
                       line.integer("alerts"),        line.integer("failed"),
                       line.integer("first_send_ms"), line.integer("last_send_ms"),
                       line.number("seconds")};
}

ManifestEnd read_end(const LineReader& line) {
  return ManifestEnd{line.integer("visits"), line.integer("alerts"), line.integer("failed"),
                     line.integer("finished_ms")};
}

}  // namespace

ManifestWriter::ManifestWriter(const std::filesystem::path& path, const ManifestHeader& header)
    : path_(path), out_(path, std::ios::binary | std::ios::trunc) {
  if (!out_) {
    throw std::runtime_error(fmt::format("cannot create manifest {}", path.string()));
  }
  Json line{{"type", "manifest"},
            {"format", kManifestFormat},
            {"topic", header.topic},
            {"brokers", header.brokers},
            {"started_ms", header.started_ms}};
  write_line(line.dump());
  out_.flush();
}

void ManifestWriter::write_alert(const ManifestAlert& alert) {
  Json line{{"type", "alert"},
            {"alert_id", alert.alert_id},
            {"visit", alert.visit},
            {"topic", alert.topic},
            {"partition", alert.partition},
            {"offset", alert.offset},
            {"digest", alert.digest.to_hex()},
            {"send_ms", alert.send_ms}};
  write_line(line.dump());
}

void ManifestWriter::write_visit(const ManifestVisit& visit) {
  Json line{{"type", "visit"},
            {"visit", visit.visit},
            {"file", visit.file},
            {"alerts", visit.alerts},
            {"failed", visit.failed},
            {"first_send_ms", visit.first_send_ms},
            {"last_send_ms", visit.last_send_ms},
            {"seconds", visit.seconds}};
  write_line(line.dump());
  out_.flush();
}

void ManifestWriter::write_end(const ManifestEnd& end) {
  Json line{{"type", "end"},
            {"visits", end.visits},
            {"alerts", end.alerts},
            {"failed", end.failed},
            {"finished_ms", end.finished_ms}};
  write_line(line.dump());
  out_.flush();
}

void ManifestWriter::write_line(const std::string& line) {
  out_ << line << '\n';
  if (!out_) throw std::runtime_error(fmt::format("writing manifest {} failed", path_.string()));
}

Manifest read_manifest(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error(fmt::format("cannot open manifest {}", path.string()));

  Manifest manifest;
  std::unordered_map<std::int64_t, std::size_t> first_line_of_alert;
  std::string text;
  std::size_t number = 0;
  bool have_header = false;
  while (std::getline(in, text)) {
    ++number;
    if (text.empty()) continue;
    const LineReader line(path, number, text);
    if (!line.is_object()) {
      // getline() stops at the end of the file only when the line has no newline, which is how
      // a send stopped in the middle of a write leaves its last line.
      if (!in.eof()) line.fail("not a JSON object");
      if (!have_header) line.fail("cut off: not a JSON object, and no newline at its end");
      manifest.cut_off_line = number;
      break;
    }
    if (!have_header) {
      manifest.header = read_header(line);
      have_header = true;
      continue;
    }
    const std::string type = line.type();
    if (type == "alert") {
      manifest.alerts.push_back(read_alert(line));
      const auto [found, added] =
          first_line_of_alert.emplace(manifest.alerts.back().alert_id, number);
      if (!added) {
        line.fail(fmt::format("alert id {} already appears on line {}",
                              manifest.alerts.back().alert_id, found->second));
      }
    } else if (type == "visit") {
      manifest.visits.push_back(read_visit(line));
    } else if (type == "end") {
      manifest.end = read_end(line);
    } else {
      line.fail(fmt::format("unknown line type \"{}\"", type));
    }
  }
  if (!have_header) {
    throw std::runtime_error(fmt::format("manifest {} is empty", path.string()));
  }
  return manifest;
}

}  // namespace skystream::verify
