// Per-component loggers ("send", "filter", "kafka", ...) that write to standard error through
// spdlog, with the level and pattern set once by the skystream command.
#pragma once

#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

#include <memory>
#include <mutex>
#include <string>

namespace skystream {

// Returns the logger of `component`, creating it on first use. Thread-safe.
inline std::shared_ptr<spdlog::logger> logger(const std::string& component) {
  static std::mutex mutex;
  std::lock_guard lock(mutex);
  if (auto existing = spdlog::get(component)) return existing;
  auto created = spdlog::stderr_color_mt(component);
  created->set_level(spdlog::get_level());
  return created;
}

}  // namespace skystream
