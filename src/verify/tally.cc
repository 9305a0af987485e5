#include "verify/tally.h"

#include <algorithm>
#include <cmath>

namespace skystream::verify {

std::optional<std::int64_t> percentile(std::vector<std::int64_t>& values, double p) {
  if (values.empty()) return std::nullopt;
  const auto count = static_cast<double>(values.size());
  const auto rank = static_cast<std::size_t>(std::max(1.0, std::ceil(p / 100.0 * count)));
  const auto nth = values.begin() + static_cast<std::ptrdiff_t>(std::min(rank, values.size()) - 1);
  std::nth_element(values.begin(), nth, values.end());
  return *nth;
}

ManifestIndex::ManifestIndex(std::span<const ManifestAlert> alerts) : alerts_(alerts) {
  positions_.reserve(alerts.size());
  for (std::size_t i = 0; i < alerts.size(); ++i) positions_.emplace(alerts[i].alert_id, i);
}

std::optional<std::size_t> ManifestIndex::find(std::int64_t alert_id) const {
  const auto found = positions_.find(alert_id);
  if (found == positions_.end()) return std::nullopt;
  return found->second;
}

TopicTally::TopicTally(const ManifestIndex& index, bool full_stream, std::int64_t send_started_ms)
    : index_(index),
      full_stream_(full_stream),
      earliest_timestamp_ms_(send_started_ms - kTimestampEarliestBeforeSend.count()),
      copies_(index.size(), 0) {}

MessageCheck TopicTally::add(std::int64_t alert_id, const Digest& digest,
                             std::optional<MessageTime> time) {
  ++received_;
  add_time(time);

  MessageCheck check;
  const std::optional<std::size_t> position = index_.find(alert_id);
  if (!position) {
    ++unknown_;
    check.unknown = true;
    return check;
  }
  if (copies_[*position]++ > 0) {
    ++duplicates_;
    check.duplicate = true;
  }
  if (index_.at(*position).digest != digest) {
    ++mismatched_;
    check.mismatched = true;
    if (mismatched_ids_.size() < kAlertIdsListed &&
        std::ranges::find(mismatched_ids_, alert_id) == mismatched_ids_.end()) {
      mismatched_ids_.push_back(alert_id);
    }
  }
  return check;
}

void TopicTally::add_invalid(std::optional<MessageTime> time) {
  ++received_;
  ++invalid_;
  add_time(time);
}

void TopicTally::add_time(std::optional<MessageTime> time) {
  if (!time) return;
  const std::int64_t latest_ms = time->received_ms + kTimestampLatestAfterRead.count();
  if (time->timestamp_ms < earliest_timestamp_ms_ || time->timestamp_ms > latest_ms) {
    ++bad_timestamps_;
    return;
  }
  latencies_ms_.push_back(time->received_ms - time->timestamp_ms);
}

TopicFigures TopicTally::figures() const {
  TopicFigures figures;
  figures.received = received_;
  figures.duplicates = duplicates_;
  figures.mismatched = mismatched_;
  figures.unknown = unknown_;
  figures.invalid = invalid_;
  figures.bad_timestamps = bad_timestamps_;
  figures.mismatched_ids = mismatched_ids_;
  if (full_stream_) {
    figures.expected = static_cast<std::int64_t>(index_.size());
    figures.missing = std::ranges::count(copies_, 0u);
    for (std::size_t i = 0; i < copies_.size() && figures.missing_ids.size() < kAlertIdsListed;
         ++i) {
      if (copies_[i] == 0) figures.missing_ids.push_back(index_.at(i).alert_id);
    }
  } else {
    figures.expected = received_;
  }

  std::vector<std::int64_t> latencies = latencies_ms_;
  if (!latencies.empty()) {
    const std::int64_t p50 = *percentile(latencies, 50);
    const std::int64_t p99 = *percentile(latencies, 99);
    figures.latency_ms = LatencyFigures{p50, p99};
  }
  return figures;
}

TopicFigures total_figures(std::span<const TopicTally* const> tallies) {
  TopicFigures total;
  std::vector<std::int64_t> latencies;
  for (const TopicTally* tally : tallies) {
    const TopicFigures figures = tally->figures();
    total.expected += figures.expected;
    total.received += figures.received;
    total.missing += figures.missing;
    total.duplicates += figures.duplicates;
    total.mismatched += figures.mismatched;
    total.unknown += figures.unknown;
    total.invalid += figures.invalid;
    total.bad_timestamps += figures.bad_timestamps;
    latencies.insert(latencies.end(), tally->latencies_ms().begin(), tally->latencies_ms().end());
  }
  if (!latencies.empty()) {
    const std::int64_t p50 = *percentile(latencies, 50);
    const std::int64_t p99 = *percentile(latencies, 99);
    total.latency_ms = LatencyFigures{p50, p99};
  }
  return total;
}

}  // namespace skystream::verify
