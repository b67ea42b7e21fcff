// What one media worker reports for GET /metrics (server/metrics.h): its
// counters, copied on its own thread when the signaling thread asks
// (MediaWorker::PostStatsSnapshot), so no other thread ever reads them live.
#pragma once

#include <cstddef>
#include <cstdint>

#include "server/conference.h"
#include "server/delay_histogram.h"
#include "server/media_tcp_stats.h"
#include "sfu/sfu_stats.h"
#include "transport/peer_transport.h"

namespace aegis::server {

// Counted by the worker's I/O shell (media_worker.cc, MediaWorker::Output),
// its thread only: plain increments, nothing shared.
struct WorkerIoCounters {
  void Wakeup() { ++receive_wakeups; }
  void Received(size_t bytes) {
    ++datagrams_received;
    bytes_received += bytes;
  }
  void Sent(size_t bytes) {
    ++datagrams_sent;
    bytes_sent += bytes;
  }

  uint64_t datagrams_received = 0;
  uint64_t bytes_received = 0;
  uint64_t datagrams_sent = 0;  // handed to the socket (a failed send is not told apart)
  uint64_t bytes_sent = 0;
  uint64_t receive_wakeups = 0;      // handler runs that drained the socket: datagrams per wakeup = received / this
  uint64_t datagrams_truncated = 0;  // larger than a receive slot: dropped
};

struct WorkerSnapshot {
  ConferenceStats conference;
  MediaTcpStats tcp;  // ICE-TCP (media_tcp.h)
  sfu::SfuStats sfu;
  uint64_t participants = 0;
  uint64_t rooms = 0;
  uint64_t tracks = 0;         // published tracks
  uint64_t subscriptions = 0;  // (subscriber, track) pairs being forwarded
  transport::TransportStats transport;  // every peer connection's drops, live and gone
  WorkerIoCounters io;
  DelayHistogram forward_delay;  // arrival to sendmmsg, per datagram sent (server/delay_histogram.h)
  // CPU time of the worker's thread (CLOCK_THREAD_CPUTIME_ID): the time it
  // spent handling events, in user space and in system calls; waiting in
  // epoll costs none.
  double busy_seconds = 0;
  // How long the snapshot request waited in the worker's queue behind the
  // handlers posted before it: the worker's backlog, as a delay.
  double queue_delay_seconds = 0;
};

}  // namespace aegis::server
