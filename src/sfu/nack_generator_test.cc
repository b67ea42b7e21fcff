#include "sfu/nack_generator.h"

#include <gtest/gtest.h>

#include <vector>

namespace aegis::sfu {
namespace {

using Arrival = NackGenerator::Arrival;
const Timestamp t0 = Timestamp::Millis(50'000);

std::vector<uint16_t> Due(NackGenerator& g, Timestamp now) {
  std::vector<uint16_t> out;
  g.TakeDue(now, out);
  return out;
}

TEST(NackGenerator, AHoleIsRequestedAtOnceThenRetriedUntilItArrives) {
  NackGenerator g(NackLimits{});
  EXPECT_EQ(g.OnPacket(100, t0), Arrival::kInOrder);
  EXPECT_EQ(g.OnPacket(101, t0), Arrival::kInOrder);
  EXPECT_FALSE(g.NextDue());
  EXPECT_EQ(g.OnPacket(104, t0), Arrival::kNewGap);
  EXPECT_EQ(g.missing(), 2u);
  EXPECT_EQ(g.NextDue(), t0);
  EXPECT_EQ(Due(g, t0), (std::vector<uint16_t>{102, 103}));
  EXPECT_EQ(g.NextDue(), t0 + TimeDelta::Millis(100));
  EXPECT_TRUE(Due(g, t0 + TimeDelta::Millis(99)).empty());
  EXPECT_EQ(g.OnPacket(103, t0 + TimeDelta::Millis(60)), Arrival::kRecovered);
  EXPECT_EQ(Due(g, t0 + TimeDelta::Millis(100)), (std::vector<uint16_t>{102}));
  EXPECT_EQ(g.OnPacket(102, t0 + TimeDelta::Millis(150)), Arrival::kRecovered);
  EXPECT_EQ(g.missing(), 0u);
  EXPECT_FALSE(g.NextDue());
  EXPECT_EQ(g.OnPacket(102, t0 + TimeDelta::Millis(160)), Arrival::kLateOrDuplicate);
  EXPECT_EQ(g.OnPacket(104, t0 + TimeDelta::Millis(160)), Arrival::kLateOrDuplicate);
}

TEST(NackGenerator, GivesUpAfterTheRetriesAndTheMaxAge) {
  NackLimits limits;
  limits.max_retries = 3;
  NackGenerator g(limits);
  g.OnPacket(65534, t0);
  EXPECT_EQ(g.OnPacket(1, t0), Arrival::kNewGap);  // 65535 and 0, across the wrap
  int requests = 0;
  Timestamp now = t0;
  for (int i = 0; i < 20; ++i, now += TimeDelta::Millis(100)) requests += static_cast<int>(Due(g, now).size());
  EXPECT_EQ(requests, 2 * 3);
  EXPECT_EQ(g.missing(), 0u);  // a second is past: forgotten
  EXPECT_EQ(g.given_up(), 2u);
  EXPECT_FALSE(g.NextDue());
}

TEST(NackGenerator, TracksAtMostMaxMissingAndIgnoresHugeJumps) {
  NackLimits limits;
  limits.max_missing = 10;
  NackGenerator g(limits);
  g.OnPacket(0, t0);
  EXPECT_EQ(g.OnPacket(8, t0), Arrival::kNewGap);   // 1..7
  EXPECT_EQ(g.OnPacket(12, t0), Arrival::kNewGap);  // 9..11: the oldest go
  EXPECT_EQ(g.missing(), 10u);
  EXPECT_EQ(g.given_up(), 0u);  // 7 + 3 = 10: still fits
  EXPECT_EQ(g.OnPacket(14, t0), Arrival::kNewGap);  // 13: pushes out 1
  EXPECT_EQ(g.missing(), 10u);
  EXPECT_EQ(g.given_up(), 1u);
  // A source that jumped far ahead: nothing to request, the old holes dropped.
  EXPECT_EQ(g.OnPacket(14 + 11 + 1, t0), Arrival::kInOrder);
  EXPECT_EQ(g.missing(), 0u);
  EXPECT_EQ(g.given_up(), 11u);
}

}  // namespace
}  // namespace aegis::sfu
