// Container files written here are read back by this reader, by fastavro and by Avro C's
// avrocat; corrupt files fail with the block's offset.

#include <fmt/format.h>
#include <gtest/gtest.h>

#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "../support/process.h"
#include "avro/codec.h"
#include "avro/container.h"
#include "wire/schemas.h"

namespace skystream::avro {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;
using testing::run_command;
using testing::shell_quote;
using testing::TempDir;

constexpr int kAlerts = 2500;  // three blocks of up to 1000 objects

// One schema for the whole test program, because values point into the schema they belong to.
std::shared_ptr<const Schema> schema_11() {
  static const std::shared_ptr<const Schema> schema = [] {
    wire::SchemaCatalog catalog(SKYSTREAM_SCHEMA_ROOT);
    auto loaded = catalog.by_version({11, 0});
    if (!loaded) throw std::runtime_error(loaded.error().to_string());
    return *loaded;
  }();
  return schema;
}

// kAlerts copies of the 11.0 sample alert, each with its own diaSourceId.
std::vector<Value> sample_alerts(const Schema& schema) {
  const fs::path sample =
      fs::path(SKYSTREAM_SCHEMA_ROOT) / "11" / "0" / "sample_data" / "fakeAlert.avro";
  auto reader = ContainerReader::open(sample);
  if (!reader) throw std::runtime_error(reader.error().to_string());
  auto value = decode_exact(schema.root(), reader->objects().front());
  if (!value) throw std::runtime_error(value.error().to_string());
  std::vector<Value> alerts;
  for (int i = 0; i < kAlerts; ++i) {
    Value alert = *value;
    alert.field("diaSourceId").integer = 1000 + i;
    alerts.push_back(std::move(alert));
  }
  return alerts;
}

fs::path write_alerts(const fs::path& path, Codec codec, const std::vector<Value>& alerts) {
  auto writer = ContainerWriter::create(path, schema_11(), codec, 7);
  if (!writer) throw std::runtime_error(writer.error().to_string());
  for (const Value& alert : alerts) writer->append(alert);
  if (!writer->close()) throw std::runtime_error("close failed");
  return path;
}

class ContainerCodec : public ::testing::TestWithParam<Codec> {};

TEST_P(ContainerCodec, RoundTripThroughOwnReader) {
  TempDir dir;
  const auto alerts = sample_alerts(*schema_11());
  const fs::path file = write_alerts(dir.path() / "visit.avro", GetParam(), alerts);
  auto reader = ContainerReader::open(file);
  ASSERT_TRUE(reader) << reader.error().to_string();
  EXPECT_EQ(reader->codec(), GetParam());
  ASSERT_EQ(reader->objects().size(), alerts.size());
  for (std::size_t i = 0; i < alerts.size(); ++i) {
    std::string expected;
    encode(alerts[i], expected);
    ASSERT_EQ(reader->objects()[i], expected) << "object " << i;
  }
}

TEST_P(ContainerCodec, FastavroReadsEveryRecord) {
  TempDir dir;
  const fs::path file =
      write_alerts(dir.path() / "visit.avro", GetParam(), sample_alerts(*schema_11()));
  const std::string script =
      "import fastavro, sys\n"
      "ids = [r['diaSourceId'] for r in fastavro.reader(open(sys.argv[1], 'rb'))]\n"
      "print(len(ids), min(ids), max(ids), len(set(ids)))\n";
  auto result = run_command(shell_quote(SKYSTREAM_PYTHON) + " -c " + shell_quote(script) + " " +
                            shell_quote(file.string()));
  ASSERT_EQ(result.exit_code, 0);
  EXPECT_EQ(result.output, fmt::format("{} 1000 {} {}\n", kAlerts, 1000 + kAlerts - 1, kAlerts));
}

TEST_P(ContainerCodec, AvroCReadsEveryRecord) {
  TempDir dir;
  const fs::path file =
      write_alerts(dir.path() / "visit.avro", GetParam(), sample_alerts(*schema_11()));
  auto result = run_command("avrocat " + shell_quote(file.string()));
  ASSERT_EQ(result.exit_code, 0);
  std::istringstream lines(result.output);
  int count = 0;
  for (std::string line; std::getline(lines, line); ++count) {
    // avrocat writes the Avro JSON encoding, one record per line.
    EXPECT_EQ(json::parse(line)["diaSourceId"].get<std::int64_t>(), 1000 + count);
  }
  EXPECT_EQ(count, kAlerts);
}

INSTANTIATE_TEST_SUITE_P(Codecs, ContainerCodec, ::testing::Values(Codec::kNull, Codec::kDeflate),
                         [](const auto& info) {
                           return info.param == Codec::kNull ? "Null" : "Deflate";
                         });

TEST(ContainerWriter, SameSeedSameBytes) {
  TempDir dir;
  const auto alerts = sample_alerts(*schema_11());
  auto read = [](const fs::path& path) {
    std::ifstream in(path, std::ios::binary);
    std::stringstream bytes;
    bytes << in.rdbuf();
    return bytes.str();
  };
  EXPECT_EQ(read(write_alerts(dir.path() / "a.avro", Codec::kDeflate, alerts)),
            read(write_alerts(dir.path() / "b.avro", Codec::kDeflate, alerts)));
}

TEST(ContainerReader, CorruptFilesNameTheProblem) {
  TempDir dir;
  const fs::path file =
      write_alerts(dir.path() / "visit.avro", Codec::kNull, sample_alerts(*schema_11()));
  std::ifstream in(file, std::ios::binary);
  std::stringstream buffer;
  buffer << in.rdbuf();
  const std::string good = buffer.str();

  auto bad_magic = ContainerReader::from_bytes("Obj\x02" + good.substr(4), "bad-magic.avro");
  ASSERT_FALSE(bad_magic);
  EXPECT_EQ(bad_magic.error().message, "not an Avro container file");
  EXPECT_EQ(bad_magic.error().where, "bad-magic.avro");

  // Flipping the last byte breaks the final block's sync marker.
  std::string bad_sync = good;
  bad_sync.back() = static_cast<char>(bad_sync.back() ^ 0xff);
  auto sync_error = ContainerReader::from_bytes(bad_sync, "bad-sync.avro");
  ASSERT_FALSE(sync_error);
  EXPECT_EQ(sync_error.error().message, "sync marker mismatch");
  EXPECT_NE(sync_error.error().offset, std::string::npos);

  auto truncated = ContainerReader::from_bytes(good.substr(0, good.size() - 100), "cut.avro");
  ASSERT_FALSE(truncated);
  EXPECT_TRUE(truncated.error().message.starts_with("truncated block: its header declares "))
      << truncated.error().message;

  auto missing = ContainerReader::open(dir.path() / "nonexistent.avro");
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().message, "file not found");
  EXPECT_EQ(missing.error().where, (dir.path() / "nonexistent.avro").string());
}

}  // namespace
}  // namespace skystream::avro
