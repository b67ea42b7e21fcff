// Messages accepted from the application but not yet taken by usrsctp
// (its send buffer was full). Bounded in bytes; DCEP control messages may
// exceed the bound so that an ACK is never lost to a full queue (they are
// one byte, or an OPEN the application itself asked for).
#pragma once

#include <cstddef>
#include <cstdint>
#include <deque>
#include <functional>
#include <unordered_map>
#include <vector>

#include "sctp/usrsctp_socket.h"

namespace aegis::sctp {

struct OutgoingMessage {
  SendParams params;
  std::vector<uint8_t> payload;
};

class OutboundQueue {
 public:
  explicit OutboundQueue(size_t max_bytes) : max_bytes_(max_bytes) {}

  // False (and nothing queued) if a non-control message does not fit.
  bool Push(OutgoingMessage message, bool control);

  enum class Verdict : uint8_t { kTaken, kDropped, kStop };
  // Offers messages in FIFO order until `take` says kStop (usrsctp is full).
  // kTaken and kDropped both remove the message. Returns how many were taken.
  size_t Flush(const std::function<Verdict(const OutgoingMessage&)>& take);

  bool HasStream(uint16_t stream_id) const { return per_stream_.contains(stream_id); }
  void Clear();
  size_t bytes() const { return bytes_; }
  size_t size() const { return messages_.size(); }
  bool empty() const { return messages_.empty(); }

 private:
  void PopFront();

  const size_t max_bytes_;
  size_t bytes_ = 0;
  std::deque<OutgoingMessage> messages_;
  std::unordered_map<uint16_t, size_t> per_stream_;  // queued message count per stream
};

}  // namespace aegis::sctp
