// Per-visit caps: each filter publishes at most max_per_visit alerts of any one visit.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>
#include <utility>
#include <vector>

#include "avro/schema.h"
#include "avro/value.h"
#include "filter/error.h"
#include "filter/path.h"

namespace skystream::filter {

// The field of the alert that contains the visit id in schemas 7.0 and later. Older schemas carry
// diaSource.ccdVisitId instead, which identifies one detector of one visit.
inline constexpr std::string_view kDefaultVisitField = "diaSource.visit";

// Reads the visit id of alerts. Holds pointers into the schema it was created with, so it is
// valid only while that schema lives. Immutable, so safe to share between threads.
class VisitReader {
 public:
  // Resolves `field` against the alert record `root`. Fails when the field does not exist or is
  // not an int or long (a union of null and int or long is accepted).
  [[nodiscard]] static Result<VisitReader> create(const avro::Node& root,
                                                  std::string_view field = kDefaultVisitField);

  // Returns the visit id of `alert`. Fails when the field is null or the value's shape differs
  // from the schema. Allocates nothing unless it fails.
  [[nodiscard]] Result<std::int64_t> read(const avro::Value& alert) const;

  // The resolved field. Its first index is the top-level field that a projected decode must
  // read.
  const FieldPath& path() const { return path_; }

 private:
  explicit VisitReader(FieldPath path) : path_(std::move(path)) {}

  FieldPath path_;
};

// Counts the alerts each filter has published per visit, and admits one more only while the
// filter is under its cap. Not thread-safe: use one per consumer thread.
//
// NOTE: counts are local to this object, so when N processes of one consumer group run the same
// filters, a filter can publish up to N times its cap for one visit.
class VisitCap {
 public:
  // Counts are kept for this many of the most recently seen visits.
  static constexpr std::size_t kDefaultRetainedVisits = 16;

  // `max_per_visit[i]` is the cap of filter i, and 0 means unlimited. `retained_visits` must be at
  // least 1. An alert of a visit whose counts were dropped, because `retained_visits` other
  // visits were seen since, starts that visit's counts again from zero.
  explicit VisitCap(std::vector<std::uint32_t> max_per_visit,
                    std::size_t retained_visits = kDefaultRetainedVisits);

  // Counts one more alert for `filter` in `visit` and returns true when the filter has admitted
  // fewer than its cap for that visit. Otherwise counts a rejection and returns false.
  // Requires filter < filter_count(). Allocates only when a visit is seen for the first time
  // while fewer than `retained_visits` visits are held.
  bool admit(std::size_t filter, std::int64_t visit);

  // The number of alerts `filter` has admitted for `visit` (0 for a visit no longer retained).
  std::uint32_t admitted(std::size_t filter, std::int64_t visit) const;

  // The number of alerts `filter` has rejected since construction, over all visits.
  std::uint64_t rejected(std::size_t filter) const { return rejected_[filter]; }

  std::size_t filter_count() const { return max_per_visit_.size(); }

 private:
  struct VisitCounts {
    std::int64_t visit = 0;
    std::uint64_t last_used = 0;          // value of use_clock_ at the last admit() for this visit
    std::vector<std::uint32_t> admitted;  // per filter
  };

  VisitCounts& counts_for(std::int64_t visit);

  std::vector<std::uint32_t> max_per_visit_;
  std::vector<std::uint64_t> rejected_;
  std::vector<VisitCounts> visits_;
  std::size_t retained_visits_;
  std::uint64_t use_clock_ = 0;
};

}  // namespace skystream::filter
