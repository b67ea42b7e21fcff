#include "load/proc_status.h"

#include <limits>

namespace aegis::load {

std::optional<uint64_t> StatusFieldBytes(std::string_view status, std::string_view field) {
  size_t start = 0;
  while (start < status.size()) {
    size_t end = status.find('\n', start);
    if (end == std::string_view::npos) end = status.size();
    std::string_view line = status.substr(start, end - start);
    start = end + 1;
    if (line.size() <= field.size() || line.substr(0, field.size()) != field || line[field.size()] != ':') continue;
    line.remove_prefix(field.size() + 1);
    while (!line.empty() && (line.front() == ' ' || line.front() == '\t')) line.remove_prefix(1);
    uint64_t kb = 0;
    size_t digits = 0;
    for (; digits < line.size() && line[digits] >= '0' && line[digits] <= '9'; ++digits) {
      const uint64_t d = static_cast<uint64_t>(line[digits] - '0');
      if (kb > (std::numeric_limits<uint64_t>::max() / 1024 - d) / 10) return std::nullopt;  // would overflow
      kb = kb * 10 + d;
    }
    if (digits == 0 || line.substr(digits) != " kB") return std::nullopt;
    return kb * 1024;
  }
  return std::nullopt;
}

std::optional<ProcessMemory> ParseProcessMemory(std::string_view status) {
  auto rss = StatusFieldBytes(status, "VmRSS");
  auto peak = StatusFieldBytes(status, "VmHWM");
  if (!rss || !peak) return std::nullopt;
  return ProcessMemory{*rss, *peak};
}

}  // namespace aegis::load
