#include "verify/report.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>

#include "verify/plural.h"

namespace skystream::verify {
namespace {

using Json = nlohmann::ordered_json;

// The visits listed one by one in the text report; past this, only the slowest are listed.
constexpr std::size_t kVisitsListed = 10;
constexpr std::size_t kSlowestVisitsListed = 5;

Json figures_json(const TopicFigures& figures) {
  Json json{{"expected", figures.expected},     {"received", figures.received},
            {"missing", figures.missing},       {"duplicates", figures.duplicates},
            {"mismatched", figures.mismatched}, {"unknown", figures.unknown},
            {"invalid", figures.invalid},       {"bad_timestamps", figures.bad_timestamps}};
  if (figures.latency_ms) {
    json["latency_ms"] = Json{{"p50", figures.latency_ms->p50}, {"p99", figures.latency_ms->p99}};
  } else {
    json["latency_ms"] = nullptr;
  }
  return json;
}

std::string figures_row(std::size_t name_width, std::string_view name, const TopicFigures& figures,
                        bool full_stream) {
  const std::string missing = full_stream ? fmt::format("{}", figures.missing) : "-";
  std::string latency = "-";
  if (figures.latency_ms) {
    latency = fmt::format("{} / {}", figures.latency_ms->p50, figures.latency_ms->p99);
  }
  return fmt::format("{:<{}} {:>9} {:>9} {:>8} {:>10} {:>10} {:>8} {:>8}  {}\n", name, name_width,
                     figures.expected, figures.received, missing, figures.duplicates,
                     figures.mismatched, figures.unknown, figures.invalid, latency);
}

// The middle value of sorted values, or the mean of the two middle values when their count is
// even. `sorted` is not empty.
double median_of_sorted(const std::vector<double>& sorted) {
  const std::size_t middle = sorted.size() / 2;
  if (sorted.size() % 2 == 1) return sorted[middle];
  return (sorted[middle - 1] + sorted[middle]) / 2;
}

std::string visit_row(const ManifestVisit& visit) {
  const double rate = visit.seconds > 0 ? static_cast<double>(visit.alerts) / visit.seconds : 0;
  std::string row = fmt::format("  visit {}: {} in {:.3f} s ({:.0f} alerts/s)", visit.visit,
                                count_of(visit.alerts, "alert"), visit.seconds, rate);
  if (visit.failed > 0) row += fmt::format(", {} failed", visit.failed);
  return row + "\n";
}

std::string render_visits(const std::vector<ManifestVisit>& visits) {
  if (visits.empty()) return "visit send seconds: no visits in the manifest\n";

  std::vector<double> seconds;
  for (const ManifestVisit& visit : visits) seconds.push_back(visit.seconds);
  std::ranges::sort(seconds);
  std::string text = fmt::format("visit send seconds: {}, min {:.3f}, median {:.3f}, max {:.3f}\n",
                                 count_of(visits.size(), "visit"), seconds.front(),
                                 median_of_sorted(seconds), seconds.back());

  if (visits.size() <= kVisitsListed) {
    for (const ManifestVisit& visit : visits) text += visit_row(visit);
    return text;
  }
  std::vector<ManifestVisit> slowest = visits;
  std::ranges::sort(slowest, std::ranges::greater{}, &ManifestVisit::seconds);
  text += fmt::format("  slowest {}:\n", kSlowestVisitsListed);
  for (std::size_t i = 0; i < kSlowestVisitsListed; ++i) text += "  " + visit_row(slowest[i]);
  return text;
}

// Why the manifest is incomplete, as " (incomplete: ...)", or "" when it is complete.
std::string describe_incomplete(const VerifyReport& report) {
  if (report.manifest_intact()) return "";
  std::vector<std::string> reasons;
  if (!report.manifest_complete) reasons.emplace_back("no end line");
  if (report.manifest_cut_off_line) {
    reasons.push_back(fmt::format("line {} cut off and ignored", *report.manifest_cut_off_line));
  }
  return fmt::format(" (incomplete: {})", fmt::join(reasons, ", "));
}

std::string failure_summary(const VerifyReport& report) {
  std::vector<std::string> reasons;
  const TopicFigures& total = report.total;
  const std::pair<std::int64_t, const char*> counts[] = {
      {total.missing, "missing"},       {total.duplicates, "duplicates"},
      {total.mismatched, "mismatched"}, {total.unknown, "unknown"},
      {total.invalid, "invalid"},       {report.failed_sends, "failed sends"}};
  for (const auto& [count, name] : counts) {
    if (count > 0) reasons.push_back(fmt::format("{} {}", count, name));
  }
  if (!report.manifest_intact()) reasons.emplace_back("manifest incomplete");
  return fmt::format("FAILED: {}\n", fmt::join(reasons, ", "));
}

}  // namespace

bool VerifyReport::passed() const {
  if (!manifest_intact() || failed_sends > 0 || !total.passed()) return false;
  return std::ranges::all_of(topics,
                             [](const TopicReport& topic) { return topic.figures.passed(); });
}

std::string render_text(const VerifyReport& report) {
  std::string text =
      fmt::format("manifest {}: {} sent to topic {} in {}{}\n", report.manifest_path,
                  count_of(report.manifest_alerts, "alert"), report.header.topic,
                  count_of(report.visits.size(), "visit"), describe_incomplete(report));
  // The topic column is as wide as the longest topic name, and at least 24 characters.
  std::size_t name_width = 24;
  for (const TopicReport& topic : report.topics) {
    name_width = std::max(name_width, topic.topic.size());
  }
  text += fmt::format("{:<{}} {:>9} {:>9} {:>8} {:>10} {:>10} {:>8} {:>8}  {}\n", "topic",
                      name_width, "expected", "received", "missing", "duplicates", "mismatched",
                      "unknown", "invalid", "latency p50 / p99 [ms]");
  for (const TopicReport& topic : report.topics) {
    text += figures_row(name_width, topic.topic, topic.figures, topic.full_stream);
  }
  text += figures_row(name_width, "total", report.total, true);
  for (const TopicReport& topic : report.topics) {
    if (topic.figures.bad_timestamps == 0) continue;
    text += fmt::format(
        "topic {}: {} left out of latency, with a timestamp more than 1 h before the send "
        "started or more than 1 min after it was read\n",
        topic.topic, count_of(topic.figures.bad_timestamps, "message"));
  }
  text += render_visits(report.visits);
  if (report.failed_sends > 0) {
    text += fmt::format("deliveries that failed during the send: {}\n", report.failed_sends);
  }
  text += report.passed() ? std::string("PASSED\n") : failure_summary(report);
  return text;
}

Json to_json(const VerifyReport& report) {
  Json topics = Json::object();
  for (const TopicReport& topic : report.topics) {
    Json figures = figures_json(topic.figures);
    Json entry{{"full_stream", topic.full_stream}};
    entry.update(figures);
    entry["missing_ids"] = topic.figures.missing_ids;
    entry["mismatched_ids"] = topic.figures.mismatched_ids;
    topics[topic.topic] = std::move(entry);
  }
  Json cut_off_line = nullptr;
  if (report.manifest_cut_off_line) cut_off_line = *report.manifest_cut_off_line;
  Json visits = Json::array();
  for (const ManifestVisit& visit : report.visits) {
    visits.push_back(Json{{"visit", visit.visit},
                          {"file", visit.file},
                          {"alerts", visit.alerts},
                          {"failed", visit.failed},
                          {"seconds", visit.seconds}});
  }
  return Json{{"manifest", report.manifest_path},
              {"manifest_topic", report.header.topic},
              {"manifest_alerts", report.manifest_alerts},
              {"manifest_complete", report.manifest_intact()},
              {"manifest_cut_off_line", cut_off_line},
              {"failed_sends", report.failed_sends},
              {"passed", report.passed()},
              {"topics", std::move(topics)},
              {"total", figures_json(report.total)},
              {"visits", std::move(visits)}};
}

}  // namespace skystream::verify
