#include "sctp/reassembler.h"

namespace aegis::sctp {

std::optional<ReceivedMessage> Reassembler::Append(uint16_t stream_id, uint32_t ppid, bool unordered,
                                                   std::span<const uint8_t> piece, bool end_of_record) {
  if (in_progress_ && current_.stream_id != stream_id) {
    // A piece of another stream while one is in progress: the earlier
    // message can never complete. Count it and start over.
    ++interrupted_;
    Reset();
  }
  if (!in_progress_) {
    in_progress_ = true;
    current_.stream_id = stream_id;
    current_.ppid = ppid;
    current_.unordered = unordered;
  }
  if (!discarding_) {
    if (piece.size() > max_message_size_ - current_.data.size()) {
      discarding_ = true;
      ++oversize_dropped_;
      current_.data = {};  // release the memory now, not at the end
    } else {
      current_.data.insert(current_.data.end(), piece.begin(), piece.end());
    }
  }
  if (!end_of_record) return std::nullopt;
  std::optional<ReceivedMessage> done;
  if (!discarding_) done = std::move(current_);
  Reset();
  return done;
}

void Reassembler::Abort() {
  if (in_progress_) ++interrupted_;
  Reset();
}

void Reassembler::Reset() {
  in_progress_ = false;
  discarding_ = false;
  current_ = ReceivedMessage{};
}

}  // namespace aegis::sctp
