#include "sfu/receive_statistics.h"

#include <gtest/gtest.h>

namespace aegis::sfu {
namespace {

const Timestamp kT0 = Timestamp::Millis(1'000'000);

TEST(ReceiveStatistics, CountsCyclesAcrossTheSequenceWrap) {
  ReceiveStatistics s(90000);
  for (uint32_t i = 0; i < 10; ++i) s.OnPacket(static_cast<uint16_t>(65530 + i), 0, kT0);
  EXPECT_EQ(s.packets_received(), 10u);
  EXPECT_EQ(s.extended_highest_sequence(), 65536u + 3);
  EXPECT_EQ(s.expected(), 10);
  EXPECT_EQ(s.cumulative_lost(), 0);
}

TEST(ReceiveStatistics, ReorderedAndDuplicatePacketsDoNotMoveTheHighestSequence) {
  ReceiveStatistics s(90000);
  for (int seq : {10, 12, 11, 11, 13}) s.OnPacket(static_cast<uint16_t>(seq), 0, kT0);
  EXPECT_EQ(s.extended_highest_sequence(), 13u);
  EXPECT_EQ(s.packets_received(), 5u);
  EXPECT_EQ(s.expected(), 4);
  EXPECT_EQ(s.cumulative_lost(), -1);  // a duplicate makes it negative (RFC 3550 §6.4.1)
  auto block = s.MakeReportBlock(Ssrc(1), kT0);
  EXPECT_EQ(block.cumulative_lost, -1);
  EXPECT_EQ(block.fraction_lost, 0);
}

TEST(ReceiveStatistics, AJumpIsBelievedOnlyWhenTheNextPacketFollowsIt) {
  ReceiveStatistics s(90000);
  for (uint16_t seq = 100; seq < 105; ++seq) s.OnPacket(seq, 0, kT0);
  s.OnPacket(40000, 0, kT0);  // lone far packet: ignored
  EXPECT_EQ(s.extended_highest_sequence(), 104u);
  EXPECT_EQ(s.packets_received(), 5u);
  s.OnPacket(30000, 0, kT0);  // another jump, then its successor: restart
  s.OnPacket(30001, 0, kT0);
  EXPECT_EQ(s.extended_highest_sequence(), 30001u);
  EXPECT_EQ(s.packets_received(), 1u);
  EXPECT_EQ(s.expected(), 1);
}

TEST(ReceiveStatistics, FractionLostCoversOnlyTheIntervalSinceTheLastReport) {
  ReceiveStatistics s(48000);
  for (uint16_t seq = 0; seq < 8; ++seq) {
    if (seq != 2 && seq != 5) s.OnPacket(seq, 0, kT0);
  }
  auto first = s.MakeReportBlock(Ssrc(9), kT0);
  EXPECT_EQ(first.source, Ssrc(9));
  EXPECT_EQ(first.cumulative_lost, 2);
  EXPECT_EQ(first.fraction_lost, 2 * 256 / 8);
  EXPECT_EQ(first.last_sr, 0u);
  EXPECT_EQ(first.delay_since_last_sr, 0u);
  for (uint16_t seq = 8; seq < 12; ++seq) s.OnPacket(seq, 0, kT0);
  auto second = s.MakeReportBlock(Ssrc(9), kT0);
  EXPECT_EQ(second.cumulative_lost, 2);
  EXPECT_EQ(second.fraction_lost, 0);
  EXPECT_EQ(second.extended_highest_sequence, 11u);
}

TEST(ReceiveStatistics, ConstantTransitHasNoJitterAndAStepConvergesTowardsIt) {
  ReceiveStatistics s(90000);
  // 20 ms apart in both clocks: transit constant.
  for (uint32_t i = 0; i < 50; ++i) s.OnPacket(static_cast<uint16_t>(i), 1800 * i, kT0 + TimeDelta::Millis(20 * i));
  EXPECT_EQ(s.jitter(), 0u);
  // Every packet now alternates ±5 ms (450 ticks) around its slot: |D| = 900
  // each time, so J converges to 900.
  for (uint32_t i = 50; i < 400; ++i) {
    const int64_t wobble = (i % 2 == 0) ? 5 : -5;
    s.OnPacket(static_cast<uint16_t>(i), 1800 * i, kT0 + TimeDelta::Millis(20 * i + wobble));
  }
  EXPECT_NEAR(double(s.jitter()), 900.0, 2.0);
}

TEST(ReceiveStatistics, HostileTimestampsDoNotOverflow) {
  ReceiveStatistics s(90000);
  s.OnPacket(1, 0, kT0);
  s.OnPacket(2, 0x80000000u, kT0);
  s.OnPacket(3, 0, Timestamp::Micros(INT64_MAX / 2));
  s.OnPacket(4, 0x7fffffffu, Timestamp::Micros(-1'000'000));
  // |D| of 2^31 ticks from the second packet: J jumps to 2^31/16 and stays huge.
  EXPECT_GT(s.jitter(), 100'000'000u);
  EXPECT_EQ(s.packets_received(), 4u);
}

}  // namespace
}  // namespace aegis::sfu
