#include "signaling/abuse_tracker.h"

#include <gtest/gtest.h>

namespace aegis::signaling {
namespace {

const Timestamp kStart = Timestamp::Millis(1'000'000);

TEST(AbuseTracker, ClosesOnTheNthErrorWithinTheWindow) {
  AbuseTracker tracker({/*max_errors=*/5, TimeDelta::Seconds(10)});
  for (int i = 0; i < 4; ++i) {
    EXPECT_EQ(tracker.RecordError(kStart + TimeDelta::Seconds(i)), AbuseVerdict::kContinue) << i;
  }
  EXPECT_FALSE(tracker.should_close());
  EXPECT_EQ(tracker.RecordError(kStart + TimeDelta::Seconds(4)), AbuseVerdict::kClose);
  EXPECT_TRUE(tracker.should_close());
  // Stays closed, however long after.
  EXPECT_EQ(tracker.RecordError(kStart + TimeDelta::Seconds(1000)), AbuseVerdict::kClose);
  EXPECT_EQ(tracker.total_errors(), 6u);
}

TEST(AbuseTracker, ErrorsOutsideTheWindowAgeOut) {
  AbuseTracker tracker({3, TimeDelta::Seconds(10)});
  Timestamp now = kStart;
  // Two errors every 10 s never reach three within any 10 s window.
  for (int i = 0; i < 100; ++i) {
    EXPECT_EQ(tracker.RecordError(now), AbuseVerdict::kContinue) << i;
    EXPECT_EQ(tracker.RecordError(now + TimeDelta::Millis(1)), AbuseVerdict::kContinue) << i;
    now += TimeDelta::Seconds(10) + TimeDelta::Millis(1);
  }
  EXPECT_FALSE(tracker.should_close());
  // Three within the window close.
  EXPECT_EQ(tracker.RecordError(now), AbuseVerdict::kContinue);
  EXPECT_EQ(tracker.RecordError(now + TimeDelta::Millis(9999)), AbuseVerdict::kContinue);
  EXPECT_EQ(tracker.RecordError(now + TimeDelta::Millis(9999)), AbuseVerdict::kClose);
}

TEST(AbuseTracker, ZeroMaxErrorsMeansFirstErrorCloses) {
  AbuseTracker tracker({0, TimeDelta::Seconds(1)});
  EXPECT_EQ(tracker.RecordError(kStart), AbuseVerdict::kClose);
}

}  // namespace
}  // namespace aegis::signaling
