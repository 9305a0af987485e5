// Schema resolution (Avro 1.11 specification, "Schema Resolution"): decoding bytes written with
// one schema (the writer's) into values of another (the reader's).
//
// Resolver::create() checks once that every value of the writer schema can be read with the
// reader schema, and compiles a plan of what to do per node pair. resolve_decode() then follows
// that plan without checking types again. The rules:
//   - int is promoted to long, float or double; long to float or double; float to double;
//     string and bytes convert to each other (same bytes). An int or long read as a float is
//     rounded to the nearest float in one step, with no double in between.
//   - Records, enums and fixed match when their unqualified names are equal, or when the
//     unqualified writer name equals the unqualified part of one of the reader type's aliases.
//     Fixed sizes must be equal.
//   - Record fields match by name, or by the reader field's aliases, in any order. Writer fields
//     the reader lacks are skipped. Reader fields the writer lacks take their default, and a
//     missing default fails create(). A default for a union field is a value of the union's
//     first branch, and a record default without some field takes that field's own default.
//   - An enum symbol maps to the reader symbol of the same name. A writer symbol the reader
//     lacks becomes the reader enum's "default" symbol; without one, decoding that symbol fails.
//   - A non-union writer type is read as the first branch of a reader union that it matches
//     (equal type, a promotion, or a named type as above); create() fails when none matches.
//   - Each branch of a writer union resolves the same way against a reader union, or against a
//     non-union reader type. A writer branch that nothing matches fails only when a value uses
//     it. create() fails when no writer branch matches at all, or when a matching branch cannot
//     be resolved, such as a record of the same name with an incompatible field.
//   - Arrays and maps resolve their item and value types.
// Records, arrays, maps and unions whose writer and reader encodings are identical are read by
// one decode_into() call.
//
// resolve_plan.cc builds the plan, resolve_default.cc converts the defaults, and resolve.cc runs
// the plan on bytes.
#pragma once

#include <cstddef>
#include <memory>
#include <string_view>

#include "avro/error.h"
#include "avro/schema.h"
#include "avro/value.h"

namespace skystream::avro {

namespace resolve_detail {
struct Plan;
}

// A compiled writer/reader schema pair. The writer and reader nodes, and the Schemas that own
// them, must outlive the Resolver and every Value it returns, because the Values point at reader
// nodes. Copies share one immutable plan; resolve_decode() is thread-safe.
class Resolver {
 public:
  // Checks that data written with `writer` can be read with `reader` and builds the plan.
  // Errors set `where` to the reader field path ("diaSource.band", empty at the root) and name
  // the rule broken, such as "writer type string cannot be read as int", "reader field x is not
  // in the writer record a.b and has no default", or an invalid default value.
  [[nodiscard]] static Result<Resolver> create(const Node& writer, const Node& reader);

  // Decodes one value written with the writer schema from the start of `bytes` into a Value of
  // the reader schema, and stores the number of bytes used in `*consumed` when it is not null.
  // Rejects the same corrupt input as decode(), and also a writer union branch that matches no
  // reader type and an enum symbol the reader lacks when the reader enum has no default. Errors
  // carry the reader field path and the byte offset of the item at fault. Inside a writer field
  // that the reader lacks, the path goes on with that field's name and the path below it.
  [[nodiscard]] Result<Value> resolve_decode(std::string_view bytes,
                                             std::size_t* consumed = nullptr) const;

  // Like resolve_decode(), but fails unless the value uses all of `bytes`.
  [[nodiscard]] Result<Value> resolve_decode_exact(std::string_view bytes) const;

  const Node& writer() const;
  const Node& reader() const;

 private:
  explicit Resolver(std::shared_ptr<const resolve_detail::Plan> plan) : plan_(std::move(plan)) {}

  std::shared_ptr<const resolve_detail::Plan> plan_;
};

}  // namespace skystream::avro
