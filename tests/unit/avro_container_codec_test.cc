// The snappy and zstandard container codecs, judged by fastavro and Avro C's avrocat, and the
// reader's handling of corrupt blocks. A strict read fails with the block's byte offset. A
// skipping read returns the objects of every other block and lists the skipped block.

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

constexpr int kAlerts = 1200;
constexpr std::size_t kObjectsPerBlock = 500;  // blocks of 500, 500 and 200 objects
constexpr std::int64_t kFirstId = 1000;

const fs::path kSample =
    fs::path(SKYSTREAM_SCHEMA_ROOT) / "11" / "0" / "sample_data" / "fakeAlert.avro";

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

// kAlerts copies of the 11.0 sample alert with diaSourceId kFirstId, kFirstId + 1, ...
std::vector<Value> sample_alerts() {
  auto reader = ContainerReader::open(kSample);
  if (!reader) throw std::runtime_error(reader.error().to_string());
  auto value = decode_exact(schema_11()->root(), reader->objects().front());
  if (!value) throw std::runtime_error(value.error().to_string());
  std::vector<Value> alerts;
  for (int i = 0; i < kAlerts; ++i) {
    Value alert = *value;
    alert.field("diaSourceId").integer = kFirstId + i;
    alerts.push_back(std::move(alert));
  }
  return alerts;
}

fs::path write_alerts(const fs::path& path, Codec codec) {
  auto writer = ContainerWriter::create(path, schema_11(), codec, 11);
  if (!writer) throw std::runtime_error(writer.error().to_string());
  writer->objects_per_block = kObjectsPerBlock;
  for (const Value& alert : sample_alerts()) writer->append(alert);
  if (!writer->close()) throw std::runtime_error("close failed");
  return path;
}

std::string read_file(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream bytes;
  bytes << in.rdbuf();
  return bytes.str();
}

std::string python(const std::string& script, const std::string& arguments) {
  auto result =
      run_command(shell_quote(SKYSTREAM_PYTHON) + " -c " + shell_quote(script) + " " + arguments);
  if (result.exit_code != 0) throw std::runtime_error("python failed: " + script);
  return result.output;
}

// The byte offset of every block, found without the reader: the file ends with a sync marker,
// the header ends with the same marker, and each block starts right after one.
std::vector<std::size_t> block_offsets(const std::string& file) {
  const std::string sync = file.substr(file.size() - 16);
  std::vector<std::size_t> offsets;
  for (std::size_t at = file.find(sync); at + 16 < file.size(); at = file.find(sync, at + 16)) {
    offsets.push_back(at + 16);
  }
  return offsets;
}

std::string hex(std::string_view bytes) {
  std::string out;
  for (unsigned char c : bytes) out += fmt::format("{:02x}", c);
  return out;
}

std::vector<std::int64_t> ids_of(const ContainerReader& reader) {
  std::vector<std::int64_t> ids;
  for (std::string_view object : reader.objects()) {
    auto value = decode_exact(reader.schema()->root(), object);
    if (!value) throw std::runtime_error(value.error().to_string());
    ids.push_back(value->field("diaSourceId").integer);
  }
  return ids;
}

std::vector<std::int64_t> id_range(std::int64_t first, std::int64_t count) {
  std::vector<std::int64_t> ids;
  for (std::int64_t i = 0; i < count; ++i) ids.push_back(first + i);
  return ids;
}

TEST(ContainerCodecNames, ParseEveryAvroCodecName) {
  for (Codec codec : {Codec::kNull, Codec::kDeflate, Codec::kSnappy, Codec::kZstandard}) {
    auto parsed = parse_codec(codec_name(codec));
    ASSERT_TRUE(parsed) << codec_name(codec);
    EXPECT_EQ(*parsed, codec);
  }
  auto bzip2 = parse_codec("bzip2");
  ASSERT_FALSE(bzip2);
  EXPECT_EQ(bzip2.error().message,
            "unsupported codec \"bzip2\" (supported: null, deflate, snappy, zstandard)");
}

