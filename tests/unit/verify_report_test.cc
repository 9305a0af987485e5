// Verify reports: the JSON keys scripts read, and the verdict line of the text report.

#include <gtest/gtest.h>

#include <string>

#include "verify/report.h"

namespace skystream::verify {
namespace {

VerifyReport clean_report() {
  VerifyReport report;
  report.manifest_path = "m.jsonl";
  report.header = ManifestHeader{"alerts", "127.0.0.1:9092", 0};
  report.manifest_alerts = 10;
  report.manifest_complete = true;
  TopicFigures figures;
  figures.expected = 10;
  figures.received = 10;
  figures.latency_ms = LatencyFigures{12, 80};
  report.topics.push_back({"alerts", true, figures});
  TopicFigures filtered;
  filtered.expected = 2;
  filtered.received = 2;
  report.topics.push_back({"alerts-bright", false, filtered});
  report.total = figures;
  report.total.expected = 12;
  report.total.received = 12;
  report.visits.push_back(ManifestVisit{5, "visit-000005.avro", 10, 0, 0, 0, 2.0});
  return report;
}

std::string last_line(std::string text) {
  if (!text.empty() && text.back() == '\n') text.pop_back();
  return text.substr(text.rfind('\n') + 1);
}

TEST(VerifyReport, CleanReportPasses) {
  const VerifyReport report = clean_report();
  EXPECT_TRUE(report.passed());
  EXPECT_EQ(last_line(render_text(report)), "PASSED");
}

TEST(VerifyReport, MissingAlertFails) {
  VerifyReport report = clean_report();
  report.topics[0].figures.missing = 1;
  report.total.missing = 1;
  EXPECT_FALSE(report.passed());
  EXPECT_EQ(last_line(render_text(report)), "FAILED: 1 missing");
}

TEST(VerifyReport, IncompleteManifestFails) {
  VerifyReport report = clean_report();
  report.manifest_complete = false;
  EXPECT_FALSE(report.passed());
  EXPECT_EQ(last_line(render_text(report)), "FAILED: manifest incomplete");
}

TEST(VerifyReport, CutOffLineFails) {
  VerifyReport report = clean_report();
  report.manifest_complete = false;
  report.manifest_cut_off_line = 1101;
  EXPECT_FALSE(report.passed());
  const std::string text = render_text(report);
  EXPECT_EQ(last_line(text), "FAILED: manifest incomplete");
  EXPECT_NE(text.find("(incomplete: no end line, line 1101 cut off and ignored)"),
            std::string::npos)
      << text;
  const auto json = to_json(report);
  EXPECT_EQ(json["manifest_complete"], false);
  EXPECT_EQ(json["manifest_cut_off_line"], 1101);
}

TEST(VerifyReport, JsonCutOffLineNullWhenIntact) {
  const auto json = to_json(clean_report());
  EXPECT_EQ(json["manifest_complete"], true);
  EXPECT_TRUE(json["manifest_cut_off_line"].is_null());
}

TEST(VerifyReport, FailedSendFails) {
  VerifyReport report = clean_report();
  report.failed_sends = 2;
  EXPECT_FALSE(report.passed());
  EXPECT_EQ(last_line(render_text(report)), "FAILED: 2 failed sends");
}

TEST(VerifyReport, BadTimestampsReportedNotFailed) {
  VerifyReport report = clean_report();
  report.topics[0].figures.bad_timestamps = 3;
  report.total.bad_timestamps = 3;
  EXPECT_TRUE(report.passed());
  const std::string text = render_text(report);
  EXPECT_NE(text.find("topic alerts: 3 messages left out of latency"), std::string::npos) << text;
  const auto json = to_json(report);
  EXPECT_EQ(json["topics"]["alerts"]["bad_timestamps"], 3);
  EXPECT_EQ(json["topics"]["alerts-bright"]["bad_timestamps"], 0);
  EXPECT_EQ(json["total"]["bad_timestamps"], 3);
}

TEST(VerifyReport, TextListsVisitRate) {
  const std::string text = render_text(clean_report());
  EXPECT_NE(text.find("visit 5: 10 alerts in 2.000 s (5 alerts/s)"), std::string::npos) << text;
}

// Two visits of 1 s and 3 s: the median is their mean, 2 s, not the lower one.
TEST(VerifyReport, MedianOfTwoVisitsIsMean) {
  VerifyReport report = clean_report();
  report.visits = {ManifestVisit{5, "visit-000005.avro", 10, 0, 0, 0, 3.0},
                   ManifestVisit{6, "visit-000006.avro", 10, 0, 0, 0, 1.0}};
  const std::string text = render_text(report);
  EXPECT_NE(text.find("2 visits, min 1.000, median 2.000, max 3.000"), std::string::npos) << text;
}

// Three visits of 1 s, 2 s and 9 s: the median is the middle one.
TEST(VerifyReport, MedianOfThreeVisitsIsMiddle) {
  VerifyReport report = clean_report();
  report.visits = {ManifestVisit{5, "visit-000005.avro", 10, 0, 0, 0, 9.0},
                   ManifestVisit{6, "visit-000006.avro", 10, 0, 0, 0, 1.0},
                   ManifestVisit{7, "visit-000007.avro", 10, 0, 0, 0, 2.0}};
  const std::string text = render_text(report);
  EXPECT_NE(text.find("3 visits, min 1.000, median 2.000, max 9.000"), std::string::npos) << text;
}

TEST(VerifyReport, SingleVisitInSingular) {
  VerifyReport report = clean_report();
  report.manifest_alerts = 1;
  report.visits = {ManifestVisit{5, "visit-000005.avro", 1, 0, 0, 0, 2.0}};
  const std::string text = render_text(report);
  EXPECT_NE(text.find("manifest m.jsonl: 1 alert sent to topic alerts in 1 visit\n"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("visit 5: 1 alert in 2.000 s"), std::string::npos) << text;
}

TEST(VerifyReport, JsonListsIdsPerTopic) {
  VerifyReport report = clean_report();
  report.topics[0].figures.missing_ids = {7, 9};
  report.topics[1].figures.mismatched_ids = {4};
  const auto json = to_json(report);
  EXPECT_EQ(json["topics"]["alerts"]["missing_ids"], nlohmann::json({7, 9}));
  EXPECT_EQ(json["topics"]["alerts"]["mismatched_ids"], nlohmann::json::array());
  EXPECT_EQ(json["topics"]["alerts-bright"]["mismatched_ids"], nlohmann::json({4}));
  EXPECT_FALSE(json["total"].contains("missing_ids"));
}

TEST(VerifyReport, JsonHasFiguresPerTopicAndTotal) {
  const auto json = to_json(clean_report());
  EXPECT_EQ(json["passed"], true);
  EXPECT_EQ(json["manifest_topic"], "alerts");
  EXPECT_EQ(json["topics"]["alerts"]["full_stream"], true);
  EXPECT_EQ(json["topics"]["alerts"]["expected"], 10);
  EXPECT_EQ(json["topics"]["alerts"]["received"], 10);
  EXPECT_EQ(json["topics"]["alerts"]["missing"], 0);
  EXPECT_EQ(json["topics"]["alerts"]["duplicates"], 0);
  EXPECT_EQ(json["topics"]["alerts"]["mismatched"], 0);
  EXPECT_EQ(json["topics"]["alerts"]["latency_ms"]["p50"], 12);
  EXPECT_EQ(json["topics"]["alerts"]["latency_ms"]["p99"], 80);
  EXPECT_EQ(json["topics"]["alerts-bright"]["full_stream"], false);
  EXPECT_TRUE(json["topics"]["alerts-bright"]["latency_ms"].is_null());
  EXPECT_EQ(json["total"]["expected"], 12);
  EXPECT_EQ(json["total"]["received"], 12);
  EXPECT_FALSE(json["total"].contains("full_stream"));
  ASSERT_EQ(json["visits"].size(), 1u);
  EXPECT_EQ(json["visits"][0]["seconds"], 2.0);
}

}  // namespace
}  // namespace skystream::verify
