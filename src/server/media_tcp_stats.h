// What a media worker's ICE-TCP listener counted (media_tcp.h), for
// /metrics: kept apart so the metrics code needs no socket headers.
#pragma once

#include <cstdint>

namespace aegis::server {

struct MediaTcpStats {
  uint64_t accepted = 0;
  uint64_t refused = 0;          // over a bound when accepted: closed at once
  uint64_t closed_unrouted = 0;  // no ICE password proved within kUnroutedTimeout
  uint64_t closed_idle = 0;      // nothing received for kIdleTimeout, or no longer routed
  uint64_t closed_oversized = 0; // announced a packet larger than a receive slot
  uint64_t closed_by_peer = 0;
  uint64_t packets_received = 0;
  uint64_t packets_sent = 0;
  uint64_t send_dropped = 0;     // the connection's write queue was full (or it was gone)
  uint64_t open = 0;             // a gauge
};

}  // namespace aegis::server