class CompressedContainer : public ::testing::TestWithParam<Codec> {};

TEST_P(CompressedContainer, RoundTripThroughOwnReader) {
  TempDir dir;
  const fs::path file = write_alerts(dir.path() / "visit.avro", GetParam());
  auto reader = ContainerReader::open(file);
  ASSERT_TRUE(reader) << reader.error().to_string();
  EXPECT_EQ(reader->codec(), GetParam());
  EXPECT_EQ(block_offsets(read_file(file)).size(), 3u);
  const auto alerts = sample_alerts();
  ASSERT_EQ(reader->objects().size(), alerts.size());
  for (std::size_t i = 0; i < alerts.size(); ++i) {
    std::string expected;
    encode(alerts[i], expected);
    ASSERT_EQ(reader->objects()[i], expected) << "object " << i;
  }
}

TEST_P(CompressedContainer, FastavroReadsCountAndIds) {
  TempDir dir;
  const fs::path file = write_alerts(dir.path() / "visit.avro", GetParam());
  const std::string script =
      "import fastavro, sys\n"
      "reader = fastavro.reader(open(sys.argv[1], 'rb'))\n"
      "ids = [r['diaSourceId'] for r in reader]\n"
      "print(reader.codec, len(ids), ids == list(range(ids[0], ids[0] + len(ids))), ids[0])\n";
  EXPECT_EQ(python(script, shell_quote(file.string())),
            fmt::format("{} {} True {}\n", codec_name(GetParam()), kAlerts, kFirstId));
}

INSTANTIATE_TEST_SUITE_P(Codecs, CompressedContainer,
                         ::testing::Values(Codec::kSnappy, Codec::kZstandard),
                         [](const auto& info) {
                           return info.param == Codec::kSnappy ? "Snappy" : "Zstandard";
                         });

// Avro C 1.11.1 (Debian 12's avro-bin) reads null, deflate, snappy and lzma files; it rejects
// zstandard with "File header contains an unknown codec", so only fastavro judges zstandard.
TEST(SnappyContainer, AvroCReadsEveryRecord) {
  TempDir dir;
  const fs::path file = write_alerts(dir.path() / "visit.avro", Codec::kSnappy);
  auto result = run_command("avrocat " + shell_quote(file.string()));
  ASSERT_EQ(result.exit_code, 0);
  std::istringstream lines(result.output);
  int count = 0;
  for (std::string line; std::getline(lines, line); ++count) {
    EXPECT_EQ(json::parse(line)["diaSourceId"].get<std::int64_t>(), kFirstId + count);
  }
  EXPECT_EQ(count, kAlerts);
}

// fastavro writes a file with each codec, in blocks of about 20 kB, and prints the
// schemaless encoding of every record it wrote. Some psfFlux values are NaN and the cutouts
// hold every byte value.
const char kFastavroWriter[] = R"(
import copy, io, sys, fastavro
sample, out, codec = sys.argv[1:4]
reader = fastavro.reader(open(sample, 'rb'))
schema, base = reader.writer_schema, next(reader)
records = []
for i in range(60):
    record = copy.deepcopy(base)
    record['diaSourceId'] = 7000 + i
    record['diaSource']['psfFlux'] = float('nan') if i % 7 == 0 else i * 1.5
    record['cutoutDifference'] = bytes(range(256)) * (i % 4) if i % 5 else None
    records.append(record)
with open(out, 'wb') as handle:
    fastavro.writer(handle, schema, records, codec=codec, sync_interval=20000)
parsed = fastavro.parse_schema(schema)
for record in records:
    body = io.BytesIO()
    fastavro.schemaless_writer(body, parsed, record)
    print(body.getvalue().hex())
)";

class FastavroContainer : public ::testing::TestWithParam<std::string> {};

