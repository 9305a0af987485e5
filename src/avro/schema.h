// Avro schemas: parsing .avsc JSON into an immutable tree of nodes.
//
// A schema may be one JSON document (as embedded in a container file) or a directory of .avsc
// files whose named types refer to each other by full name, as the Rubin alert schemas do
// (lsst.v11_0.alert refers to lsst.v11_0.diaSource, defined in its own file). Names resolve
// across the whole directory, whatever the file names.
#pragma once

#include <cstdint>
#include <deque>
#include <filesystem>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "avro/error.h"

namespace skystream::avro {

enum class Type : std::uint8_t {
  kNull,
  kBoolean,
  kInt,
  kLong,
  kFloat,
  kDouble,
  kBytes,
  kString,
  kRecord,
  kEnum,
  kArray,
  kMap,
  kUnion,
  kFixed,
};

// The deepest nesting of types that a schema may have: records, arrays, maps and unions each
// add a level. Deeper schemas are rejected when parsed.
inline constexpr int kMaxSchemaDepth = 1000;

// The Avro name of a type: "null", "int", "record", ...
std::string_view type_name(Type type);

struct Node;

struct Field {
  std::string name;
  const Node* type = nullptr;
  std::optional<nlohmann::json> default_value;
  std::vector<std::string> aliases;
  std::string doc;
};

// One type in a schema tree. Nodes are owned by their Schema and live as long as it does;
// pointers between nodes may form cycles through named records.
struct Node {
  Type type = Type::kNull;
  std::string full_name;              // record, enum, fixed: namespace + "." + name
  std::string logical_type;           // "timestamp-micros", ...; empty when absent
  std::vector<Field> fields;          // record
  std::vector<std::string> symbols;   // enum
  const Node* items = nullptr;        // array
  const Node* values = nullptr;       // map
  std::vector<const Node*> branches;  // union
  std::int64_t fixed_size = 0;        // fixed
  std::vector<std::string> aliases;   // record, enum, fixed: as written, short names unqualified
  nlohmann::json attributes;          // the remaining JSON attributes (precision, scale, ...)

  bool is_named() const {
    return type == Type::kRecord || type == Type::kEnum || type == Type::kFixed;
  }
  // Returns the index of the record field called `name`, or -1.
  int field_index(std::string_view name) const;
  // Returns the index of the null branch of a union, or -1.
  int null_branch() const;
};

// An immutable, parsed schema. Thread-safe for concurrent reads once built.
class Schema {
 public:
  // Parses one JSON schema document. `source` names it in errors (a file name, for example).
  static Result<std::shared_ptr<const Schema>> parse(std::string_view json_text,
                                                     std::string_view source = "schema");

  // Loads every .avsc file of `directory` and returns the schema whose root is the named type
  // `root_name` ("lsst.v11_0.alert"). Errors name the file, the JSON position, or the unknown
  // type name.
  static Result<std::shared_ptr<const Schema>> load(const std::filesystem::path& directory,
                                                    std::string_view root_name);

  const Node& root() const { return *root_; }

  // Returns the named type `full_name`, or nullptr.
  const Node* find(std::string_view full_name) const;

  // Writes the schema as one self-contained JSON document: each named type is defined at its
  // first use and referred to by full name afterwards, as container files require.
  std::string to_json() const;

  Schema(const Schema&) = delete;
  Schema& operator=(const Schema&) = delete;

 private:
  friend class SchemaBuilder;
  Schema() = default;

  std::deque<Node> nodes_;
  std::unordered_map<std::string, const Node*> named_;
  const Node* root_ = nullptr;
};

}  // namespace skystream::avro
