// skystream cat on files that fastavro writes: a snappy container file of several blocks, a
// copy of it with one corrupt block, framed packets, and bare Avro bodies. What cat prints is
// checked against the values that fastavro wrote and against fastavro.json_writer's text. These
// tests run the binary but need no broker.

#include <fmt/format.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "../support/process.h"

namespace skystream {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;
using testing::run_command;
using testing::shell_quote;
using testing::TempDir;

const fs::path kSample =
    fs::path(SKYSTREAM_SCHEMA_ROOT) / "11" / "0" / "sample_data" / "fakeAlert.avro";

// Writes the test files into argv[2] and prints, as JSON, what each file contains. For each
// record that is the diaSourceId, diaSource.psfFlux ("NaN" for NaN), diaSource.band and the
// diaSourceIds of prvDiaSources. For corrupt.avro it is the offset and the records of the
// block whose snappy CRC32 the script flips.
const char kGenerator[] = R"(
import copy, io, json, math, struct, sys, fastavro
sample, out = sys.argv[1:3]
reader = fastavro.reader(open(sample, 'rb'))
schema, base = reader.writer_schema, next(reader)
parsed = fastavro.parse_schema(schema)
records = []
for i in range(40):
    record = copy.deepcopy(base)
    record['diaSourceId'] = 9000 + i
    record['diaSource']['psfFlux'] = float('nan') if i % 9 == 4 else i * 0.25
    record['diaSource']['band'] = 'gri'[i % 3]
    records.append(record)
with open(f'{out}/visit.avro', 'wb') as handle:
    fastavro.writer(handle, schema, records, codec='snappy', sync_interval=5000)

def body(record):
    buffer = io.BytesIO()
    fastavro.schemaless_writer(buffer, parsed, record)
    return buffer.getvalue()
framed = lambda schema_id, record: b'\x00' + struct.pack('>i', schema_id) + body(record)
open(f'{out}/packets.bin', 'wb').write(b''.join(framed(1100, r) for r in records[:3]))
open(f'{out}/bare.bin', 'wb').write(b''.join(body(r) for r in records[3:5]))
open(f'{out}/unknown-id.bin', 'wb').write(framed(9999, records[0]))
open(f'{out}/notes.txt', 'w').write('not an alert\n')

blocks = list(fastavro.block_reader(open(f'{out}/visit.avro', 'rb')))
middle = len(blocks) // 2
data = bytearray(open(f'{out}/visit.avro', 'rb').read())
data[blocks[middle + 1].offset - 17] ^= 1  # last byte of the CRC32 before the sync marker
open(f'{out}/corrupt.avro', 'wb').write(data)

flux = lambda v: 'NaN' if math.isnan(v) else v
print(json.dumps({
    'records': [{'diaSourceId': r['diaSourceId'], 'psfFlux': flux(r['diaSource']['psfFlux']),
                 'band': r['diaSource']['band'],
                 'prv': [p['diaSourceId'] for p in r['prvDiaSources'] or []]} for r in records],
    'blocks': len(blocks),
    'corrupt_offset': blocks[middle].offset,
    'corrupt_ids': [r['diaSourceId'] for r in blocks[middle]],
}))
)";

// Compares, line by line, the Avro JSON in argv[2] with fastavro.json_writer's text for the
// container file argv[1], numbers by value and NaN equal to NaN. Prints "ok <count>" or the
// first difference.
const char kAvroJsonJudge[] = R"(
import fastavro, io, json, math, sys
reader = fastavro.reader(open(sys.argv[1], 'rb'))
schema, records = reader.writer_schema, list(reader)
theirs = io.StringIO()
fastavro.json_writer(theirs, schema, records)
same = lambda a, b: a == b or (a != a and b != b)
def walk(a, b):
    if isinstance(a, dict):
        return isinstance(b, dict) and list(a) == list(b) and all(walk(a[k], b[k]) for k in a)
    if isinstance(a, list):
        return isinstance(b, list) and len(a) == len(b) and all(map(walk, a, b))
    return type(a) is type(b) and same(a, b)
ours = open(sys.argv[2], encoding='utf-8').read().splitlines()
their_lines = theirs.getvalue().splitlines()
if len(ours) != len(their_lines):
    sys.exit(print(f'{len(ours)} lines against {len(their_lines)}'))
