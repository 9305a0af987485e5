#include "cli/cat_input.h"

#include <fmt/format.h>

#include <algorithm>
#include <filesystem>
#include <optional>
#include <utility>

#include "avro/codec.h"
#include "verify/plural.h"
#include "wire/framing.h"

namespace skystream::cli {
namespace {

constexpr std::string_view kContainerMagic{"Obj\x01", 4};

bool all_zero(std::string_view bytes) {
  return std::all_of(bytes.begin(), bytes.end(), [](char c) { return c == 0; });
}

std::string zero_filled_message(const std::string& path, std::uint64_t offset, std::size_t index,
                                std::string_view what) {
  return fmt::format(
      "{} at byte {}: packet {}: {} all zero: the input looks zero-filled (such as /dev/zero or "
      "a file padded with zeros), not packets, so reading it stops",
      path, offset, index, what);
}

}  // namespace

InputFormat detect_format(std::string_view bytes, bool bare_schema_given) {
  if (bytes.starts_with(kContainerMagic)) return InputFormat::kContainer;
  if (bare_schema_given) return InputFormat::kBare;
  if (bytes.size() >= wire::kHeaderSize && bytes.front() == wire::kMagicByte) {
    return InputFormat::kFramed;
  }
  return InputFormat::kUnknown;
}

std::string_view format_name(InputFormat format) {
  switch (format) {
    case InputFormat::kContainer:
      return "container file";
    case InputFormat::kFramed:
      return "framed packets";
    case InputFormat::kBare:
      return "bare Avro bodies";
    case InputFormat::kUnknown:
      break;
  }
  return "unknown format";
}

std::string unknown_format_message(const std::string& path, std::string_view bytes) {
  constexpr std::string_view kHint =
      "For Avro bodies without framing, give --schema-version, or --schema-dir and "
      "--schema-name.";
  if (bytes.empty()) return fmt::format("{}: unknown format: the file is empty", path);
  if (bytes.front() == wire::kMagicByte && bytes.size() < wire::kHeaderSize) {
    return fmt::format(
        "{}: unknown format: the file holds only {}, too few for an Avro container file or a "
        "Confluent-framed packet (whose header takes {} bytes). {}",
        path, verify::count_of(static_cast<std::int64_t>(bytes.size()), "byte"), wire::kHeaderSize,
        kHint);
  }
  return fmt::format(
      "{}: unknown format: not an Avro container file (no \"Obj\\x01\" magic) and not a "
      "Confluent-framed packet (byte 0 is 0x{:02x}, where a packet has 0x00). {}",
      path, static_cast<unsigned char>(bytes.front()), kHint);
}

void read_container(avro::BufferedInput input, bool skip_corrupt, RecordSink& sink) {
  const std::string path = input.name();
  auto reader =
      avro::ContainerBlockReader::open(std::move(input), {.skip_corrupt_blocks = skip_corrupt});
  if (!reader) {
    sink.error(reader.error().to_string());
    return;
  }
  avro::Value value;
  while (true) {
    auto step = reader->next();
    if (!step) {
      sink.error(step.error().to_string());
      return;
    }
    if (*step == avro::ContainerBlockReader::Step::kEnd) return;
    if (*step == avro::ContainerBlockReader::Step::kSkipped) {
      const avro::SkippedBlock& block = reader->last_skipped();
      sink.skipped_block(
          block, fmt::format("{} (skipped {} {})", block.error.to_string(),
                             verify::count_of(static_cast<std::int64_t>(block.size), "byte"),
                             block.to_end ? "to the end of the file, as no sync marker follows"
                                          : "through the next sync marker"));
      continue;
    }
    const auto& objects = reader->objects();
    for (std::size_t i = 0; i < objects.size(); ++i) {
      const std::size_t index = reader->first_index() + i;
      if (auto status = avro::decode_exact_into(reader->schema()->root(), objects[i], value);
          !status) {
        sink.error(fmt::format("{} at byte {}: record {}: {}", path, reader->block_offset(), index,
                               status.error().to_string()));
        continue;
      }
      if (!sink.record(value, reader->schema(), {path, index, reader->block_offset(), false})) {
        return;
      }
    }
  }
}

void read_packets(avro::BufferedInput& input, bool framed,
                  const std::shared_ptr<const avro::Schema>& bare_schema,
                  wire::SchemaCatalog& catalog, RecordSink& sink) {
  const std::string& path = input.name();
  avro::Value value;
  for (std::size_t index = 0;; ++index) {
    auto start = input.peek(1);
    if (!start) {
      sink.error(start.error().to_string());
      return;
    }
    if (start->empty()) return;
    const std::uint64_t position = input.position();

    std::shared_ptr<const avro::Schema> schema = bare_schema;
    std::size_t header = 0;
    if (framed) {
      auto head = input.peek(wire::kHeaderSize);
      if (!head) {
        sink.error(head.error().to_string());
        return;
      }
      auto frame = wire::parse_frame(*head);
      if (!frame) {
        const std::string detail =
            frame.error() == wire::FrameError::kTooShort
                ? fmt::format(" (the file ends {} after the previous packet)",
                              verify::count_of(static_cast<std::int64_t>(head->size()), "byte"))
                : "";
        sink.error(fmt::format("{} at byte {}: packet {}: {}{}", path, position, index,
                               wire::describe(frame.error()), detail));
        return;
      }
      if (frame->schema_id == 0 && all_zero(head->substr(0, wire::kHeaderSize + kZeroFilledBody)) &&
          head->size() >= wire::kHeaderSize + kZeroFilledBody) {
        sink.error(zero_filled_message(path, position, index,
                                       "its header (schema id 0) and the bytes after it are"));
        return;
      }
      auto by_id = catalog.by_id(frame->schema_id);
      if (!by_id) {
        // An unknown id names the schema root, and a schema that is there but does not load
        // names the file at fault.
        const avro::Error& cause = by_id.error();
        const int id = frame->schema_id;
        const bool known =
            id > 0 && std::filesystem::is_directory(catalog.root() / std::to_string(id / 100) /
                                                    std::to_string(id % 100));
        std::string reason;
        if (!known) {
          reason = fmt::format("unknown schema id {} in the schema root {}", id,
                               catalog.root().string());
        } else {
          const std::string prefix = fmt::format("unknown schema id {}: ", id);
          avro::Error file_error = cause;
          if (file_error.message.starts_with(prefix)) file_error.message.erase(0, prefix.size());
          reason = fmt::format("the schema of id {} does not load: {}", id, file_error.to_string());
        }
        sink.error(fmt::format("{} at byte {}: packet {}: {}", path, position, index, reason));
        return;
      }
      schema = *by_id;
      header = wire::kHeaderSize;
    }

    // Packets carry no length: the body is decoded from what is buffered, and from twice as
    // much (4 KiB at least) after each failure, until it decodes, the input ends, the packet
    // limit is reached, or more bytes give the same error. An error of running out of bytes
    // names the bytes left, or is a varint cut off, which twice the bytes completes, so the same
    // error twice is an error in the bytes themselves.
    std::size_t used = 0;
    std::size_t want = header + 1;
    std::optional<avro::Error> last;
    while (true) {
      auto bytes = input.peek(want);
      if (!bytes) {
        sink.error(bytes.error().to_string());
        return;
      }
      const std::string_view body = bytes->substr(header);
      auto status = avro::decode_into(schema->root(), body, value, &used);
      if (status) break;
      const avro::Error& cause = status.error();
      const bool same = last && last->message == cause.message && last->where == cause.where &&
                        last->offset == cause.offset;
      const bool capped = body.size() >= kMaxPacketSize;
      if (input.at_end() || capped || same) {
        const std::string field = cause.where.empty() ? "" : " at " + cause.where;
        const std::string note =
            capped && !input.at_end() && !same
                ? fmt::format(
                      " (a packet may not exceed {} bytes, and this one does not end "
                      "within them)",
                      kMaxPacketSize)
                : "";
        sink.error(fmt::format("{} at byte {}: record {}{}: {}{}", path,
                               position + header + cause.offset, index, field, cause.message,
                               note));
        return;
      }
      last = cause;
      want = header + std::min(kMaxPacketSize, std::max<std::size_t>(body.size() * 2, 4096));
    }

    const std::string_view body = input.available().substr(header, used);
    if (used == 0) {
      sink.error(
          fmt::format("{}: schema {} encodes records in 0 bytes, so packets cannot be told "
                      "apart",
                      path, schema->root().full_name));
      return;
    }
    if (used >= kZeroFilledBody && all_zero(body)) {
      sink.error(zero_filled_message(
          path, position, index,
          fmt::format("it decodes, but its {} are",
                      verify::count_of(static_cast<std::int64_t>(used), "byte"))));
      return;
    }
    if (!sink.record(value, schema, {path, index, position, framed})) return;
    input.consume(header + used);
  }
}

}  // namespace skystream::cli
