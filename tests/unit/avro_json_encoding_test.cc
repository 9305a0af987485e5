// The Avro JSON encoding: golden text for every type, decoding back to the same bytes, the
// errors of the decoder, and agreement with fastavro.json_writer, fastavro.json_reader and
// Avro C's avrocat on the official Rubin sample alerts.

#include <fmt/format.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "../support/process.h"
#include "../support/reference_values.h"
#include "avro/avro_json.h"
#include "avro/codec.h"
#include "avro/container.h"
#include "avro/schema.h"

namespace skystream::avro {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;
using testing::run_command;
using testing::shell_quote;
using testing::short_branch_names;
using testing::TempDir;

const char kSchema[] = R"({"type": "record", "name": "r", "namespace": "t", "fields": [
  {"name": "n", "type": "null"},
  {"name": "b", "type": "boolean"},
  {"name": "i", "type": "int"},
  {"name": "l", "type": "long"},
  {"name": "f", "type": "float"},
  {"name": "d", "type": "double"},
  {"name": "by", "type": "bytes"},
  {"name": "s", "type": "string"},
  {"name": "e", "type": {"type": "enum", "name": "E", "symbols": ["A", "B"]}},
  {"name": "x", "type": {"type": "fixed", "name": "F", "size": 2}},
  {"name": "a", "type": {"type": "array", "items": "int"}},
  {"name": "m", "type": {"type": "map", "values": "long"}},
  {"name": "u", "type": ["null", "string", "E", {"type": "array", "items": "int"}]},
  {"name": "u2", "type": ["null", {"type": "map", "values": "double"}]},
  {"name": "u3", "type": ["null", "long"]},
  {"name": "w", "type": ["null", "int"], "default": null},
  {"name": "v", "type": ["string", "null"], "default": "x"}
]})";

// One record of kSchema, field by field.
const char kGoldenByteArray[] =
    "\x01"                              // b   true
    "\x03"                              // i   -2, zig-zag 3
    "\xd8\x04"                          // l   300, zig-zag 600
    "\xcd\xcc\xcc\x3d"                  // f   0.1f, little-endian binary32
    "\x00\x00\x00\x00\x00\x00\x04\xc0"  // d   -2.5, little-endian binary64
    "\x0c\x00\x7f\x80\xff\x22\x5c"      // by  length 6, then 00 7f 80 ff '"' '\'
    "\x06\xc3\xa9\x0a"                  // s   length 3, then UTF-8 "é\n"
    "\x02"                              // e   symbol 1, "B"
    "ab"                                // x   fixed of 2 bytes
    "\x04\x02\x04\x00"                  // a   block of 2 items: 1, 2; end
    "\x02\x02k\x02\x00"                 // m   block of 1 entry: "k" -> 1; end
    "\x04\x00"                          // u   branch 2 (enum t.E), symbol 0, "A"
    "\x02\x02\x02z"                     // u2  branch 1 (map), block of 1 entry, key "z"
    "\x00\x00\x00\x00\x00\x00\xf8\x7f"  //     -> NaN
    "\x00"                              //     end of the map
    "\x00"                              // u3  branch 0, null
    "\x00"                              // w   branch 0, null
    "\x00\x02x";                        // v   branch 0, string "x"
const std::string kGoldenBytes(kGoldenByteArray, sizeof kGoldenByteArray - 1);

const std::string kGoldenJson =
    R"({"n":null,"b":true,"i":-2,"l":300,"f":0.10000000149011612,"d":-2.5,)"
    R"("by":"\u0000\u007f\u0080\u00ff\"\\","s":"é\n","e":"B","x":"ab","a":[1,2],"m":{"k":1},)"
    R"("u":{"t.E":"A"},"u2":{"map":{"z":NaN}},"u3":null,"w":null,"v":{"string":"x"}})";