TEST_P(FastavroContainer, ObjectsMatchFastavroEncoding) {
  TempDir dir;
  const fs::path file = dir.path() / "fastavro.avro";
  std::istringstream expected(
      python(kFastavroWriter, fmt::format("{} {} {}", shell_quote(kSample.string()),
                                          shell_quote(file.string()), GetParam())));

  auto reader = ContainerReader::open(file);
  ASSERT_TRUE(reader) << reader.error().to_string();
  EXPECT_EQ(codec_name(reader->codec()), GetParam());
  EXPECT_GT(block_offsets(read_file(file)).size(), 2u);
  std::size_t index = 0;
  for (std::string line; std::getline(expected, line); ++index) {
    ASSERT_LT(index, reader->objects().size());
    EXPECT_EQ(hex(reader->objects()[index]), line) << "record " << index;
    EXPECT_TRUE(decode_exact(reader->schema()->root(), reader->objects()[index]))
        << "record " << index;
  }
  EXPECT_EQ(index, 60u);
  EXPECT_EQ(reader->objects().size(), 60u);
}

INSTANTIATE_TEST_SUITE_P(Codecs, FastavroContainer,
                         ::testing::Values("null", "deflate", "snappy", "zstandard"));

// One zstandard block made of two frames that declare no content size, as a streaming
// compressor writes them. The file header comes from fastavro writing no records.
TEST(ZstandardContainer, ReadsFramesWithoutContentSize) {
  TempDir dir;
  const fs::path file = dir.path() / "frames.avro";
  const std::string script = R"(
import io, sys, fastavro
from backports import zstd
schema = {'type': 'record', 'name': 'r', 'fields': [{'name': 'id', 'type': 'long'}]}
with open(sys.argv[1], 'wb') as handle:
    fastavro.writer(handle, schema, [], codec='zstandard')
header = open(sys.argv[1], 'rb').read()
def long(n):
    n = (n << 1) ^ (n >> 63)
    out = bytearray()
    while n >= 0x80:
        out.append(n & 0x7f | 0x80)
        n >>= 7
    return bytes(out + bytes([n]))
objects = [long(i * 1000) for i in range(10)]
frames = b''
for part in (objects[:4], objects[4:]):
    compressor = zstd.ZstdCompressor()
    frames += compressor.compress(b''.join(part)) + compressor.flush()
    assert zstd.get_frame_info(frames).decompressed_size is None
with open(sys.argv[1], 'ab') as handle:
    handle.write(long(len(objects)) + long(len(frames)) + frames + header[-16:])
print(' '.join(o.hex() for o in objects))
)";
  const std::string expected = python(script, shell_quote(file.string()));

  auto reader = ContainerReader::open(file);
  ASSERT_TRUE(reader) << reader.error().to_string();
  std::string objects;
  for (std::string_view object : reader->objects()) objects += hex(object) + " ";
  objects.back() = '\n';
  EXPECT_EQ(objects, expected);
}

// Corrupts the middle block of a file of three: `damage` receives the file and the middle
// block's offset and end (the end is the offset of the third block).
struct Corruption {
  const char* name;
  Codec codec;
  void (*damage)(std::string& file, std::size_t offset, std::size_t end);
  const char* message;
};

const Corruption kCorruptions[] = {
    // 0xff bytes make a varint longer than 10 bytes where the object count belongs.
    {"BadHeader", Codec::kNull,
     [](std::string& file, std::size_t offset, std::size_t) {
       file.replace(offset, 11, 11, '\xff');
     },
     "corrupt block header: the object count is not a valid varint (varint longer than 10 "
     "bytes)"},
    // The 4 bytes before the sync marker are the CRC32 of the uncompressed objects.
    {"SnappyCrc", Codec::kSnappy,
     [](std::string& file, std::size_t, std::size_t end) { file[end - 17] ^= 0x01; },
     "snappy block CRC32 mismatch"},
    {"DeflateData", Codec::kDeflate,
     [](std::string& file, std::size_t offset, std::size_t end) {
       file.replace(offset + 8, end - offset - 24, end - offset - 24, '\xff');
     },
     "corrupt deflate block"},
    {"ZstandardMagic", Codec::kZstandard,
     [](std::string& file, std::size_t offset, std::size_t) {
       // Block header: count 500 (2 bytes) and a 2- or 3-byte size; the frame starts with the
       // magic number 28 b5 2f fd.
       file[file.find("\x28\xb5\x2f\xfd", offset)] = 0;
     },
     "corrupt zstandard block: Unknown frame descriptor"},
};

