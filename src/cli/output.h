// Checks that what a command wrote to standard output reached it. A full disk (/dev/full, a
// quota) or a closed pipe makes writes fail, and a command whose output was lost must not exit
// 0, since a caller cannot tell otherwise.
#pragma once

#include <optional>
#include <string>

namespace skystream::cli {

// Flushes standard output (std::cout and stdio's stdout) and returns why writing to it failed,
// such as "No space left on device", or nothing when every write succeeded. `known_errno` is
// the errno of a write that already failed, used when the flush leaves none.
std::optional<std::string> stdout_failure(int known_errno = 0);

// Whether a failure of standard output was already reported, so that main() does not report it
// twice.
void mark_stdout_failure_reported();
bool stdout_failure_reported();

}  // namespace skystream::cli
