// aegis-load's figures as JSON: a measurement window (the difference of two
// loop snapshots) per room, per stream and in aggregate, with the CPU time
// the load process and (if given) the server process used in it.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "load/load_loop.h"
#include "load/proc_status.h"
#include "load/prometheus_text.h"

namespace aegis::load {

// To `decimals` places, so the JSON shows 2.542 rather than 2.5420000000000003.
double RoundTo(double v, int decimals);

// User + system CPU seconds of this process (getrusage).
double OwnCpuSeconds();
// User + system CPU seconds of process `pid` from /proc/PID/stat; nullopt if unreadable.
std::optional<double> ProcessCpuSeconds(int pid);
// Resident memory of process `pid` from /proc/PID/status; nullopt if unreadable.
std::optional<ProcessMemory> ReadProcessMemory(int pid);

// One core's jiffies from /proc/stat: busy (user, nice, system, irq,
// softirq, steal) and all.
struct CoreTicks {
  uint64_t busy = 0;
  uint64_t total = 0;
};
std::vector<CoreTicks> ReadCoreTicks();

// This network namespace's UDP counters (/proc/net/snmp): datagrams the
// kernel dropped because a socket's receive or send buffer was full.
struct UdpDrops {
  uint64_t receive_buffer = 0;
  uint64_t send_buffer = 0;
};
UdpDrops ReadUdpDrops();

struct Window {
  LoopSnapshot before, after;
  UdpDrops udp_before, udp_after;
  // Every core, start then end: on a shared machine other processes' CPU
  // shows here (busy beyond what the server and the load generator used).
  std::vector<CoreTicks> cores_before, cores_after;
  double load_cpu_s = 0;                  // this process, within the window
  std::optional<double> server_cpu_s;     // the server process, within the window
  // The server's own counters (--metrics-url) at the start and the end;
  // metrics_error says why a scrape failed (no figures then).
  std::optional<ServerMetrics> metrics_before, metrics_after;
  std::string metrics_error;
  size_t metrics_malformed = 0;  // exposition lines the parser skipped
  double seconds() const { return static_cast<double>(after.at_ns - before.at_ns) / 1e9; }
};

// {expected, received, lost, loss_percent, reordered, duplicates, p50_ms, p99_ms, rx_mbps}
nlohmann::json StreamJson(const StreamTotals& t, double seconds);

// The window's figures; `per_stream` adds every room's streams (publisher, kind).
nlohmann::json WindowJson(const Window& w, const std::vector<PeerSpec>& publishers, bool per_stream);

// The server's memory (--server-pid) at the run's milestones; a sample is
// nullopt if /proc could not be read then.
struct MemorySamples {
  std::optional<ProcessMemory> before_join;           // before the first participant
  std::optional<ProcessMemory> publishers_connected;  // every publisher connected, no subscriber yet
  std::optional<ProcessMemory> connected;             // everyone connected (and 1 s settled)
  std::optional<ProcessMemory> end;                   // the measured window's end (--idle: the idle one)
  std::optional<ProcessMemory> media_end;             // --idle: the media window's end
  std::optional<ProcessMemory> after_close;           // 1 s after every participant closed
  bool idle = false;
  size_t publishers = 0, subscribers = 0;
  size_t published_tracks = 0;   // publishers x (audio, video)
  size_t forwarded_streams = 0;  // (subscriber, track) pairs
};

// The samples, and their differences per participant, per publisher, per
// subscriber and (--idle, from the media window's growth) per track.
nlohmann::json ServerMemoryJson(const MemorySamples& m);

// The window's aggregate, in one line for stderr.
std::string ProgressLine(const Window& w);

}  // namespace aegis::load