for i, (line, their_line) in enumerate(zip(ours, their_lines)):
    if not walk(json.loads(line), json.loads(their_line)):
        sys.exit(print(f'record {i} differs'))
print('ok', len(ours))
)";

struct CatRun {
  int exit_code = -1;
  std::string output;  // standard output
  std::string log;     // standard error
};

class Cat : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new TempDir();
    auto result =
        run_command(shell_quote(SKYSTREAM_PYTHON) + " -c " + shell_quote(kGenerator) + " " +
                    shell_quote(kSample.string()) + " " + shell_quote(dir_->path().string()));
    if (result.exit_code != 0) throw std::runtime_error("the fastavro generator failed");
    expected_ = new json(json::parse(result.output));
  }

  static void TearDownTestSuite() {
    delete expected_;
    delete dir_;
  }

  static std::string file(const std::string& name) { return (dir_->path() / name).string(); }
  static const json& expected() { return *expected_; }

  // Runs `skystream cat` with `arguments`, which name files relative to the test directory.
  static CatRun cat(const std::string& arguments) {
    const fs::path log = dir_->path() / "stderr.txt";
    auto result = run_command("cd " + shell_quote(dir_->path().string()) + " && " +
                              shell_quote(SKYSTREAM_BINARY) + " cat " + arguments + " 2>" +
                              shell_quote(log.string()));
    std::ifstream in(log);
    std::stringstream text;
    text << in.rdbuf();
    return CatRun{result.exit_code, result.output, text.str()};
  }

  static std::vector<json> lines(const std::string& output) {
    std::vector<json> parsed;
    std::istringstream in(output);
    for (std::string line; std::getline(in, line);) parsed.push_back(json::parse(line));
    return parsed;
  }

  static std::vector<std::int64_t> ids(const std::vector<json>& records) {
    std::vector<std::int64_t> out;
    for (const json& record : records) out.push_back(record["diaSourceId"].get<std::int64_t>());
    return out;
  }

  static std::vector<std::int64_t> expected_ids(std::size_t first, std::size_t count) {
    std::vector<std::int64_t> out;
    for (std::size_t i = first; i < first + count; ++i) {
      out.push_back(expected()["records"][i]["diaSourceId"].get<std::int64_t>());
    }
    return out;
  }

 private:
  static inline TempDir* dir_ = nullptr;
  static inline json* expected_ = nullptr;
};

// psfFlux is a float: fastavro reports it widened to double, cat in the shortest form that
// reads back to the same float.
bool same_flux(const json& ours, const json& theirs) {
  if (theirs.is_string()) return ours == theirs;
  return ours.is_number() &&
         static_cast<float>(ours.get<double>()) == static_cast<float>(theirs.get<double>());
}

TEST_F(Cat, ContainerPrintsEveryRecord) {
  const CatRun run = cat("visit.avro");
  ASSERT_EQ(run.exit_code, 0) << run.log;
  const auto records = lines(run.output);
  const json& wanted = expected()["records"];
  ASSERT_EQ(records.size(), wanted.size());
  for (std::size_t i = 0; i < records.size(); ++i) {
    EXPECT_EQ(records[i]["diaSourceId"], wanted[i]["diaSourceId"]) << i;
    EXPECT_TRUE(same_flux(records[i]["diaSource"]["psfFlux"], wanted[i]["psfFlux"])) << i;
    EXPECT_EQ(records[i]["diaSource"]["band"], wanted[i]["band"]) << i;
  }
  EXPECT_GE(expected()["blocks"].get<int>(), 3);
}

TEST_F(Cat, FieldsSelectPathsThroughArrays) {
  const CatRun run =
      cat("--fields diaSourceId,diaSource.psfFlux,prvDiaSources.diaSourceId visit.avro");
  ASSERT_EQ(run.exit_code, 0) << run.log;
  const auto records = lines(run.output);
  const json& wanted = expected()["records"];
  ASSERT_EQ(records.size(), wanted.size());
  for (std::size_t i = 0; i < records.size(); ++i) {
    EXPECT_EQ(records[i].size(), 3u) << i;
    EXPECT_EQ(records[i]["diaSourceId"], wanted[i]["diaSourceId"]) << i;
    EXPECT_TRUE(same_flux(records[i]["diaSource.psfFlux"], wanted[i]["psfFlux"])) << i;
    EXPECT_EQ(records[i]["prvDiaSources.diaSourceId"], wanted[i]["prv"]) << i;
  }
}

