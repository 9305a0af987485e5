#include "avro/schema.h"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <fstream>
#include <limits>
#include <sstream>
#include <utility>

namespace skystream::avro {
namespace {

using nlohmann::json;

constexpr std::array<std::pair<std::string_view, Type>, 8> kPrimitives{{
    {"null", Type::kNull},
    {"boolean", Type::kBoolean},
    {"int", Type::kInt},
    {"long", Type::kLong},
    {"float", Type::kFloat},
    {"double", Type::kDouble},
    {"bytes", Type::kBytes},
    {"string", Type::kString},
}};

std::optional<Type> primitive_type(std::string_view name) {
  for (const auto& [primitive_name, type] : kPrimitives) {
    if (primitive_name == name) return type;
  }
  return std::nullopt;
}

bool is_named_kind(std::string_view kind) {
  return kind == "record" || kind == "error" || kind == "enum" || kind == "fixed";
}

// Splits a possibly qualified name into its full name and namespace, following the Avro rule.
// A name with a dot is already full. Otherwise the explicit namespace applies, else the
// enclosing one.
std::pair<std::string, std::string> qualify(std::string_view name, const json& definition,
                                            const std::string& enclosing_namespace) {
  if (const auto dot = name.rfind('.'); dot != std::string_view::npos) {
    return {std::string(name), std::string(name.substr(0, dot))};
  }
  std::string name_space = enclosing_namespace;
  if (auto it = definition.find("namespace"); it != definition.end() && it->is_string()) {
    name_space = it->get<std::string>();
  }
  std::string full = name_space.empty() ? std::string(name) : name_space + "." + std::string(name);
  return {full, name_space};
}

// Returns true when `name` is an Avro name: a letter or underscore, then letters, digits and
// underscores.
bool is_valid_name(std::string_view name) {
  if (name.empty()) return false;
  for (std::size_t i = 0; i < name.size(); ++i) {
    const char c = name[i];
    const bool letter = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '_';
    if (!letter && !(i > 0 && c >= '0' && c <= '9')) return false;
  }
  return true;
}

// Returns true when every dot-separated part of `full_name` is an Avro name.
bool is_valid_full_name(std::string_view full_name) {
  std::size_t start = 0;
  while (true) {
    const std::size_t dot = full_name.find('.', start);
    if (!is_valid_name(full_name.substr(start, dot - start))) return false;
    if (dot == std::string_view::npos) return true;
    start = dot + 1;
  }
}

// Returns true when `value` is a valid default for a field of type `node`, as the
// specification defines defaults in JSON. NOTE: the specification asks a union's default to
// match its first branch; any branch is accepted here, so that ["double", "null"] with a null
// default still loads.
bool is_valid_default(const Node& node, const json& value, int depth) {
  if (depth > kMaxSchemaDepth) return false;
  switch (node.type) {
    case Type::kNull:
      return value.is_null();
    case Type::kBoolean:
      return value.is_boolean();
    case Type::kInt:
      return value.is_number_integer() && !value.is_number_unsigned()
                 ? value.get<std::int64_t>() >= std::numeric_limits<std::int32_t>::min() &&
                       value.get<std::int64_t>() <= std::numeric_limits<std::int32_t>::max()
                 : value.is_number_unsigned() &&
                       value.get<std::uint64_t>() <= std::numeric_limits<std::int32_t>::max();
    case Type::kLong:
      return value.is_number_integer() &&
             (!value.is_number_unsigned() ||
              value.get<std::uint64_t>() <= std::numeric_limits<std::int64_t>::max());
    case Type::kFloat:
    case Type::kDouble:
      return value.is_number();
    case Type::kBytes:
    case Type::kString:
      return value.is_string();
    case Type::kFixed:
      return value.is_string();
    case Type::kEnum:
      return value.is_string() && std::find(node.symbols.begin(), node.symbols.end(),
                                            value.get<std::string>()) != node.symbols.end();
    case Type::kArray:
      if (!value.is_array()) return false;
      for (const json& item : value) {
        if (!is_valid_default(*node.items, item, depth + 1)) return false;
      }
      return true;
    case Type::kMap:
      if (!value.is_object()) return false;
      for (const auto& [key, item] : value.items()) {
        if (!is_valid_default(*node.values, item, depth + 1)) return false;
      }
      return true;
    case Type::kRecord:
      if (!value.is_object()) return false;
      for (const Field& field : node.fields) {
        auto it = value.find(field.name);
        if (it == value.end()) {
          if (!field.default_value) return false;
        } else if (!is_valid_default(*field.type, *it, depth + 1)) {
          return false;
        }
      }
      return true;
    case Type::kUnion:
      return std::any_of(node.branches.begin(), node.branches.end(), [&](const Node* branch) {
        return is_valid_default(*branch, value, depth + 1);
      });
  }
  return false;
}

// "line L, column C" of a byte offset into `text`, for JSON syntax errors.
std::string position_of(std::string_view text, std::size_t byte) {
  std::size_t line = 1;
  std::size_t column = 1;
  for (std::size_t i = 0; i < byte && i < text.size(); ++i) {
    if (text[i] == '\n') {
      ++line;
      column = 1;
    } else {
      ++column;
    }
  }
  return fmt::format("line {}, column {}", line, column);
}

}  // namespace

std::string_view type_name(Type type) {
  switch (type) {
    case Type::kRecord:
      return "record";
    case Type::kEnum:
      return "enum";
    case Type::kArray:
      return "array";
    case Type::kMap:
      return "map";
    case Type::kUnion:
      return "union";
    case Type::kFixed:
      return "fixed";
    default:
      break;
  }
  for (const auto& [name, primitive] : kPrimitives) {
    if (primitive == type) return name;
  }
  return "unknown";
}

int Node::field_index(std::string_view name) const {
  for (std::size_t i = 0; i < fields.size(); ++i) {
    if (fields[i].name == name) return static_cast<int>(i);
  }
  return -1;
}

int Node::null_branch() const {
  for (std::size_t i = 0; i < branches.size(); ++i) {
    if (branches[i]->type == Type::kNull) return static_cast<int>(i);
  }
  return -1;
}

// Builds a Schema from parsed JSON documents. Named types are indexed across all documents
// first, so a reference may point at a type defined later or in another file.
class SchemaBuilder {
 public:
  struct Document {
    std::string source;
    json root;
  };

