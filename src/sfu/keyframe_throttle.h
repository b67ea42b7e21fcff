// Keyframe requests (PLI/FIR) from many subscribers of one track collapse
// into at most one PLI to the publisher per interval: each keyframe costs
// the publisher a large frame, and a hostile subscriber must not be able to
// make it send keyframes back to back.
#pragma once

#include <optional>

#include "base/time.h"

namespace aegis::sfu {

class KeyframeThrottle {
 public:
  explicit KeyframeThrottle(TimeDelta min_interval) : min_interval_(min_interval) {}

  // True if a request at `now` may go to the publisher (and records it);
  // false if one went less than min_interval ago.
  bool Allow(Timestamp now);

 private:
  TimeDelta min_interval_;
  std::optional<Timestamp> last_sent_;
};

}  // namespace aegis::sfu
