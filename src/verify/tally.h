// Tallies of the messages read back from a topic, compared with a manifest.
//
// Figures of one topic:
//   received    messages read from the topic
//   expected    for the full-stream topic (the manifest's topic): the alerts in the manifest;
//               for any other (filtered) topic: the messages received, because which alerts
//               a filter passes is not recorded
//   missing     full-stream topic only: manifest alerts with no message at all
//   duplicates  messages beyond the first for the same alert id
//   mismatched  messages whose alert id is in the manifest but whose digest differs from the
//               manifest's
//   unknown     messages whose alert id is not in the manifest
//   invalid     messages whose alert id could not be read (bad framing, unknown schema id,
//               a body that does not decode)
//   latency     receipt time minus the message timestamp [ms], as percentiles, of the messages
//               whose timestamp is plausible (see kTimestampEarliestBeforeSend)
//   bad timestamps  messages whose timestamp is not plausible, left out of latency
// A topic passes when missing, duplicates, mismatched, unknown and invalid are all zero.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <unordered_map>
#include <vector>

#include "verify/digest.h"
#include "verify/manifest.h"

namespace skystream::verify {

// Returns the nearest-rank percentile `p` (0 < p <= 100) of `values`: the smallest value such
// that at least p% of the values are at or below it, which is the value at 1-based rank
// ceil(p / 100 * n) in ascending order. Reorders `values`. Nothing when `values` is empty.
std::optional<std::int64_t> percentile(std::vector<std::int64_t>& values, double p);

// The manifest's alerts by alert id. Refers to the alerts it was built from, which must
// outlive it.
class ManifestIndex {
 public:
  explicit ManifestIndex(std::span<const ManifestAlert> alerts);

  // The position of `alert_id` among the alerts, or nothing.
  std::optional<std::size_t> find(std::int64_t alert_id) const;
  const ManifestAlert& at(std::size_t position) const { return alerts_[position]; }
  std::size_t size() const { return alerts_.size(); }

 private:
  std::span<const ManifestAlert> alerts_;
  std::unordered_map<std::int64_t, std::size_t> positions_;
};

// A message timestamp counts for latency when it lies between this long before the send
// started (the manifest's started_ms) and kTimestampLatestAfterRead after the message was read.
// The margins allow for clocks that differ between the hosts that produce and read. A timestamp
// outside them, such as 1 ms after the epoch, is taken as wrong rather than as a latency.
inline constexpr std::chrono::milliseconds kTimestampEarliestBeforeSend = std::chrono::hours(1);
inline constexpr std::chrono::milliseconds kTimestampLatestAfterRead = std::chrono::minutes(1);

// When a message was produced and when it was read, in ms since the epoch.
struct MessageTime {
  std::int64_t timestamp_ms = 0;  // the message's Kafka timestamp
  std::int64_t received_ms = 0;
};

struct LatencyFigures {
  std::int64_t p50 = 0;
  std::int64_t p99 = 0;
};

// The alert ids listed per topic in missing_ids and mismatched_ids; past this, only counted.
inline constexpr std::size_t kAlertIdsListed = 100;

struct TopicFigures {
  std::int64_t expected = 0;
  std::int64_t received = 0;
  std::int64_t missing = 0;
  std::int64_t duplicates = 0;
  std::int64_t mismatched = 0;
  std::int64_t unknown = 0;
  std::int64_t invalid = 0;
  std::optional<LatencyFigures> latency_ms;  // nothing when no message had a usable timestamp
  std::int64_t bad_timestamps = 0;
  // The first kAlertIdsListed missing alerts in manifest order, and the first kAlertIdsListed
  // mismatched alerts in the order read, each id once. Empty in total figures.
  std::vector<std::int64_t> missing_ids;
  std::vector<std::int64_t> mismatched_ids;

  bool passed() const {
    return missing == 0 && duplicates == 0 && mismatched == 0 && unknown == 0 && invalid == 0;
  }
};

// The findings of add() about one message; more than one can be true.
struct MessageCheck {
  bool unknown = false;     // its alert id is not in the manifest
  bool duplicate = false;   // its alert was received before
  bool mismatched = false;  // its digest differs from the manifest's
};

class TopicTally {
 public:
  // `full_stream` says whether the topic is the manifest's own, the one every alert went to.
  // `send_started_ms` is the manifest's started_ms, which bounds plausible timestamps.
  TopicTally(const ManifestIndex& index, bool full_stream, std::int64_t send_started_ms);

  // Records a message whose alert id was read, with the digest of its value and its times
  // (nothing when it has no timestamp), and returns what the message was found to be.
  MessageCheck add(std::int64_t alert_id, const Digest& digest, std::optional<MessageTime> time);
  // Records a message whose alert id could not be read.
  void add_invalid(std::optional<MessageTime> time);

  bool full_stream() const { return full_stream_; }
  TopicFigures figures() const;
  // Latencies of every message recorded with a plausible timestamp, in the order they came
  // [ms].
  const std::vector<std::int64_t>& latencies_ms() const { return latencies_ms_; }

 private:
  void add_time(std::optional<MessageTime> time);

  const ManifestIndex& index_;
  bool full_stream_;
  std::int64_t earliest_timestamp_ms_;
  std::vector<std::uint32_t> copies_;  // messages received per manifest alert
  std::int64_t received_ = 0;
  std::int64_t duplicates_ = 0;
  std::int64_t mismatched_ = 0;
  std::int64_t unknown_ = 0;
  std::int64_t invalid_ = 0;
  std::int64_t bad_timestamps_ = 0;
  std::vector<std::int64_t> mismatched_ids_;  // up to kAlertIdsListed, each once
  std::vector<std::int64_t> latencies_ms_;
};

// Adds up the figures of several topics; the latency percentiles are those of all the
// topics' messages together.
TopicFigures total_figures(std::span<const TopicTally* const> tallies);

}  // namespace skystream::verify
