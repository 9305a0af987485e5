// Decoding chosen top-level fields of a record into a reusable Value, the rest passed over.
//
// The filter service reads each alert once but its filters need only a few top-level fields
// (diaSource, diaObject), while most of an alert's bytes are in the history arrays and cutouts
// after them. A PartialDecoder decodes the chosen fields with decode_into() and passes over
// every other field with the skip instructions of skip.h: strings and bytes by their length,
// array blocks by their byte size when the writer gave one. It reads to the end of the record,
// so a truncated or corrupt body is still found, and it fails on bytes left over after it.
// The chosen fields are checked as decode_into() checks them; the others for structure only
// (see skip.h), so a string in a field passed over is not checked to be UTF-8.
#pragma once

#include <string_view>
#include <vector>

#include "avro/error.h"
#include "avro/schema.h"
#include "avro/skip.h"
#include "avro/value.h"

namespace skystream::avro {

class PartialDecoder {
 public:
  // Prepares to decode the fields of the record `record` whose indices are in `fields`. Holds
  // pointers into the schema, which must outlive the decoder. Immutable after construction,
  // so one decoder may serve several threads, each with its own Value.
  PartialDecoder(const Node& record, const std::vector<int>& fields);

  // Decodes `bytes`, one encoded record, into `out`. On the first call `out` is set to the
  // record's zero value; fields that are not chosen keep that zero value. Decoding alerts one
  // after another into the same `out` reuses its memory (see decode_into()). Errors carry the
  // full field path, such as "prvDiaSources[3].psfFlux", and the byte offset in `bytes`, for
  // chosen and passed-over fields alike.
  [[nodiscard]] Result<void> decode(std::string_view bytes, Value& out) const;

  const Node& record() const { return *record_; }

 private:
  const Node* record_;
  std::vector<bool> chosen_;
  std::vector<skip::Instruction> skip_of_field_;
  skip::Skipper skipper_;
};

}  // namespace skystream::avro
