#include "filter/visit_cap.h"

#include <fmt/format.h>

#include <algorithm>
#include <cassert>

namespace skystream::filter {

Result<VisitReader> VisitReader::create(const avro::Node& root, std::string_view field) {
  auto path = resolve_path(root, field);
  if (!path) {
    return std::unexpected(Error{fmt::format("visit field: {}", path.error().message)});
  }
  avro::Type type = path->leaf->type;
  if (type != avro::Type::kInt && type != avro::Type::kLong) {
    return std::unexpected(Error{
        fmt::format("visit field '{}' is a {}, not an int or long", field, avro::type_name(type))});
  }
  return VisitReader(std::move(*path));
}

Result<std::int64_t> VisitReader::read(const avro::Value& alert) const {
  Scalar scalar;
  if (read_path(path_, alert, &scalar) != ReadStatus::kOk) {
    return std::unexpected(Error{
        fmt::format("alert value does not match the schema of the visit field '{}'", path_.text)});
  }
  if (scalar.kind == Scalar::Kind::kNull) {
    return std::unexpected(Error{fmt::format("visit field '{}' is null", path_.text)});
  }
  return scalar.integer;
}

VisitCap::VisitCap(std::vector<std::uint32_t> max_per_visit, std::size_t retained_visits)
    : max_per_visit_(std::move(max_per_visit)),
      rejected_(max_per_visit_.size(), 0),
      retained_visits_(std::max<std::size_t>(retained_visits, 1)) {
  visits_.reserve(retained_visits_);
}

bool VisitCap::admit(std::size_t filter, std::int64_t visit) {
  assert(filter < max_per_visit_.size());
  VisitCounts& counts = counts_for(visit);
  std::uint32_t cap = max_per_visit_[filter];
  if (cap != 0 && counts.admitted[filter] >= cap) {
    ++rejected_[filter];
    return false;
  }
  ++counts.admitted[filter];
  return true;
}

std::uint32_t VisitCap::admitted(std::size_t filter, std::int64_t visit) const {
  for (const VisitCounts& counts : visits_) {
    if (counts.visit == visit) return counts.admitted[filter];
  }
  return 0;
}

// Returns the counts of `visit`, reusing the least recently used entry when all
// `retained_visits_` entries are taken.
VisitCap::VisitCounts& VisitCap::counts_for(std::int64_t visit) {
  ++use_clock_;
  for (VisitCounts& counts : visits_) {
    if (counts.visit == visit) {
      counts.last_used = use_clock_;
      return counts;
    }
  }

  if (visits_.size() < retained_visits_) {
    visits_.push_back(
        VisitCounts{visit, use_clock_, std::vector<std::uint32_t>(max_per_visit_.size(), 0)});
    return visits_.back();
  }
  auto oldest = std::min_element(
      visits_.begin(), visits_.end(),
      [](const VisitCounts& a, const VisitCounts& b) { return a.last_used < b.last_used; });
  oldest->visit = visit;
  oldest->last_used = use_clock_;
  std::fill(oldest->admitted.begin(), oldest->admitted.end(), 0);
  return *oldest;
}

}  // namespace skystream::filter
