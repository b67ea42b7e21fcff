#include "server/metrics_collector.h"

#include <memory>

namespace aegis::server {
namespace asio = boost::asio;

namespace {

// Signaling thread only; the workers hold references only to hand them
// back. It owns no I/O object, and lets go of `done` (which may hold one)
// once answered: a worker whose queue never ran again may drop the last
// reference after the signaling io_context is gone.
struct Gathering {
  void Finish() {
    if (!done) return;
    if (auto t = timer.lock()) t->cancel();
    ReadProcessFigures(figures);
    auto answer = std::move(done);
    done = nullptr;
    answer(RenderMetrics(figures));
  }

  MetricsFigures figures;
  size_t waiting = 0;
  std::function<void(std::string)> done;
  std::weak_ptr<asio::steady_timer> timer;  // owned by its own wait
};

}  // namespace

void CollectMetrics(asio::io_context& io, const std::vector<MediaWorker*>& workers, MetricsFigures base,
                    std::function<void(std::string)> done, std::chrono::milliseconds timeout) {
  auto gathering = std::make_shared<Gathering>();
  gathering->figures = std::move(base);
  gathering->figures.workers.assign(workers.size(), std::nullopt);
  gathering->waiting = workers.size();
  gathering->done = std::move(done);
  if (workers.empty()) return gathering->Finish();
  auto timer = std::make_shared<asio::steady_timer>(io, timeout);
  gathering->timer = timer;
  timer->async_wait([timer, gathering](boost::system::error_code ec) {
    if (!ec) gathering->Finish();
  });
  for (size_t i = 0; i < workers.size(); ++i) {
    // Runs on the worker's thread: the reference moves into the post, so
    // the Gathering (and the HTTP session in `done`) is not destroyed there.
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
