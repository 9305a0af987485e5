#include "avro/fingerprint.h"

#include <fmt/format.h>

#include <array>
#include <unordered_set>

namespace skystream::avro {
namespace {

// Appends `text` as a JSON string. Non-ASCII UTF-8 passes through unescaped, as the [STRINGS]
// rule of the canonical form requires.
void append_string(std::string_view text, std::string& out) {
  out.push_back('"');
  for (const char c : text) {
    if (c == '"' || c == '\\') {
      out.push_back('\\');
      out.push_back(c);
    } else if (static_cast<unsigned char>(c) < 0x20) {
      out += fmt::format("\\u{:04x}", static_cast<unsigned char>(c));
    } else {
      out.push_back(c);
    }
  }
  out.push_back('"');
}

class CanonicalWriter {
 public:
  explicit CanonicalWriter(std::string& out) : out_(out) {}

  void write(const Node& node) {
    if (node.is_named() && !defined_.insert(&node).second) {
      append_string(node.full_name, out_);
      return;
    }
    switch (node.type) {
      case Type::kRecord:
        return write_record(node);
      case Type::kEnum:
        return write_enum(node);
      case Type::kFixed:
        out_ += "{\"name\":";
        append_string(node.full_name, out_);
        out_ += fmt::format(",\"type\":\"fixed\",\"size\":{}}}", node.fixed_size);
        return;
      case Type::kArray:
        out_ += "{\"type\":\"array\",\"items\":";
        write(*node.items);
        out_.push_back('}');
        return;
      case Type::kMap:
        out_ += "{\"type\":\"map\",\"values\":";
        write(*node.values);
        out_.push_back('}');
        return;
      case Type::kUnion:
        return write_union(node);
      default:
        append_string(type_name(node.type), out_);
        return;
    }
  }

 private:
  void write_record(const Node& node) {
    out_ += "{\"name\":";
    append_string(node.full_name, out_);
    out_ += ",\"type\":\"record\",\"fields\":[";
    for (std::size_t i = 0; i < node.fields.size(); ++i) {
      if (i > 0) out_.push_back(',');
      out_ += "{\"name\":";
      append_string(node.fields[i].name, out_);
      out_ += ",\"type\":";
      write(*node.fields[i].type);
      out_.push_back('}');
    }
    out_ += "]}";
  }

  void write_enum(const Node& node) {
    out_ += "{\"name\":";
    append_string(node.full_name, out_);
    out_ += ",\"type\":\"enum\",\"symbols\":[";
    for (std::size_t i = 0; i < node.symbols.size(); ++i) {
      if (i > 0) out_.push_back(',');
      append_string(node.symbols[i], out_);
    }
    out_ += "]}";
  }

  void write_union(const Node& node) {
    out_.push_back('[');
    for (std::size_t i = 0; i < node.branches.size(); ++i) {
      if (i > 0) out_.push_back(',');
      write(*node.branches[i]);
    }
    out_.push_back(']');
  }

  std::string& out_;
  // Named types already written in full; later uses write only the full name.
  std::unordered_set<const Node*> defined_;
};

// table[i] is the fingerprint contribution of byte value i, as in the specification's
// reference code.
constexpr std::array<std::uint64_t, 256> make_rabin_table() {
  std::array<std::uint64_t, 256> table{};
  for (std::uint64_t i = 0; i < 256; ++i) {
    std::uint64_t fp = i;
    for (int bit = 0; bit < 8; ++bit) {
      fp = (fp >> 1) ^ (kRabinEmpty & (0 - (fp & 1)));
    }
    table[i] = fp;
  }
  return table;
}

constexpr std::array<std::uint64_t, 256> kRabinTable = make_rabin_table();

}  // namespace

std::string parsing_canonical_form(const Node& node) {
  std::string out;
  CanonicalWriter(out).write(node);
  return out;
}

std::uint64_t rabin_fingerprint(std::string_view bytes) {
  std::uint64_t fp = kRabinEmpty;
  for (const char c : bytes) {
    fp = (fp >> 8) ^ kRabinTable[(fp ^ static_cast<unsigned char>(c)) & 0xff];
  }
  return fp;
}

std::uint64_t schema_fingerprint(const Node& node) {
  return rabin_fingerprint(parsing_canonical_form(node));
}

std::uint64_t schema_fingerprint(const Schema& schema) { return schema_fingerprint(schema.root()); }

std::string fingerprint_bytes(std::uint64_t fingerprint) {
  std::string out(8, '\0');
  for (std::size_t i = 0; i < 8; ++i) {
    out[i] = static_cast<char>((fingerprint >> (8 * i)) & 0xff);
  }
  return out;
}

}  // namespace skystream::avro
