// Joins the pieces usrsctp_recvv() returns into whole user messages. usrsctp
// hands over a message in pieces when it is larger than our read buffer or
// when partial delivery starts; without I-DATA (RFC 8260) only one message
// is in progress per association at a time. A message growing past the
// limit (our a=max-message-size) is discarded up to its end and counted,
// so at most `max_message_size` bytes are ever buffered here.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <vector>

namespace aegis::sctp {

struct ReceivedMessage {
  uint16_t stream_id = 0;
  uint32_t ppid = 0;
  bool unordered = false;
  std::vector<uint8_t> data;
};

class Reassembler {
 public:
  explicit Reassembler(size_t max_message_size) : max_message_size_(max_message_size) {}

  // Adds one piece; returns the message when `end_of_record` completes it
  // (and it was within the limit).
  std::optional<ReceivedMessage> Append(uint16_t stream_id, uint32_t ppid, bool unordered,
                                        std::span<const uint8_t> piece, bool end_of_record);
  // usrsctp abandoned the message in progress (PR-SCTP, partial delivery).
  void Abort();

  size_t buffered_bytes() const { return current_.data.size(); }
  uint64_t oversize_dropped() const { return oversize_dropped_; }
  uint64_t interrupted() const { return interrupted_; }

 private:
  void Reset();

  const size_t max_message_size_;
  bool in_progress_ = false;
  bool discarding_ = false;
  ReceivedMessage current_;
  uint64_t oversize_dropped_ = 0;
  uint64_t interrupted_ = 0;
};

}  // namespace aegis::sctp
