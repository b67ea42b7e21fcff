#include "dtls/retransmit_timer.h"

#include <gtest/gtest.h>

namespace aegis::dtls {
namespace {

TEST(RetransmitTimer, DoublesUpToCapThenGivesUp) {
  RetransmitPolicy policy;
  policy.initial = TimeDelta::Millis(100);
  policy.max = TimeDelta::Millis(400);
  policy.max_retransmissions = 4;
  RetransmitTimer timer(policy);
  Timestamp t = Timestamp::Millis(1000);
  EXPECT_FALSE(timer.running());
  EXPECT_FALSE(timer.Expired(t));
  timer.Start(t);
  EXPECT_EQ(timer.deadline(), t + TimeDelta::Millis(100));
  EXPECT_FALSE(timer.Expired(t + TimeDelta::Millis(99)));
  EXPECT_TRUE(timer.Expired(t + TimeDelta::Millis(100)));

  const int64_t waits[] = {200, 400, 400, 400};
  t = t + TimeDelta::Millis(100);
  for (int i = 0; i < 4; ++i) {
    ASSERT_TRUE(timer.OnExpired(t));
    EXPECT_EQ(timer.retransmissions(), i + 1);
    EXPECT_EQ(timer.deadline(), t + TimeDelta::Millis(waits[i]));
    t = *timer.deadline();
  }
  EXPECT_FALSE(timer.OnExpired(t));
  EXPECT_FALSE(timer.running());
}

TEST(RetransmitTimer, NewFlightRestartsFromInitial) {
  RetransmitTimer timer(RetransmitPolicy{});
  Timestamp t = Timestamp::Millis(0);
  timer.Start(t);
  ASSERT_TRUE(timer.OnExpired(t + TimeDelta::Millis(200)));
  ASSERT_TRUE(timer.OnExpired(t + TimeDelta::Millis(600)));
  timer.Start(Timestamp::Millis(5000));
  EXPECT_EQ(timer.retransmissions(), 0);
  EXPECT_EQ(timer.deadline(), Timestamp::Millis(5200));
  timer.Stop();
  EXPECT_FALSE(timer.running());
  EXPECT_FALSE(timer.Expired(Timestamp::Millis(99999)));
}

}  // namespace
}  // namespace aegis::dtls