  explicit SchemaBuilder(std::vector<Document> documents)
      : documents_(std::move(documents)), schema_(new Schema()) {}

  Result<std::shared_ptr<const Schema>> build_root(const json& root, const std::string& source) {
    for (const Document& document : documents_) index(document.root, "", document.source, 0);
    if (!error_.message.empty()) return std::unexpected(error_);
    const Node* node = build(root, "", source);
    if (!node || !check_defaults(source)) return std::unexpected(error_);
    schema_->root_ = node;
    return std::shared_ptr<const Schema>(std::move(schema_));
  }

  Result<std::shared_ptr<const Schema>> build_named(std::string_view full_name) {
    for (const Document& document : documents_) index(document.root, "", document.source, 0);
    if (!error_.message.empty()) return std::unexpected(error_);
    auto it = definitions_.find(std::string(full_name));
    if (it == definitions_.end()) {
      return std::unexpected(Error{fmt::format("type {} is not defined", full_name), "", {}});
    }
    const Node* node = build(*it->second.definition, it->second.name_space, it->second.source);
    if (!node || !check_defaults(it->second.source)) return std::unexpected(error_);
    schema_->root_ = node;
    return std::shared_ptr<const Schema>(std::move(schema_));
  }

 private:
  struct Definition {
    const json* definition;
    std::string name_space;  // enclosing namespace at the definition
    std::string source;
  };

