#include "realistic_alert.h"

#include <fmt/format.h>

#include <fstream>
#include <iterator>

#include "avro/codec.h"

namespace skystream::bench {
namespace {

using avro::Type;
using avro::Value;

// Puts each null field of `record` whose union has a scalar branch on that branch, with a value
// derived from the field index and `seed`, so that every alert field takes its full size.
void fill_null_fields(Value& record, int seed) {
  for (std::size_t i = 0; i < record.children.size(); ++i) {
    Value& field = record.children[i];
    if (field.type() != Type::kUnion || !field.is_null()) continue;
    const auto& branches = field.node->branches;
    for (std::size_t b = 0; b < branches.size(); ++b) {
      const Type type = branches[b]->type;
      if (type == Type::kNull || type == Type::kRecord || type == Type::kArray ||
          type == Type::kMap || type == Type::kUnion) {
        continue;
      }
      Value& value = field.select(static_cast<int>(b));
      const double number = 10.0 * seed + 0.37 * static_cast<double>(i) + 1.0;
      value.boolean = i % 2 == 1;
      value.integer = static_cast<std::int64_t>(1000 * seed + static_cast<int>(i));
      value.float32 = static_cast<float>(number);
      value.float64 = 60000.0 + number;
      if (type == Type::kString) value.bytes = "r";
      if (type == Type::kBytes) value.bytes = "\x01\x02";
      break;
    }
  }
}

avro::Result<std::string> read_prefix(const std::filesystem::path& path, std::size_t size) {
  std::ifstream in(path, std::ios::binary);
  std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  if (!in.good() && !in.eof()) {
    return std::unexpected(avro::Error{"cannot read stamp", path.string(), std::string::npos});
  }
  if (bytes.size() < size) {
    return std::unexpected(
        avro::Error{fmt::format("stamp has {} bytes, the cutout needs {}", bytes.size(), size),
                    path.string(), std::string::npos});
  }
  bytes.resize(size);
  return bytes;
}

// Adds `count` earlier detections, copies of diaSource moved back in time by 3 days each.
void add_source_history(Value& alert, std::size_t count) {
  const Value& source = alert.field("diaSource");
  Value& history = alert.field("prvDiaSources").select_type(Type::kArray);
  for (std::size_t k = 0; k < count; ++k) {
    Value earlier = source;
    const double days_back = 3.0 * static_cast<double>(count - k);
    earlier.field("midpointMjdTai").float64 -= days_back;
    earlier.field("diaSourceId").integer -= static_cast<std::int64_t>(k + 1);
    Value& flux = earlier.field("psfFlux").unwrapped();
    flux.float32 *= 1.0f + 0.01f * static_cast<float>(k);
    history.children.push_back(std::move(earlier));
  }
}

// Adds `count` forced measurements with every field set.
void add_forced_history(Value& alert, std::size_t count) {
  Value& history = alert.field("prvDiaForcedSources").select_type(Type::kArray);
  for (std::size_t k = 0; k < count; ++k) {
    Value forced = Value::zero(*history.node->items);
    fill_null_fields(forced, static_cast<int>(k) + 2);
    history.children.push_back(std::move(forced));
  }
}

}  // namespace

avro::Result<Value> build_realistic_alert(const Value& sample,
                                          const RealisticAlertOptions& options) {
  Value alert = sample;
  fill_null_fields(alert.field("diaSource"), 1);
  if (!alert.field("diaObject").is_null())
    fill_null_fields(alert.field("diaObject").unwrapped(), 3);
  add_source_history(alert, options.history);
  add_forced_history(alert, options.history);

  // The cutouts take what is left of the target size, split in three.
  std::string encoded;
  avro::encode(alert, encoded);
  const std::size_t rest = encoded.size() + 3 * 4;  // each cutout adds a branch and a length
  const std::size_t cutout_size =
      options.target_bytes > rest + 3 ? (options.target_bytes - rest) / 3 : 1;
  if (options.stamps.size() < 3) {
    return std::unexpected(avro::Error{"three stamp files are needed", "", std::string::npos});
  }
  const char* names[] = {"cutoutDifference", "cutoutScience", "cutoutTemplate"};
  for (std::size_t i = 0; i < 3; ++i) {
    auto bytes = read_prefix(options.stamps[i], cutout_size);
    if (!bytes) return std::unexpected(bytes.error());
    alert.field(names[i]).select_type(Type::kBytes).bytes = std::move(*bytes);
  }
  return alert;
}

}  // namespace skystream::bench
