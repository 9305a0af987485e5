// Manifests: what the writer puts on each line, what the reader accepts, and the errors that
// name the file, the line and the problem.

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <stdexcept>
#include <string>

#include "../support/process.h"
#include "verify/manifest.h"

namespace skystream::verify {
namespace {

using testing::TempDir;

constexpr const char* kHeaderLine =
    R"({"type":"manifest","format":1,"topic":"alerts","brokers":"127.0.0.1:9092","started_ms":1000})";
constexpr const char* kAlertLine =
    R"({"type":"alert","alert_id":17,"visit":3,"topic":"alerts","partition":2,"offset":40,)"
    R"("digest":"99aa06d3014798d86001c324468d497f","send_ms":1005})";

std::filesystem::path write_file(const TempDir& dir, const std::string& text) {
  const auto path = dir.path() / "manifest.jsonl";
  std::ofstream(path) << text;
  return path;
}

// Returns the message of the std::runtime_error that reading `text` throws, or "".
std::string read_error(const std::string& text) {
  TempDir dir;
  try {
    read_manifest(write_file(dir, text));
  } catch (const std::runtime_error& e) {
    return e.what();
  }
  return "";
}

TEST(VerifyManifest, WriterOutputReadsBack) {
  TempDir dir;
  const auto path = dir.path() / "manifest.jsonl";
  {
    ManifestWriter writer(path, ManifestHeader{"alerts", "127.0.0.1:9092", 1000});
    writer.write_alert(ManifestAlert{17, 3, "alerts", 2, 40, digest_of("a"), 1005});
    writer.write_alert(ManifestAlert{18, 3, "alerts", 0, 7, digest_of("b"), 1006});
    writer.write_visit(ManifestVisit{3, "visit-000003.avro", 2, 0, 1005, 1006, 0.25});
    writer.write_end(ManifestEnd{1, 2, 0, 1010});
  }

  const Manifest manifest = read_manifest(path);
  EXPECT_EQ(manifest.header.topic, "alerts");
  EXPECT_EQ(manifest.header.brokers, "127.0.0.1:9092");
  EXPECT_EQ(manifest.header.started_ms, 1000);
  ASSERT_EQ(manifest.alerts.size(), 2u);
  const ManifestAlert& first = manifest.alerts[0];
  EXPECT_EQ(first.alert_id, 17);
  EXPECT_EQ(first.visit, 3);
  EXPECT_EQ(first.topic, "alerts");
  EXPECT_EQ(first.partition, 2);
  EXPECT_EQ(first.offset, 40);
  EXPECT_EQ(first.digest, digest_of("a"));
  EXPECT_EQ(first.send_ms, 1005);
  EXPECT_EQ(manifest.alerts[1].alert_id, 18);
  ASSERT_EQ(manifest.visits.size(), 1u);
  EXPECT_EQ(manifest.visits[0].visit, 3);
  EXPECT_EQ(manifest.visits[0].file, "visit-000003.avro");
  EXPECT_EQ(manifest.visits[0].alerts, 2);
  EXPECT_EQ(manifest.visits[0].failed, 0);
  EXPECT_EQ(manifest.visits[0].first_send_ms, 1005);
  EXPECT_EQ(manifest.visits[0].last_send_ms, 1006);
  EXPECT_DOUBLE_EQ(manifest.visits[0].seconds, 0.25);
  ASSERT_TRUE(manifest.end.has_value());
  EXPECT_EQ(manifest.end->visits, 1);
  EXPECT_EQ(manifest.end->alerts, 2);
  EXPECT_EQ(manifest.end->finished_ms, 1010);
}

TEST(VerifyManifest, WriterLinesAreDocumentedForm) {
  TempDir dir;
  const auto path = dir.path() / "manifest.jsonl";
  {
    ManifestWriter writer(path, ManifestHeader{"alerts", "127.0.0.1:9092", 1000});
    writer.write_alert(ManifestAlert{17, 3, "alerts", 2, 40, digest_of(""), 1005});
  }
  std::ifstream in(path);
  std::string header;
  std::string alert;
  std::getline(in, header);
  std::getline(in, alert);
  EXPECT_EQ(header, kHeaderLine);
  EXPECT_EQ(alert, kAlertLine);
}

TEST(VerifyManifest, MissingEndLineLeavesEndEmpty) {
  TempDir dir;
  const Manifest manifest =
      read_manifest(write_file(dir, std::string(kHeaderLine) + "\n" + kAlertLine + "\n"));
  EXPECT_EQ(manifest.alerts.size(), 1u);
  EXPECT_FALSE(manifest.end.has_value());
}

TEST(VerifyManifest, UnknownKeysAreIgnored) {
  TempDir dir;
  std::string alert = kAlertLine;
  alert.insert(1, R"("added_later":true,)");
  const Manifest manifest = read_manifest(write_file(dir, std::string(kHeaderLine) + "\n" + alert));
  ASSERT_EQ(manifest.alerts.size(), 1u);
  EXPECT_EQ(manifest.alerts[0].alert_id, 17);
}

TEST(VerifyManifest, MissingKeyNamesLineAndKey) {
  std::string alert = kAlertLine;
  alert.erase(alert.find(R"("offset":40,)"), std::string(R"("offset":40,)").size());
  const std::string error = read_error(std::string(kHeaderLine) + "\n" + alert + "\n");
  EXPECT_NE(error.find("line 2: missing key \"offset\""), std::string::npos) << error;
}

TEST(VerifyManifest, DuplicateAlertIdNamesBothLines) {
  const std::string error =
      read_error(std::string(kHeaderLine) + "\n" + kAlertLine + "\n" + kAlertLine + "\n");
  EXPECT_NE(error.find("line 3: alert id 17 already appears on line 2"), std::string::npos)
      << error;
}

TEST(VerifyManifest, ShortDigestRejected) {
  std::string alert = kAlertLine;
  alert.replace(alert.find("497f"), 4, "497");
  const std::string error = read_error(std::string(kHeaderLine) + "\n" + alert + "\n");
  EXPECT_NE(error.find("line 2: \"digest\" is not 32 hexadecimal digits"), std::string::npos)
      << error;
}

TEST(VerifyManifest, StringOffsetRejected) {
  std::string alert = kAlertLine;
  alert.replace(alert.find("\"offset\":40"), 11, "\"offset\":\"40\"");
  const std::string error = read_error(std::string(kHeaderLine) + "\n" + alert + "\n");
  EXPECT_NE(error.find("line 2: \"offset\" is not an integer"), std::string::npos) << error;
}

TEST(VerifyManifest, FirstLineMustBeHeader) {
  const std::string error = read_error(std::string(kAlertLine) + "\n");
  EXPECT_NE(error.find("line 1: the first line is not a manifest header"), std::string::npos)
      << error;
}

TEST(VerifyManifest, UnknownFormatRejected) {
  std::string header = kHeaderLine;
  header.replace(header.find("\"format\":1"), 10, "\"format\":2");
  const std::string error = read_error(header + "\n");
  EXPECT_NE(error.find("unsupported manifest format 2"), std::string::npos) << error;
}

TEST(VerifyManifest, UnknownLineTypeRejected) {
  const std::string error =
      read_error(std::string(kHeaderLine) + "\n" + R"({"type":"note"})" + "\n");
  EXPECT_NE(error.find("line 2: unknown line type \"note\""), std::string::npos) << error;
}

TEST(VerifyManifest, NonJsonLineRejected) {
  const std::string error = read_error(std::string(kHeaderLine) + "\n{\"type\":\n");
  EXPECT_NE(error.find("line 2: not a JSON object"), std::string::npos) << error;
}

// The last line stops 20 bytes into an alert line, without its newline, as a send killed in
// the middle of a write leaves it.
TEST(VerifyManifest, CutOffLastLineIgnored) {
  TempDir dir;
  const std::string cut = std::string(kAlertLine).substr(0, 20);
  std::string second = kAlertLine;
  second.replace(second.find("\"alert_id\":17"), 13, "\"alert_id\":18");
  const Manifest manifest =
      read_manifest(write_file(dir, std::string(kHeaderLine) + "\n" + second + "\n" + cut));
  ASSERT_EQ(manifest.alerts.size(), 1u);
  EXPECT_EQ(manifest.alerts[0].alert_id, 18);
  EXPECT_EQ(manifest.cut_off_line, 3u);
  EXPECT_FALSE(manifest.end.has_value());
}

TEST(VerifyManifest, CompleteManifestHasNoCutOff) {
  TempDir dir;
  const Manifest manifest =
      read_manifest(write_file(dir, std::string(kHeaderLine) + "\n" + kAlertLine + "\n"));
  EXPECT_FALSE(manifest.cut_off_line.has_value());
}

// The same bytes followed by a newline are no cut-off write but a damaged line.
TEST(VerifyManifest, TerminatedPartialLineRejected) {
  const std::string cut = std::string(kAlertLine).substr(0, 20);
  const std::string error = read_error(std::string(kHeaderLine) + "\n" + cut + "\n");
  EXPECT_NE(error.find("line 2: not a JSON object"), std::string::npos) << error;
}

// Only the last line can be cut off: a partial line followed by another is rejected.
TEST(VerifyManifest, PartialMiddleLineRejected) {
  const std::string cut = std::string(kAlertLine).substr(0, 20);
  const std::string error = read_error(std::string(kHeaderLine) + "\n" + cut + "\n" + kAlertLine);
  EXPECT_NE(error.find("line 2: not a JSON object"), std::string::npos) << error;
}

TEST(VerifyManifest, CutOffHeaderRejected) {
  const std::string error = read_error(std::string(kHeaderLine).substr(0, 30));
  EXPECT_NE(error.find("line 1: cut off"), std::string::npos) << error;
}

TEST(VerifyManifest, EmptyFileRejected) {
  const std::string error = read_error("");
  EXPECT_NE(error.find("is empty"), std::string::npos) << error;
}

TEST(VerifyManifest, MissingFileNamed) {
  try {
    read_manifest("/nonexistent/manifest.jsonl");
    FAIL() << "no exception";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("/nonexistent/manifest.jsonl"), std::string::npos);
  }
}

}  // namespace
}  // namespace skystream::verify