  // Records every named type definition under `value` by its full name. Fails on a name
  // defined twice, unless two files of a directory define it alike, and on nesting deeper
  // than kMaxSchemaDepth.
  void index(const json& value, const std::string& name_space, const std::string& source,
             int depth) {
    if (!error_.message.empty()) return;
    if (depth > kMaxSchemaDepth) {
      fail(source, fmt::format("schema nested deeper than {} levels", kMaxSchemaDepth));
      return;
    }
    if (value.is_array()) {
      for (const json& branch : value) index(branch, name_space, source, depth + 1);
      return;
    }
    if (!value.is_object()) return;

    std::string inner_namespace = name_space;
    auto kind = value.find("type");
    auto name = value.find("name");
    if (kind != value.end() && kind->is_string() && is_named_kind(kind->get<std::string>()) &&
        name != value.end() && name->is_string()) {
      auto [full, qualified_namespace] = qualify(name->get<std::string>(), value, name_space);
      auto [it, added] = definitions_.try_emplace(full, Definition{&value, name_space, source});
      if (!added && (it->second.source == source || *it->second.definition != value)) {
        fail(source, fmt::format("type {} is defined twice", full));
        return;
      }
      inner_namespace = qualified_namespace;
    }
    if (kind != value.end() && !kind->is_string()) {
      index(*kind, inner_namespace, source, depth + 1);
    }
    for (const char* key : {"items", "values"}) {
      if (auto it = value.find(key); it != value.end()) {
        index(*it, inner_namespace, source, depth + 1);
      }
    }
    if (auto fields = value.find("fields"); fields != value.end() && fields->is_array()) {
      for (const json& field : *fields) {
        if (auto type = field.find("type"); field.is_object() && type != field.end()) {
          index(*type, inner_namespace, source, depth + 1);
        }
      }
    }
  }

  // Checks the default of every record field once all types are built, so that a default
  // may refer to a record that is still being built when its field is read.
  bool check_defaults(const std::string& source) {
    for (const Node& node : schema_->nodes_) {
      for (const Field& field : node.fields) {
        if (field.default_value && !is_valid_default(*field.type, *field.default_value, 0)) {
          fail(source,
               fmt::format("record {}: invalid default {} for field {} of type {}", node.full_name,
                           field.default_value->dump(), field.name, type_name(field.type->type)));
          return false;
        }
      }
    }
    return true;
  }

  const Node* fail(const std::string& source, std::string message) {
    if (error_.message.empty()) error_ = Error{std::move(message), source, std::string::npos};
    return nullptr;
  }

  Node& add_node(Type type) {
    Node& node = schema_->nodes_.emplace_back();
    node.type = type;
    return node;
  }

  const Node* build(const json& value, const std::string& name_space, const std::string& source) {
    if (depth_ >= kMaxSchemaDepth) {
      return fail(source, fmt::format("schema nested deeper than {} levels", kMaxSchemaDepth));
    }
    ++depth_;
    const Node* node = build_any(value, name_space, source);
    --depth_;
    return node;
  }

  const Node* build_any(const json& value, const std::string& name_space,
                        const std::string& source) {
    if (value.is_string()) return build_reference(value.get<std::string>(), name_space, source);
    if (value.is_array()) return build_union(value, name_space, source);
    if (!value.is_object()) return fail(source, fmt::format("invalid schema {}", value.dump()));

    auto kind_it = value.find("type");
    if (kind_it == value.end())
      return fail(source, fmt::format("missing \"type\" in {}", value.dump()));
    if (!kind_it->is_string()) return build(*kind_it, name_space, source);
    const std::string kind = kind_it->get<std::string>();

    if (auto primitive = primitive_type(kind)) {
      Node& node = add_node(*primitive);
      copy_attributes(value, node);
      return &node;
    }
    if (kind == "record" || kind == "error") return build_record(value, name_space, source);
    if (kind == "enum") return build_enum(value, name_space, source);
    if (kind == "fixed") return build_fixed(value, name_space, source);
    if (kind == "array" || kind == "map") {
      const char* key = kind == "array" ? "items" : "values";
      auto element = value.find(key);
      if (element == value.end()) return fail(source, fmt::format("{} without \"{}\"", kind, key));
      const Node* element_node = build(*element, name_space, source);
      if (!element_node) return nullptr;
      Node& node = add_node(kind == "array" ? Type::kArray : Type::kMap);
      (kind == "array" ? node.items : node.values) = element_node;
      copy_attributes(value, node);
      return &node;
    }
    return build_reference(kind, name_space, source);
  }