TEST_F(Cat, AvroJsonMatchesFastavroWriter) {
  const CatRun run = cat("--avro-json visit.avro > ours.json");
  ASSERT_EQ(run.exit_code, 0) << run.log;
  auto judged =
      run_command(shell_quote(SKYSTREAM_PYTHON) + " -c " + shell_quote(kAvroJsonJudge) + " " +
                  shell_quote(file("visit.avro")) + " " + shell_quote(file("ours.json")));
  EXPECT_EQ(judged.output, "ok 40\n");
}

TEST_F(Cat, QuoteNonFiniteWritesStrings) {
  // Record 4 is the first whose psfFlux fastavro wrote as NaN.
  ASSERT_EQ(expected()["records"][4]["psfFlux"], "NaN");
  const CatRun bare = cat("--avro-json --fields diaSource.psfFlux visit.avro");
  ASSERT_EQ(bare.exit_code, 0) << bare.log;
  std::istringstream bare_lines(bare.output);
  std::string line;
  for (int i = 0; i <= 4; ++i) std::getline(bare_lines, line);
  EXPECT_EQ(line, R"({"diaSource.psfFlux":{"float":NaN}})");

  const CatRun quoted = cat("--avro-json --quote-non-finite --fields diaSource.psfFlux visit.avro");
  ASSERT_EQ(quoted.exit_code, 0) << quoted.log;
  EXPECT_EQ(lines(quoted.output)[4], json::parse(R"({"diaSource.psfFlux":{"float":"NaN"}})"));
}

TEST_F(Cat, FramedPacketsUseSchemaId) {
  const CatRun run = cat("packets.bin");
  ASSERT_EQ(run.exit_code, 0) << run.log;
  EXPECT_EQ(ids(lines(run.output)), expected_ids(0, 3));
}

TEST_F(Cat, BareBodiesNeedSchemaVersion) {
  const CatRun without = cat("bare.bin");
  EXPECT_EQ(without.exit_code, 1);
  EXPECT_NE(without.log.find("bare.bin: unknown format"), std::string::npos) << without.log;

  const CatRun with = cat("--schema-version 11.0 bare.bin");
  ASSERT_EQ(with.exit_code, 0) << with.log;
  EXPECT_EQ(ids(lines(with.output)), expected_ids(3, 2));
}

TEST_F(Cat, UnknownSchemaIdFails) {
  const CatRun run = cat("unknown-id.bin");
  EXPECT_EQ(run.exit_code, 1);
  EXPECT_EQ(run.output, "");
  EXPECT_NE(run.log.find("unknown-id.bin at byte 0: packet 0: unknown schema id 9999"),
            std::string::npos)
      << run.log;
}

TEST_F(Cat, TruncatedPacketNamesRecord) {
  std::ifstream in(file("packets.bin"), std::ios::binary);
  std::stringstream bytes;
  bytes << in.rdbuf();
  const std::string packets = bytes.str();
  std::ofstream(file("truncated.bin"), std::ios::binary) << packets.substr(0, packets.size() - 10);

  const CatRun run = cat("truncated.bin");
  EXPECT_EQ(run.exit_code, 1);
  EXPECT_EQ(ids(lines(run.output)), expected_ids(0, 2));
  EXPECT_NE(run.log.find(": record 2 at "), std::string::npos) << run.log;
}

TEST_F(Cat, CorruptBlockFailsStrictRead) {
  // cat streams the file: the records of the blocks before the corrupt one are printed, then
  // reading stops.
  const CatRun run = cat("corrupt.avro");
  EXPECT_EQ(run.exit_code, 1);
  const std::int64_t first_lost = expected()["corrupt_ids"][0].get<std::int64_t>();
  const std::vector<std::int64_t> all = expected_ids(0, 40);
  const auto lost = std::find(all.begin(), all.end(), first_lost);
  ASSERT_NE(lost, all.begin());
  EXPECT_EQ(ids(lines(run.output)), std::vector<std::int64_t>(all.begin(), lost));
  EXPECT_NE(run.log.find(fmt::format("corrupt.avro at byte {}: snappy block CRC32 mismatch",
                                     expected()["corrupt_offset"].get<std::size_t>())),
            std::string::npos)
      << run.log;
}

