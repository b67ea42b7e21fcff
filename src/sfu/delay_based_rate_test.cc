#include "sfu/delay_based_rate.h"

#include <gtest/gtest.h>

#include <random>
#include <vector>

#include "sfu/send_side_estimate.h"

namespace aegis::sfu {
namespace {

// A sender pacing `send_bps` in 1000-byte packets through a link that
// carries `link_bps` after 20 ms of propagation (a FIFO: a packet leaves
// when the one before it has, plus its own serialisation), with optional
// random jitter on top, reporting every 100 ms like a browser.
class Path {
 public:
  Path(uint64_t link_bps, uint32_t jitter_ms = 0) : link_bps_(link_bps), jitter_ms_(jitter_ms) {}

  // Runs `seconds` at `send_bps`; returns whether the limit ever moved.
  bool Run(DelayBasedRate& rate, uint64_t send_bps, double seconds) {
    bool moved = false;
    const int64_t gap_us = static_cast<int64_t>(kSize * 8 * 1e6 / static_cast<double>(send_bps));
    const int64_t end = now_us_ + static_cast<int64_t>(seconds * 1e6);
    for (; now_us_ < end; now_us_ += gap_us) {
      const int64_t serialise_us = static_cast<int64_t>(kSize * 8 * 1e6 / static_cast<double>(link_bps_));
      link_free_us_ = std::max(link_free_us_, now_us_ + 20'000) + serialise_us;
      int64_t arrival = link_free_us_;
      if (jitter_ms_ > 0) arrival += std::uniform_int_distribution<int64_t>(0, jitter_ms_ * 1000)(random_);
      batch_.push_back({Timestamp::Micros(now_us_), Timestamp::Micros(arrival), kSize});
      if (now_us_ >= next_feedback_us_) {
        moved |= rate.OnFeedback(batch_, Timestamp::Micros(now_us_));
        batch_.clear();
        next_feedback_us_ += 100'000;
      }
    }
    return moved;
  }
  void set_link(uint64_t bps) { link_bps_ = bps; }

 private:
  static constexpr size_t kSize = 1000;
  uint64_t link_bps_;
  uint32_t jitter_ms_;
  int64_t now_us_ = 1'000'000;
  int64_t next_feedback_us_ = 1'100'000;
  int64_t link_free_us_ = 0;
  std::vector<DelayBasedRate::Packet> batch_;  // sent since the last feedback
  std::mt19937 random_{7};
};

TEST(DelayBasedRate, NoLimitWhileTheLinkCarriesEverything) {
  DelayBasedRate rate;
  Path path(2'000'000);
  EXPECT_FALSE(path.Run(rate, 800'000, 10));
  EXPECT_FALSE(rate.bps());
  ASSERT_TRUE(rate.acked_bps());
  EXPECT_NEAR(static_cast<double>(*rate.acked_bps()), 800'000, 40'000);
}

TEST(DelayBasedRate, RandomJitterWithoutAQueueIsNotOveruse) {
  DelayBasedRate rate;
  Path path(2'000'000, /*jitter_ms=*/15);
  path.Run(rate, 800'000, 20);
  EXPECT_FALSE(rate.bps());
}

TEST(DelayBasedRate, AQueueBuildingBehindASlowLinkLimitsBelowIt) {
  DelayBasedRate rate;
  Path path(500'000);
  EXPECT_TRUE(path.Run(rate, 800'000, 3));
  ASSERT_TRUE(rate.bps());
  // 85 % of what got through (the link's rate), long before the 3 s queue
  // a loss-based controller would wait for.
  EXPECT_LE(*rate.bps(), 500'000u);
  EXPECT_GE(*rate.bps(), 350'000u);
}

TEST(DelayBasedRate, ALimitGrowsBackOnceTheQueueIsGone) {
  DelayBasedRate rate;
  Path path(500'000);
  path.Run(rate, 800'000, 3);
  ASSERT_TRUE(rate.bps());
  const uint64_t limited = *rate.bps();
  path.set_link(5'000'000);
  // The sender follows the limit, as a publisher follows REMB.
  for (int i = 0; i < 10; ++i) path.Run(rate, rate.bps().value_or(DelayBasedRate::kLiftAboveBps), 1);
  ASSERT_TRUE(rate.bps());
  EXPECT_GT(*rate.bps(), limited * 3 / 2);
}

// Growth comes in steps under 1 % a feedback; it is still said every 3 %.
TEST(DelayBasedRate, SlowGrowthIsReportedEveryFewPercent) {
  DelayBasedRate rate;
  Path path(500'000);
  path.Run(rate, 800'000, 3);
  ASSERT_TRUE(rate.bps());
  path.set_link(5'000'000);
  uint64_t last_reported = *rate.bps();
  int reports = 0;
  for (int i = 0; i < 30; ++i) {
    const uint64_t send = *rate.bps();
    if (path.Run(rate, send, 0.2)) {
      ++reports;
      ASSERT_TRUE(rate.bps());
      EXPECT_GE(*rate.bps(), last_reported * 103 / 100);
      last_reported = *rate.bps();
    }
  }
  EXPECT_GE(reports, 5) << "6 s of growth at 8 %/s, said " << reports << " times";
}

TEST(DelayBasedRate, NeverBelowTheFloor) {
  DelayBasedRate rate;
  Path path(60'000);
  path.Run(rate, 400'000, 5);
  ASSERT_TRUE(rate.bps());
  EXPECT_EQ(*rate.bps(), DelayBasedRate::kMinBps);
}

TEST(DelayBasedRate, ArrivalTimesGoingBackOrJumpingResetInsteadOfJudging) {
  DelayBasedRate rate;
  std::vector<DelayBasedRate::Packet> packets;
  // A receiver whose clock jumps back and forth by seconds between groups.
  for (int i = 0; i < 200; ++i) {
    const int64_t jump = (i % 2 == 0) ? 0 : 10'000'000;
    packets.push_back({Timestamp::Millis(1000 + 10 * i), Timestamp::Micros(jump + 10'000 * i), 1000});
  }
  rate.OnFeedback(packets, Timestamp::Millis(4000));
  EXPECT_FALSE(rate.bps());
  EXPECT_EQ(rate.usage(), DelayBasedRate::Usage::kNormal);
}

// SendSideEstimate: numbering, and what feedback it believes.
rtcp::TransportFeedback Feedback(int32_t reference, std::vector<rtcp::TransportFeedback::ReceivedPacket> received) {
  rtcp::TransportFeedback f;
  f.reference_time = reference;
  f.base_sequence = received.empty() ? 0 : received.front().sequence_number;
  f.status_count = 1;
  f.received = std::move(received);
  return f;
}

TEST(SendSideEstimate, NumbersPacketsInOrderAndBelievesOnlyWhatItSent) {
  SendSideEstimate estimate(3);
  EXPECT_EQ(estimate.OnSend(1000, Timestamp::Millis(10)), 0);
  EXPECT_EQ(estimate.OnSend(1000, Timestamp::Millis(20)), 1);
  // Packet 1 reported, then 1 again (a repeat), 2 (never sent), 4000 (never sent).
  estimate.OnFeedback(Feedback(100, {{1, 4}, {1, 4}, {2, 4}, {4000, 4}}), Timestamp::Millis(100));
  EXPECT_EQ(estimate.packets_reported(), 1u);
  EXPECT_EQ(estimate.packets_unknown(), 3u);
}

TEST(SendSideEstimate, ForgetsPacketsOlderThanItsHistory) {
  SendSideEstimate estimate(3);
  estimate.OnSend(1000, Timestamp::Millis(0));
  estimate.OnFeedback(Feedback(0, {{0, 0}}), Timestamp::Millis(0) + SendSideEstimate::kMaxAge + TimeDelta::Millis(1));
  EXPECT_EQ(estimate.packets_unknown(), 1u);
  // The ring reused: sequence 0's slot now holds kHistory.
  for (size_t i = 0; i <= SendSideEstimate::kHistory; ++i) estimate.OnSend(1000, Timestamp::Millis(10000));
  estimate.OnFeedback(Feedback(0, {{0, 0}}), Timestamp::Millis(10000));
  EXPECT_EQ(estimate.packets_unknown(), 2u);
}

TEST(SendSideEstimate, AReferenceTimeWrapIsOneTickNotTwelveDays) {
  constexpr int64_t kTick = rtcp::TransportFeedback::kReferenceTimeTickUs;
  EXPECT_EQ(ReferenceTimeStepUs(100, 103), 3 * kTick);
  EXPECT_EQ(ReferenceTimeStepUs((1 << 24) - 1, 0), kTick);
  EXPECT_EQ(ReferenceTimeStepUs((1 << 24) - 2, 3), 5 * kTick);
  EXPECT_EQ(ReferenceTimeStepUs(3, (1 << 24) - 2), -5 * kTick);  // reordered feedback: back a little
  // The parser sign-extends the 24 bits; the step is the same either way.
  EXPECT_EQ(ReferenceTimeStepUs(-1, 0), kTick);
  EXPECT_EQ(ReferenceTimeStepUs(-(1 << 23), (1 << 23) - 1), -kTick);
}

}  // namespace
}  // namespace aegis::sfu