  const Node* build_reference(const std::string& name, const std::string& name_space,
                              const std::string& source) {
    if (auto primitive = primitive_type(name)) return &add_node(*primitive);

    // A bare name resolves in the enclosing namespace first, then as a full name.
    std::vector<std::string> candidates;
    if (name.find('.') == std::string::npos && !name_space.empty()) {
      candidates.push_back(name_space + "." + name);
    }
    candidates.push_back(name);
    for (const std::string& candidate : candidates) {
      if (auto built = schema_->named_.find(candidate); built != schema_->named_.end()) {
        return built->second;
      }
      if (auto it = definitions_.find(candidate); it != definitions_.end()) {
        return build(*it->second.definition, it->second.name_space, it->second.source);
      }
    }
    return fail(source, fmt::format("unknown type {}", candidates.front()));
  }

  const Node* build_union(const json& value, const std::string& name_space,
                          const std::string& source) {
    std::vector<const Node*> branches;
    for (const json& branch : value) {
      const Node* node = build(branch, name_space, source);
      if (!node) return nullptr;
      if (node->type == Type::kUnion) return fail(source, "a union cannot contain a union");
      branches.push_back(node);
    }
    if (branches.empty()) return fail(source, "empty union");
    Node& node = add_node(Type::kUnion);
    node.branches = std::move(branches);
    return &node;
  }

  // Registers a named node before its children are built, so records may refer to
  // themselves. Returns the existing node when the name was built already.
  struct Named {
    Node* node = nullptr;  // nullptr after an error
    std::string inner_namespace;
    bool existing = false;  // the name was built before; its node is returned as it is
  };

  Named begin_named(Type type, const json& value, const std::string& name_space,
                    const std::string& source) {
    auto name = value.find("name");
    if (name == value.end() || !name->is_string()) {
      fail(source, fmt::format("{} without a \"name\"", type_name(type)));
      return {};
    }
    auto [full, inner_namespace] = qualify(name->get<std::string>(), value, name_space);
    if (auto built = schema_->named_.find(full); built != schema_->named_.end()) {
      return {const_cast<Node*>(built->second), inner_namespace, true};
    }
    if (!is_valid_full_name(full)) {
      fail(source, fmt::format("invalid {} name \"{}\"", type_name(type), full));
      return {};
    }
    Node& node = add_node(type);
    node.full_name = full;
    if (auto aliases = value.find("aliases"); aliases != value.end() && aliases->is_array()) {
      for (const json& alias : *aliases) {
        if (alias.is_string()) node.aliases.push_back(alias.get<std::string>());
      }
    }
    copy_attributes(value, node);
    schema_->named_.emplace(full, &node);
    return {&node, inner_namespace, false};
  }

  const Node* build_record(const json& value, const std::string& name_space,
                           const std::string& source) {
    auto [node, inner_namespace, existing] = begin_named(Type::kRecord, value, name_space, source);
    if (!node || existing) return node;
    auto fields = value.find("fields");
    if (fields == value.end() || !fields->is_array()) {
      return fail(source, fmt::format("record {} without a \"fields\" array", node->full_name));
    }
    for (const json& field_json : *fields) {
      if (!field_json.is_object() || !field_json.contains("name") || !field_json.contains("type") ||
          !field_json["name"].is_string()) {
        return fail(source,
                    fmt::format("record {}: each field needs a name and a type", node->full_name));
      }
      Field field;
      field.name = field_json["name"].get<std::string>();
      if (!is_valid_name(field.name)) {
        return fail(source, fmt::format("record {}: invalid field name \"{}\"", node->full_name,
                                        field.name));
      }
      if (node->field_index(field.name) >= 0) {
        return fail(source, fmt::format("record {}: field {} is defined twice", node->full_name,
                                        field.name));
      }
      field.type = build(field_json["type"], inner_namespace, source);
      if (!field.type) return nullptr;
      if (auto it = field_json.find("default"); it != field_json.end()) field.default_value = *it;
      if (auto it = field_json.find("aliases"); it != field_json.end() && it->is_array()) {
        for (const json& alias : *it) {
          if (alias.is_string()) field.aliases.push_back(alias.get<std::string>());
        }
      }
      if (auto it = field_json.find("doc"); it != field_json.end() && it->is_string()) {
        field.doc = it->get<std::string>();
      }
      node->fields.push_back(std::move(field));
    }
    return node;
  }

