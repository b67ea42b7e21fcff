// Batched UDP I/O for a media worker (docs/architecture.md, "packet path"):
// recvmmsg fills up to kSlots datagrams per system call, and the
// datagrams the worker produces while handling them are written straight
// into send slots (SRTP protects in place there) and leave with one
// sendmmsg per batch instead of one sendto each. A fan-out of one packet to
// N subscribers is N datagrams to N addresses, so UDP GSO (one destination
// per call) does not apply.
#pragma once

#include <sys/socket.h>

#include <array>
#include <cstdint>
#include <span>

#include "base/time.h"
#include "server/delay_histogram.h"
#include "stun/transport_address.h"

namespace aegis::server {

inline constexpr size_t kDatagramSlotSize = 2048;  // > any MTU-sized datagram plus SRTP overhead

class SendBatch {
 public:
  static constexpr size_t kSlots = 64;

  explicit SendBatch(int fd) : fd_(fd) {}
  SendBatch(const SendBatch&) = delete;
  SendBatch& operator=(const SendBatch&) = delete;

  // The slot the next Queue() fills: a datagram built here is not copied.
  std::span<uint8_t> NextBuffer() { return slots_[count_].bytes; }
  // Copies `bytes` into the next slot unless they are already there; sends
  // the batch when it is full.
  void Queue(const stun::TransportAddress& to, std::span<const uint8_t> bytes);
  // Sends what is queued (one sendmmsg, more only if the kernel took part).
  void Flush();
  // The arrival time (CLOCK_REALTIME ns, ReceiveBatch::arrival_ns) of the
  // datagram whose handling queues what follows; 0: not caused by one
  // (timers, signaling). Flush measures each sent datagram's delay from it.
  void SetOrigin(int64_t arrival_ns) { origin_ns_ = arrival_ns; }
  const DelayHistogram& forward_delay() const { return forward_delay_; }

  uint64_t datagrams_sent() const { return datagrams_sent_; }
  uint64_t send_calls() const { return send_calls_; }
  // A full socket buffer (EAGAIN) or an address the kernel refused: a lost
  // packet, as with any UDP send.
  uint64_t send_errors() const { return send_errors_; }

 private:
  struct Slot {
    alignas(64) std::array<uint8_t, kDatagramSlotSize> bytes;
    sockaddr_storage to;
    socklen_t to_length = 0;
    size_t size = 0;
    int64_t origin_ns = 0;
  };
  int fd_;
  std::array<Slot, kSlots> slots_;
  size_t count_ = 0;
  int64_t origin_ns_ = 0;
  DelayHistogram forward_delay_;
  uint64_t datagrams_sent_ = 0;
  uint64_t send_calls_ = 0;
  uint64_t send_errors_ = 0;
};

class ReceiveBatch {
 public:
  static constexpr size_t kSlots = 32;

  // Asks the kernel to stamp each datagram's arrival (SO_TIMESTAMPNS).
  static bool EnableArrivalTimes(int fd);
  // Non-blocking recvmmsg: how many datagrams arrived (0: none waiting).
  size_t Receive(int fd);
  // Writable: SRTP is removed in place.
  std::span<uint8_t> datagram(size_t i) { return {slots_[i].bytes.data(), sizes_[i]}; }
  const stun::TransportAddress& from(size_t i) const { return from_[i]; }
  // When the kernel received it (CLOCK_REALTIME ns); 0 without EnableArrivalTimes.
  int64_t arrival_ns(size_t i) const { return arrival_ns_[i]; }
  // The same on the worker's clock: `now` read together with
  // `realtime_now_ns` (RealtimeNs()), less how long ago the kernel stamped
  // datagram i; `now` itself when it has no stamp. What the transport-wide
  // feedback to a publisher reports: the kernel's arrival, not when the
  // batch got its turn.
  Timestamp ArrivedAt(size_t i, Timestamp now, int64_t realtime_now_ns) const;
  // CLOCK_REALTIME in ns, the clock SO_TIMESTAMPNS stamps arrivals with.
  static int64_t RealtimeNs();
  uint64_t receive_calls() const { return receive_calls_; }
  // Datagrams larger than a slot (cut by the kernel): dropped, counted.
  uint64_t truncated() const { return truncated_; }

 private:
  struct Slot {
    alignas(64) std::array<uint8_t, kDatagramSlotSize> bytes;
    sockaddr_storage from;
    alignas(cmsghdr) std::array<uint8_t, CMSG_SPACE(sizeof(timespec))> control;
  };
  std::array<Slot, kSlots> slots_;
  std::array<size_t, kSlots> sizes_{};
  std::array<stun::TransportAddress, kSlots> from_{};
  std::array<int64_t, kSlots> arrival_ns_{};
  uint64_t receive_calls_ = 0;
  uint64_t truncated_ = 0;
};

}  // namespace aegis::server
