#include "sfu/send_side_estimate.h"

#include <algorithm>

namespace aegis::sfu {

int64_t ReferenceTimeStepUs(int32_t from, int32_t to) {
  int32_t step = (to - from) & 0xffffff;
  if (step >= 0x800000) step -= 0x1000000;
  return static_cast<int64_t>(step) * rtcp::TransportFeedback::kReferenceTimeTickUs;
}

uint16_t SendSideEstimate::OnSend(size_t size, Timestamp now) {
  const uint16_t sequence = next_sequence_++;
  sent_[sequence % kHistory] = Sent{now, sequence, static_cast<uint16_t>(std::min<size_t>(size, UINT16_MAX)), true};
  return sequence;
}

bool SendSideEstimate::OnFeedback(const rtcp::TransportFeedback& feedback, Timestamp now) {
  if (last_reference_) reference_us_ += ReferenceTimeStepUs(*last_reference_, feedback.reference_time);
  last_reference_ = feedback.reference_time;
  int64_t arrival_us = reference_us_;
  packets_.clear();
  for (const auto& received : feedback.received) {
    arrival_us += static_cast<int64_t>(received.delta_ticks) * rtcp::TransportFeedback::kDeltaTickUs;
    Sent& sent = sent_[received.sequence_number % kHistory];
    if (!sent.valid || sent.sequence != received.sequence_number || now - sent.at > kMaxAge) {
      ++packets_unknown_;
      continue;
    }
    sent.valid = false;  // reported once; a repeat is not a second arrival
    ++packets_reported_;
    packets_.push_back({sent.at, Timestamp::Micros(arrival_us), sent.size});
  }
  // Already in send order: feedback lists ascending from its base (the
  // parser holds it to that, wrapping included), numbers are given in send
  // order, and stale ring entries were refused above.
  return rate_.OnFeedback(packets_, now);
}

}  // namespace aegis::sfu