class CorruptBlock : public ::testing::TestWithParam<Corruption> {};

TEST_P(CorruptBlock, StrictReadNamesBlockOffset) {
  TempDir dir;
  std::string file = read_file(write_alerts(dir.path() / "visit.avro", GetParam().codec));
  const auto offsets = block_offsets(file);
  ASSERT_EQ(offsets.size(), 3u);
  GetParam().damage(file, offsets[1], offsets[2]);

  auto reader = ContainerReader::from_bytes(file, "visit.avro");
  ASSERT_FALSE(reader);
  EXPECT_EQ(reader.error().where, "visit.avro");
  EXPECT_EQ(reader.error().offset, offsets[1]);
  EXPECT_TRUE(reader.error().message.starts_with(GetParam().message)) << reader.error().message;
}

TEST_P(CorruptBlock, SkippingReadKeepsOtherBlocks) {
  TempDir dir;
  std::string file = read_file(write_alerts(dir.path() / "visit.avro", GetParam().codec));
  const auto offsets = block_offsets(file);
  ASSERT_EQ(offsets.size(), 3u);
  GetParam().damage(file, offsets[1], offsets[2]);

  auto reader = ContainerReader::from_bytes(file, "visit.avro", {.skip_corrupt_blocks = true});
  ASSERT_TRUE(reader) << reader.error().to_string();
  std::vector<std::int64_t> expected = id_range(kFirstId, 500);
  for (std::int64_t id : id_range(kFirstId + 1000, 200)) expected.push_back(id);
  EXPECT_EQ(ids_of(*reader), expected);

  ASSERT_EQ(reader->skipped().size(), 1u);
  const SkippedBlock& skipped = reader->skipped().front();
  EXPECT_EQ(skipped.offset, offsets[1]);
  EXPECT_EQ(skipped.size, offsets[2] - offsets[1]);
  EXPECT_EQ(skipped.error.offset, offsets[1]);
  EXPECT_TRUE(skipped.error.message.starts_with(GetParam().message)) << skipped.error.message;
  // The damaged header no longer declares a count.
  EXPECT_EQ(skipped.object_count, std::string(GetParam().name) == "BadHeader" ? -1 : 500);
}

INSTANTIATE_TEST_SUITE_P(Corruptions, CorruptBlock, ::testing::ValuesIn(kCorruptions),
                         [](const auto& info) { return std::string(info.param.name); });

TEST(CorruptBlock, ObjectErrorNamesRecordAndField) {
  TempDir dir;
  std::string file = read_file(write_alerts(dir.path() / "visit.avro", Codec::kNull));
  const auto offsets = block_offsets(file);
  ASSERT_EQ(offsets.size(), 3u);
  // The first object of the middle block (record 500) starts after the block header: count
  // 500 (2 bytes) and the size (3 bytes for a block of 500 sample alerts). Its first field,
  // diaSourceId, is a long; 0xff bytes make it a varint longer than 10 bytes.
  std::size_t header = offsets[1];
  ASSERT_TRUE(decode_long(file, &header));
  ASSERT_TRUE(decode_long(file, &header));
  file.replace(header, 11, 11, '\xff');

  auto reader = ContainerReader::from_bytes(file, "visit.avro");
  ASSERT_FALSE(reader);
  EXPECT_EQ(reader.error().offset, offsets[1]);
  EXPECT_EQ(reader.error().message,
            "record 500 at diaSourceId: varint longer than 10 bytes (byte 0 of the record)");
}