TEST_F(Cat, SkipCorruptKeepsOtherBlocks) {
  // Status 3 tells a script that records were lost although every other block was printed.
  const CatRun run = cat("--skip-corrupt corrupt.avro");
  ASSERT_EQ(run.exit_code, 3) << run.log;
  std::vector<std::int64_t> wanted;
  const json& skipped = expected()["corrupt_ids"];
  for (std::int64_t id : expected_ids(0, 40)) {
    if (std::find(skipped.begin(), skipped.end(), id) == skipped.end()) wanted.push_back(id);
  }
  EXPECT_FALSE(skipped.empty());
  EXPECT_EQ(ids(lines(run.output)), wanted);
  EXPECT_NE(run.log.find(fmt::format("corrupt.avro at byte {}: snappy block CRC32 mismatch",
                                     expected()["corrupt_offset"].get<std::size_t>())),
            std::string::npos)
      << run.log;
  EXPECT_NE(run.log.find("through the next sync marker)"), std::string::npos) << run.log;
  EXPECT_NE(run.log.find("skipped 1 corrupt block ("), std::string::npos) << run.log;
  EXPECT_NE(run.log.find("in 1 file; the records they held were not printed (exit status 3)"),
            std::string::npos)
      << run.log;
}

TEST_F(Cat, SkipCorruptWithOtherErrorsExitsOne) {
  const CatRun run = cat("--skip-corrupt corrupt.avro missing.avro");
  EXPECT_EQ(run.exit_code, 1) << run.log;
  EXPECT_NE(run.log.find("records, 0 errors, 1 skipped block"), std::string::npos) << run.log;
  EXPECT_NE(run.log.find("missing.avro: file not found"), std::string::npos) << run.log;
}

TEST_F(Cat, ValidateReportsCorruptBlock) {
  const CatRun run = cat("--validate corrupt.avro");
  EXPECT_EQ(run.exit_code, 1);
  std::istringstream output(run.output);
  std::string error;
  std::string summary;
  std::getline(output, error);
  std::getline(output, summary);
  EXPECT_TRUE(error.starts_with(fmt::format("corrupt.avro at byte {}: snappy block CRC32 mismatch",
                                            expected()["corrupt_offset"].get<std::size_t>())))
      << error;
  EXPECT_EQ(summary,
            fmt::format("{} valid records, 1 error", 40 - expected()["corrupt_ids"].size()));
}

TEST_F(Cat, ValidateCountsEveryFile) {
  const CatRun run = cat("--validate visit.avro packets.bin");
  EXPECT_EQ(run.exit_code, 0);
  EXPECT_EQ(run.output, "43 valid records, 0 errors\n");
  EXPECT_NE(run.log.find("visit.avro: container file, 40 records, 0 errors"), std::string::npos)
      << run.log;
  EXPECT_NE(run.log.find("packets.bin: framed packets, 3 records, 0 errors"), std::string::npos)
      << run.log;
}

TEST_F(Cat, MissingAndUnknownFilesFail) {
  const CatRun run = cat("missing.avro notes.txt packets.bin");
  EXPECT_EQ(run.exit_code, 1);
  EXPECT_EQ(ids(lines(run.output)), expected_ids(0, 3));
  EXPECT_NE(run.log.find("missing.avro: file not found"), std::string::npos) << run.log;
  EXPECT_NE(run.log.find("notes.txt: unknown format"), std::string::npos) << run.log;
}

TEST_F(Cat, UnknownFieldPathFails) {
  const CatRun run = cat("--fields diaSource.nope visit.avro");
  EXPECT_EQ(run.exit_code, 1);
  EXPECT_EQ(run.output, "");
  EXPECT_NE(run.log.find("record lsst.v11_0.diaSource has no field \"nope\""), std::string::npos)
      << run.log;
}

}  // namespace
}  // namespace skystream
