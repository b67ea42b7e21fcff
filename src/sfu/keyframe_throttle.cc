#include "sfu/keyframe_throttle.h"

namespace aegis::sfu {

bool KeyframeThrottle::Allow(Timestamp now) {
  // A clock that went backwards (it should not) counts as "too soon".
  if (last_sent_ && now - *last_sent_ < min_interval_) {
    pending_ = true;
    return false;
  }
  last_sent_ = now;
  pending_ = false;
  return true;
}

std::optional<Timestamp> KeyframeThrottle::DueAt() const {
  if (!pending_ || !last_sent_) return std::nullopt;
  return *last_sent_ + min_interval_;
}

bool KeyframeThrottle::TakeDue(Timestamp now) {
  auto due = DueAt();
  if (!due || now < *due) return false;
  last_sent_ = now;
  pending_ = false;
  return true;
}

}  // namespace aegis::sfu
