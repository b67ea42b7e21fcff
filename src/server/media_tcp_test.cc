// The ICE-TCP shell (media_tcp.h) on loopback with a simulated clock for its
// timeouts: framing both ways, and every bound an open port needs.
#include "server/media_tcp.h"

#include <gtest/gtest.h>

#include <chrono>
#include <functional>
#include <vector>

#include "transport/rfc4571.h"

namespace aegis::server {
namespace {

namespace asio = boost::asio;
using asio::ip::tcp;

class MediaTcpTest : public ::testing::Test {
 protected:
  void Start(MediaTcp::Limits limits = {}) {
    tcp_ = std::make_unique<MediaTcp>(io_, clock_, limits,
                                      MediaTcp::Hooks{
                                          [this](std::span<uint8_t> p, const stun::TransportAddress& from) {
                                            packets_.emplace_back(p.begin(), p.end());
                                            from_ = from;
                                          },
                                          [this](const stun::TransportAddress&) { return routed_; },
                                          [this] { ++after_work_; }});
    std::string error;
    ASSERT_TRUE(tcp_->Listen(asio::ip::make_address("127.0.0.1"), 0, error)) << error;
    ASSERT_NE(tcp_->port(), 0);
  }

  // Runs the io_context until `done`; false after 5 s (a hang fails, never blocks).
  bool RunUntil(const std::function<bool()>& done) {
    const auto end = std::chrono::steady_clock::now() + std::chrono::seconds(5);
    while (!done()) {
      if (std::chrono::steady_clock::now() > end) return false;
      io_.restart();
      io_.run_for(std::chrono::milliseconds(5));
    }
    return true;
  }

  std::unique_ptr<tcp::socket> Connect() {
    auto s = std::make_unique<tcp::socket>(io_);
    s->connect({asio::ip::make_address("127.0.0.1"), tcp_->port()});
    return s;
  }

  static void WriteFramed(tcp::socket& s, const std::vector<uint8_t>& packet) {
    std::vector<uint8_t> framed;
    ASSERT_TRUE(transport::FrameRfc4571(packet, framed));
    asio::write(s, asio::buffer(framed));
  }

  // True once the server closed `s` (a read sees end of stream or a reset).
  bool ClosedByServer(tcp::socket& s) {
    bool closed = false;
    auto buf = std::make_shared<std::array<uint8_t, 4096>>();
    std::function<void(boost::system::error_code, size_t)> on_read;
    on_read = [&, buf](boost::system::error_code ec, size_t) {
      if (ec) {
        closed = true;
        return;
      }
      s.async_read_some(asio::buffer(*buf), on_read);  // skip what was sent before
    };
    s.async_read_some(asio::buffer(*buf), on_read);
    RunUntil([&] { return closed; });
    if (!closed) s.cancel();
    io_.restart();
    io_.poll();
    return closed;
  }

