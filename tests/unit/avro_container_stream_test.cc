// ContainerBlockReader reads a container file one block at a time through BufferedInput: from a
// file, from a pipe that delivers a few bytes per read, and past corrupt blocks whose next sync
// marker straddles two reads. Blocks that would inflate past ReadOptions::max_block_size fail
// while inflating, and invalid block and file headers name the value at fault.

#include <fcntl.h>
#include <fmt/format.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <fstream>
#include <sstream>
#include <thread>

#include "../support/process.h"
#include "avro/codec.h"
#include "avro/container.h"

namespace skystream::avro {
namespace {

namespace fs = std::filesystem;
using testing::TempDir;

constexpr std::size_t kChunk = std::size_t{256} << 10;  // BufferedInput's read size

// Records of one bytes field, so that objects of any size are easy to build.
std::shared_ptr<const Schema> bytes_schema() {
  static const std::shared_ptr<const Schema> schema = [] {
    auto parsed = Schema::parse(
        R"({"type": "record", "name": "R", "fields": [{"name": "b", "type": "bytes"}]})", "R");
    if (!parsed) throw std::runtime_error(parsed.error().to_string());
    return *parsed;
  }();
  return schema;
}

// The encoding of a record R whose field b holds `payload`.
std::string object_of(std::string_view payload) {
  std::string out;
  encode_long(static_cast<std::int64_t>(payload.size()), out);
  out += payload;
  return out;
}

// Object i: i bytes of the letter 'a' + i % 26, so that every object differs.
std::string numbered_object(std::size_t i) {
  return object_of(std::string(i % 300, static_cast<char>('a' + i % 26)));
}

std::string read_bytes(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream bytes;
  bytes << in.rdbuf();
  return bytes.str();
}

void write_bytes(const fs::path& path, std::string_view bytes) {
  std::ofstream(path, std::ios::binary)
      .write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
}

// Writes `objects` with `codec`, `per_block` to a block, and returns the file's bytes.
std::string write_file(const fs::path& path, Codec codec, const std::vector<std::string>& objects,
                       std::size_t per_block) {
  auto writer = ContainerWriter::create(path, bytes_schema(), codec, 5);
  if (!writer) throw std::runtime_error(writer.error().to_string());
  writer->objects_per_block = per_block;
  for (const std::string& object : objects) writer->append_encoded(object);
  if (!writer->close()) throw std::runtime_error("close failed");
  return read_bytes(path);
}

// The header of an empty file with `codec`; its last 16 bytes are the sync marker.
std::string header_of(const fs::path& dir, Codec codec) {
  return write_file(dir / "header.avro", codec, {}, 1);
}

std::string block_of(std::int64_t count, std::string_view data, std::string_view sync) {
  std::string out;
  encode_long(count, out);
  encode_long(static_cast<std::int64_t>(data.size()), out);
  out += data;
  out += sync;
  return out;
}

struct Read {
  std::vector<std::string> objects;
  std::vector<std::size_t> block_sizes;
  std::vector<std::size_t> first_indices;
  std::vector<std::uint64_t> offsets;
  std::vector<SkippedBlock> skipped;
  std::optional<Error> error;
};

Read read_all(Result<ContainerBlockReader> reader) {
  Read read;
  if (!reader) {
    read.error = reader.error();
    return read;
  }
  while (true) {
    auto step = reader->next();
    if (!step) {
      read.error = step.error();
      return read;
    }
    if (*step == ContainerBlockReader::Step::kEnd) return read;
    if (*step == ContainerBlockReader::Step::kSkipped) {
      read.skipped.push_back(reader->last_skipped());
      continue;
    }
    read.block_sizes.push_back(reader->objects().size());
    read.first_indices.push_back(reader->first_index());
    read.offsets.push_back(reader->block_offset());
    for (std::string_view object : reader->objects()) read.objects.emplace_back(object);
  }
}

// Delivers `bytes` through a pipe in writes of `piece` bytes, as a slow producer would.
class PipeFeeder {
 public:
  PipeFeeder(std::string bytes, std::size_t piece) : bytes_(std::move(bytes)) {
    int fds[2];
    if (::pipe(fds) != 0) throw std::runtime_error("pipe failed");
    read_end_ = fds[0];
    writer_ = std::thread([this, piece, fd = fds[1]] {
      for (std::size_t at = 0; at < bytes_.size(); at += piece) {
        const std::size_t size = std::min(piece, bytes_.size() - at);
        for (std::size_t done = 0; done < size;) {
          const ssize_t wrote = ::write(fd, bytes_.data() + at + done, size - done);
          if (wrote <= 0) break;
          done += static_cast<std::size_t>(wrote);
        }
      }
      ::close(fd);
    });
  }
  ~PipeFeeder() { writer_.join(); }
  int read_end() const { return read_end_; }

