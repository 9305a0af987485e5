// Tallies against hand-built manifests. Every expected figure is counted by hand from the
// messages listed in the test.

#include <gtest/gtest.h>

#include <vector>

#include "verify/tally.h"

namespace skystream::verify {
namespace {

// The manifest's started_ms in these tests, and the time every message is read, 10 s later.
constexpr std::int64_t kSendStartedMs = 1'767'225'600'000;
constexpr std::int64_t kReadMs = kSendStartedMs + 10'000;

// The times of a message read at kReadMs that was produced `latency_ms` before.
MessageTime read_after(std::int64_t latency_ms) {
  return MessageTime{kReadMs - latency_ms, kReadMs};
}

// Alerts 1 to 4, each with the digest of its own id as text.
std::vector<ManifestAlert> four_alerts() {
  std::vector<ManifestAlert> alerts;
  for (std::int64_t id = 1; id <= 4; ++id) {
    alerts.push_back(ManifestAlert{id, 9, "alerts", 0, id - 1, digest_of(std::to_string(id)), 0});
  }
  return alerts;
}

TEST(VerifyPercentile, NearestRankOfOneToTen) {
  std::vector<std::int64_t> values = {10, 9, 8, 7, 6, 5, 4, 3, 2, 1};
  EXPECT_EQ(percentile(values, 50), 5);   // rank ceil(0.5 * 10) = 5
  EXPECT_EQ(percentile(values, 99), 10);  // rank ceil(0.99 * 10) = 10
  EXPECT_EQ(percentile(values, 100), 10);
  EXPECT_EQ(percentile(values, 1), 1);  // rank ceil(0.1) = 1
}

TEST(VerifyPercentile, NearestRankOfFiveValues) {
  std::vector<std::int64_t> values = {50, 15, 40, 20, 35};
  EXPECT_EQ(percentile(values, 30), 20);  // rank ceil(1.5) = 2
  EXPECT_EQ(percentile(values, 40), 20);  // rank ceil(2.0) = 2
  EXPECT_EQ(percentile(values, 50), 35);  // rank ceil(2.5) = 3
  EXPECT_EQ(percentile(values, 100), 50);
}

TEST(VerifyPercentile, SingleValueIsEveryPercentile) {
  std::vector<std::int64_t> values = {7};
  EXPECT_EQ(percentile(values, 50), 7);
  EXPECT_EQ(percentile(values, 99), 7);
}

TEST(VerifyPercentile, EmptyHasNone) {
  std::vector<std::int64_t> values;
  EXPECT_FALSE(percentile(values, 50).has_value());
}

TEST(VerifyTally, CleanFullStreamPasses) {
  const auto alerts = four_alerts();
  const ManifestIndex index(alerts);
  TopicTally tally(index, true, kSendStartedMs);
  for (std::int64_t id = 1; id <= 4; ++id)
    tally.add(id, digest_of(std::to_string(id)), read_after(100));

  const TopicFigures figures = tally.figures();
  EXPECT_EQ(figures.expected, 4);
  EXPECT_EQ(figures.received, 4);
  EXPECT_EQ(figures.missing, 0);
  EXPECT_EQ(figures.duplicates, 0);
  EXPECT_EQ(figures.mismatched, 0);
  EXPECT_TRUE(figures.passed());
}

// Six messages: 1 and 2 as sent, 2 again, 3 with a changed body, 99 (not in the manifest), and
// one whose alert id could not be read. Alert 4 never arrives.
TEST(VerifyTally, FullStreamCountsEachDefect) {
  const auto alerts = four_alerts();
  const ManifestIndex index(alerts);
  TopicTally tally(index, true, kSendStartedMs);
  tally.add(1, digest_of("1"), read_after(10));
  tally.add(2, digest_of("2"), read_after(20));
  tally.add(2, digest_of("2"), read_after(30));
  tally.add(3, digest_of("3 changed"), read_after(40));
  tally.add(99, digest_of("99"), read_after(50));
  tally.add_invalid(read_after(60));

  const TopicFigures figures = tally.figures();
  EXPECT_EQ(figures.expected, 4);
  EXPECT_EQ(figures.received, 6);
  EXPECT_EQ(figures.missing, 1);
  EXPECT_EQ(figures.duplicates, 1);
  EXPECT_EQ(figures.mismatched, 1);
  EXPECT_EQ(figures.unknown, 1);
  EXPECT_EQ(figures.invalid, 1);
  EXPECT_FALSE(figures.passed());
  ASSERT_TRUE(figures.latency_ms.has_value());
  EXPECT_EQ(figures.latency_ms->p50, 30);  // rank ceil(0.5 * 6) = 3 of 10..60
  EXPECT_EQ(figures.latency_ms->p99, 60);  // rank ceil(0.99 * 6) = 6
}

TEST(VerifyTally, ChangedDuplicateCountsTwice) {
  const auto alerts = four_alerts();
  const ManifestIndex index(alerts);
  TopicTally tally(index, true, kSendStartedMs);
  tally.add(1, digest_of("1"), std::nullopt);
  tally.add(1, digest_of("1 changed"), std::nullopt);

  const TopicFigures figures = tally.figures();
  EXPECT_EQ(figures.duplicates, 1);
  EXPECT_EQ(figures.mismatched, 1);
  EXPECT_EQ(figures.missing, 3);
}

TEST(VerifyTally, FilteredTopicExpectsWhatItReceived) {
  const auto alerts = four_alerts();
  const ManifestIndex index(alerts);
  TopicTally tally(index, false, kSendStartedMs);
  tally.add(1, digest_of("1"), read_after(5));
  tally.add(3, digest_of("3"), read_after(7));

  const TopicFigures figures = tally.figures();
  EXPECT_EQ(figures.expected, 2);
  EXPECT_EQ(figures.received, 2);
  EXPECT_EQ(figures.missing, 0);
  EXPECT_TRUE(figures.passed());
}

TEST(VerifyTally, FilteredTopicFlagsUnknownAlert) {
  const auto alerts = four_alerts();
  const ManifestIndex index(alerts);
  TopicTally tally(index, false, kSendStartedMs);
  tally.add(5, digest_of("5"), read_after(5));

  const TopicFigures figures = tally.figures();
  EXPECT_EQ(figures.unknown, 1);
  EXPECT_EQ(figures.missing, 0);
  EXPECT_FALSE(figures.passed());
}

TEST(VerifyTally, NoTimestampsNoLatency) {
  const auto alerts = four_alerts();
  const ManifestIndex index(alerts);
  TopicTally tally(index, true, kSendStartedMs);
  tally.add(1, digest_of("1"), std::nullopt);
  EXPECT_FALSE(tally.figures().latency_ms.has_value());
}

TEST(VerifyTally, TotalAddsTopicsAndPoolsLatency) {
  const auto alerts = four_alerts();
  const ManifestIndex index(alerts);
  TopicTally full(index, true, kSendStartedMs);
  for (std::int64_t id = 1; id <= 3; ++id)
    full.add(id, digest_of(std::to_string(id)), read_after(id * 10));
  TopicTally filtered(index, false, kSendStartedMs);
  filtered.add(2, digest_of("2 changed"), read_after(100));

  const TopicTally* tallies[] = {&full, &filtered};
  const TopicFigures total = total_figures(tallies);
  EXPECT_EQ(total.expected, 5);  // 4 from the manifest, 1 received on the filtered topic
  EXPECT_EQ(total.received, 4);
  EXPECT_EQ(total.missing, 1);
  EXPECT_EQ(total.mismatched, 1);
  ASSERT_TRUE(total.latency_ms.has_value());
  EXPECT_EQ(total.latency_ms->p50, 20);   // 10 20 30 100: rank 2
  EXPECT_EQ(total.latency_ms->p99, 100);  // rank 4
}

TEST(VerifyTally, AddReportsWhatItFound) {
  const auto alerts = four_alerts();
  const ManifestIndex index(alerts);
  TopicTally tally(index, true, kSendStartedMs);

  const MessageCheck first = tally.add(1, digest_of("1"), std::nullopt);
  EXPECT_FALSE(first.unknown);
  EXPECT_FALSE(first.duplicate);
  EXPECT_FALSE(first.mismatched);

  const MessageCheck changed_copy = tally.add(1, digest_of("1 changed"), std::nullopt);
  EXPECT_TRUE(changed_copy.duplicate);
  EXPECT_TRUE(changed_copy.mismatched);

  const MessageCheck unknown = tally.add(99, digest_of("99"), std::nullopt);
  EXPECT_TRUE(unknown.unknown);
  EXPECT_FALSE(unknown.mismatched);
}

// Alerts 2 and 4 arrive, so 1 and 3 are missing, listed in manifest order.
TEST(VerifyTally, MissingIdsInManifestOrder) {
  const auto alerts = four_alerts();
  const ManifestIndex index(alerts);
  TopicTally tally(index, true, kSendStartedMs);
  tally.add(4, digest_of("4"), std::nullopt);
  tally.add(2, digest_of("2"), std::nullopt);

  const TopicFigures figures = tally.figures();
  EXPECT_EQ(figures.missing_ids, (std::vector<std::int64_t>{1, 3}));
  EXPECT_TRUE(figures.mismatched_ids.empty());
}

// Alert 3 arrives changed twice, alert 2 changed once: each id is listed once, in the order read.
TEST(VerifyTally, MismatchedIdsListedOnce) {
  const auto alerts = four_alerts();
  const ManifestIndex index(alerts);
  TopicTally tally(index, true, kSendStartedMs);
  tally.add(3, digest_of("3 changed"), std::nullopt);
  tally.add(2, digest_of("2 changed"), std::nullopt);
  tally.add(3, digest_of("3 changed again"), std::nullopt);

  const TopicFigures figures = tally.figures();
  EXPECT_EQ(figures.mismatched, 3);
  EXPECT_EQ(figures.mismatched_ids, (std::vector<std::int64_t>{3, 2}));
}

TEST(VerifyTally, FilteredTopicListsNoMissing) {
  const auto alerts = four_alerts();
  const ManifestIndex index(alerts);
  TopicTally tally(index, false, kSendStartedMs);
  tally.add(1, digest_of("1"), std::nullopt);
  EXPECT_TRUE(tally.figures().missing_ids.empty());
}

// 150 alerts, none received and all but the first ten read back changed: each list stops at
// 100 ids.
TEST(VerifyTally, IdListsStopAtHundred) {
  std::vector<ManifestAlert> alerts;
  for (std::int64_t id = 1; id <= 150; ++id) {
    alerts.push_back(ManifestAlert{id, 9, "alerts", 0, id - 1, digest_of(std::to_string(id)), 0});
  }
  const ManifestIndex index(alerts);
  TopicTally missing_all(index, true, kSendStartedMs);
  const TopicFigures missing = missing_all.figures();
  EXPECT_EQ(missing.missing, 150);
  ASSERT_EQ(missing.missing_ids.size(), 100u);
  EXPECT_EQ(missing.missing_ids.front(), 1);
  EXPECT_EQ(missing.missing_ids.back(), 100);

  TopicTally changed_all(index, true, kSendStartedMs);
  for (std::int64_t id = 11; id <= 150; ++id) changed_all.add(id, digest_of("x"), std::nullopt);
  const TopicFigures changed = changed_all.figures();
  EXPECT_EQ(changed.mismatched, 140);
  ASSERT_EQ(changed.mismatched_ids.size(), 100u);
  EXPECT_EQ(changed.mismatched_ids.front(), 11);
  EXPECT_EQ(changed.mismatched_ids.back(), 110);
}

// Timestamps on both sides of each bound: 1 h before the send started, and 1 min after the
// read. Latencies count only inside them.
TEST(VerifyTally, ImplausibleTimestampsLeftOut) {
  const auto alerts = four_alerts();
  const ManifestIndex index(alerts);
  TopicTally tally(index, true, kSendStartedMs);
  const std::int64_t earliest = kSendStartedMs - 3'600'000;
  const std::int64_t latest = kReadMs + 60'000;
  tally.add(1, digest_of("1"), MessageTime{1, kReadMs});             // 1 ms after the epoch
  tally.add(2, digest_of("2"), MessageTime{earliest - 1, kReadMs});  // 1 ms too early
  tally.add(3, digest_of("3"), MessageTime{latest + 1, kReadMs});    // 1 ms too late
  tally.add_invalid(MessageTime{1, kReadMs});                        // invalid ones too
  tally.add(4, digest_of("4"), MessageTime{earliest, kReadMs});      // the earliest counted
  tally.add(4, digest_of("4"), MessageTime{latest, kReadMs});        // the latest counted

  const TopicFigures figures = tally.figures();
  EXPECT_EQ(figures.bad_timestamps, 4);
  EXPECT_EQ(tally.latencies_ms(), (std::vector<std::int64_t>{kReadMs - earliest, -60'000}));
}

TEST(VerifyTally, OnlyBadTimestampsNoLatency) {
  const auto alerts = four_alerts();
  const ManifestIndex index(alerts);
  TopicTally tally(index, true, kSendStartedMs);
  tally.add(1, digest_of("1"), MessageTime{1, kReadMs});
  EXPECT_EQ(tally.figures().bad_timestamps, 1);
  EXPECT_FALSE(tally.figures().latency_ms.has_value());
}

TEST(VerifyTally, TotalAddsBadTimestamps) {
  const auto alerts = four_alerts();
  const ManifestIndex index(alerts);
  TopicTally full(index, true, kSendStartedMs);
  full.add(1, digest_of("1"), MessageTime{1, kReadMs});
  TopicTally filtered(index, false, kSendStartedMs);
  filtered.add(1, digest_of("1"), MessageTime{1, kReadMs});
  filtered.add(2, digest_of("2"), MessageTime{1, kReadMs});

  const TopicTally* tallies[] = {&full, &filtered};
  EXPECT_EQ(total_figures(tallies).bad_timestamps, 3);
}

TEST(VerifyManifestIndex, FindsPositionById) {
  const auto alerts = four_alerts();
  const ManifestIndex index(alerts);
  EXPECT_EQ(index.size(), 4u);
  EXPECT_EQ(index.find(3), 2u);
  EXPECT_FALSE(index.find(5).has_value());
}

}  // namespace
}  // namespace skystream::verify
