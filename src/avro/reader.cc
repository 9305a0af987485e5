#include "avro/reader.h"

#include <fmt/format.h>

namespace skystream::avro {

bool fail_truncated(Cursor& cursor, std::uint64_t count) {
  const auto needed = std::min<std::uint64_t>(count, std::numeric_limits<std::int64_t>::max());
  return cursor.fail(Fault::kTruncated, cursor.position, static_cast<std::int64_t>(needed),
                     cursor.left());
}

// A negative size, cast to unsigned, is also larger than the bytes left, so the reads make one
// comparison on the successful path and tell the two faults apart here.
bool fail_size(Cursor& cursor, const char* start, std::int64_t size, Fault negative,
               Fault past_end) {
  if (size < 0) return cursor.fail(negative, start, size);
  return cursor.fail(past_end, start, size, cursor.left());
}

bool fail_index(Cursor& cursor, const char* start, std::int64_t index, Fault kind,
                std::size_t count) {
  return cursor.fail(kind, start, index, count);
}

std::string describe(const Cursor& cursor) {
  const std::int64_t n = cursor.detail;
  const std::uint64_t limit = cursor.limit;
  switch (cursor.fault) {
    case Fault::kNone:
      return "no error";
    case Fault::kTruncated:
      return fmt::format("needs {} bytes, {} left", n, limit);
    case Fault::kVarintPastEnd:
      return "varint runs past the end of the input";
    case Fault::kVarintTooLong:
      return "varint longer than 10 bytes";
    case Fault::kNegativeLength:
      return fmt::format("negative length {}", n);
    case Fault::kLengthPastEnd:
      return fmt::format("length {} runs past the end of the input ({} bytes left)", n, limit);
    case Fault::kNegativeKeyLength:
      return fmt::format("negative map key length {}", n);
    case Fault::kKeyLengthPastEnd:
      return fmt::format("map key length {} runs past the end of the input ({} bytes left)", n,
                         limit);
    case Fault::kNegativeBlockSize:
      return fmt::format("negative block size {}", n);
    case Fault::kBlockSizePastEnd:
      return fmt::format("block size {} runs past the end of the input ({} bytes left)", n, limit);
    case Fault::kInvalidBlockCount:
      return "invalid block count";
    case Fault::kBlockCountPastEnd:
      return fmt::format("block count {} exceeds the {} bytes left", n, limit);
    case Fault::kBlockCountTooLargeForItems:
      return fmt::format("block count {} exceeds what the {} bytes left can hold", n, limit);
    case Fault::kTooManyNulls:
      return fmt::format("block count {} of nulls is implausible", n);
    case Fault::kBranchOutOfRange:
      return fmt::format("union branch {} out of range (union has {} branches)", n, limit);
    case Fault::kBooleanNotZeroOrOne:
      return "boolean byte is neither 0 nor 1";
    case Fault::kIntOutOfRange:
      return fmt::format("int value {} out of range", n);
    case Fault::kSymbolOutOfRange:
      return fmt::format("enum symbol {} out of range (enum has {} symbols)", n, limit);
    case Fault::kNestedTooDeep:
      return "values nested too deep";
    case Fault::kOther:
      return "invalid value";
  }
  return "unknown fault";
}

bool read_long_slow(Cursor& cursor, std::int64_t& out) {
  const char* start = cursor.position;
  std::uint64_t zigzag = 0;
  for (int shift = 0; shift < 70; shift += 7) {
    if (cursor.position == cursor.end) return cursor.fail(Fault::kVarintPastEnd, start);
    const auto byte = static_cast<std::uint8_t>(*cursor.position++);
    zigzag |= static_cast<std::uint64_t>(byte & 0x7f) << shift;
    if ((byte & 0x80) == 0) {
      out = static_cast<std::int64_t>((zigzag >> 1) ^ (~(zigzag & 1) + 1));
      return true;
    }
  }
  return cursor.fail(Fault::kVarintTooLong, start);
}

std::string ErrorPath::text() const {
  std::string text;
  for (auto step = steps_.rbegin(); step != steps_.rend(); ++step) {
    if (step->is_index) {
      text += fmt::format("[{}]", step->index);
      continue;
    }
    if (!text.empty() && step->name.front() != '[') text += '.';
    text += step->name;
  }
  return text;
}

}  // namespace skystream::avro
