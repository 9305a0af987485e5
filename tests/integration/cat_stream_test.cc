// skystream cat as a stream reader: standard input, endless input, zero-filled input,
// decompression bombs, lost output (/dev/full), invalid --fields lists, packets of mixed schema
// versions, and the messages for truncated or unreadable files. These tests run the binary but
// need no broker.

#include <fmt/format.h>
#include <gtest/gtest.h>

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

const fs::path kSchemaRoot = SKYSTREAM_SCHEMA_ROOT;

// Writes into argv[1]: visit.avro (a snappy container file of 30 records in blocks of about 5
// kB), framed.bin (3 framed 11.0 packets), mixed.bin (framed packets of 11.0, 3.0 and 11.0),
// bomb.avro (one zstandard block that inflates to 300 MiB of zeros) and cut.avro (visit.avro
// cut inside the data of its last block).
const char kGenerator[] = R"(
import copy, io, struct, sys, fastavro
from backports import zstd
root, out = sys.argv[1:3]
def sample(major, minor):
    reader = fastavro.reader(open(f'{root}/{major}/{minor}/sample_data/fakeAlert.avro', 'rb'))
    return reader.writer_schema, next(reader)
schema, base = sample(11, 0)
records = []
for i in range(30):
    record = copy.deepcopy(base)
    record['diaSourceId'] = 5000 + i
    records.append(record)
with open(f'{out}/visit.avro', 'wb') as handle:
    fastavro.writer(handle, schema, records, codec='snappy', sync_interval=5000)
data = open(f'{out}/visit.avro', 'rb').read()
open(f'{out}/cut.avro', 'wb').write(data[:-40])

def framed(schema, schema_id, record):
    body = io.BytesIO()
    fastavro.schemaless_writer(body, fastavro.parse_schema(schema), record)
    return b'\x00' + struct.pack('>i', schema_id) + body.getvalue()
open(f'{out}/framed.bin', 'wb').write(b''.join(framed(schema, 1100, r) for r in records[:3]))
old_schema, old = sample(3, 0)
open(f'{out}/mixed.bin', 'wb').write(framed(schema, 1100, records[0]) +
                                     framed(old_schema, 300, old) +
                                     framed(schema, 1100, records[1]))

def long(n):
    n = (n << 1) ^ (n >> 63)
    b = bytearray()
    while n >= 0x80:
        b.append(n & 0x7f | 0x80)
        n >>= 7
    return bytes(b + bytes([n]))
bomb_schema = {'type': 'record', 'name': 'R', 'fields': [{'name': 'b', 'type': 'bytes'}]}
header = io.BytesIO()
fastavro.writer(header, bomb_schema, [], codec='zstandard')
header = header.getvalue()
compressor = zstd.ZstdCompressor()
frames = b''.join(compressor.compress(b'\0' * (1 << 20)) for _ in range(300)) + compressor.flush()
open(f'{out}/bomb.avro', 'wb').write(header + long(1) + long(len(frames)) + frames + header[-16:])
)";

struct CatRun {
  int exit_code = -1;
  std::string output;
  std::string log;
};

class CatStream : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new TempDir();
    auto result =
        run_command(shell_quote(SKYSTREAM_PYTHON) + " -c " + shell_quote(kGenerator) + " " +
                    shell_quote(kSchemaRoot.string()) + " " + shell_quote(dir_->path().string()));
    if (result.exit_code != 0) throw std::runtime_error("the fastavro generator failed");
  }
  static void TearDownTestSuite() { delete dir_; }

  static std::string file(const std::string& name) { return (dir_->path() / name).string(); }

  // Runs `command` in the test directory, where $S is the skystream binary; standard error goes
  // to the log.
  static CatRun shell(const std::string& command) {
    const fs::path log = dir_->path() / "stderr.txt";
    auto result = run_command("cd " + shell_quote(dir_->path().string()) +
                              " && S=" + shell_quote(SKYSTREAM_BINARY) + " && { " + command +
                              " ; } 2>" + shell_quote(log.string()));
    std::ifstream in(log);
    std::stringstream text;
    text << in.rdbuf();
    return CatRun{result.exit_code, result.output, text.str()};
  }

  static CatRun cat(const std::string& arguments) { return shell("$S cat " + arguments); }

  static std::vector<json> lines(const std::string& output) {
    std::vector<json> parsed;
    std::istringstream in(output);
    for (std::string line; std::getline(in, line);) parsed.push_back(json::parse(line));
    return parsed;
  }

  static bool logged(const CatRun& run, const std::string& text) {
    return run.log.find(text) != std::string::npos;
  }

 private:
  static inline TempDir* dir_ = nullptr;
};