  const Node* build_enum(const json& value, const std::string& name_space,
                         const std::string& source) {
    auto [node, inner_namespace, existing] = begin_named(Type::kEnum, value, name_space, source);
    if (!node || existing) return node;
    auto symbols = value.find("symbols");
    if (symbols == value.end() || !symbols->is_array() || symbols->empty()) {
      return fail(source, fmt::format("enum {} without symbols", node->full_name));
    }
    for (const json& symbol : *symbols) {
      if (!symbol.is_string() || !is_valid_name(symbol.get<std::string>())) {
        return fail(source,
                    fmt::format("enum {}: invalid symbol {}", node->full_name, symbol.dump()));
      }
      const std::string text = symbol.get<std::string>();
      if (std::find(node->symbols.begin(), node->symbols.end(), text) != node->symbols.end()) {
        return fail(source,
                    fmt::format("enum {}: symbol {} is listed twice", node->full_name, text));
      }
      node->symbols.push_back(text);
    }
    if (auto fallback = value.find("default"); fallback != value.end()) {
      if (!fallback->is_string() ||
          std::find(node->symbols.begin(), node->symbols.end(), fallback->get<std::string>()) ==
              node->symbols.end()) {
        return fail(source, fmt::format("enum {}: default {} is not one of its symbols",
                                        node->full_name, fallback->dump()));
      }
    }
    return node;
  }

  const Node* build_fixed(const json& value, const std::string& name_space,
                          const std::string& source) {
    auto [node, inner_namespace, existing] = begin_named(Type::kFixed, value, name_space, source);
    if (!node || existing) return node;
    auto size = value.find("size");
    if (size == value.end() || !size->is_number_integer() || size->get<std::int64_t>() < 0) {
      return fail(source, fmt::format("fixed {} without a valid size", node->full_name));
    }
    node->fixed_size = size->get<std::int64_t>();
    return node;
  }

  static void copy_attributes(const json& value, Node& node) {
    static constexpr std::array<std::string_view, 11> kStructural{
        "type",   "name", "namespace",   "fields",  "symbols", "items",
        "values", "size", "logicalType", "aliases", "doc"};
    if (auto logical = value.find("logicalType"); logical != value.end() && logical->is_string()) {
      node.logical_type = logical->get<std::string>();
    }
    for (auto it = value.begin(); it != value.end(); ++it) {
      if (std::find(kStructural.begin(), kStructural.end(), it.key()) == kStructural.end()) {
        node.attributes[it.key()] = it.value();
      }
    }
  }

