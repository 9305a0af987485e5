// Projection decoding: reading only the requested fields of an encoded record.
//
// A Projection is compiled once from a writer schema and a list of field paths, such as
// "diaSourceId", "diaSource.psfFlux", "diaObject.nDiaSources" or "prvDiaSources.psfFlux". It
// then reads those fields from each encoded record and passes over everything else by its
// length: strings and bytes by their length prefix, array and map blocks with a negative count
// by their byte size, and other values by their structure. Avro writes record fields in schema
// order with nothing between them, so reading stops after the last requested field, and the
// bytes after it (in alerts, the history arrays and the cutouts) are never looked at.
//
// Paths name record fields separated by dots. A step may pass through a union with at most
// one non-null branch (["null", T], [T, "null"] or [T]) and through arrays, whose items are
// then read one by one. A path may end at any type. A path that ends at an array reads the
// array's items. A path that ends at a record or map reads only whether the value is null.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "avro/error.h"
#include "avro/schema.h"

namespace skystream::avro {

// One value that a projection read. `bytes` points into the encoded record that was decoded
// and is valid as long as that buffer is. The member that contains the value depends on the
// path's leaf type (Projection::leaf()), as in Value: `boolean` for boolean, `integer` for int
// and long, `float32` for float, `float64` for double, `bytes` for string, bytes and fixed, and
// `index` for an enum symbol. For a leaf of type record or map, only `is_null` is set.
struct ProjectedValue {
  bool is_null = true;  // a union on the path was on its null branch, or the leaf is null
  bool boolean = false;
  std::int32_t index = 0;
  float float32 = 0;
  std::int64_t integer = 0;
  double float64 = 0;
  std::string_view bytes;
};

namespace projection_detail {
struct Plan;
class Run;
}  // namespace projection_detail

// The values of one record as read by Projection::decode(), by path index (the position of
// the path in the list given to Projection::compile()). Meant to be kept and passed to every
// decode, so that its memory is reused: once its lists have grown to the longest arrays seen,
// decoding allocates nothing. Not thread-safe; use one per thread.
class ProjectedRecord {
 public:
  // The number of paths, 0 before the first decode.
  std::size_t size() const { return slot_of_path_.size(); }

  // The value of `path`. For a path through an array, the first item's value, or a null value
  // when there is none.
  const ProjectedValue& value(std::size_t path) const;

  // The values of `path`: one for a path without arrays, and one per array item (items of
  // nested arrays in encoding order) for a path through arrays. Empty when a union above the
  // first array is on its null branch, or when the arrays are empty.
  std::span<const ProjectedValue> values(std::size_t path) const;

  // Whether `path` is null: its value is null, or, for a path through arrays, a union above
  // the first array is on its null branch. An empty array is not null.
  bool is_null(std::size_t path) const;

 private:
  friend class Projection;
  friend class projection_detail::Run;

  struct Slot {
    ProjectedValue value;               // paths without arrays
    std::vector<ProjectedValue> items;  // paths through arrays
    bool through_array = false;
    bool list_null = true;
  };

  std::shared_ptr<const projection_detail::Plan> plan_;
  std::vector<std::uint32_t> slot_of_path_;
  std::vector<Slot> slots_;
};

// A compiled read plan for some field paths of one record schema. Holds pointers into the
// schema, so it is valid only while the Schema lives. Immutable after compile(), so copies
// and concurrent decode() calls (each with its own ProjectedRecord) are safe.
class Projection {
 public:
  // Compiles the plan for `paths` against the record `root`. A path may be given more than
  // once and may be a prefix of another. Errors name the path: an empty path or step, an
  // unknown field, a step into a type that is not a record, a union with more than one
  // non-null branch, or an array whose items take no bytes.
  [[nodiscard]] static Result<Projection> compile(const Node& root,
                                                  const std::vector<std::string>& paths);

  std::size_t path_count() const;
  const std::string& path(std::size_t index) const;

  // The type of the values of path `index`: the type at the end of the path with a nullable
  // union removed, or for a path that ends at an array, the array's item type.
  const Node& leaf(std::size_t index) const;

  // Whether path `index` passes through an array.
  bool through_array(std::size_t index) const;

  // Reads the paths from the encoded record `bytes` into `out`, replacing what `out` held.
  // Stops after the last requested field, so it neither reads nor checks the bytes after it.
  // Skipped values are checked for structure only (see skip.h): a skipped string is not
  // checked to be UTF-8. Values on the paths are checked as decode() checks them, so a
  // projected string is UTF-8. Lengths and block counts are checked against the bytes
  // left before anything is allocated for them. Errors give the field path with array item
  // indices, such as "prvDiaSources[3].psfFlux", and the byte offset of the item that is
  // wrong, also when the item is inside a skipped value. On failure `out` contains a partial
  // result that the next decode() replaces.
  [[nodiscard]] Result<void> decode(std::string_view bytes, ProjectedRecord& out) const;

 private:
  explicit Projection(std::shared_ptr<const projection_detail::Plan> plan)
      : plan_(std::move(plan)) {}

  void prepare(ProjectedRecord& out) const;

  std::shared_ptr<const projection_detail::Plan> plan_;
};

}  // namespace skystream::avro
