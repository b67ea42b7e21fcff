// GET /metrics (docs/configuration.md, "Metrics"): the server's figures in
// the Prometheus text format, and who may read them. Sans-IO: the
// signaling server gathers the figures (server/metrics_collector.h) and
// asks CheckMetricsAccess before it does.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "http/static_files.h"
#include "server/metrics_snapshot.h"

namespace aegis::server {

struct MetricsFigures {
  std::string version;  // aegis_build_info
  int64_t start_time_unix_s = 0;
  // The signaling thread's own.
  uint64_t tcp_connections = 0;     // open TCP connections (the connection table)
  uint64_t signaling_sessions = 0;  // WebSockets past the upgrade, and WHIP/WHEP sessions
  uint64_t whip_sessions = 0;       // WHIP and WHEP sessions
  std::vector<uint64_t> rooms;      // per worker: rooms with a connection placed on it
  // Per worker, by index; nullopt: it did not answer in time (its samples are
  // left out and aegis_worker_up is 0).
  std::vector<std::optional<WorkerSnapshot>> workers;
  // The whole process.
  double process_cpu_seconds = 0;
  uint64_t resident_bytes = 0;
};

// The process's CPU time and resident set (getrusage, /proc/self/statm).
void ReadProcessFigures(MetricsFigures& figures);

std::string RenderMetrics(const MetricsFigures& figures);

// Who may read /metrics:
//  - any request with "Authorization: Bearer <token>" naming the configured
//    token (compared in constant time);
//  - a request from this machine (loopback peer, no proxy header: behind a
//    reverse proxy on loopback every Internet client would otherwise count
//    as local), unless it names a token and it is the wrong one.
// Otherwise a refusal with a fixed body: 403 if no token is configured
// (metrics are off beyond this machine), 401 with a Bearer challenge if one
// is and the request did not name it.
std::optional<::aegis::http::HttpReply> CheckMetricsAccess(bool from_this_machine, std::string_view authorization,
                                                  const std::string& token);

// The token in `path`: one line of 16-512 printable ASCII characters
// without spaces (a final newline is ignored). Returns an error message, or
// nullopt with `token` set.
std::optional<std::string> LoadMetricsToken(const std::string& path, std::string& token);

}  // namespace aegis::server
