#include "signaling/rate_limiter.h"

#include <limits>
#include <string>

#include <gtest/gtest.h>

namespace aegis::signaling {
namespace {

const Timestamp kStart = Timestamp::Millis(1'000'000);

int TakeAll(TokenBucket& bucket, Timestamp now) {
  int n = 0;
  while (bucket.TryTake(now) && n < 1000) ++n;
  return n;
}

TEST(TokenBucket, BurstThenSteadyRate) {
  TokenBucket bucket({/*rate_per_second=*/2, /*burst=*/5}, kStart);
  EXPECT_EQ(TakeAll(bucket, kStart), 5);
  EXPECT_FALSE(bucket.TryTake(kStart));
  // 2 per second: one token every 500 ms, not before.
  Timestamp now = kStart;
  for (int i = 0; i < 20; ++i) {
    now += TimeDelta::Millis(499);
    EXPECT_FALSE(bucket.TryTake(now)) << i;
    now += TimeDelta::Millis(1);
    EXPECT_TRUE(bucket.TryTake(now)) << i;
    EXPECT_FALSE(bucket.TryTake(now)) << i;
  }
}

TEST(TokenBucket, RefillIsCappedAtBurst) {
  TokenBucket bucket({10, 3}, kStart);
  EXPECT_EQ(TakeAll(bucket, kStart), 3);
  EXPECT_DOUBLE_EQ(bucket.Available(kStart + TimeDelta::Millis(100)), 1.0);
  EXPECT_DOUBLE_EQ(bucket.Available(kStart + TimeDelta::Seconds(3600)), 3.0);
  EXPECT_EQ(TakeAll(bucket, kStart + TimeDelta::Seconds(3600)), 3);
}

TEST(TokenBucket, ClockSteppingBackRefillsNothing) {
  TokenBucket bucket({1, 2}, kStart);
  EXPECT_EQ(TakeAll(bucket, kStart), 2);
  EXPECT_FALSE(bucket.TryTake(kStart - TimeDelta::Seconds(100)));
  // The refill is measured from the latest time seen, not the earlier one.
  EXPECT_FALSE(bucket.TryTake(kStart + TimeDelta::Millis(999)));
  EXPECT_TRUE(bucket.TryTake(kStart + TimeDelta::Millis(1000)));
}

TEST(TokenBucket, CostAndBadCostsOrSettings) {
  TokenBucket bucket({1, 10}, kStart);
  EXPECT_TRUE(bucket.TryTake(kStart, 7));
  EXPECT_FALSE(bucket.TryTake(kStart, 4));  // takes nothing on refusal
  EXPECT_TRUE(bucket.TryTake(kStart, 3));
  EXPECT_FALSE(bucket.TryTake(kStart, -5));
  EXPECT_FALSE(bucket.TryTake(kStart, std::numeric_limits<double>::quiet_NaN()));
  EXPECT_DOUBLE_EQ(bucket.Available(kStart), 0.0);
  // NaN or zero settings are clamped: still a working, finite bucket.
  TokenBucket odd({std::numeric_limits<double>::quiet_NaN(), 0}, kStart);
  EXPECT_EQ(TakeAll(odd, kStart), 1);
  EXPECT_FALSE(odd.TryTake(kStart + TimeDelta::Seconds(3600)));
}

TEST(KeyedRateLimiter, KeysHaveSeparateBuckets) {
  KeyedRateLimiter limiter({1, 2}, 16);
  EXPECT_TRUE(limiter.TryTake("10.0.0.1", kStart));
  EXPECT_TRUE(limiter.TryTake("10.0.0.1", kStart));
  EXPECT_FALSE(limiter.TryTake("10.0.0.1", kStart));
  EXPECT_TRUE(limiter.TryTake("10.0.0.2", kStart));
  EXPECT_TRUE(limiter.TryTake("10.0.0.1", kStart + TimeDelta::Seconds(1)));
  EXPECT_EQ(limiter.tracked_keys(), 2u);
}

TEST(KeyedRateLimiter, EvictionKeepsMemoryBoundedAndDropsLeastRecentlyUsed) {
  KeyedRateLimiter limiter({1, 1}, 3);
  EXPECT_TRUE(limiter.TryTake("a", kStart));
  EXPECT_TRUE(limiter.TryTake("b", kStart));
  EXPECT_TRUE(limiter.TryTake("c", kStart));
  EXPECT_FALSE(limiter.TryTake("a", kStart));  // touches a: b is now least recent
  EXPECT_TRUE(limiter.TryTake("d", kStart));
  EXPECT_EQ(limiter.tracked_keys(), 3u);
  EXPECT_EQ(limiter.evictions(), 1u);
  EXPECT_FALSE(limiter.IsTracked("b"));
  EXPECT_TRUE(limiter.IsTracked("a"));
  EXPECT_FALSE(limiter.TryTake("a", kStart));  // a kept its empty bucket
  for (int i = 0; i < 10000; ++i) {
    EXPECT_TRUE(limiter.TryTake("k" + std::to_string(i), kStart));
    ASSERT_LE(limiter.tracked_keys(), 3u);
  }
  EXPECT_EQ(limiter.evictions(), 10001u);
}

}  // namespace
}  // namespace aegis::signaling
