#include "cli/output.h"

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <iostream>

namespace skystream::cli {

namespace {
bool reported = false;
}  // namespace

std::optional<std::string> stdout_failure(int known_errno) {
  errno = 0;
  std::cout.flush();
  const int flushed = std::fflush(stdout);
  const int reason = errno != 0 ? errno : known_errno;
  if (std::cout.good() && flushed == 0 && std::ferror(stdout) == 0) return std::nullopt;
  return reason != 0 ? std::string(std::strerror(reason)) : std::string("write error");
}

void mark_stdout_failure_reported() { reported = true; }
bool stdout_failure_reported() { return reported; }

}  // namespace skystream::cli
