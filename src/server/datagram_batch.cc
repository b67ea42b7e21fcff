#include "server/datagram_batch.h"

#include <algorithm>

#include <cerrno>
#include <cstring>
#include <ctime>

#include "netio/udp_address.h"

namespace aegis::server {

int64_t ReceiveBatch::RealtimeNs() {
  timespec now{};
  ::clock_gettime(CLOCK_REALTIME, &now);
  return int64_t{now.tv_sec} * 1'000'000'000 + now.tv_nsec;
}

Timestamp ReceiveBatch::ArrivedAt(size_t i, Timestamp now, int64_t realtime_now_ns) const {
  if (arrival_ns_[i] == 0) return now;
  // Never after now, and not absurdly before it (a clock step): at most 1 s.
  const int64_t ago_us = std::clamp<int64_t>((realtime_now_ns - arrival_ns_[i]) / 1000, 0, 1'000'000);
  return now - TimeDelta::Micros(ago_us);
}

void SendBatch::Queue(const stun::TransportAddress& to, std::span<const uint8_t> bytes) {
  Slot& slot = slots_[count_];
  if (bytes.size() > slot.bytes.size()) {
    ++send_errors_;  // never built by this server: larger than any datagram it makes
    return;
  }
  if (bytes.data() != slot.bytes.data()) std::memmove(slot.bytes.data(), bytes.data(), bytes.size());
  slot.size = bytes.size();
  slot.to_length = netio::ToSockaddr(to, slot.to);
  slot.origin_ns = origin_ns_;
  if (++count_ == kSlots) Flush();
}

void SendBatch::Flush() {
  std::array<mmsghdr, kSlots> messages;
  std::array<iovec, kSlots> vectors;
  for (size_t i = 0; i < count_; ++i) {
    vectors[i] = {slots_[i].bytes.data(), slots_[i].size};
    messages[i] = {};
    messages[i].msg_hdr.msg_name = &slots_[i].to;
    messages[i].msg_hdr.msg_namelen = slots_[i].to_length;
    messages[i].msg_hdr.msg_iov = &vectors[i];
    messages[i].msg_hdr.msg_iovlen = 1;
  }
  size_t done = 0;
  while (done < count_) {
    ++send_calls_;
    const int n = ::sendmmsg(fd_, messages.data() + done, static_cast<unsigned>(count_ - done), MSG_DONTWAIT);
    if (n > 0) {
      const int64_t sent_ns = ReceiveBatch::RealtimeNs();
      for (size_t i = done; i < done + static_cast<size_t>(n); ++i) {
        if (slots_[i].origin_ns != 0) forward_delay_.Observe(sent_ns - slots_[i].origin_ns);
      }
      done += static_cast<size_t>(n);
      datagrams_sent_ += static_cast<uint64_t>(n);
      continue;
    }
    if (n < 0 && errno == EINTR) continue;
    // The first unsent message failed (full buffer, unreachable address):
    // it is lost, the rest still go.
    ++send_errors_;
    ++done;
  }
  count_ = 0;
}

bool ReceiveBatch::EnableArrivalTimes(int fd) {
  const int on = 1;
  return ::setsockopt(fd, SOL_SOCKET, SO_TIMESTAMPNS, &on, sizeof on) == 0;
}

size_t ReceiveBatch::Receive(int fd) {
  std::array<mmsghdr, kSlots> messages;
  std::array<iovec, kSlots> vectors;
  for (size_t i = 0; i < kSlots; ++i) {
    vectors[i] = {slots_[i].bytes.data(), slots_[i].bytes.size()};
    messages[i] = {};
    messages[i].msg_hdr.msg_name = &slots_[i].from;
    messages[i].msg_hdr.msg_namelen = sizeof(sockaddr_storage);
    messages[i].msg_hdr.msg_iov = &vectors[i];
    messages[i].msg_hdr.msg_iovlen = 1;
    messages[i].msg_hdr.msg_control = slots_[i].control.data();
    messages[i].msg_hdr.msg_controllen = slots_[i].control.size();
  }
  ++receive_calls_;
  int n;
  do {
    n = ::recvmmsg(fd, messages.data(), kSlots, MSG_DONTWAIT, nullptr);
  } while (n < 0 && errno == EINTR);
  if (n <= 0) return 0;
  size_t kept = 0;
  for (size_t i = 0; i < static_cast<size_t>(n); ++i) {
    // A datagram larger than the slot was cut: no protocol here sends one,
    // and a truncated one would only fail its checks later.
    if (messages[i].msg_hdr.msg_flags & MSG_TRUNC) {
      ++truncated_;
      continue;
    }
    if (kept != i) std::memcpy(slots_[kept].bytes.data(), slots_[i].bytes.data(), messages[i].msg_len);
    sizes_[kept] = messages[i].msg_len;
    from_[kept] = netio::FromSockaddr(slots_[i].from);
    arrival_ns_[kept] = 0;
    for (cmsghdr* c = CMSG_FIRSTHDR(&messages[i].msg_hdr); c != nullptr; c = CMSG_NXTHDR(&messages[i].msg_hdr, c)) {
      if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_TIMESTAMPNS && c->cmsg_len >= CMSG_LEN(sizeof(timespec))) {
        timespec at{};
        std::memcpy(&at, CMSG_DATA(c), sizeof at);
        arrival_ns_[kept] = int64_t{at.tv_sec} * 1'000'000'000 + at.tv_nsec;
      }
    }
    ++kept;
  }
  return kept;
}

}  // namespace aegis::server