std::shared_ptr<const Schema> golden_schema() {
  static const std::shared_ptr<const Schema> schema = [] {
    auto parsed = Schema::parse(kSchema);
    if (!parsed) throw std::runtime_error(parsed.error().to_string());
    return *parsed;
  }();
  return schema;
}

// Replaces the one occurrence of `from` in `text` with `to`.
std::string replaced(std::string text, std::string_view from, std::string_view to) {
  const std::size_t at = text.find(from);
  if (at == std::string::npos || text.find(from, at + 1) != std::string::npos) {
    throw std::invalid_argument(fmt::format("'{}' is not in the text exactly once", from));
  }
  return text.replace(at, from.size(), to);
}

// Replaces every occurrence of `from` in `text` with `to`.
std::string replaced_all(std::string text, std::string_view from, std::string_view to) {
  for (std::size_t at = text.find(from); at != std::string::npos;
       at = text.find(from, at + to.size())) {
    text.replace(at, from.size(), to);
  }
  return text;
}

// Decodes Avro JSON and returns the binary encoding, or the error as text.
std::string json_to_bytes(std::string_view text) {
  auto value = from_avro_json(golden_schema()->root(), text);
  if (!value) return "error: " + value.error().to_string();
  std::string bytes;
  encode(*value, bytes);
  return bytes;
}

TEST(AvroJsonGolden, EncodesEveryType) {
  auto value = decode_exact(golden_schema()->root(), kGoldenBytes);
  ASSERT_TRUE(value) << value.error().to_string();
  auto text = to_avro_json(*value);
  ASSERT_TRUE(text) << text.error().to_string();
  EXPECT_EQ(*text, kGoldenJson);
}

TEST(AvroJsonGolden, QuotesNonFiniteOnRequest) {
  auto value = decode_exact(golden_schema()->root(), kGoldenBytes);
  ASSERT_TRUE(value);
  auto text = to_avro_json(*value, {.quote_non_finite = true});
  ASSERT_TRUE(text);
  EXPECT_EQ(*text, replaced(kGoldenJson, R"("z":NaN)", R"("z":"NaN")"));
}

TEST(AvroJsonGolden, DecodesToSameBytes) { EXPECT_EQ(json_to_bytes(kGoldenJson), kGoldenBytes); }

TEST(AvroJsonGolden, RejectsInvalidUtf8String) {
  auto value = decode_exact(golden_schema()->root(), kGoldenBytes);
  ASSERT_TRUE(value);
  value->field("s").bytes = "ok\xc3";  // a 2-byte sequence cut after its first byte
  auto text = to_avro_json(*value);
  ASSERT_FALSE(text);
  EXPECT_EQ(text.error().where, "s");
  EXPECT_EQ(text.error().message, "string is not valid UTF-8 (byte 2 of the string)");
}

// Inputs that differ from what the encoder writes but decode to the same bytes.
struct Variant {
  const char* name;
  std::string text;
};

class AvroJsonVariant : public ::testing::TestWithParam<Variant> {};

TEST_P(AvroJsonVariant, DecodesToGoldenBytes) {
  EXPECT_EQ(json_to_bytes(GetParam().text), kGoldenBytes);
}

INSTANTIATE_TEST_SUITE_P(
    Inputs, AvroJsonVariant,
    ::testing::Values(
        Variant{"FieldsReordered",
                replaced(replaced(kGoldenJson, R"("n":null,"b":true,)", R"("b":true,)"),
                         R"("v":{"string":"x"}})", R"("v":{"string":"x"},"n":null})")},
        Variant{"DefaultsLeftOut", replaced(kGoldenJson, R"(,"w":null,"v":{"string":"x"})", "")},
        Variant{"ShortBranchName", replaced(kGoldenJson, R"({"t.E":"A"})", R"({"E":"A"})")},
        Variant{"NanAsString", replaced(kGoldenJson, R"("z":NaN)", R"("z":"NaN")")},
        Variant{"Whitespace",
                " \n" + replaced_all(replaced_all(kGoldenJson, ",", " ,\t"), ":", " : ") + "\r\n"},
        Variant{"Escapes", replaced(replaced(kGoldenJson, R"("s":"é\n")", R"("s":"\u00e9\u000A")"),
                                    R"("x":"ab")", R"("x":"\u0061b")")},
        Variant{"FloatAsShortestFloat", replaced(kGoldenJson, "0.10000000149011612", "1.0e-1")}),
    [](const auto& info) { return std::string(info.param.name); });