 private:
  std::string bytes_;
  int read_end_ = -1;
  std::thread writer_;
};

std::vector<std::string> numbered_objects(std::size_t count) {
  std::vector<std::string> objects;
  for (std::size_t i = 0; i < count; ++i) objects.push_back(numbered_object(i));
  return objects;
}

// Objects of 0 to 299 pseudo-random bytes, which no codec compresses much.
std::vector<std::string> random_objects(std::size_t count) {
  std::vector<std::string> objects;
  std::uint64_t state = 12345;
  for (std::size_t i = 0; i < count; ++i) {
    std::string payload(i % 300, '\0');
    for (char& c : payload) {
      state = state * 6364136223846793005ULL + 1442695040888963407ULL;
      c = static_cast<char>(state >> 56);
    }
    objects.push_back(object_of(payload));
  }
  return objects;
}

TEST(ContainerBlockReader, ReadsOneBlockAtATime) {
  TempDir dir;
  const auto objects = numbered_objects(10);
  const std::string file = write_file(dir.path() / "f.avro", Codec::kNull, objects, 3);
  const Read read = read_all(ContainerBlockReader::open(dir.path() / "f.avro"));
  ASSERT_FALSE(read.error) << read.error->to_string();
  EXPECT_EQ(read.objects, objects);
  EXPECT_EQ(read.block_sizes, (std::vector<std::size_t>{3, 3, 3, 1}));
  EXPECT_EQ(read.first_indices, (std::vector<std::size_t>{0, 3, 6, 9}));
  // Each block starts right after a sync marker.
  const std::string sync = file.substr(file.size() - 16);
  for (std::uint64_t offset : read.offsets) {
    EXPECT_EQ(file.substr(static_cast<std::size_t>(offset) - 16, 16), sync) << offset;
  }
}

class StreamCodec : public ::testing::TestWithParam<Codec> {};

TEST_P(StreamCodec, PipeInSmallPiecesReadsLikeTheFile) {
  TempDir dir;
  const auto objects = random_objects(3000);
  const std::string file = write_file(dir.path() / "f.avro", GetParam(), objects, 700);
  ASSERT_GT(file.size(), kChunk);
  for (std::size_t piece : {std::size_t{1} << 20, std::size_t{4093}, std::size_t{7}}) {
    PipeFeeder feeder(file, piece);
    const Read read =
        read_all(ContainerBlockReader::open(BufferedInput(feeder.read_end(), "pipe", true)));
    ASSERT_FALSE(read.error) << read.error->to_string();
    EXPECT_EQ(read.objects, objects) << "pieces of " << piece;
    EXPECT_EQ(read.block_sizes.size(), 5u);
  }
}

INSTANTIATE_TEST_SUITE_P(Codecs, StreamCodec,
                         ::testing::Values(Codec::kNull, Codec::kDeflate, Codec::kSnappy,
                                           Codec::kZstandard),
                         [](const auto& info) { return std::string(codec_name(info.param)); });

// A corrupt block of `garbage` bytes (a header that declares 3 bytes, then no sync marker)
// between two good blocks. The garbage length moves the next marker across the end of the
// first read of a file (kChunk bytes), so that it straddles two reads in some of the cases.
TEST(ContainerBlockReader, SkipFindsMarkerAcrossReads) {
  TempDir dir;
  const std::string header = header_of(dir.path(), Codec::kNull);
  const std::string sync = header.substr(header.size() - 16);
  const std::string first = block_of(1, object_of("first"), sync);
  const std::string last = block_of(1, object_of("last"), sync);
  std::string corrupt_header;
  encode_long(1, corrupt_header);
  encode_long(3, corrupt_header);
  const std::size_t before_garbage = header.size() + first.size() + corrupt_header.size();

  for (std::size_t marker = kChunk - 20; marker <= kChunk + 4; ++marker) {
    const std::string garbage(marker - before_garbage, '\x7f');
    const std::string file = header + first + corrupt_header + garbage + sync + last;
    ASSERT_EQ(file.find(sync, header.size() + first.size()), marker);
    write_bytes(dir.path() / "c.avro", file);
    for (int through_pipe = 0; through_pipe < 2; ++through_pipe) {
      std::optional<PipeFeeder> feeder;
      Result<BufferedInput> input = BufferedInput::open(dir.path() / "c.avro");
      if (through_pipe) {
        feeder.emplace(file, 5000);
        input = BufferedInput(feeder->read_end(), "pipe", true);
      }
      ASSERT_TRUE(input);
      const Read read =
          read_all(ContainerBlockReader::open(std::move(*input), {.skip_corrupt_blocks = true}));
      ASSERT_FALSE(read.error) << read.error->to_string();
      EXPECT_EQ(read.objects, (std::vector<std::string>{object_of("first"), object_of("last")}))
          << "marker at " << marker;
      ASSERT_EQ(read.skipped.size(), 1u);
      EXPECT_EQ(read.skipped[0].offset, header.size() + first.size());
      EXPECT_EQ(read.skipped[0].size, marker + 16 - header.size() - first.size());
      EXPECT_FALSE(read.skipped[0].to_end);
      EXPECT_EQ(read.skipped[0].object_count, 1);
      EXPECT_EQ(read.skipped[0].error.message, "sync marker mismatch");
      // Record indices count only the records that were read.
      EXPECT_EQ(read.first_indices, (std::vector<std::size_t>{0, 1}));
    }
  }
}

TEST(ContainerBlockReader, SkipWithoutMarkerRunsToTheEnd) {
  TempDir dir;
  const std::string header = header_of(dir.path(), Codec::kNull);
  const std::string sync = header.substr(header.size() - 16);
  const std::string file =
      header + block_of(1, object_of("one"), sync) + std::string(3 * kChunk + 11, '\x7f');
  const Read read = read_all(
      ContainerBlockReader::open(BufferedInput(file, "g.avro"), {.skip_corrupt_blocks = true}));
  ASSERT_FALSE(read.error) << read.error->to_string();
  EXPECT_EQ(read.objects, std::vector<std::string>{object_of("one")});
  ASSERT_EQ(read.skipped.size(), 1u);
  EXPECT_TRUE(read.skipped[0].to_end);
  EXPECT_EQ(read.skipped[0].size, 3 * kChunk + 11);
}

// A block of one object that holds 2 MiB of zeros, read with a limit of 1 MiB.
class BlockLimit : public ::testing::TestWithParam<Codec> {};

TEST_P(BlockLimit, FailsWhileInflatingAndNamesTheLimit) {
  TempDir dir;
  const std::vector<std::string> objects = {
      object_of("small"), object_of(std::string(2 << 20, '\0')), object_of("after")};
  const std::string file = write_file(dir.path() / "big.avro", GetParam(), objects, 1);
  const ReadOptions limited{.max_block_size = 1 << 20};

  const Read strict = read_all(ContainerBlockReader::open(dir.path() / "big.avro", limited));
  ASSERT_TRUE(strict.error);
  EXPECT_EQ(strict.objects, std::vector<std::string>{object_of("small")});
  EXPECT_EQ(strict.error->where, (dir.path() / "big.avro").string());
  const std::string sync = file.substr(file.size() - 16);
  const std::size_t second_block = file.find(sync, file.find(sync) + 16) + 16;
  EXPECT_EQ(strict.error->offset, second_block);
  const std::string message =
      GetParam() == Codec::kNull
          ? "corrupt block header: the byte size 2097156 exceeds the limit of 1048576 bytes "
            "(1 MiB) for a block stored with the null codec"
          : fmt::format(
                "{} block inflates to more than 1048576 bytes (1 MiB), the limit of one "
                "block",
                codec_name(GetParam()));
  EXPECT_EQ(strict.error->message, message);

  const Read skipping = read_all(ContainerBlockReader::open(
      dir.path() / "big.avro", {.skip_corrupt_blocks = true, .max_block_size = 1 << 20}));
  ASSERT_FALSE(skipping.error) << skipping.error->to_string();
  EXPECT_EQ(skipping.objects, (std::vector<std::string>{object_of("small"), object_of("after")}));
  ASSERT_EQ(skipping.skipped.size(), 1u);
  EXPECT_EQ(skipping.skipped[0].error.message, message);

  // The default limit, 256 MiB, reads the file, and so does ContainerReader.
  const Read unlimited = read_all(ContainerBlockReader::open(dir.path() / "big.avro"));
  ASSERT_FALSE(unlimited.error) << unlimited.error->to_string();
  EXPECT_EQ(unlimited.objects, objects);
  auto whole = ContainerReader::open(dir.path() / "big.avro", limited);
  ASSERT_FALSE(whole);
  EXPECT_EQ(whole.error().message, message);
}

INSTANTIATE_TEST_SUITE_P(Codecs, BlockLimit,
                         ::testing::Values(Codec::kNull, Codec::kDeflate, Codec::kSnappy,
                                           Codec::kZstandard),
                         [](const auto& info) { return std::string(codec_name(info.param)); });

TEST(ContainerBlockReader, DefaultLimitIs256MiB) {
  EXPECT_EQ(kMaxBlockSize, std::size_t{256} << 20);
  EXPECT_EQ(ReadOptions{}.max_block_size, kMaxBlockSize);
}

// Block headers that are cut off or hold invalid values; each message names the value.
TEST(ContainerBlockReader, NamesTheInvalidBlockHeaderValue) {
  TempDir dir;
  const std::string header = header_of(dir.path(), Codec::kNull);
  const std::string sync = header.substr(header.size() - 16);
  auto longs = [](std::initializer_list<std::int64_t> values) {
    std::string out;
    for (std::int64_t value : values) encode_long(value, out);
    return out;
  };
  const std::string data = object_of("x");
  struct Case {
    std::string block;
    std::string message;
  };
  const Case cases[] = {
      {longs({1, -1}) + data + sync, "corrupt block header: the byte size -1 is negative"},
      {longs({-5, 2}) + data + sync, "corrupt block header: the object count -5 is negative"},
      {longs({1, std::int64_t{1} << 62}) + data + sync,
       "corrupt block header: the byte size 4611686018427387904 exceeds the limit of 268435456 "
       "bytes (256 MiB) for a block stored with the null codec"},
      {std::string(11, '\xff'),
       "corrupt block header: the object count is not a valid varint (varint longer than 10 "
       "bytes)"},
      {longs({1}) + "\x80",
       "truncated block header: the file ends inside the byte size, 2 bytes "
       "into the block"},
      {longs({1, 40}) + data,
       "truncated block: its header declares 40 bytes of data and a 16-byte sync marker, but the "
       "file ends 2 bytes after the header"},
      {longs({1, 2}) + data + sync.substr(0, 15),
       "truncated block: its header declares 2 bytes of data and a 16-byte sync marker, but the "
       "file ends 17 bytes after the header"},
  };
  for (const Case& c : cases) {
    const std::string file = header + c.block;
    // From memory, from a file (whose size is known) and from a pipe (whose size is not).
    write_bytes(dir.path() / "h.avro", file);
    PipeFeeder feeder(file, 3);
    std::vector<Result<ContainerBlockReader>> readers;
    readers.push_back(ContainerBlockReader::open(BufferedInput(file, "h.avro")));
    readers.push_back(ContainerBlockReader::open(dir.path() / "h.avro"));
    readers.push_back(ContainerBlockReader::open(BufferedInput(feeder.read_end(), "h.avro", true)));
    for (auto& reader : readers) {
      const Read read = read_all(std::move(reader));
      ASSERT_TRUE(read.error) << c.message;
      EXPECT_EQ(read.error->message, c.message);
      EXPECT_EQ(read.error->offset, header.size()) << c.message;
    }
  }
}

TEST(ContainerBlockReader, NamesWhereTheFileHeaderEnds) {
  TempDir dir;
  const std::string header = header_of(dir.path(), Codec::kNull);
  const std::size_t schema_at = header.find(bytes_schema()->to_json());
  ASSERT_NE(schema_at, std::string::npos);
  struct Case {
    std::string file;
    std::string message;
  };
  const Case cases[] = {
      {"", "the file is empty"},
      {"Obj", "truncated file header: the file ends after 3 bytes, inside the magic"},
      {"Obj\x02", "not an Avro container file"},
      {header.substr(0, schema_at + 10),
       fmt::format("truncated file header: the metadata value of \"avro.schema\" declares {} "
                   "bytes, past the end of the file",
                   bytes_schema()->to_json().size())},
      {header.substr(0, header.size() - 3),
       "truncated file header: the file ends 13 bytes into the 16-byte sync marker"},
      {std::string("Obj\x01\x02\x80", 6),
       "truncated file header: the file ends inside the length "
       "of the metadata key 0"},
      {std::string("Obj\x01\x02\x01", 6),
       "corrupt metadata entry: the metadata key 0 has the negative length -1"},
  };
  for (const Case& c : cases) {
    write_bytes(dir.path() / "h.avro", c.file);
    PipeFeeder feeder(c.file, 1);
    const Read from_file = read_all(ContainerBlockReader::open(dir.path() / "h.avro"));
    const Read from_pipe =
        read_all(ContainerBlockReader::open(BufferedInput(feeder.read_end(), "h.avro", true)));
    ASSERT_TRUE(from_file.error) << c.message;
    EXPECT_EQ(from_file.error->message, c.message);
    EXPECT_EQ(from_file.error->where, (dir.path() / "h.avro").string());
    ASSERT_TRUE(from_pipe.error) << c.message;
    EXPECT_EQ(from_pipe.error->message, c.message);
    EXPECT_EQ(from_pipe.error->where, "h.avro");
  }
}

TEST(BufferedInput, ReportsReadErrors) {
  // Reading /proc/self/mem at offset 0 fails with EIO: no page is mapped there.
  auto input = BufferedInput::open("/proc/self/mem");
  ASSERT_TRUE(input) << input.error().to_string();
  auto bytes = input->peek(5);
  ASSERT_FALSE(bytes);
  EXPECT_EQ(bytes.error().to_string(), "/proc/self/mem at byte 0: read failed: Input/output error");
}

TEST(BufferedInput, OpenNamesTheProblem) {
  TempDir dir;
  auto missing = BufferedInput::open(dir.path() / "none.avro");
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().to_string(), (dir.path() / "none.avro").string() + ": file not found");
  auto directory = BufferedInput::open(dir.path());
  ASSERT_FALSE(directory);
  EXPECT_EQ(directory.error().message, "is a directory");
}

TEST(BufferedInput, PeekConsumeAndPosition) {
  PipeFeeder feeder(std::string(1000, 'x') + "tail", 10);
  BufferedInput input(feeder.read_end(), "pipe", true);
  EXPECT_FALSE(input.size_known());
  auto first = input.peek(100);
  ASSERT_TRUE(first);
  EXPECT_GE(first->size(), 100u);
  auto more = input.peek(1000);
  ASSERT_TRUE(more);
  EXPECT_EQ(more->substr(0, 1000), std::string(1000, 'x'));
  input.consume(1000);
  EXPECT_EQ(input.position(), 1000u);
  auto rest = input.peek(10);
  ASSERT_TRUE(rest);
  EXPECT_EQ(*rest, "tail");
  EXPECT_TRUE(input.at_end());
  input.consume(4);
  auto end = input.peek(1);
  ASSERT_TRUE(end);
  EXPECT_TRUE(end->empty());
}

}  // namespace
}  // namespace skystream::avro
