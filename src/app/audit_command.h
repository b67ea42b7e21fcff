// `aegis audit`: check and read the data folder's audit log (docs/audit.md).
//
//   aegis audit verify [--data DIR] [--expect-head SEQ:HASH]
//   aegis audit tail [--data DIR] [-n N] [--follow]
//
// verify walks the hash chain: exit 0 printing the row count and the head
// (SEQ:HASH, to keep somewhere the server cannot write), or exit 1 naming
// the first row that was altered or removed. tail prints the newest events,
// one per line, control characters escaped; --follow keeps polling until
// SIGINT/SIGTERM. Neither creates a data folder. Exit codes: 0 done (or
// intact); 1 the log failed verification or the data folder could not be
// used; 2 bad usage.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <span>
#include <string>
#include <string_view>

namespace aegis::app {

struct AuditIo {
  std::function<void(std::string_view)> out;  // stdout (written as it comes, for --follow)
  std::function<void(std::string_view)> err;  // stderr
  // --follow: asked between polls; true ends it (exit 0).
  std::function<bool()> stop_requested = [] { return false; };
  // --follow: waits up to this long (returning early on a signal is fine).
  std::function<void(std::chrono::milliseconds)> sleep;
};

inline constexpr std::chrono::milliseconds kAuditFollowInterval{500};

// `args` are the words after "audit". Returns the exit code.
int RunAuditCommand(std::span<const std::string_view> args, std::string_view version, AuditIo& io);

// The program's edge: stdout/stderr, and SIGINT/SIGTERM end --follow.
int RunAuditMain(std::span<char*> args, const char* version);

// "2023-11-14T22:13:20Z" (UTC); "@<n>" for a time gmtime cannot represent.
std::string FormatUtc(int64_t unix_s);

// `text` safe for one terminal line: backslash, C0/C1 controls, DEL and
// invalid UTF-8 become \\, \n, \t, \r, \xHH or \u00HH escapes.
std::string EscapeForLine(std::string_view text);

}  // namespace aegis::app