// Inputs the decoder rejects: the error's field path, message, and the text that starts at
// the error's offset.
struct Rejection {
  const char* name;
  std::string text;
  const char* where;
  const char* message;
  const char* at;
};

class AvroJsonRejection : public ::testing::TestWithParam<Rejection> {};

TEST_P(AvroJsonRejection, NamesFieldAndOffset) {
  auto value = from_avro_json(golden_schema()->root(), GetParam().text);
  ASSERT_FALSE(value);
  EXPECT_EQ(value.error().where, GetParam().where);
  EXPECT_EQ(value.error().message, GetParam().message);
  ASSERT_LE(value.error().offset, GetParam().text.size());
  EXPECT_TRUE(GetParam().text.substr(value.error().offset).starts_with(GetParam().at))
      << GetParam().text.substr(value.error().offset);
}

INSTANTIATE_TEST_SUITE_P(
    Inputs, AvroJsonRejection,
    ::testing::Values(
        Rejection{"IntOutOfRange", replaced(kGoldenJson, R"("i":-2)", R"("i":2147483648)"), "i",
                  "2147483648 out of range for int", "2147483648"},
        Rejection{"FractionForLong", replaced(kGoldenJson, R"("l":300)", R"("l":1.5)"), "l",
                  "expected an integer for long, found 1.5", "1.5"},
        Rejection{"CodePointInBytes", replaced(kGoldenJson, R"("by":"\u0000)", R"("by":"\u0100)"),
                  "by", "code point U+0100 above U+00FF in bytes", R"("\u0100)"},
        Rejection{"FixedTooLong", replaced(kGoldenJson, R"("x":"ab")", R"("x":"abc")"), "x",
                  "fixed t.F needs 2 bytes, found 3", R"("abc")"},
        Rejection{"UnknownSymbol", replaced(kGoldenJson, R"("e":"B")", R"("e":"C")"), "e",
                  R"("C" is not a symbol of enum t.E)", R"("C")"},
        Rejection{"UnknownBranch", replaced(kGoldenJson, R"({"t.E":"A"})", R"({"t.Q":"A"})"), "u",
                  R"("t.Q" is not a branch of this union)", R"("t.Q")"},
        Rejection{"BareUnionValue", replaced(kGoldenJson, R"("u3":null)", R"("u3":5)"), "u3",
                  R"(expected null or {"<branch>": value} for a union, found '5,"w":null,"v":{')",
                  "5,"},
        Rejection{"UnknownField", replaced(kGoldenJson, R"("n":null,)", R"("n":null,"zz":1,)"), "",
                  R"(unknown field "zz" in record t.r)", R"("zz")"},
        Rejection{"RepeatedField", replaced(kGoldenJson, R"("b":true,)", R"("b":true,"b":false,)"),
                  "", R"(repeated field "b" in record t.r)", R"("b":false)"},
        Rejection{"MissingField", replaced(kGoldenJson, R"("i":-2,)", ""), "",
                  R"(missing field "i" of record t.r, which has no default)", ""},
        Rejection{"ArrayItemPath", replaced(kGoldenJson, R"("a":[1,2])", R"("a":[1,"x"])"), "a[1]",
                  R"(expected a number, found '"x"],"m":{"k":1}')", R"("x")"},
        Rejection{"MapValuePath", replaced(kGoldenJson, R"("z":NaN)", R"("z":"nan")"), "u2[z]",
                  R"(expected a number, found '"nan"}},"u3":nul')", R"("nan")"},
        Rejection{"InvalidUtf8", replaced(kGoldenJson, R"("s":"é\n")", "\"s\":\"\xff\""), "s",
                  "invalid UTF-8 in a string", "\xff"},
        Rejection{"LoneSurrogate", replaced(kGoldenJson, R"("s":"é\n")", R"("s":"\ud800")"), "s",
                  "unpaired UTF-16 high surrogate", R"(")"},
        Rejection{"TrailingText", kGoldenJson + " x", "", "unexpected text after the value", "x"}),
    [](const auto& info) { return std::string(info.param.name); });