  std::vector<Document> documents_;
  std::unordered_map<std::string, Definition> definitions_;
  std::unique_ptr<Schema> schema_;
  Error error_;
  int depth_ = 0;  // nesting of the build() calls under way
};

namespace {

Result<json> parse_json(std::string_view text, std::string_view source) {
  try {
    return json::parse(text);
  } catch (const json::parse_error& e) {
    return std::unexpected(
        Error{fmt::format("invalid JSON at {}: {}", position_of(text, e.byte == 0 ? 0 : e.byte - 1),
                          e.what()),
              std::string(source), std::string::npos});
  }
}

}  // namespace

Result<std::shared_ptr<const Schema>> Schema::parse(std::string_view json_text,
                                                    std::string_view source) {
  auto root = parse_json(json_text, source);
  if (!root) return std::unexpected(root.error());
  std::vector<SchemaBuilder::Document> documents;
  documents.push_back({std::string(source), std::move(*root)});
  const json& root_json = documents.front().root;
  SchemaBuilder builder(std::move(documents));
  return builder.build_root(root_json, std::string(source));
}

Result<std::shared_ptr<const Schema>> Schema::load(const std::filesystem::path& directory,
                                                   std::string_view root_name) {
  std::error_code status;
  if (!std::filesystem::is_directory(directory, status)) {
    return std::unexpected(Error{"schema directory not found", directory.string(), {}});
  }

  // Files are read in name order so that errors and duplicate names resolve the same way on
  // every run.
  std::vector<std::filesystem::path> files;
  for (const auto& entry : std::filesystem::directory_iterator(directory, status)) {
    if (entry.is_regular_file() && entry.path().extension() == ".avsc") files.push_back(entry);
  }
  std::sort(files.begin(), files.end());
  if (files.empty()) {
    return std::unexpected(Error{"no .avsc files in schema directory", directory.string(), {}});
  }

  std::vector<SchemaBuilder::Document> documents;
  for (const auto& file : files) {
    std::ifstream in(file, std::ios::binary);
    std::stringstream text;
    text << in.rdbuf();
    if (!in) return std::unexpected(Error{"cannot read schema file", file.string(), {}});
    auto parsed = parse_json(text.str(), file.string());
    if (!parsed) return std::unexpected(parsed.error());
    documents.push_back({file.string(), std::move(*parsed)});
  }

  SchemaBuilder builder(std::move(documents));
  auto schema = builder.build_named(root_name);
  if (!schema && schema.error().where.empty()) schema.error().where = directory.string();
  return schema;
}

const Node* Schema::find(std::string_view full_name) const {
  auto it = named_.find(std::string(full_name));
  return it == named_.end() ? nullptr : it->second;
}

namespace {

json node_to_json(const Node& node, std::unordered_map<const Node*, bool>& defined) {
  if (node.is_named() && defined[&node]) return node.full_name;
  if (node.type == Type::kUnion) {
    json branches = json::array();
    for (const Node* branch : node.branches) branches.push_back(node_to_json(*branch, defined));
    return branches;
  }

  const bool plain = node.logical_type.empty() && node.attributes.empty();
  switch (node.type) {
    case Type::kNull:
    case Type::kBoolean:
    case Type::kInt:
    case Type::kLong:
    case Type::kFloat:
    case Type::kDouble:
    case Type::kBytes:
    case Type::kString:
      if (plain) return std::string(type_name(node.type));
      break;
    default:
      break;
  }

  json out = json::object();
  out["type"] = std::string(type_name(node.type));
  if (node.is_named()) {
    defined[&node] = true;
    out["name"] = node.full_name;
    if (!node.aliases.empty()) out["aliases"] = node.aliases;
  }
  if (!node.logical_type.empty()) out["logicalType"] = node.logical_type;
  for (auto it = node.attributes.begin(); it != node.attributes.end(); ++it) {
    out[it.key()] = it.value();
  }
  switch (node.type) {
    case Type::kRecord: {
      json fields = json::array();
      for (const Field& field : node.fields) {
        json field_json = json::object();
        field_json["name"] = field.name;
        field_json["type"] = node_to_json(*field.type, defined);
        if (field.default_value) field_json["default"] = *field.default_value;
        if (!field.aliases.empty()) field_json["aliases"] = field.aliases;
        if (!field.doc.empty()) field_json["doc"] = field.doc;
        fields.push_back(std::move(field_json));
      }
      out["fields"] = std::move(fields);
      break;
    }
    case Type::kEnum:
      out["symbols"] = node.symbols;
      break;
    case Type::kArray:
      out["items"] = node_to_json(*node.items, defined);
      break;
    case Type::kMap:
      out["values"] = node_to_json(*node.values, defined);
      break;
    case Type::kFixed:
      out["size"] = node.fixed_size;
      break;
    default:
      break;
  }
  return out;
}

}  // namespace

std::string Schema::to_json() const {
  std::unordered_map<const Node*, bool> defined;
  return node_to_json(*root_, defined).dump();
}

}  // namespace skystream::avro
