#include "sfu/loss_based_rate.h"

#include <gtest/gtest.h>

namespace aegis::sfu {
namespace {

constexpr TimeDelta kSecond = TimeDelta::Seconds(1);
constexpr uint64_t kBytesAt600k = 600'000 / 8;  // one second at 600 kbit/s

// RTCP's fraction lost (/256) for `fraction` < 1 (1.0 itself does not fit: 255 is the most).
uint8_t Lost(double fraction) { return static_cast<uint8_t>(fraction * 256); }

TEST(LossBasedRate, NoLimitUntilRealLoss) {
  LossBasedRate rate;
  rate.OnReport(0, kBytesAt600k, kSecond);
  rate.OnReport(Lost(0.05), kBytesAt600k, kSecond);  // some loss: holds (there was no limit)
  rate.OnReport(Lost(0.10), kBytesAt600k, kSecond);
  EXPECT_FALSE(rate.bps().has_value());
}

TEST(LossBasedRate, HeavyLossCutsFromWhatWasSentByHalfTheLoss) {
  LossBasedRate rate;
  rate.OnReport(Lost(0.5), kBytesAt600k, kSecond);  // 600 kbit/s sent, half lost
  ASSERT_TRUE(rate.bps().has_value());
  EXPECT_NEAR(static_cast<double>(*rate.bps()), 600'000 * 0.75, 3'000);
  // Still losing 30 %: from the lower of the limit and what was sent.
  rate.OnReport(Lost(0.3), 400'000 / 8, kSecond);
  EXPECT_NEAR(static_cast<double>(*rate.bps()), 400'000 * 0.85, 3'000);
  // 5 % holds it.
  const uint64_t held = *rate.bps();
  rate.OnReport(Lost(0.05), 340'000 / 8, kSecond);
  EXPECT_EQ(rate.bps(), held);
}

TEST(LossBasedRate, NeverBelowTheFloor) {
  LossBasedRate rate;
  for (int i = 0; i < 20; ++i) rate.OnReport(255, 50'000 / 8, kSecond);
  EXPECT_EQ(rate.bps(), LossBasedRate::kMinBps);
}

TEST(LossBasedRate, NoLossGrowsItUntilItIsLifted) {
  LossBasedRate rate;
  rate.OnReport(Lost(0.4), 500'000 / 8, kSecond);
  const uint64_t cut = *rate.bps();
  rate.OnReport(0, cut / 8, kSecond);  // the publisher sends what it was asked: no loss
  EXPECT_NEAR(static_cast<double>(*rate.bps()), static_cast<double>(cut) * 1.08, 1'000);
  for (int i = 0; i < 100 && rate.bps(); ++i) rate.OnReport(0, 0, kSecond);
  EXPECT_FALSE(rate.bps().has_value());  // 8 % a second reaches kLiftAboveBps in about 40 s
}

TEST(LossBasedRate, ReportsArePooledIntoOneSecondWindows) {
  // Five 200 ms reports (as browsers send them): a keyframe burst in the
  // first, nothing in three, and the loss in one. Judged together: 20 %
  // lost over the second, of 600 kbit/s sent.
  LossBasedRate rate;
  const TimeDelta fifth = TimeDelta::Millis(200);
  rate.OnReport(0, kBytesAt600k, fifth);
  rate.OnReport(0, 0, fifth);
  rate.OnReport(255, 0, fifth);  // 255/256 of this fifth lost
  rate.OnReport(0, 0, fifth);
  EXPECT_FALSE(rate.bps().has_value());  // not a whole window yet
  rate.OnReport(0, 0, fifth);
  ASSERT_TRUE(rate.bps().has_value());
  EXPECT_NEAR(static_cast<double>(*rate.bps()), 600'000 * (1 - 0.5 * 0.2), 4'000);
}

TEST(LossBasedRate, AnEmptyIntervalChangesNothing) {
  LossBasedRate rate;
  rate.OnReport(Lost(0.5), kBytesAt600k, TimeDelta::Millis(0));
  EXPECT_FALSE(rate.bps().has_value());
}

}  // namespace
}  // namespace aegis::sfu