// The official Rubin sample alerts and fastavro's judgement of Avro JSON.

const fs::path kSchemaRoot = SKYSTREAM_SCHEMA_ROOT;

std::vector<fs::path> sample_files() {
  std::vector<fs::path> files;
  for (const auto& entry : fs::recursive_directory_iterator(kSchemaRoot)) {
    if (entry.path().filename() == "fakeAlert.avro") files.push_back(entry.path());
  }
  std::sort(files.begin(), files.end());
  return files;
}

// Reads the records of a container file with fastavro and compares fastavro.json_writer's text
// with ours, record by record. Both are parsed, numbers compare by value, NaN equals NaN, and
// fields, keys and union branches must come in the same order. Then fastavro.json_reader reads
// our text, and its records must equal those of the container. Prints "ok <count>" or the
// first difference.
const char kFastavroJudge[] = R"(
import fastavro, io, json, math, sys
container, ours = sys.argv[1:3]
reader = fastavro.reader(open(container, 'rb'))
schema, records = reader.writer_schema, list(reader)
def difference(a, b, path):
    if isinstance(a, float) and isinstance(b, float):
        return None if a == b or (math.isnan(a) and math.isnan(b)) else path
    if type(a) is not type(b):
        return f'{path}: {type(a).__name__} against {type(b).__name__}'
    if isinstance(a, dict):
        if list(a) != list(b):
            return f'{path}: keys {list(a)} against {list(b)}'
        return next((d for k in a if (d := difference(a[k], b[k], f'{path}.{k}'))), None)
    if isinstance(a, list):
        if len(a) != len(b):
            return f'{path}: {len(a)} items against {len(b)}'
        return next((d for i in range(len(a)) if (d := difference(a[i], b[i], f'{path}[{i}]'))), None)
    return None if a == b else f'{path}: {a!r} against {b!r}'
theirs = io.StringIO()
fastavro.json_writer(theirs, schema, records)
our_lines = open(ours, encoding='utf-8').read().splitlines()
their_lines = theirs.getvalue().splitlines()
if len(our_lines) != len(their_lines):
    sys.exit(print(f'{len(our_lines)} lines against {len(their_lines)}'))
for i, (line, their_line) in enumerate(zip(our_lines, their_lines)):
    if d := difference(json.loads(line), json.loads(their_line), f'json record {i}'):
        sys.exit(print(d))
back = list(fastavro.json_reader(open(ours, encoding='utf-8'), schema))
if len(back) != len(records):
    sys.exit(print(f'json_reader read {len(back)} records of {len(records)}'))
for i, (record, original) in enumerate(zip(back, records)):
    if d := difference(record, original, f'json_reader record {i}'):
        sys.exit(print(d))
print('ok', len(records))
)";

// Writes our Avro JSON of every object in `container` to `out`, one line per object.
void write_our_json(const fs::path& container, const fs::path& out) {
  auto reader = ContainerReader::open(container);
  if (!reader) throw std::runtime_error(reader.error().to_string());
  std::ofstream lines(out);
  for (std::string_view object : reader->objects()) {
    auto value = decode_exact(reader->schema()->root(), object);
    if (!value) throw std::runtime_error(value.error().to_string());
    auto text = to_avro_json(*value);
    if (!text) throw std::runtime_error(text.error().to_string());
    lines << *text << '\n';
  }
}

