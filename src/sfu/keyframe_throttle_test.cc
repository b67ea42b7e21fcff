#include "sfu/keyframe_throttle.h"

#include <gtest/gtest.h>

namespace aegis::sfu {
namespace {

TEST(KeyframeThrottle, AllowsOnePerInterval) {
  KeyframeThrottle t(TimeDelta::Seconds(1));
  const Timestamp t0 = Timestamp::Millis(10'000);
  EXPECT_TRUE(t.Allow(t0));
  EXPECT_FALSE(t.Allow(t0));
  EXPECT_FALSE(t.Allow(t0 + TimeDelta::Millis(999)));
  EXPECT_TRUE(t.Allow(t0 + TimeDelta::Millis(1000)));
  // The window restarts from the last allowed request.
  EXPECT_FALSE(t.Allow(t0 + TimeDelta::Millis(1999)));
  EXPECT_TRUE(t.Allow(t0 + TimeDelta::Millis(2000)));
  // A clock stepping back is "too soon".
  EXPECT_FALSE(t.Allow(t0));
}

}  // namespace
}  // namespace aegis::sfu
