// The steady forwarding path allocates nothing: after the first packets the
// router's buffer is large enough, once around the packet cache's ring
// every slot has its buffer, and lookups are hash finds. Counted by
// replacing the global operator new for this test binary
// (allocation_counter.cc).
#include <gtest/gtest.h>

#include <cstdint>

#include "base/random.h"
#include "sfu/packet_cache.h"
#include "sfu/router.h"
#include "sfu/test_util.h"

namespace aegis::sfu::testing {
uint64_t AllocationCount();  // allocation_counter.cc
}  // namespace aegis::sfu::testing

namespace aegis::sfu {
namespace {

// Counts bytes only, so the sink itself does not allocate.
class CountingSink : public Sink {
 public:
  void SendRtp(ParticipantId, SinkTarget*, std::span<const uint8_t> packet) override {
    ++packets;
    bytes += packet.size();
  }
  void SendRtcp(ParticipantId, SinkTarget*, std::span<const uint8_t>) override { ++rtcp; }
  uint64_t packets = 0, bytes = 0, rtcp = 0;
};

TEST(RouterAllocations, SteadyRtpForwardingDoesNotAllocate) {
  Router router;
  ASSERT_TRUE(router.CreateRoom(RoomId(1)).ok());
  for (uint64_t p = 1; p <= 4; ++p) ASSERT_TRUE(router.AddParticipant(RoomId(1), ParticipantId(p)).ok());
  auto track = router.PublishTrack(ParticipantId(1), TrackConfig{MediaKind::kVideo, "1", {Ssrc(5)}, {96}, 90000});
  ASSERT_TRUE(track.ok());
  const PayloadTypeMapping map[] = {{96, 100}};
  for (uint64_t p = 2; p <= 4; ++p) {
    ASSERT_TRUE(router.AddSubscription(ParticipantId(p), *track, Ssrc(uint32_t(100 + p)), map).ok());
  }
  SeededRandom random(1);
  std::vector<std::vector<uint8_t>> packets;
  constexpr size_t kWarmUp = PacketCache::kSlots;
  for (uint16_t i = 0; i < kWarmUp + 200; ++i) {
    packets.push_back(testing::MakeRtp(Ssrc(5), 96, i, 3000u * i, 1200, random));
  }
  // Also a spoofed and a malformed packet: drops must not allocate either.
  const auto spoofed = testing::MakeRtp(Ssrc(6), 96, 1, 1, 100, random);
  const std::vector<uint8_t> malformed = {0x80, 0x60};

  CountingSink sink;
  Timestamp now = Timestamp::Millis(1000);
  for (size_t i = 0; i < kWarmUp; ++i) router.OnRtp(ParticipantId(1), packets[i], now, sink);
  const uint64_t before = testing::AllocationCount();
  for (size_t i = kWarmUp; i < packets.size(); ++i) {
    now += TimeDelta::Millis(5);
    router.OnRtp(ParticipantId(1), packets[i], now, sink);
    router.OnRtp(ParticipantId(2), spoofed, now, sink);
    router.OnRtp(ParticipantId(1), malformed, now, sink);
  }
  const uint64_t during = testing::AllocationCount() - before;
  EXPECT_EQ(during, 0u);
  EXPECT_EQ(sink.packets, 3u * packets.size());
  EXPECT_EQ(router.stats().rtp_dropped_unannounced_ssrc, packets.size() - kWarmUp);
  EXPECT_EQ(router.stats().rtp_dropped_malformed, packets.size() - kWarmUp);
}

}  // namespace
}  // namespace aegis::sfu