std::string fastavro_judge(const fs::path& container, const fs::path& ours) {
  return run_command(shell_quote(SKYSTREAM_PYTHON) + " -c " + shell_quote(kFastavroJudge) + " " +
                     shell_quote(container.string()) + " " + shell_quote(ours.string()))
      .output;
}

std::size_t count_objects(const fs::path& container) {
  auto reader = ContainerReader::open(container);
  return reader ? reader->objects().size() : 0;
}

TEST(AvroJsonRubin, EverySampleMatchesFastavro) {
  TempDir dir;
  const auto files = sample_files();
  ASSERT_GE(files.size(), 9u);
  for (const fs::path& file : files) {
    const fs::path ours = dir.path() / "ours.json";
    write_our_json(file, ours);
    EXPECT_EQ(fastavro_judge(file, ours), fmt::format("ok {}\n", count_objects(file))) << file;
  }
}

TEST(AvroJsonRubin, RoundTripGivesOriginalBytes) {
  for (const fs::path& file : sample_files()) {
    auto reader = ContainerReader::open(file);
    ASSERT_TRUE(reader) << reader.error().to_string();
    for (std::string_view object : reader->objects()) {
      auto value = decode_exact(reader->schema()->root(), object);
      ASSERT_TRUE(value) << file;
      auto text = to_avro_json(*value);
      ASSERT_TRUE(text) << file;
      auto decoded = from_avro_json(reader->schema()->root(), *text);
      ASSERT_TRUE(decoded) << file << ": " << decoded.error().to_string();
      std::string bytes;
      encode(*decoded, bytes);
      EXPECT_EQ(bytes, object) << file;
    }
  }
}

// fastavro writes records with NaN, infinities, every byte value, non-ASCII text and each
// kind of union branch, in a container file that the judge then reads.
TEST(AvroJsonFastavro, HardValuesMatchFastavro) {
  TempDir dir;
  const fs::path container = dir.path() / "hard.avro";
  const std::string script = R"(
import fastavro, sys
schema = {'type': 'record', 'name': 'h', 'namespace': 'x.y', 'fields': [
    {'name': 'f', 'type': 'float'}, {'name': 'd', 'type': 'double'},
    {'name': 'by', 'type': 'bytes'}, {'name': 's', 'type': 'string'},
    {'name': 'fx', 'type': {'type': 'fixed', 'name': 'Four', 'size': 4}},
    {'name': 'u', 'type': ['null', 'double', 'Four', {'type': 'map', 'values': 'float'},
                           {'type': 'array', 'items': 'boolean'}]}]}
inf, nan = float('inf'), float('nan')
records = [
    {'f': nan, 'd': -inf, 'by': bytes(range(256)), 's': 'snow \u2603 \U0001f52d "q" \\',
     'fx': b'\x00\x80\xff\n', 'u': None},
    {'f': inf, 'd': nan, 'by': b'', 's': '', 'fx': b'abcd', 'u': ('double', -inf)},
    {'f': -inf, 'd': 5e-324, 'by': b'\xc3\xa9', 's': '\x00\x1f\x7f', 'fx': b'zzzz',
     'u': ('x.y.Four', b'\xff\xfe\xfd\xfc')},
    {'f': 3.4028234663852886e38, 'd': 1e16, 'by': b'"\\', 's': 'e\u0301', 'fx': b'1234',
     'u': {'a': nan, 'b': 1.5}},
    {'f': 1e-45, 'd': -0.0, 'by': b'\x7f', 's': 't', 'fx': b'    ', 'u': [True, False]},
]
with open(sys.argv[1], 'wb') as handle:
    fastavro.writer(handle, schema, records, codec='null')
)";
  ASSERT_EQ(run_command(shell_quote(SKYSTREAM_PYTHON) + " -c " + shell_quote(script) + " " +
                        shell_quote(container.string()))
                .exit_code,
            0);
  const fs::path ours = dir.path() / "ours.json";
  write_our_json(container, ours);
  EXPECT_EQ(fastavro_judge(container, ours), "ok 5\n");
}

