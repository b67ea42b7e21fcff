#include "sfu/packet_cache.h"

#include <gtest/gtest.h>

#include <vector>

namespace aegis::sfu {
namespace {

const Timestamp t0 = Timestamp::Millis(50'000);

TEST(PacketCache, ServesWhatItStoredUntilTheMaxAge) {
  PacketCache cache(TimeDelta::Seconds(1));
  const std::vector<uint8_t> packet = {1, 2, 3};
  EXPECT_TRUE(cache.Find(7, t0).empty());
  ASSERT_TRUE(cache.Store(7, packet, t0));
  EXPECT_TRUE(cache.Contains(7));
  auto found = cache.Find(7, t0 + TimeDelta::Millis(1000));
  EXPECT_EQ(std::vector<uint8_t>(found.begin(), found.end()), packet);
  EXPECT_TRUE(cache.Find(7, t0 + TimeDelta::Millis(1001)).empty());
  EXPECT_TRUE(cache.Contains(7));  // too old to serve, still a duplicate if it came again
  EXPECT_TRUE(cache.Find(8, t0).empty());
}

TEST(PacketCache, ASlotHoldsOnlyTheNewestOfItsSequenceNumbers) {
  PacketCache cache(TimeDelta::Seconds(1));
  const std::vector<uint8_t> older = {1}, newer = {2, 2};
  ASSERT_TRUE(cache.Store(5, older, t0));
  ASSERT_TRUE(cache.Store(5 + PacketCache::kSlots, newer, t0));
  EXPECT_FALSE(cache.Contains(5));
  EXPECT_TRUE(cache.Find(5, t0).empty());
  EXPECT_EQ(cache.Find(5 + PacketCache::kSlots, t0).size(), 2u);
  // Across the 16-bit wrap too.
  ASSERT_TRUE(cache.Store(65535, older, t0));
  ASSERT_TRUE(cache.Store(0, newer, t0));
  EXPECT_EQ(cache.Find(65535, t0).size(), 1u);
  EXPECT_EQ(cache.Find(0, t0).size(), 2u);
}

TEST(PacketCache, StaysWithinItsBound) {
  PacketCache cache(TimeDelta::Seconds(1));
  EXPECT_EQ(cache.bytes_allocated(), 0u);
  const std::vector<uint8_t> too_big(PacketCache::kMaxPacketSize + 1);
  EXPECT_FALSE(cache.Store(1, too_big, t0));
  EXPECT_FALSE(cache.Contains(1));
  const std::vector<uint8_t> largest(PacketCache::kMaxPacketSize);
  for (uint32_t seq = 0; seq < 3 * PacketCache::kSlots; ++seq) {
    ASSERT_TRUE(cache.Store(static_cast<uint16_t>(seq), largest, t0));
  }
  // A vector may round its capacity up a little; never a second packet's worth.
  EXPECT_LE(cache.bytes_allocated(), PacketCache::kSlots * (PacketCache::kMaxPacketSize + 64));
}

}  // namespace
}  // namespace aegis::sfu
