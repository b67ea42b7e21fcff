// Keyframe requests (PLI/FIR) from many subscribers of one track collapse
// into at most one PLI to the publisher per interval: each keyframe costs
// the publisher a large frame, and a hostile subscriber must not be able to
// make it send keyframes back to back. A request that comes too soon is
// not lost: it is remembered and sent once the interval has passed
// (TakeDue), so the subscriber that asked still gets its keyframe.
#pragma once

#include <optional>

#include "base/time.h"

namespace aegis::sfu {

class KeyframeThrottle {
 public:
  explicit KeyframeThrottle(TimeDelta min_interval) : min_interval_(min_interval) {}

  // True if a request at `now` may go to the publisher (and records it);
  // false if one went less than min_interval ago (the request is then
  // pending).
  bool Allow(Timestamp now);
  // When a pending request may go, if one is pending.
  std::optional<Timestamp> DueAt() const;
  // True (and records the send) if a pending request may go at `now`.
  bool TakeDue(Timestamp now);

 private:
  TimeDelta min_interval_;
  std::optional<Timestamp> last_sent_;
  bool pending_ = false;
};

}  // namespace aegis::sfu