  asio::io_context io_;
  FakeClock clock_{Timestamp::Millis(1'000'000)};
  std::unique_ptr<MediaTcp> tcp_;
  bool routed_ = false;
  std::vector<std::vector<uint8_t>> packets_;
  stun::TransportAddress from_;
  int after_work_ = 0;
};

TEST_F(MediaTcpTest, PacketsGoBothWaysFramed) {
  Start();
  auto client = Connect();
  WriteFramed(*client, {1, 2, 3});
  WriteFramed(*client, std::vector<uint8_t>(1200, 7));
  ASSERT_TRUE(RunUntil([&] { return packets_.size() == 2; }));
  EXPECT_EQ(packets_[0], (std::vector<uint8_t>{1, 2, 3}));
  EXPECT_EQ(packets_[1].size(), 1200u);
  EXPECT_EQ(from_.protocol, stun::Protocol::kTcp);
  EXPECT_EQ(from_.port, client->local_endpoint().port());
  EXPECT_GE(after_work_, 1);

  const std::vector<uint8_t> reply = {9, 8, 7, 6};
  tcp_->Send(from_, reply);
  std::array<uint8_t, 6> got{};
  bool read = false;
  asio::async_read(*client, asio::buffer(got), [&](boost::system::error_code ec, size_t) { read = !ec; });
  ASSERT_TRUE(RunUntil([&] { return read; }));
  EXPECT_EQ(got, (std::array<uint8_t, 6>{0, 4, 9, 8, 7, 6}));
  EXPECT_EQ(tcp_->stats().packets_received, 2u);
  EXPECT_EQ(tcp_->stats().packets_sent, 1u);
  // To an address with no connection: dropped, counted.
  stun::TransportAddress nobody = from_;
  nobody.port = static_cast<uint16_t>(nobody.port + 1);
  tcp_->Send(nobody, reply);
  EXPECT_EQ(tcp_->stats().send_dropped, 1u);
}

TEST_F(MediaTcpTest, ConnectionsThatNeverProveAPasswordAreCappedAndTimedOut) {
  MediaTcp::Limits limits;
  limits.max_unrouted = 2;
  Start(limits);
  auto a = Connect();
  auto b = Connect();
  ASSERT_TRUE(RunUntil([&] { return tcp_->stats().accepted == 2; }));
  auto c = Connect();  // a third stranger: closed at once
  EXPECT_TRUE(ClosedByServer(*c));
  EXPECT_EQ(tcp_->stats().refused, 1u);
  EXPECT_EQ(tcp_->stats().open, 2u);
  // Still nobody proved a password when the timeout passes: both closed.
  clock_.Advance(limits.unrouted_timeout);
  tcp_->Sweep();
  EXPECT_TRUE(ClosedByServer(*a));
  EXPECT_TRUE(ClosedByServer(*b));
  EXPECT_EQ(tcp_->stats().closed_unrouted, 2u);
  EXPECT_EQ(tcp_->stats().open, 0u);
  auto d = Connect();  // room again
  ASSERT_TRUE(RunUntil([&] { return tcp_->stats().accepted == 3; }));
}

TEST_F(MediaTcpTest, ARoutedConnectionStaysWhileUsedAndGoesWhenIdleOrUnrouted) {
  MediaTcp::Limits limits;
  Start(limits);
  auto a = Connect();
  routed_ = true;  // its first packet proves a password
  WriteFramed(*a, {1});
  ASSERT_TRUE(RunUntil([&] { return packets_.size() == 1; }));
  clock_.Advance(limits.unrouted_timeout + TimeDelta::Seconds(5));
  WriteFramed(*a, {2});
  ASSERT_TRUE(RunUntil([&] { return packets_.size() == 2; }));
  tcp_->Sweep();
  EXPECT_EQ(tcp_->stats().open, 1u);  // routed: the unrouted timeout does not apply
  clock_.Advance(limits.idle_timeout);
  tcp_->Sweep();
  EXPECT_TRUE(ClosedByServer(*a));
  EXPECT_EQ(tcp_->stats().closed_idle, 1u);

  // A connection whose address the Conference stops routing (its
  // participant left) is closed at the next sweep.
  auto b = Connect();
  WriteFramed(*b, {3});
  ASSERT_TRUE(RunUntil([&] { return packets_.size() == 3; }));
  tcp_->Sweep();
  EXPECT_EQ(tcp_->stats().open, 1u);
  routed_ = false;
  tcp_->Sweep();
  EXPECT_TRUE(ClosedByServer(*b));
  EXPECT_EQ(tcp_->stats().closed_idle, 2u);
}

TEST_F(MediaTcpTest, AnOversizedPacketEndsTheConnection) {
  MediaTcp::Limits limits;
  limits.max_packet = 1500;
  Start(limits);
  auto a = Connect();
  WriteFramed(*a, {1, 2});
  WriteFramed(*a, std::vector<uint8_t>(1501, 0));
  WriteFramed(*a, {3, 4});
  EXPECT_TRUE(ClosedByServer(*a));
  EXPECT_EQ(packets_.size(), 1u);  // the one before it, nothing after
  EXPECT_EQ(tcp_->stats().closed_oversized, 1u);
}

TEST_F(MediaTcpTest, ASlowReaderLosesPacketsNotServerMemory) {
  MediaTcp::Limits limits;
  limits.max_queued_bytes = 8 * 1024;
  Start(limits);
  auto a = Connect();
  WriteFramed(*a, {1});
  ASSERT_TRUE(RunUntil([&] { return packets_.size() == 1; }));
  // 100 packets of 1,200 bytes at once, before any write completes: about
  // 8 KiB of them wait, the rest are dropped.
  const std::vector<uint8_t> packet(1200, 5);
  for (int i = 0; i < 100; ++i) tcp_->Send(from_, packet);
  EXPECT_EQ(tcp_->stats().packets_sent, 6u);  // 6 * 1,202 <= 8 KiB < 7 * 1,202
  EXPECT_EQ(tcp_->stats().send_dropped, 94u);
}

}  // namespace
}  // namespace aegis::server
