#include "cli/cat_input.h"

#include <fmt/format.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <utility>

#include "avro/codec.h"
#include "avro/container.h"
#include "wire/framing.h"

namespace skystream::cli {
namespace {

namespace fs = std::filesystem;

constexpr std::string_view kContainerMagic{"Obj\x01", 4};

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
  if (bytes.empty()) return fmt::format("{}: unknown format: the file is empty", path);
  return fmt::format(
      "{}: unknown format: not an Avro container file (no \"Obj\\x01\" magic) and not a "
      "Confluent-framed packet (byte 0 is 0x{:02x}, not 0). For Avro bodies without framing, "
      "give --schema-version, or --schema-dir and --schema-name.",
      path, static_cast<unsigned char>(bytes.front()));
}

avro::Result<std::string> read_file(const std::string& path) {
  std::error_code status;
  if (!fs::exists(path, status)) return std::unexpected(avro::Error{"file not found", path});
  if (fs::is_directory(path, status)) return std::unexpected(avro::Error{"is a directory", path});
  std::ifstream in(path, std::ios::binary);
  if (!in.is_open()) {
    return std::unexpected(avro::Error{fmt::format("cannot open: {}", std::strerror(errno)), path});
  }
  std::stringstream bytes;
  bytes << in.rdbuf();
  if (in.bad()) return std::unexpected(avro::Error{"read failed", path});
  return std::move(bytes).str();
}

void read_container(const std::string& path, std::string bytes, bool skip_corrupt,
                    RecordSink& sink) {
  auto reader = avro::ContainerReader::from_bytes(std::move(bytes), path,
                                                  {.skip_corrupt_blocks = skip_corrupt});
  if (!reader) {
    sink.error(reader.error().to_string());
    return;
  }
  for (const avro::SkippedBlock& block : reader->skipped()) {
    sink.skipped_block(fmt::format("{} (skipped {} bytes through the next sync marker)",
                                   block.error.to_string(), block.size));
  }
  for (std::size_t i = 0; i < reader->objects().size(); ++i) {
    auto value = avro::decode_exact(reader->schema()->root(), reader->objects()[i]);
    if (!value) {
      sink.error(fmt::format("{}: record {}: {}", path, i, value.error().to_string()));
      continue;
    }
    if (!sink.record(*value, reader->schema(), path, i)) return;
  }
}

void read_packets(const std::string& path, std::string_view bytes, bool framed,
                  const std::shared_ptr<const avro::Schema>& bare_schema,
                  wire::SchemaCatalog& catalog, RecordSink& sink) {
  std::size_t position = 0;
  for (std::size_t index = 0; position < bytes.size(); ++index) {
    std::shared_ptr<const avro::Schema> schema = bare_schema;
    std::size_t body = position;
    if (framed) {
      auto frame = wire::parse_frame(bytes.substr(position));
      if (!frame) {
        sink.error(fmt::format("{} at byte {}: packet {}: {}", path, position, index,
                               wire::describe(frame.error())));
        return;
      }
      auto by_id = catalog.by_id(frame->schema_id);
      if (!by_id) {
        sink.error(fmt::format("{} at byte {}: packet {}: {} in the schema root {}", path, position,
                               index, by_id.error().message, catalog.root().string()));
        return;
      }
      schema = *by_id;
      body += wire::kHeaderSize;
    }

    std::size_t used = 0;
    auto value = avro::decode(schema->root(), bytes.substr(body), &used);
    if (!value) {
      const avro::Error& cause = value.error();
      const std::string field = cause.where.empty() ? "" : " at " + cause.where;
      sink.error(fmt::format("{} at byte {}: record {}{}: {}", path, body + cause.offset, index,
                             field, cause.message));
      return;
    }
    if (used == 0) {
      sink.error(
          fmt::format("{}: schema {} encodes records in 0 bytes, so packets cannot be told "
                      "apart",
                      path, schema->root().full_name));
      return;
    }
    if (!sink.record(*value, schema, path, index)) return;
    position = body + used;
  }
}

}  // namespace skystream::cli
