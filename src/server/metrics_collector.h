// Gathers the figures of one GET /metrics on the signaling thread: each
// media worker is asked for a snapshot on its own thread
// (MediaWorker::PostStatsSnapshot); the answer is rendered when every
// worker replied, or at the timeout with the ones that did (a worker stuck
// in a long handler must not hang the scrape).
#pragma once

#include <utility>  // Boost 1.74 asio/awaitable.hpp uses std::exchange without it

#include <boost/asio.hpp>

#include <chrono>
#include <functional>
#include <string>
#include <vector>

#include "server/media_worker.h"
#include "server/metrics.h"

namespace aegis::server {

inline constexpr std::chrono::milliseconds kMetricsTimeout{1000};

// `base` carries the signaling thread's own figures; `done` (the exposition
// text) runs once, on `io`'s thread.
void CollectMetrics(boost::asio::io_context& io, const std::vector<MediaWorker*>& workers, MetricsFigures base,
                    std::function<void(std::string)> done, std::chrono::milliseconds timeout = kMetricsTimeout);

}  // namespace aegis::server
