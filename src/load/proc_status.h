// A process's memory figures from the text of /proc/PID/status (proc(5)):
// lines "Name:\tvalue", the memory ones "VmRSS:\t  123456 kB". Pure, so the
// parsing is unit-tested; load_report.h reads the file.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

namespace aegis::load {

// The value of `field` (e.g. "VmRSS") in bytes, from its "N kB" line;
// nullopt if the field is missing or not of that form.
std::optional<uint64_t> StatusFieldBytes(std::string_view status, std::string_view field);

struct ProcessMemory {
  uint64_t rss_bytes = 0;       // VmRSS: resident now
  uint64_t peak_rss_bytes = 0;  // VmHWM: the most resident so far
};

// Both fields, or nullopt if either is missing (e.g. a zombie has neither).
std::optional<ProcessMemory> ParseProcessMemory(std::string_view status);

}  // namespace aegis::load
