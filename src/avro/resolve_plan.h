// The compiled plan of a writer/reader schema pair, shared by the code that builds it
// (resolve_plan.cc) and the code that runs it on bytes (resolve.cc). Internal to src/avro: the
// public interface is Resolver in resolve.h, which also lists the resolution rules.
#pragma once

#include <cstdint>
#include <deque>
#include <string>
#include <utility>
#include <vector>

#include "avro/error.h"
#include "avro/schema.h"
#include "avro/skip.h"
#include "avro/value.h"

namespace skystream::avro {
namespace resolve_detail {

enum class Action : std::uint8_t {
  kPrimitive,    // null, boolean, numbers, string, bytes and fixed, with promotions
  kEnum,         // symbols mapped by name
  kRecord,       // fields matched by name or alias
  kArray,        // items resolved
  kMap,          // values resolved
  kWriterUnion,  // the writer is a union; the reader may be one too
  kReaderUnion,  // only the reader is a union
};

struct Step;

struct FieldStep {
  const Field* writer_field = nullptr;
  int reader_index = -1;       // -1: the reader has no such field and the value is skipped
  const Step* step = nullptr;  // nullptr when skipped
  skip::Instruction skip;      // how to skip the value when reader_index is -1
};

struct BranchStep {
  int reader_branch = -1;      // branch of a reader union; -1 when the reader is not a union
  const Step* step = nullptr;  // nullptr: no reader type matches this writer branch
};

// The compiled reading of one writer/reader node pair.
struct Step {
  Action action = Action::kPrimitive;
  const Node* writer = nullptr;
  const Node* reader = nullptr;
  // The writer and reader encodings are the same, so decode_into() with the reader node reads
  // the value.
  bool identical = false;
  // False while the step's children are built, so a recursive type can find itself.
  bool complete = false;

  std::vector<FieldStep> fields;                // kRecord, in writer field order
  std::vector<std::pair<int, Value>> defaults;  // kRecord: reader field index and its default
  std::uint64_t default_descendants = 0;        // kRecord: the values below the defaults' roots
  std::vector<int> symbols;                     // kEnum: reader symbol per writer symbol, or -1
  int default_symbol = -1;                      // kEnum: the reader's default symbol, or -1
  const Step* element = nullptr;                // kArray, kMap
  std::vector<BranchStep> branches;             // kWriterUnion, per writer branch
  BranchStep branch;                            // kReaderUnion
};

struct Plan {
  const Node* writer = nullptr;
  const Node* reader = nullptr;
  std::deque<Step> steps;  // a deque, so that steps keep their addresses as it grows
  const Step* root = nullptr;
  skip::Skipper skipper;  // the instructions that FieldStep::skip refers to
};

}  // namespace resolve_detail

namespace resolve_detail {

// Checks that data written with `plan.writer` can be read with `plan.reader` and fills the
// plan's steps and root. Errors set `where` to the reader field path, as Resolver::create()
// documents.
[[nodiscard]] Result<void> build_plan(Plan& plan);

// Names a type for errors: "int", "array", "union", or "record lsst.v11_0.diaSource" for named
// types.
std::string describe_type(const Node& node);

}  // namespace resolve_detail
}  // namespace skystream::avro