TEST_F(CatStream, ReadsStandardInput) {
  const CatRun container = shell("$S cat --fields diaSourceId - < visit.avro");
  ASSERT_EQ(container.exit_code, 0) << container.log;
  const auto records = lines(container.output);
  ASSERT_EQ(records.size(), 30u);
  EXPECT_EQ(records[29]["diaSourceId"], 5029);

  const CatRun packets = shell("cat framed.bin | $S cat --validate -");
  EXPECT_EQ(packets.exit_code, 0) << packets.log;
  EXPECT_EQ(packets.output, "3 valid records, 0 errors\n");
}

// An endless stream of packets is printed as it comes: head ends the pipe after 2000 lines,
// long before the producer would stop.
TEST_F(CatStream, EndlessInputIsProcessedAsItComes) {
  const CatRun run =
      shell("timeout 60 " + shell_quote(SKYSTREAM_PYTHON) +
            " -c 'import sys\ndata = open(\"framed.bin\", \"rb\").read()\n"
            "try:\n    while True: sys.stdout.buffer.write(data)\nexcept BrokenPipeError: pass' "
            "2>/dev/null | $S cat --fields diaSourceId - | head -n 2000 | wc -l");
  EXPECT_EQ(run.output, "2000\n") << run.log;
}

TEST_F(CatStream, ZeroFilledInputFailsAtOnce) {
  const CatRun bare = cat("--validate --schema-version 11.0 /dev/zero");
  EXPECT_EQ(bare.exit_code, 1);
  EXPECT_EQ(bare.output,
            "/dev/zero at byte 0: packet 0: it decodes, but its 143 bytes are all zero: the "
            "input looks zero-filled (such as /dev/zero or a file padded with zeros), not "
            "packets, so reading it stops\n0 valid records, 1 error\n");

  const CatRun framed = cat("/dev/zero");
  EXPECT_EQ(framed.exit_code, 1);
  EXPECT_TRUE(logged(framed,
                     "/dev/zero at byte 0: packet 0: its header (schema id 0) and the "
                     "bytes after it are all zero"))
      << framed.log;
}

TEST_F(CatStream, DecompressionBombFailsAtTheLimit) {
  const CatRun run = cat("--validate bomb.avro");
  EXPECT_EQ(run.exit_code, 1);
  EXPECT_NE(run.output.find("bomb.avro at byte "), std::string::npos) << run.output;
  EXPECT_NE(run.output.find(": zstandard block inflates to more than 268435456 bytes (256 MiB), "
                            "the limit of one block"),
            std::string::npos)
      << run.output;
  EXPECT_TRUE(run.output.ends_with("0 valid records, 1 error\n")) << run.output;
}

// An exception that escapes a command, here std::bad_alloc under a 200 MB address-space limit,
// is logged to standard error with the command's name; standard output stays clean.
TEST_F(CatStream, OutOfMemoryIsLoggedToStandardError) {
  const CatRun run = shell("ulimit -v 200000 && $S cat --validate bomb.avro");
  EXPECT_EQ(run.exit_code, 1);
  EXPECT_EQ(run.output, "");
  EXPECT_TRUE(logged(run, "[cat] skystream cat stopped: out of memory: std::bad_alloc")) << run.log;
}

TEST_F(CatStream, LostOutputFails) {
  for (const std::string options : {"", "--validate ", "--avro-json ", "--fields diaSourceId "}) {
    const CatRun run = shell("$S cat " + options + "visit.avro > /dev/full");
    EXPECT_EQ(run.exit_code, 1) << options;
    EXPECT_TRUE(logged(run,
                       "cannot write standard output: No space left on device; the output "
                       "is incomplete"))
        << options << run.log;
  }
}

