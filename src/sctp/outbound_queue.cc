#include "sctp/outbound_queue.h"

namespace aegis::sctp {

bool OutboundQueue::Push(OutgoingMessage message, bool control) {
  if (!control && bytes_ + message.payload.size() > max_bytes_) return false;
  bytes_ += message.payload.size();
  ++per_stream_[message.params.stream_id];
  messages_.push_back(std::move(message));
  return true;
}

size_t OutboundQueue::Flush(const std::function<Verdict(const OutgoingMessage&)>& take) {
  size_t taken = 0;
  while (!messages_.empty()) {
    const Verdict verdict = take(messages_.front());
    if (verdict == Verdict::kStop) break;
    if (verdict == Verdict::kTaken) ++taken;
    PopFront();
  }
  return taken;
}

void OutboundQueue::Clear() {
  messages_.clear();
  per_stream_.clear();
  bytes_ = 0;
}

void OutboundQueue::PopFront() {
  const OutgoingMessage& front = messages_.front();
  bytes_ -= front.payload.size();
  auto it = per_stream_.find(front.params.stream_id);
  if (it != per_stream_.end() && --it->second == 0) per_stream_.erase(it);
  messages_.pop_front();
}

}  // namespace aegis::sctp
