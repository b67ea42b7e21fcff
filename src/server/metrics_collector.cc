#include "server/metrics_collector.h"

#include <memory>

namespace aegis::server {
namespace asio = boost::asio;

namespace {

// Signaling thread only; the workers hold references only to hand them back.
struct Gathering {
  explicit Gathering(asio::io_context& io) : timer(io) {}
  void Finish() {
    if (!done) return;
    timer.cancel();
    ReadProcessFigures(figures);
    auto answer = std::move(done);
    done = nullptr;
    answer(RenderMetrics(figures));
  }

  MetricsFigures figures;
  size_t waiting = 0;
  std::function<void(std::string)> done;
  asio::steady_timer timer;
};

}  // namespace

void CollectMetrics(asio::io_context& io, const std::vector<MediaWorker*>& workers, MetricsFigures base,
                    std::function<void(std::string)> done, std::chrono::milliseconds timeout) {
  auto gathering = std::make_shared<Gathering>(io);
  gathering->figures = std::move(base);
  gathering->figures.workers.assign(workers.size(), std::nullopt);
  gathering->waiting = workers.size();
  gathering->done = std::move(done);
  if (workers.empty()) return gathering->Finish();
  gathering->timer.expires_after(timeout);
  gathering->timer.async_wait([gathering](boost::system::error_code ec) {
    if (!ec) gathering->Finish();
  });
  for (size_t i = 0; i < workers.size(); ++i) {
    // Runs on the worker's thread: the reference moves into the post, so
    // the Gathering (its timer, the HTTP session in `done`) is never
    // destroyed there.
    workers[i]->PostStatsSnapshot([&io, i, gathering](WorkerSnapshot snapshot) mutable {
      asio::post(io, [i, gathering = std::move(gathering), snapshot = std::move(snapshot)]() mutable {
        if (!gathering->done) return;  // timed out
        gathering->figures.workers[i] = std::move(snapshot);
        if (--gathering->waiting == 0) gathering->Finish();
      });
    });
  }
}

}  // namespace aegis::server
