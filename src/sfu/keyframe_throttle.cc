#include "sfu/keyframe_throttle.h"

namespace aegis::sfu {

bool KeyframeThrottle::Allow(Timestamp now) {
  // A clock that went backwards (it should not) counts as "too soon".
  if (last_sent_ && now - *last_sent_ < min_interval_) return false;
  last_sent_ = now;
  return true;
}

}  // namespace aegis::sfu
