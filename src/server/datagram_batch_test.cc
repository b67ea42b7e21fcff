// SendBatch and ReceiveBatch on real loopback sockets: datagrams built in
// place or copied reach their own destinations in one sendmmsg, arrive
// whole with their source addresses, and a full batch sends by itself.
#include "server/datagram_batch.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <cstring>
#include <ctime>
#include <string>

namespace aegis::server {
namespace {

// A UDP socket bound to 127.0.0.1 on a free port.
struct Socket {
  Socket() {
    fd = ::socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    EXPECT_EQ(::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof(a)), 0);
    socklen_t len = sizeof(a);
    ::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len);
    port = ntohs(a.sin_port);
  }
  ~Socket() { ::close(fd); }
  stun::TransportAddress address() const { return stun::TransportAddress::Ipv4({127, 0, 0, 1}, port); }
  int fd = -1;
  uint16_t port = 0;
};

std::string Text(std::span<const uint8_t> bytes) { return {bytes.begin(), bytes.end()}; }

TEST(DatagramBatch, QueuedDatagramsLeaveOnFlushToTheirOwnAddresses) {
  Socket sender, a, b;
  SendBatch batch(sender.fd);
  // Built in the slot (no copy), then one copied from elsewhere.
  auto slot = batch.NextBuffer();
  ASSERT_GE(slot.size(), 1500u);
  std::memcpy(slot.data(), "to-a", 4);
  batch.Queue(a.address(), slot.first(4));
  const std::string other = "to-b";
  batch.Queue(b.address(), {reinterpret_cast<const uint8_t*>(other.data()), other.size()});
  ReceiveBatch rx;
  EXPECT_EQ(rx.Receive(a.fd), 0u);  // nothing before the flush
  batch.Flush();
  EXPECT_EQ(batch.send_calls(), 1u);
  EXPECT_EQ(batch.datagrams_sent(), 2u);
  ASSERT_EQ(rx.Receive(a.fd), 1u);
  EXPECT_EQ(Text(rx.datagram(0)), "to-a");
  EXPECT_EQ(rx.from(0), sender.address());
  ASSERT_EQ(rx.Receive(b.fd), 1u);
  EXPECT_EQ(Text(rx.datagram(0)), "to-b");
  batch.Flush();  // empty: no system call
  EXPECT_EQ(batch.send_calls(), 1u);
}

TEST(DatagramBatch, AFullBatchSendsItselfAndOneReceiveTakesSeveral) {
  Socket sender, receiver;
  SendBatch batch(sender.fd);
  for (size_t i = 0; i < SendBatch::kSlots + 3; ++i) {
    const std::string text = "d" + std::to_string(i);
    batch.Queue(receiver.address(), {reinterpret_cast<const uint8_t*>(text.data()), text.size()});
  }
  EXPECT_EQ(batch.datagrams_sent(), SendBatch::kSlots);  // the full batch left by itself
  batch.Flush();
  EXPECT_EQ(batch.datagrams_sent(), SendBatch::kSlots + 3);
  ReceiveBatch rx;
  size_t received = 0;
  while (size_t n = rx.Receive(receiver.fd)) {
    EXPECT_LE(n, ReceiveBatch::kSlots);
    for (size_t i = 0; i < n; ++i) EXPECT_EQ(Text(rx.datagram(i)), "d" + std::to_string(received + i));
    received += n;
  }
  EXPECT_EQ(received, SendBatch::kSlots + 3);
  EXPECT_LT(rx.receive_calls(), received);  // batched, not one call each
}

TEST(DatagramBatch, ADatagramLargerThanASlotIsDroppedAndCounted) {
  Socket sender, receiver;
  // Sent by another socket: the server never builds one this large.
  std::string big(kDatagramSlotSize + 100, 'x');
  sockaddr_in to{};
  to.sin_family = AF_INET;
  to.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  to.sin_port = htons(receiver.port);
  ASSERT_EQ(::sendto(sender.fd, big.data(), big.size(), 0, reinterpret_cast<sockaddr*>(&to), sizeof(to)),
            static_cast<ssize_t>(big.size()));
  ASSERT_EQ(::sendto(sender.fd, "ok", 2, 0, reinterpret_cast<sockaddr*>(&to), sizeof(to)), 2);
  ReceiveBatch rx;
  ASSERT_EQ(rx.Receive(receiver.fd), 1u);
  EXPECT_EQ(Text(rx.datagram(0)), "ok");
  EXPECT_EQ(rx.truncated(), 1u);
  SendBatch batch(sender.fd);
  batch.Queue(receiver.address(), {reinterpret_cast<const uint8_t*>(big.data()), big.size()});
  EXPECT_EQ(batch.send_errors(), 1u);
  batch.Flush();
  EXPECT_EQ(batch.datagrams_sent(), 0u);
}

// The kernel stamps each arrival (SO_TIMESTAMPNS), and a flush times every
// datagram queued under an origin from that stamp: the server's forward
// delay (aegis_forward_delay_seconds). Datagrams with no origin (timers,
// signaling) are not timed.
TEST(DatagramBatch, ArrivalTimesAndTheForwardDelayOfWhatTheyCaused) {
  Socket sender, server, subscriber;
  ASSERT_TRUE(ReceiveBatch::EnableArrivalTimes(server.fd));
  SendBatch to_server(sender.fd);
  to_server.Queue(server.address(), {reinterpret_cast<const uint8_t*>("rtp"), 3});
  to_server.Flush();
  EXPECT_EQ(to_server.forward_delay().count, 0u);  // queued with no origin
  timespec now{};
  ::clock_gettime(CLOCK_REALTIME, &now);
  const int64_t now_ns = int64_t{now.tv_sec} * 1'000'000'000 + now.tv_nsec;
  ReceiveBatch rx;
  ASSERT_EQ(rx.Receive(server.fd), 1u);
  const int64_t arrival = rx.arrival_ns(0);
  EXPECT_GT(arrival, now_ns - 1'000'000'000);  // the kernel's stamp, within a second of now
  EXPECT_LE(arrival, now_ns + 1'000'000'000);
  SendBatch fanout(server.fd);
  fanout.SetOrigin(arrival);
  for (int i = 0; i < 3; ++i) fanout.Queue(subscriber.address(), rx.datagram(0));
  fanout.SetOrigin(0);
  fanout.Queue(subscriber.address(), {reinterpret_cast<const uint8_t*>("rtcp"), 4});  // a timer's: not timed
  fanout.Flush();
  const DelayHistogram& h = fanout.forward_delay();
  EXPECT_EQ(h.count, 3u);
  EXPECT_GT(h.sum_ns, 0u);
  EXPECT_LT(h.sum_ns, 3u * 1'000'000'000u);
  // Without EnableArrivalTimes there is no stamp.
  to_server.Queue(subscriber.address(), {reinterpret_cast<const uint8_t*>("x"), 1});
  to_server.Flush();
  ReceiveBatch plain;
  size_t n = plain.Receive(subscriber.fd);
  ASSERT_GE(n, 1u);
  EXPECT_EQ(plain.arrival_ns(n - 1), 0);
}

}  // namespace
}  // namespace aegis::server
