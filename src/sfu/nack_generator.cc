#include "sfu/nack_generator.h"

#include <algorithm>

namespace aegis::sfu {

NackGenerator::Arrival NackGenerator::OnPacket(uint16_t sequence_number, Timestamp now) {
  if (!started_) {
    started_ = true;
    highest_ = sequence_number;
    return Arrival::kInOrder;
  }
  // Distance in the 16-bit ring: ahead of the highest if in (0, 2^15).
  const auto ahead = static_cast<int16_t>(static_cast<uint16_t>(sequence_number - highest_));
  if (ahead > 0) {
    const auto gap = static_cast<size_t>(ahead - 1);
    highest_ = sequence_number;
    if (gap == 0) return Arrival::kInOrder;
    if (gap > limits_.max_missing) {
      given_up_ += missing_.size();
      missing_.clear();
      return Arrival::kInOrder;  // too big to repair by retransmission
    }
    for (size_t i = gap; i > 0; --i) {
      missing_.push_back(Missing{static_cast<uint16_t>(sequence_number - i), now, std::nullopt, 0});
    }
    while (missing_.size() > limits_.max_missing) {
      missing_.pop_front();
      ++given_up_;
    }
    return Arrival::kNewGap;
  }
  auto it = std::find_if(missing_.begin(), missing_.end(),
                         [&](const Missing& m) { return m.sequence_number == sequence_number; });
  if (it == missing_.end()) return Arrival::kLateOrDuplicate;
  missing_.erase(it);
  return Arrival::kRecovered;
}

void NackGenerator::TakeDue(Timestamp now, std::vector<uint16_t>& out) {
  for (auto it = missing_.begin(); it != missing_.end();) {
    if (now - it->detected >= limits_.max_age) {
      it = missing_.erase(it);
      ++given_up_;
      continue;
    }
    const bool retries_left = it->requests < limits_.max_retries;
    if (retries_left && (!it->last_requested || now - *it->last_requested >= limits_.retry_interval)) {
      out.push_back(it->sequence_number);
      it->last_requested = now;
      ++it->requests;
    }
    ++it;
  }
}

std::optional<Timestamp> NackGenerator::NextDue() const {
  std::optional<Timestamp> next;
  for (const Missing& m : missing_) {
    // One past its last retry is when TakeDue forgets it.
    const Timestamp due = m.requests >= limits_.max_retries ? m.detected + limits_.max_age
                          : m.last_requested                 ? *m.last_requested + limits_.retry_interval
                                                             : m.detected;
    if (!next || due < *next) next = due;
  }
  return next;
}

}  // namespace aegis::sfu
