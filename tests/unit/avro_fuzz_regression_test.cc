// Replays the inputs that fuzz/run.sh saved in tests/data/fuzz-regressions/ through the same
// checks as the fuzz target that found them. A file's name starts with that target's name
// ("fuzz_projection-crash-<sha1>"). The folder may be empty, but it must exist.

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include "../../fuzz/fuzz_checks.h"

namespace skystream::fuzz {
namespace {

namespace fs = std::filesystem;

const fs::path kRegressions =
    fs::path(SKYSTREAM_SOURCE_DIR) / "tests" / "data" / "fuzz-regressions";

std::string read_file(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream bytes;
  bytes << in.rdbuf();
  return bytes.str();
}

bool starts_with_target(const fs::path& file, std::string_view target) {
  const std::string name = file.filename().string();
  return name.size() > target.size() && name.compare(0, target.size(), target) == 0 &&
         name[target.size()] == '-';
}

// Runs the checks of the target named at the start of `file`; returns false when no target
// matches.
bool replay(const fs::path& file, const avro::Node& root, const avro::Projection& projection,
            std::string& problem) {
  const std::string input = read_file(file);
  if (starts_with_target(file, "fuzz_decode")) {
    problem = check_decode(root, input);
  } else if (starts_with_target(file, "fuzz_decode_into")) {
    avro::Value reused;
    problem = check_decode_into(root, input, reused);
  } else if (starts_with_target(file, "fuzz_projection")) {
    avro::ProjectedRecord out;
    problem = check_projection(root, projection, input, out);
  } else if (starts_with_target(file, "fuzz_container")) {
    problem = check_container(input);
  } else {
    return false;
  }
  return true;
}

TEST(FuzzRegressions, SavedInputsPassTheirChecks) {
  ASSERT_TRUE(fs::is_directory(kRegressions)) << kRegressions;
  const auto schema = load_alert_schema();
  auto projection = avro::Projection::compile(schema->root(), kProjectionPaths);
  ASSERT_TRUE(projection) << projection.error().to_string();

  for (const auto& entry : fs::directory_iterator(kRegressions)) {
    if (entry.path().filename() == "README.md") continue;
    std::string problem;
    EXPECT_TRUE(replay(entry.path(), schema->root(), *projection, problem))
        << entry.path() << " does not start with a fuzz target's name";
    EXPECT_EQ(problem, "") << entry.path();
  }
}

TEST(FuzzRegressions, InvalidUtf8InBandRejected) {
  // An 11.0 alert whose diaSource.band is the two bytes ff c0, which decoders once accepted and
  // cat printed as they were, neither UTF-8 nor JSON.
  const auto schema = load_alert_schema();
  const std::string input = read_file(kRegressions / "fuzz_decode-invalid-utf8-band");
  auto value = avro::decode_exact(schema->root(), input);
  ASSERT_FALSE(value);
  EXPECT_EQ(value.error().to_string(), "diaSource.band at byte 155: invalid UTF-8 in string");
  auto projection = avro::Projection::compile(schema->root(), {"diaSource.band"});
  ASSERT_TRUE(projection);
  avro::ProjectedRecord out;
  auto projected = projection->decode(input, out);
  ASSERT_FALSE(projected);
  EXPECT_EQ(projected.error().to_string(), value.error().to_string());
}

TEST(FuzzRegressions, MetadataCountMinimumRejected) {
  // "Obj" 1, then a metadata block count of -2^63: the zig-zag varint ff ff ff ff ff ff ff ff
  // ff 01. Negating that count overflows, so the reader must reject it before using it.
  const std::string input = std::string("Obj\x01", 4) + std::string(9, '\xff') + "\x01";
  auto reader = avro::ContainerReader::from_bytes(input, "metadata-count-min");
  ASSERT_FALSE(reader);
  EXPECT_NE(reader.error().message.find("invalid metadata block count"), std::string::npos)
      << reader.error().to_string();
}

}  // namespace
}  // namespace skystream::fuzz
