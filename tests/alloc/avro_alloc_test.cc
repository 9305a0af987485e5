// Heap allocations of the decoders in steady state: a projection into a reused ProjectedRecord
// and decode_into() into a reused Value allocate nothing once their buffers have grown.
//
// This file replaces the global operator new to count allocations, so it is built as its own
// test executable: the unit test binary already replaces operator new for another test.

#include <gtest/gtest.h>

#include <atomic>
#include <cstdlib>
#include <filesystem>
#include <new>
#include <string>
#include <vector>

#include "avro/codec.h"
#include "avro/container.h"
#include "avro/projection.h"
#include "avro/schema.h"
#include "sim/simulator.h"

namespace {
std::atomic<std::size_t> allocation_count{0};
}  // namespace

void* operator new(std::size_t size) {
  ++allocation_count;
  if (void* memory = std::malloc(size == 0 ? 1 : size)) return memory;
  throw std::bad_alloc();
}

void operator delete(void* memory) noexcept { std::free(memory); }
void operator delete(void* memory, std::size_t) noexcept { std::free(memory); }

namespace skystream::avro {
namespace {

namespace fs = std::filesystem;

const fs::path kSample =
    fs::path(SKYSTREAM_SCHEMA_ROOT) / "11" / "0" / "sample_data" / "fakeAlert.avro";

// The encoded bodies of the 11.0 sample alert and of simulated alerts of schema 11.0, some on
// solar-system objects (null diaObject) and all without history.
class DecoderAllocation : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    auto reader = ContainerReader::open(kSample);
    ASSERT_TRUE(reader) << reader.error().to_string();
    schema_ = reader->schema();
    bodies_.emplace_back(reader->objects().front());

    sim::SimulatorConfig config;
    config.alerts_per_visit = 100;
    config.solar_system_fraction = 0.2;
    auto simulator = sim::Simulator::create(schema_, config);
    ASSERT_TRUE(simulator) << simulator.error().to_string();
    for (const Value& alert : simulator->next_visit()) {
      std::string body;
      encode(alert, body);
      bodies_.push_back(std::move(body));
    }
  }

  static void TearDownTestSuite() {
    bodies_.clear();
    schema_.reset();
  }

  static std::shared_ptr<const Schema> schema_;
  static std::vector<std::string> bodies_;
};

std::shared_ptr<const Schema> DecoderAllocation::schema_;
std::vector<std::string> DecoderAllocation::bodies_;

TEST_F(DecoderAllocation, CounterSeesAllocations) {
  const std::size_t before = allocation_count.load();
  auto* probe = new std::vector<int>(100);
  const std::size_t after = allocation_count.load();
  delete probe;
  EXPECT_GE(after - before, 2u);
}

TEST_F(DecoderAllocation, ProjectionNoneOnceWarm) {
  auto projection = Projection::compile(
      schema_->root(), {"diaSourceId", "diaSource.psfFlux", "diaSource.snr", "diaSource.band",
                        "diaObject.nDiaSources", "prvDiaSources.psfFlux"});
  ASSERT_TRUE(projection) << projection.error().to_string();
  ProjectedRecord out;
  for (const std::string& body : bodies_) ASSERT_TRUE(projection->decode(body, out));

  const std::size_t before = allocation_count.load();
  for (const std::string& body : bodies_) {
    if (!projection->decode(body, out)) FAIL();
  }
  EXPECT_EQ(allocation_count.load() - before, 0u);
}

TEST_F(DecoderAllocation, DecodeIntoNoneForSameShape) {
  for (const std::string& body : bodies_) {
    Value value;
    ASSERT_TRUE(decode_exact_into(schema_->root(), body, value));
    const std::size_t before = allocation_count.load();
    if (!decode_exact_into(schema_->root(), body, value)) FAIL();
    EXPECT_EQ(allocation_count.load() - before, 0u);
  }
}

TEST(ZeroByteItemsAllocation, DecodeIntoNoneOnceWarm) {
  // A block count larger than the bytes left makes the decoder size the items' type, which it
  // does without allocating for a type this small.
  auto schema = Schema::parse(R"({"type": "record", "name": "R", "fields": [{"name": "a", "type":
      {"type": "array", "items": {"type": "record", "name": "E", "fields": [
          {"name": "n", "type": "null"}, {"name": "z", "type": {"type": "fixed", "name": "Z",
                                                             "size": 0}}]}}}]})",
                              "zero-byte items");
  ASSERT_TRUE(schema) << schema.error().to_string();
  const std::string bytes("\x0a\x00", 2);  // five items, then the end of the array
  Value value;
  ASSERT_TRUE(decode_exact_into((*schema)->root(), bytes, value));
  const std::size_t before = allocation_count.load();
  if (!decode_exact_into((*schema)->root(), bytes, value)) FAIL();
  EXPECT_EQ(allocation_count.load() - before, 0u);
  EXPECT_EQ(value.children[0].children.size(), 5u);
}

}  // namespace
}  // namespace skystream::avro
