#include "avro/partial.h"

#include <fmt/format.h>

#include "avro/codec.h"
#include "avro/codec_nested.h"

namespace skystream::avro {

PartialDecoder::PartialDecoder(const Node& record, const std::vector<int>& fields)
    : record_(&record), chosen_(record.fields.size(), false) {
  for (int index : fields) {
    if (index >= 0 && static_cast<std::size_t>(index) < chosen_.size()) chosen_[index] = true;
  }
  for (const Field& field : record.fields) skip_of_field_.push_back(skipper_.compile(*field.type));
}

Result<void> PartialDecoder::decode(std::string_view bytes, Value& out) const {
  if (out.node != record_) out = Value::zero(*record_);

  std::size_t position = 0;
  std::uint64_t zero_byte_values = 0;  // shared by the chosen fields, as in one decode_into()
  for (std::size_t i = 0; i < record_->fields.size(); ++i) {
    const std::string_view rest = bytes.substr(position);
    if (chosen_[i]) {
      std::size_t used = 0;
      auto status = codec_detail::decode_nested(*record_->fields[i].type, rest, out.children[i],
                                                &used, 1, zero_byte_values);
      if (!status) {
        Error error = status.error();
        const std::string& name = record_->fields[i].name;
        const bool joined = error.where.empty() || error.where.front() == '[';
        error.where = joined ? name + error.where : name + "." + error.where;
        if (error.offset != std::string::npos) error.offset += position;
        return std::unexpected(std::move(error));
      }
      position += used;
      continue;
    }

    Cursor cursor(bytes);
    cursor.position += position;
    if (!skipper_.skip(skip_of_field_[i], cursor, 1)) {
      return std::unexpected(skipper_.locate_fault(
          *record_->fields[i].type, cursor, bytes.data() + position, record_->fields[i].name));
    }
    position = cursor.offset();
  }

  if (position != bytes.size()) {
    return std::unexpected(Error{
        fmt::format("{} bytes left over after the record", bytes.size() - position), "", position});
  }
  return {};
}

}  // namespace skystream::avro