TEST(CorruptBlock, BadSyncSkipsThroughNextMarker) {
  TempDir dir;
  std::string file = read_file(write_alerts(dir.path() / "visit.avro", Codec::kSnappy));
  const auto offsets = block_offsets(file);
  ASSERT_EQ(offsets.size(), 3u);
  file[offsets[2] - 1] ^= 0x01;  // the last byte of the middle block's sync marker

  auto reader = ContainerReader::from_bytes(file, "visit.avro", {.skip_corrupt_blocks = true});
  ASSERT_TRUE(reader) << reader.error().to_string();
  EXPECT_EQ(ids_of(*reader), id_range(kFirstId, 500));
  ASSERT_EQ(reader->skipped().size(), 1u);
  EXPECT_EQ(reader->skipped().front().offset, offsets[1]);
  EXPECT_EQ(reader->skipped().front().size, file.size() - offsets[1]);
  EXPECT_EQ(reader->skipped().front().error.message, "sync marker mismatch");
  EXPECT_FALSE(reader->skipped().front().to_end);
}

TEST(CorruptBlock, TruncatedLastBlockSkipsToEnd) {
  TempDir dir;
  std::string file = read_file(write_alerts(dir.path() / "visit.avro", Codec::kZstandard));
  const auto offsets = block_offsets(file);
  ASSERT_EQ(offsets.size(), 3u);
  file.resize(file.size() - 100);

  auto strict = ContainerReader::from_bytes(file, "cut.avro");
  ASSERT_FALSE(strict);
  EXPECT_EQ(strict.error().offset, offsets[2]);
  // The header of the last block is intact; its data is cut off.
  std::size_t data_start = offsets[2];
  ASSERT_TRUE(decode_long(file, &data_start));
  ASSERT_TRUE(decode_long(file, &data_start));
  EXPECT_TRUE(strict.error().message.starts_with("truncated block: its header declares "))
      << strict.error().message;
  EXPECT_TRUE(strict.error().message.ends_with(
      " bytes of data and a 16-byte sync marker, but "
      "the file ends " +
      std::to_string(file.size() - data_start) + " bytes after the header"))
      << strict.error().message;

  auto reader = ContainerReader::from_bytes(file, "cut.avro", {.skip_corrupt_blocks = true});
  ASSERT_TRUE(reader) << reader.error().to_string();
  EXPECT_EQ(ids_of(*reader), id_range(kFirstId, 1000));
  ASSERT_EQ(reader->skipped().size(), 1u);
  EXPECT_EQ(reader->skipped().front().offset, offsets[2]);
  EXPECT_EQ(reader->skipped().front().size, file.size() - offsets[2]);
  EXPECT_TRUE(reader->skipped().front().to_end);
  EXPECT_EQ(reader->skipped().front().object_count, 200);
}

TEST(ContainerHeader, RejectsMinimumMetadataCount) {
  // "Obj" 1, then a metadata block count of -2^63: zig-zag 2^64 - 1, nine bytes 0xff and 0x01.
  const std::string file("Obj\x01\xff\xff\xff\xff\xff\xff\xff\xff\xff\x01\x00", 15);
  auto reader = ContainerReader::from_bytes(file, "count.avro");
  ASSERT_FALSE(reader);
  EXPECT_EQ(reader.error().message, "invalid metadata block count");
  EXPECT_EQ(reader.error().offset, 14u);
}

TEST(CorruptBlock, HeaderErrorFailsEvenWhenSkipping) {
  TempDir dir;
  std::string file = read_file(write_alerts(dir.path() / "visit.avro", Codec::kSnappy));
  file[3] = 0x02;
  auto reader = ContainerReader::from_bytes(file, "visit.avro", {.skip_corrupt_blocks = true});
  ASSERT_FALSE(reader);
  EXPECT_EQ(reader.error().message, "not an Avro container file");
}

}  // namespace
}  // namespace skystream::avro
