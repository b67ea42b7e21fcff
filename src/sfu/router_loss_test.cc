// Loss repair through the router in simulated time: subscribers' NACKs
// answered with RTX from the track's cache (within a budget), and the holes
// in a publisher's stream requested from it and filled by its RTX.
#include <gtest/gtest.h>

#include "rtp/rtx.h"
#include "sfu/rtx_room_fixture.h"

namespace aegis::sfu {
namespace {

class RouterLossTest : public RtxRoomTest {};

TEST_F(RouterLossTest, ASubscribersNackIsAnsweredWithRtxFromTheCache) {
  Publish(10, 14);
  const auto forwarded = sink.RtpTo(kB);  // what B got the first time
  ASSERT_EQ(forwarded.size(), 5u);
  sink.Clear();
  Nack(kB, kBOwn, kBDown, {11, 13}, t0 + TimeDelta::Millis(50));
  auto rtx = sink.RtpTo(kB);
  ASSERT_EQ(rtx.size(), 2u);
  EXPECT_TRUE(sink.RtpTo(kA).empty() && sink.RtpTo(kC).empty() && sink.rtcp.empty());
  for (size_t i = 0; i < 2; ++i) {
    auto view = rtp::RtpPacketView::Parse(rtx[i].bytes);
    ASSERT_TRUE(view);
    EXPECT_EQ(view->ssrc(), kBRtx);
    EXPECT_EQ(view->payload_type(), kDownRtx);
    EXPECT_EQ(view->sequence_number(), 5000 + i);  // its own numbers, from the first given
    // Unwrapped, it is the very packet B lost.
    std::vector<uint8_t> original(view->size());
    original.resize(rtp::RecoverFromRtx(*view, kBDown, kDownVp8, original));
    EXPECT_EQ(original, forwarded[i == 0 ? 1 : 3].bytes);
  }
  EXPECT_EQ(router.stats().nacks_received, 1u);
  EXPECT_EQ(router.stats().nack_sequences_received, 2u);
  EXPECT_EQ(router.stats().retransmissions_sent, 2u);
}

TEST_F(RouterLossTest, OnlyCachedPacketsOfTheSubscribersOwnTracksAreRetransmitted) {
  Publish(10, 14);
  sink.Clear();
  // Never sent, and sent but over a second ago.
  Nack(kB, kBOwn, kBDown, {20}, t0 + TimeDelta::Millis(50));
  Nack(kB, kBOwn, kBDown, {10}, t0 + TimeDelta::Millis(1001));
  EXPECT_EQ(router.stats().retransmissions_not_cached, 2u);
  // C negotiated no RTX: its NACK is counted, nothing goes out.
  Nack(kC, kCOwn, kCDown, {11}, t0 + TimeDelta::Millis(50));
  EXPECT_EQ(router.stats().retransmissions_not_negotiated, 1u);
  // A NACK about someone else's downstream SSRC, or the publisher's own.
  Nack(kC, kCOwn, kBDown, {11}, t0 + TimeDelta::Millis(50));
  Nack(kA, kAFeedback, kAVideo, {11}, t0 + TimeDelta::Millis(50));
  EXPECT_EQ(router.stats().nacks_unknown_ssrc, 2u);
  // A muted track is retransmitted to nobody either.
  ASSERT_TRUE(router.SetTrackMuted(a_video, true).ok());
  Nack(kB, kBOwn, kBDown, {11}, t0 + TimeDelta::Millis(50));
  EXPECT_TRUE(sink.rtp.empty());
  EXPECT_EQ(router.stats().retransmissions_sent, 0u);
}

TEST_F(RouterLossTest, NoRetransmissionOnceTheSubscriberDroppedRtx) {
  Publish(10, 14);
  sink.Clear();
  ASSERT_TRUE(router.StopRetransmissions(kB, a_video).ok());
  Nack(kB, kBOwn, kBDown, {11}, t0 + TimeDelta::Millis(50));
  EXPECT_TRUE(sink.rtp.empty());
  EXPECT_EQ(router.stats().retransmissions_not_negotiated, 1u);
  EXPECT_EQ(router.StopRetransmissions(kA, a_video).error(), SfuError::kNoSuchSubscription);
}

TEST_F(RouterLossTest, OneNackCannotAmplifyPastTheBudget) {
  Publish(0, 299);
  sink.Clear();
  std::vector<uint16_t> all;
  for (uint16_t seq = 0; seq < 300; ++seq) all.push_back(seq);
  const Timestamp at = t0 + TimeDelta::Millis(300);
  Nack(kB, kBOwn, kBDown, all, at);
  EXPECT_EQ(sink.RtpTo(kB).size(), 100u);  // the burst
  EXPECT_EQ(router.stats().retransmissions_rate_limited, 200u);
  // Refilled at 200 per second.
  sink.Clear();
  Nack(kB, kBOwn, kBDown, all, at + TimeDelta::Millis(250));
  EXPECT_EQ(sink.RtpTo(kB).size(), 50u);
}

TEST_F(RouterLossTest, ACongestedSubscriberGetsRetransmissionsOnlyWithinItsShare) {
  // B's reports say half of a second of video was lost: B is limited
  // (loss_based_rate.h) to 75 % of what it was sent, about 270 kbit/s.
  rtcp::ReceiverReport rr;
  rr.sender = kBOwn;
  rtcp::ReportBlock block;
  block.source = kBDown;
  rr.report_blocks = {block};
  router.OnRtcp(kB, testing::Rtcp(rr), t0 - TimeDelta::Millis(1), sink);
  Publish(1, 200);  // 200 packets of ~230 bytes in 200 ms
  rr.report_blocks[0].fraction_lost = 128;
  router.OnRtcp(kB, testing::Rtcp(rr), t0 + TimeDelta::Seconds(1), sink);
  sink.Clear();
  // B NACKs all 200 at once: the packet budget alone would let 100 through
  // (OneNackCannotAmplifyPastTheBudget); its 15 % byte share of the limit
  // (about 5 KB a second) lets a fifth of that.
  std::vector<uint16_t> all;
  for (uint16_t seq = 1; seq <= 200; ++seq) all.push_back(seq);
  Nack(kB, kBOwn, kBDown, all, t0 + TimeDelta::Seconds(1));
  const size_t retransmitted = sink.RtpTo(kB).size();
  EXPECT_GT(retransmitted, 0u);
  EXPECT_LT(retransmitted, 30u) << "a congested link would get " << retransmitted << " retransmissions at once";
  EXPECT_GT(router.stats().retransmissions_rate_limited, 170u);
}

TEST_F(RouterLossTest, AHoleUpstreamIsNackedAndFilledByThePublishersRtx) {
  Publish(10, 11);
  router.OnRtp(kA, MakeRtp(kAVideo, kVp8, 14, 9014, 200, random), t0 + TimeDelta::Millis(5), sink);
  sink.Clear();
  // Due at once: the next timer sends it.
  ASSERT_TRUE(router.NextTimeout());
  EXPECT_LE(*router.NextTimeout(), t0 + TimeDelta::Millis(5));
  router.OnTimer(t0 + TimeDelta::Millis(5), sink);
  ASSERT_EQ(sink.RtcpTo(kA).size(), 1u);
  EXPECT_EQ(sink.RtcpTo(kA)[0].bytes,
            testing::Rtcp(rtcp::Nack::FromSequenceNumbers(kAFeedback, kAVideo, std::vector<uint16_t>{12, 13})));
  EXPECT_EQ(router.stats().nacks_sent, 1u);
  EXPECT_EQ(router.stats().nack_sequences_requested, 2u);
  sink.Clear();

  // A's RTX for 12 arrives: B and C get packet 12 on their media SSRCs.
  auto original = MakeRtp(kAVideo, kVp8, 12, 9012, 200, random);
  std::vector<uint8_t> rtx(original.size() + 2);
  ASSERT_GT(rtp::WriteRtx(*rtp::RtpPacketView::Parse(original), kARtx, kRtxPt, 700, 12, rtx), 0u);
  router.OnRtp(kA, rtx, t0 + TimeDelta::Millis(40), sink);
  ASSERT_EQ(sink.RtpTo(kB).size(), 1u);
  ASSERT_EQ(sink.RtpTo(kC).size(), 1u);
  const auto b_got = sink.RtpTo(kB)[0].bytes;
  auto to_b = rtp::RtpPacketView::Parse(b_got);
  EXPECT_EQ(to_b->ssrc(), kBDown);
  EXPECT_EQ(to_b->sequence_number(), 12);
  EXPECT_EQ(to_b->payload_type(), kDownVp8);
  EXPECT_TRUE(std::ranges::equal(to_b->payload(), rtp::RtpPacketView::Parse(original)->payload()));
  EXPECT_EQ(router.stats().rtx_received, 1u);
  EXPECT_EQ(router.stats().upstream_packets_recovered, 1u);

  // The same again is a duplicate; so is 11, which never went missing.
  sink.Clear();
  router.OnRtp(kA, rtx, t0 + TimeDelta::Millis(41), sink);
  std::vector<uint8_t> rtx11(original.size() + 2);
  rtp::WriteRtx(*rtp::RtpPacketView::Parse(original), kARtx, kRtxPt, 701, 11, rtx11);
  router.OnRtp(kA, rtx11, t0 + TimeDelta::Millis(41), sink);
  EXPECT_EQ(router.stats().rtx_dropped_duplicate, 2u);
  // A padding-only probe, and an RTX SSRC packet with a media PT.
  auto probe = MakeRtp(kARtx, kRtxPt, 702, 0, 0, random, false, 8);
  router.OnRtp(kA, probe, t0 + TimeDelta::Millis(42), sink);
  EXPECT_EQ(router.stats().rtx_dropped_padding, 1u);
  router.OnRtp(kA, MakeRtp(kARtx, kVp8, 703, 0, 50, random), t0 + TimeDelta::Millis(42), sink);
  EXPECT_EQ(router.stats().rtp_dropped_payload_type, 1u);
  // B cannot inject into A's stream through A's RTX SSRC.
  router.OnRtp(kB, rtx, t0 + TimeDelta::Millis(43), sink);
  EXPECT_EQ(router.stats().rtp_dropped_spoofed_ssrc, 1u);
  EXPECT_TRUE(sink.rtp.empty());

  // 13 never comes: asked again every 100 ms, at most 10 times, then dropped.
  int requests = 0;
  for (Timestamp now = t0 + TimeDelta::Millis(50); now < t0 + TimeDelta::Seconds(3); now += TimeDelta::Millis(10)) {
    sink.Clear();
    router.OnTimer(now, sink);
    for (const auto& sent : sink.RtcpTo(kA)) {
      auto packets = rtcp::ParseCompound(sent.bytes);
      if (!packets) continue;
      for (const auto& p : *packets) {
        if (const auto* nack = std::get_if<rtcp::Nack>(&p)) requests += static_cast<int>(nack->SequenceNumbers().size());
      }
    }
  }
  EXPECT_EQ(requests, 9);  // the first of the 10 went out with 12's
}

TEST_F(RouterLossTest, PublishRefusesRtxThatDoesNotPairWithTheMedia) {
  auto refused = [&](TrackConfig config) {
    return router.PublishTrack(kC, std::move(config)).error() == SfuError::kBadTrackConfig;
  };
  const Ssrc media(0x3333), rtx(0x4444);
  TrackConfig base{MediaKind::kVideo, "v", {media}, {kVp8}, 90000};
  TrackConfig c = base;
  c.kind = MediaKind::kAudio;  // RTX is for video
  c.rtx_ssrcs = {{media, rtx}};
  EXPECT_TRUE(refused(c));
  c = base;
  c.rtx_ssrcs = {{media, media}};  // the media SSRC itself
  EXPECT_TRUE(refused(c));
  c = base;
  c.rtx_ssrcs = {{Ssrc(0x5555), rtx}};  // for a stream the track does not have
  EXPECT_TRUE(refused(c));
  c = base;
  c.rtx_payload_types = {{kVp8, kVp8}};  // a media PT as RTX PT
  EXPECT_TRUE(refused(c));
  c = base;
  c.rtx_payload_types = {{kRtxPt, 98}};  // apt of a PT not negotiated
  EXPECT_TRUE(refused(c));
  // Another participant's RTX SSRC is still a spoof if declared again by C.
  c = base;
  c.rtx_ssrcs = {{media, rtx}};
  c.rtx_payload_types = {{kRtxPt, kVp8}};
  EXPECT_TRUE(router.PublishTrack(kC, c).ok());
  EXPECT_EQ(router.PublishTrack(kC, c).error(), SfuError::kSsrcInUse);
}

}  // namespace
}  // namespace aegis::sfu