TEST(AvroJsonFastavro, DecodesFastavroJsonWriterText) {
  TempDir dir;
  const fs::path container = dir.path() / "sample.avro";
  const fs::path text = dir.path() / "fastavro.json";
  const std::string script = R"(
import fastavro, sys
reader = fastavro.reader(open(sys.argv[1], 'rb'))
records = list(reader)
for i, record in enumerate(records):
    record['diaSourceId'] = i
    record['diaSource']['psfFlux'] = float('nan') if i % 2 else float('-inf')
with open(sys.argv[2], 'wb') as handle:
    fastavro.writer(handle, reader.writer_schema, records * 3)
with open(sys.argv[3], 'w') as handle:
    fastavro.json_writer(handle, reader.writer_schema, records * 3)
)";
  const fs::path sample = kSchemaRoot / "11" / "0" / "sample_data" / "fakeAlert.avro";
  ASSERT_EQ(run_command(shell_quote(SKYSTREAM_PYTHON) + " -c " + shell_quote(script) + " " +
                        shell_quote(sample.string()) + " " + shell_quote(container.string()) + " " +
                        shell_quote(text.string()))
                .exit_code,
            0);

  auto reader = ContainerReader::open(container);
  ASSERT_TRUE(reader) << reader.error().to_string();
  std::ifstream in(text);
  std::size_t index = 0;
  for (std::string line; std::getline(in, line); ++index) {
    ASSERT_LT(index, reader->objects().size());
    auto value = from_avro_json(reader->schema()->root(), line);
    ASSERT_TRUE(value) << "line " << index << ": " << value.error().to_string();
    std::string bytes;
    encode(*value, bytes);
    EXPECT_EQ(bytes, reader->objects()[index]) << "line " << index;
  }
  EXPECT_EQ(index, reader->objects().size());
}

// Every Rubin sample rewritten by our writer with the snappy codec, then read by avrocat,
// whose output is Avro JSON. NOTE: Avro C 1.11.1 cuts bytes values at their first zero byte
// and drops records holding NaN ("Cannot allocate JSON double"); the samples have neither.
TEST(AvroJsonAvroC, AvrocatOutputMatchesOurs) {
  TempDir dir;
  for (const fs::path& file : sample_files()) {
    auto sample = ContainerReader::open(file);
    ASSERT_TRUE(sample) << sample.error().to_string();
    const fs::path ours = dir.path() / "ours.avro";
    {
      auto writer = ContainerWriter::create(ours, sample->schema(), Codec::kSnappy);
      ASSERT_TRUE(writer);
      for (std::string_view object : sample->objects()) writer->append_encoded(object);
      ASSERT_TRUE(writer->close());
    }

    auto result = run_command("avrocat " + shell_quote(ours.string()));
    ASSERT_EQ(result.exit_code, 0) << file;
    std::istringstream lines(result.output);
    std::size_t index = 0;
    for (std::string line; std::getline(lines, line); ++index) {
      ASSERT_LT(index, sample->objects().size()) << file;
      const std::string_view object = sample->objects()[index];
      auto value = decode_exact(sample->schema()->root(), object);
      ASSERT_TRUE(value);
      auto text = to_avro_json(*value);
      ASSERT_TRUE(text);
      EXPECT_EQ(short_branch_names(json::parse(*text)), short_branch_names(json::parse(line)))
          << file;

      auto decoded = from_avro_json(sample->schema()->root(), line);
      ASSERT_TRUE(decoded) << file << ": " << decoded.error().to_string();
      std::string bytes;
      encode(*decoded, bytes);
      EXPECT_EQ(bytes, object) << file;
    }
    EXPECT_EQ(index, sample->objects().size()) << file;
  }
}

}  // namespace
}  // namespace skystream::avro