TEST_F(CatStream, InvalidFieldListsAreOptionErrors) {
  const std::pair<std::string, std::string> cases[] = {
      {"''", "--fields: is empty"},
      {"','", "--fields: \",\" holds an empty path"},
      {"diaSourceId,diaSourceId",
       "--fields: \"diaSourceId,diaSourceId\" names \"diaSourceId\" twice"},
      {"diaSource..ra", "--fields: \"diaSource..ra\" holds an empty field name"},
  };
  for (const auto& [fields, message] : cases) {
    const CatRun run = cat("--fields " + fields + " visit.avro");
    EXPECT_EQ(run.exit_code, 2) << fields;
    EXPECT_EQ(run.output, "") << fields;
    EXPECT_TRUE(logged(run, message)) << fields << ": " << run.log;
  }
  EXPECT_EQ(cat("--no-such-option visit.avro").exit_code, 2);
  EXPECT_EQ(cat("").exit_code, 2);
}

// A packet whose schema lacks a --fields path is reported with its index and offset, and the
// packets after it are still printed.
TEST_F(CatStream, FieldsGoOnPastPacketsOfAnotherSchema) {
  const CatRun run = cat("--fields diaSourceId mixed.bin");
  EXPECT_EQ(run.exit_code, 1);
  EXPECT_EQ(run.output, "{\"diaSourceId\":5000}\n{\"diaSourceId\":5001}\n");
  EXPECT_TRUE(logged(run, "mixed.bin at byte "));
  EXPECT_TRUE(logged(run,
                     ": packet 1 (schema lsst.v3_0.alert): invalid --fields path "
                     "\"diaSourceId\""))
      << run.log;
}

TEST_F(CatStream, TruncatedBlockDataIsNamed) {
  const CatRun strict = cat("cut.avro");
  EXPECT_EQ(strict.exit_code, 1);
  EXPECT_TRUE(logged(strict, ": truncated block: its header declares ")) << strict.log;
  EXPECT_FALSE(logged(strict, "block header")) << strict.log;

  const CatRun validate = cat("--validate cut.avro");
  EXPECT_EQ(validate.exit_code, 1);
  EXPECT_NE(validate.output.find("to the end of the file, as no sync marker follows)"),
            std::string::npos)
      << validate.output;
}

TEST_F(CatStream, ShortAndUnreadableFilesAreNamed) {
  std::ofstream(file("zero.bin"), std::ios::binary).write("\0", 1);
  std::ofstream(file("empty.bin"), std::ios::binary).flush();
  const CatRun one = cat("zero.bin");
  EXPECT_EQ(one.exit_code, 1);
  EXPECT_TRUE(logged(one,
                     "zero.bin: unknown format: the file holds only 1 byte, too few for an "
                     "Avro container file or a Confluent-framed packet"))
      << one.log;
  EXPECT_TRUE(logged(cat("empty.bin"), "empty.bin: unknown format: the file is empty"));
  const CatRun unreadable = cat("/proc/self/mem");
  EXPECT_EQ(unreadable.exit_code, 1);
  EXPECT_TRUE(logged(unreadable, "/proc/self/mem at byte 0: read failed: Input/output error"))
      << unreadable.log;
}

TEST_F(CatStream, BrokenSchemaFileIsNamed) {
  const fs::path root = file("root");
  fs::create_directories(root / "11");
  fs::copy(kSchemaRoot / "11" / "0", root / "11" / "0", fs::copy_options::recursive);
  std::ofstream(root / "11" / "0" / "lsst.v11_0.diaSource.avsc") << "{\"type\": broken";
  const CatRun run = cat("--schema-root " + shell_quote(root.string()) + " framed.bin");
  EXPECT_EQ(run.exit_code, 1);
  EXPECT_TRUE(logged(run, "framed.bin at byte 0: packet 0: the schema of id 1100 does not load: " +
                              (root / "11" / "0" / "lsst.v11_0.diaSource.avsc").string() +
                              ": invalid JSON"))
      << run.log;
}

TEST_F(CatStream, HelpNamesExitStatuses) {
  const CatRun run = shell("$S cat --help");
  EXPECT_EQ(run.exit_code, 0);
  EXPECT_NE(run.output.find("3 under --skip-corrupt"), std::string::npos) << run.output;
  EXPECT_NE(run.output.find("2 invalid options"), std::string::npos) << run.output;
}

}  // namespace
}  // namespace skystream
