// The result of `skystream verify`: figures per topic and in total (see tally.h for what each
// figure means), the manifest's visit timings, and the renderings for people and for scripts.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "verify/manifest.h"
#include "verify/tally.h"

namespace skystream::verify {

struct TopicReport {
  std::string topic;
  bool full_stream = false;
  TopicFigures figures;
};

struct VerifyReport {
  std::string manifest_path;
  ManifestHeader header;
  std::int64_t manifest_alerts = 0;
  bool manifest_complete = false;                    // the manifest has its end line
  std::optional<std::size_t> manifest_cut_off_line;  // see Manifest::cut_off_line
  std::int64_t failed_sends = 0;  // alerts whose delivery failed, from the visit lines
  std::vector<TopicReport> topics;
  TopicFigures total;
  std::vector<ManifestVisit> visits;

  // True when the manifest has its end line and no line cut off.
  bool manifest_intact() const { return manifest_complete && !manifest_cut_off_line; }

  // True when every topic passed, no delivery failed, and the manifest is intact.
  bool passed() const;
};

// Renders the report as aligned text: the manifest, one row per topic and a total row, the
// visit send times, and a last line that starts with "PASSED" or "FAILED".
std::string render_text(const VerifyReport& report);

// Renders the report as JSON:
//   {"manifest": path, "manifest_topic": topic, "manifest_alerts": n, "manifest_complete": bool,
//    "manifest_cut_off_line": n or null, "failed_sends": n, "passed": bool,
//    "topics": {name: figures, ...}, "total": figures,
//    "visits": [{"visit", "file", "alerts", "failed", "seconds"}, ...]}
// where figures is {"full_stream" (topics only), "expected", "received", "missing",
// "duplicates", "mismatched", "unknown", "invalid", "bad_timestamps",
// "latency_ms": {"p50", "p99"} or null,
// "missing_ids" and "mismatched_ids" (topics only, up to kAlertIdsListed each)}.
nlohmann::ordered_json to_json(const VerifyReport& report);

}  // namespace skystream::verify
