#include "server/metrics_collector.h"

#include <gtest/gtest.h>

#include <array>
#include <chrono>
#include <memory>
#include <thread>

#include "base/random.h"
#include "dtls/certificate.h"

namespace aegis::server {
namespace {

namespace asio = boost::asio;
using Clock = std::chrono::steady_clock;

class NoBridge final : public SignalBridge {
 public:
  void Deliver(SessionId, std::string) override {}
  void Close(SessionId) override {}
};

class MetricsCollectorTest : public ::testing::Test {
 protected:
  void SetUp() override {
    SeededRandom rng(11);
    auto dtls = dtls::DtlsContext::Create(
        dtls::Certificate::Generate(rng, std::chrono::floor<std::chrono::seconds>(std::chrono::system_clock::now())));
    for (int i = 0; i < 2; ++i) {
      MediaWorkerConfig config;
      config.bind_address = asio::ip::make_address("127.0.0.1");
      config.port = 0;
      config.dtls_context = dtls;
      workers_.push_back(std::make_unique<MediaWorker>(i, config, bridge_));
      std::string error;
      ASSERT_TRUE(workers_.back()->Start(error)) << error;
    }
  }

  // One scrape on this thread's io_context; `elapsed` is how long it took.
  std::string Scrape(std::chrono::milliseconds timeout, Clock::duration* elapsed = nullptr) {
    std::vector<MediaWorker*> workers;
    for (auto& w : workers_) workers.push_back(w.get());
    asio::io_context io;
    std::string text;
    MetricsFigures base;
    base.version = "test";
    const auto start = Clock::now();
    CollectMetrics(io, workers, base, [&text](std::string t) { text = std::move(t); }, timeout);
    io.run();
    if (elapsed) *elapsed = Clock::now() - start;
    return text;
  }

  static bool Has(const std::string& text, const std::string& line) {
    return text.find("\n" + line + "\n") != std::string::npos;
  }

  NoBridge bridge_;
  std::vector<std::unique_ptr<MediaWorker>> workers_;
};

TEST_F(MetricsCollectorTest, AnswersWhenEveryWorkerReplied) {
  // Three datagrams no connection claims, to worker 0.
  asio::io_context io;
  asio::ip::udp::socket socket(io, asio::ip::udp::endpoint(asio::ip::udp::v4(), 0));
  const asio::ip::udp::endpoint to(asio::ip::make_address("127.0.0.1"), workers_[0]->port());
  const std::array<uint8_t, 20> junk{0xff, 1, 2, 3};
  for (int i = 0; i < 3; ++i) socket.send_to(asio::buffer(junk), to);

  std::string text;
  Clock::duration elapsed{};
  for (int attempt = 0; attempt < 100; ++attempt) {  // until the worker has read them
    text = Scrape(std::chrono::seconds(5), &elapsed);
    if (Has(text, "aegis_udp_datagrams_received_total{worker=\"0\"} 3")) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  EXPECT_LT(elapsed, std::chrono::seconds(1)) << "answered without waiting for the timeout";
  EXPECT_TRUE(Has(text, "aegis_worker_up{worker=\"0\"} 1")) << text;
  EXPECT_TRUE(Has(text, "aegis_worker_up{worker=\"1\"} 1"));
  EXPECT_TRUE(Has(text, "aegis_udp_datagrams_received_total{worker=\"0\"} 3"));
  EXPECT_TRUE(Has(text, "aegis_udp_received_bytes_total{worker=\"0\"} 60"));
  EXPECT_TRUE(Has(text, "aegis_dropped_total{worker=\"0\",reason=\"unrouted_datagram\"} 3"));
  EXPECT_TRUE(Has(text, "aegis_udp_datagrams_received_total{worker=\"1\"} 0"));
  EXPECT_TRUE(Has(text, "aegis_participants{worker=\"1\"} 0"));
  EXPECT_TRUE(Has(text, "aegis_build_info{version=\"test\"} 1"));
}

TEST_F(MetricsCollectorTest, AStoppedWorkerIsLeftOutAtTheTimeout) {
  workers_[1]->Stop();  // its queue never runs again
  Clock::duration elapsed{};
  const std::string text = Scrape(std::chrono::milliseconds(200), &elapsed);
  EXPECT_GE(elapsed, std::chrono::milliseconds(200));
  EXPECT_LT(elapsed, std::chrono::seconds(2));
  EXPECT_TRUE(Has(text, "aegis_worker_up{worker=\"0\"} 1")) << text;
  EXPECT_TRUE(Has(text, "aegis_worker_up{worker=\"1\"} 0"));
  EXPECT_TRUE(Has(text, "aegis_participants{worker=\"0\"} 0"));
  EXPECT_EQ(text.find("aegis_participants{worker=\"1\"}"), std::string::npos);
}

}  // namespace
}  // namespace aegis::server
