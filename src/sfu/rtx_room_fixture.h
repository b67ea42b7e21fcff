// The room the router's loss and transport-wide tests share, in simulated
// time: A publishes one video track with RTX; B receives it with RTX, C
// without. For test files only (its names are file-local).
#pragma once

#include <gtest/gtest.h>

#include <map>
#include <vector>

#include "base/random.h"
#include "rtcp/compound.h"
#include "sfu/router.h"
#include "sfu/test_util.h"

namespace aegis::sfu {
namespace {

using testing::MakeRtp;
using testing::RecordingSink;

const RoomId kRoom(1);
const ParticipantId kA(10), kB(11), kC(12);
const Ssrc kAVideo(0x1111), kARtx(0x2222), kAFeedback(0xFEED);
const Ssrc kBDown(0xB0000001), kBRtx(0xB0000002), kCDown(0xC0000001), kBOwn(0xBBBB), kCOwn(0xCCCC);
constexpr uint8_t kVp8 = 96, kRtxPt = 97, kDownVp8 = 100, kDownRtx = 101;

class RtxRoomTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(router.CreateRoom(kRoom).ok());
    ASSERT_TRUE(router.AddParticipant(kRoom, kA, ParticipantOptions{kAFeedback}).ok());
    ASSERT_TRUE(router.AddParticipant(kRoom, kB).ok());
    ASSERT_TRUE(router.AddParticipant(kRoom, kC).ok());
    TrackConfig config{MediaKind::kVideo, "1", {kAVideo}, {kVp8}, 90000};
    config.rtx_ssrcs = {{kAVideo, kARtx}};
    config.rtx_payload_types = {{kRtxPt, kVp8}};
    auto video = router.PublishTrack(kA, config);
    ASSERT_TRUE(video.ok());
    a_video = *video;
    const PayloadTypeMapping map[] = {{kVp8, kDownVp8}};
    SubscriptionOptions with_rtx;
    with_rtx.rtx = RtxDownstream{kBRtx, kDownRtx, 5000};
    ASSERT_TRUE(router.AddSubscription(kB, a_video, kBDown, map, with_rtx).ok());
    ASSERT_TRUE(router.AddSubscription(kC, a_video, kCDown, map).ok());
  }

  // Packets first..last from A, one per millisecond from t0.
  void Publish(uint16_t first, uint16_t last) {
    for (uint32_t seq = first; seq <= last; ++seq) {
      auto packet = MakeRtp(kAVideo, kVp8, static_cast<uint16_t>(seq), 9000 + seq, 200, random);
      published[static_cast<uint16_t>(seq)] = packet;
      router.OnRtp(kA, packet, t0 + TimeDelta::Millis(seq - first), sink);
    }
  }

  void Nack(ParticipantId from, Ssrc own, Ssrc media, std::vector<uint16_t> seqs, Timestamp at) {
    router.OnRtcp(from, testing::Rtcp(rtcp::Nack::FromSequenceNumbers(own, media, seqs)), at, sink);
  }

  Router router;
  RecordingSink sink;
  SeededRandom random{11};
  const Timestamp t0 = Timestamp::Millis(100'000);
  TrackId a_video;
  std::map<uint16_t, std::vector<uint8_t>> published;
};

}  // namespace
}  // namespace aegis::sfu
