// RTCP through the router in simulated time: keyframe requests relayed and
// throttled, SRs rewritten per subscriber, receiver reports to publishers.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdlib>

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
const Ssrc kAVideo(0x1111), kAFeedback(0xFEED), kBDown(0xB0000001), kCDown(0xC0000001);
const Ssrc kBOwn(0xBBBB), kCOwn(0xCCCC);

class RouterRtcpTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(router.CreateRoom(kRoom).ok());
    ASSERT_TRUE(router.AddParticipant(kRoom, kA, ParticipantOptions{kAFeedback}).ok());
    ASSERT_TRUE(router.AddParticipant(kRoom, kB).ok());
    ASSERT_TRUE(router.AddParticipant(kRoom, kC).ok());
    auto video = router.PublishTrack(kA, TrackConfig{MediaKind::kVideo, "1", {kAVideo}, {96}, 90000});
    ASSERT_TRUE(video.ok());
    a_video = *video;
    const PayloadTypeMapping map[] = {{96, 100}};
    ASSERT_TRUE(router.AddSubscription(kB, a_video, kBDown, map).ok());
    ASSERT_TRUE(router.AddSubscription(kC, a_video, kCDown, map).ok());
  }

  void Rtcp(ParticipantId from, const std::vector<uint8_t>& bytes, Timestamp at) {
    router.OnRtcp(from, bytes, at, sink);
  }

  // Loss repair has its own tests (router_loss_test.cc): here a hole must
  // show only in the reports, so no NACKs to the publisher.
  static RouterConfig WithoutUpstreamNacks() {
    RouterConfig config;
    config.upstream_nack.max_missing = 0;
    return config;
  }

  Router router{WithoutUpstreamNacks()};
  RecordingSink sink;
  SeededRandom random{7};
  const Timestamp t0 = Timestamp::Millis(100'000);
  TrackId a_video;
};

TEST_F(RouterRtcpTest, PliIsRelayedToThePublisherAtMostOncePerSecondPerTrack) {
  const auto expected = testing::Rtcp(rtcp::Pli{kAFeedback, kAVideo});
  Rtcp(kB, testing::Rtcp(rtcp::Pli{kBOwn, kBDown}), t0);
  Rtcp(kB, testing::Rtcp(rtcp::Pli{kBOwn, kBDown}), t0 + TimeDelta::Millis(300));
  Rtcp(kB, testing::Rtcp(rtcp::Pli{kBOwn, kBDown}), t0 + TimeDelta::Millis(600));
  // Another subscriber of the same track within the second: also suppressed.
  Rtcp(kC, testing::Rtcp(rtcp::Pli{kCOwn, kCDown}), t0 + TimeDelta::Millis(900));
  ASSERT_EQ(sink.rtcp.size(), 1u);
  EXPECT_EQ(sink.rtcp[0].to, kA);
  EXPECT_EQ(sink.rtcp[0].bytes, expected);
  EXPECT_EQ(router.stats().keyframe_requests_received, 4u);
  EXPECT_EQ(router.stats().keyframe_requests_forwarded, 1u);
  EXPECT_EQ(router.stats().keyframe_requests_throttled, 3u);

  Rtcp(kB, testing::Rtcp(rtcp::Pli{kBOwn, kBDown}), t0 + TimeDelta::Millis(1000));
  ASSERT_EQ(sink.rtcp.size(), 2u);
  EXPECT_EQ(sink.rtcp[1].to, kA);
  EXPECT_EQ(sink.rtcp[1].bytes, expected);
  EXPECT_EQ(router.stats().keyframe_requests_forwarded, 2u);
}

TEST_F(RouterRtcpTest, AThrottledRequestIsSentOnceTheIntervalHasPassed) {
  const auto expected = testing::Rtcp(rtcp::Pli{kAFeedback, kAVideo});
  Rtcp(kB, testing::Rtcp(rtcp::Pli{kBOwn, kBDown}), t0);
  Rtcp(kC, testing::Rtcp(rtcp::Pli{kCOwn, kCDown}), t0 + TimeDelta::Millis(200));
  Rtcp(kB, testing::Rtcp(rtcp::Pli{kBOwn, kBDown}), t0 + TimeDelta::Millis(400));
  ASSERT_EQ(sink.rtcp.size(), 1u);
  // The held requests (C's and B's second) become one PLI, due a second
  // after the first, and the router says when.
  ASSERT_TRUE(router.NextTimeout().has_value());
  EXPECT_EQ(*router.NextTimeout(), t0 + TimeDelta::Seconds(1));
  router.OnTimer(t0 + TimeDelta::Millis(999), sink);
  EXPECT_EQ(sink.rtcp.size(), 1u);
  router.OnTimer(t0 + TimeDelta::Seconds(1), sink);
  ASSERT_EQ(sink.rtcp.size(), 2u);
  EXPECT_EQ(sink.rtcp[1].to, kA);
  EXPECT_EQ(sink.rtcp[1].bytes, expected);
  EXPECT_EQ(router.stats().keyframe_requests_deferred_sent, 1u);
  // Nothing more is held: no third PLI, and still at most one per second.
  router.OnTimer(t0 + TimeDelta::Seconds(3), sink);
  EXPECT_EQ(sink.rtcp.size(), 2u);
  Rtcp(kB, testing::Rtcp(rtcp::Pli{kBOwn, kBDown}), t0 + TimeDelta::Millis(1500));
  EXPECT_EQ(sink.rtcp.size(), 2u);
  router.OnTimer(t0 + TimeDelta::Seconds(2), sink);
  EXPECT_EQ(sink.rtcp.size(), 3u);
}

TEST_F(RouterRtcpTest, FirBecomesAPliToThePublisher) {
  // One entry for C's stream, one for an SSRC C does not receive.
  rtcp::Fir fir{kCOwn, Ssrc(0), {{Ssrc(0x5555), 1}, {kCDown, 3}}};
  Rtcp(kC, testing::Rtcp(fir), t0);
  ASSERT_EQ(sink.rtcp.size(), 1u);
  EXPECT_EQ(sink.rtcp[0].to, kA);
  EXPECT_EQ(sink.rtcp[0].bytes, testing::Rtcp(rtcp::Pli{kAFeedback, kAVideo}));
  EXPECT_EQ(router.stats().keyframe_requests_received, 2u);
  EXPECT_EQ(router.stats().keyframe_requests_unknown_ssrc, 1u);
}

TEST_F(RouterRtcpTest, ANewlyConnectedSubscriberGetsAKeyframeRequestForItsVideoOnly) {
  auto audio = router.PublishTrack(kA, TrackConfig{MediaKind::kAudio, "0", {Ssrc(0x2222)}, {111}, 48000});
  ASSERT_TRUE(audio.ok());
  const PayloadTypeMapping opus[] = {{111, 111}};
  ASSERT_TRUE(router.AddSubscription(kB, *audio, Ssrc(0xB0000002), opus).ok());
  router.RequestKeyframes(kB, t0, sink);
  ASSERT_EQ(sink.rtcp.size(), 1u);  // the video track only
  EXPECT_EQ(sink.rtcp[0].to, kA);
  EXPECT_EQ(sink.rtcp[0].bytes, testing::Rtcp(rtcp::Pli{kAFeedback, kAVideo}));
  // Under the same throttle as subscriber PLIs.
  router.RequestKeyframes(kC, t0 + TimeDelta::Millis(500), sink);
  EXPECT_EQ(sink.rtcp.size(), 1u);
  EXPECT_EQ(router.stats().keyframe_requests_throttled, 1u);
  // A participant that receives nothing (the publisher) asks for nothing.
  router.RequestKeyframes(kA, t0 + TimeDelta::Seconds(5), sink);
  EXPECT_EQ(sink.rtcp.size(), 1u);
}

TEST_F(RouterRtcpTest, KeyframeRequestAfterUnsubscribingIsIgnored) {
  ASSERT_TRUE(router.RemoveSubscription(kB, a_video).ok());
  Rtcp(kB, testing::Rtcp(rtcp::Pli{kBOwn, kBDown}), t0);
  EXPECT_TRUE(sink.rtcp.empty());
  EXPECT_EQ(router.stats().keyframe_requests_unknown_ssrc, 1u);
}

TEST_F(RouterRtcpTest, KeyframeRequestForAnSsrcTheSenderDoesNotReceiveIsIgnored) {
  // B names A's upstream SSRC, C's downstream SSRC, and an unknown one.
  Rtcp(kB, testing::Rtcp(rtcp::Pli{kBOwn, kAVideo}), t0);
  Rtcp(kB, testing::Rtcp(rtcp::Pli{kBOwn, kCDown}), t0);
  Rtcp(kB, testing::Rtcp(rtcp::Fir{kBOwn, Ssrc(0), {{Ssrc(0x5555), 1}}}), t0);
  EXPECT_TRUE(sink.rtcp.empty());
  EXPECT_EQ(router.stats().keyframe_requests_unknown_ssrc, 3u);
  // Nor did they use up the throttle.
  Rtcp(kB, testing::Rtcp(rtcp::Pli{kBOwn, kBDown}), t0);
  EXPECT_EQ(sink.rtcp.size(), 1u);
}

TEST_F(RouterRtcpTest, NacksAreCounted) {
  const uint16_t lost[] = {10, 11, 20};
  Rtcp(kB, testing::Rtcp(rtcp::Nack::FromSequenceNumbers(kBOwn, kBDown, lost)), t0);
  Rtcp(kB, testing::Rtcp(rtcp::Nack::FromSequenceNumbers(kBOwn, kCDown, lost)), t0);
  EXPECT_TRUE(sink.rtcp.empty());
  EXPECT_EQ(router.stats().nacks_received, 1u);
  EXPECT_EQ(router.stats().nacks_unknown_ssrc, 1u);
}

TEST_F(RouterRtcpTest, SenderReportIsRewrittenForEachSubscriber) {
  rtcp::SenderReport sr;
  sr.sender = kAVideo;
  sr.ntp_timestamp = 0xe1234567'89abcdefULL;
  sr.rtp_timestamp = 123456;
  sr.packet_count = 77;
  sr.octet_count = 7777;
  sr.report_blocks.push_back(rtcp::ReportBlock{Ssrc(0xA1), 5, 3, 1000, 20, 0, 0});
  std::vector<uint8_t> compound = testing::Rtcp(sr);
  Rtcp(kA, compound, t0);
  ASSERT_EQ(sink.rtcp.size(), 2u);
  for (auto [to, down] : {std::pair{kB, kBDown}, std::pair{kC, kCDown}}) {
    auto sent = sink.RtcpTo(to);
    ASSERT_EQ(sent.size(), 1u);
    auto parsed = rtcp::ParseCompound(sent[0].bytes);
    ASSERT_TRUE(parsed.ok());
    ASSERT_EQ(parsed->size(), 1u);
    const auto* out = std::get_if<rtcp::SenderReport>(&(*parsed)[0]);
    ASSERT_NE(out, nullptr);
    EXPECT_EQ(out->sender, down);
    EXPECT_EQ(out->ntp_timestamp, sr.ntp_timestamp);
    EXPECT_EQ(out->rtp_timestamp, sr.rtp_timestamp);
    EXPECT_EQ(out->packet_count, sr.packet_count);
    EXPECT_EQ(out->octet_count, sr.octet_count);
    EXPECT_TRUE(out->report_blocks.empty());  // A's reception is not theirs
    EXPECT_LE(sent[0].bytes.size(), compound.size());
  }
  EXPECT_EQ(router.stats().sender_reports_forwarded, 2u);
}

TEST_F(RouterRtcpTest, SenderReportsPackedIntoOneDatagramAreNotAmplified) {
  std::vector<uint8_t> compound;
  for (uint32_t i = 0; i < 40; ++i) {
    rtcp::SenderReport sr;
    sr.sender = kAVideo;
    sr.ntp_timestamp = 1000 + i;
    sr.SerializeTo(compound);
  }
  Rtcp(kA, compound, t0);
  EXPECT_EQ(sink.rtcp.size(), 2u);  // the first SR, once per subscriber
  EXPECT_EQ(router.stats().sender_reports_received, 40u);
  EXPECT_EQ(router.stats().sender_reports_throttled, 39u);
  // 100 ms later the next one goes out again.
  rtcp::SenderReport sr;
  sr.sender = kAVideo;
  Rtcp(kA, testing::Rtcp(sr), t0 + TimeDelta::Millis(99));
  EXPECT_EQ(sink.rtcp.size(), 2u);
  Rtcp(kA, testing::Rtcp(sr), t0 + TimeDelta::Millis(100));
  EXPECT_EQ(sink.rtcp.size(), 4u);
}

TEST_F(RouterRtcpTest, SenderReportForAnotherParticipantsSsrcIsDropped) {
  rtcp::SenderReport sr;
  sr.sender = kAVideo;  // B claims A's stream
  Rtcp(kB, testing::Rtcp(sr), t0);
  EXPECT_TRUE(sink.rtcp.empty());
  EXPECT_EQ(router.stats().sender_reports_unknown_ssrc, 1u);
}

TEST_F(RouterRtcpTest, MalformedRtcpIsCountedAndDropped) {
  auto pli = testing::Rtcp(rtcp::Pli{kBOwn, kBDown});
  std::vector<std::vector<uint8_t>> bad = {{}, {0x81, 0xce}, std::vector<uint8_t>(pli.begin(), pli.end() - 4)};
  auto version = pli;
  version[0] = 0x41;
  bad.push_back(version);
  auto trailing = pli;  // a good PLI followed by a broken one: whole compound refused
  trailing.insert(trailing.end(), {0x81, 0xce, 0x00, 0x09});
  bad.push_back(trailing);
  for (const auto& bytes : bad) Rtcp(kB, bytes, t0);
  EXPECT_TRUE(sink.rtcp.empty());
  EXPECT_EQ(router.stats().rtcp_dropped_malformed, bad.size());
  EXPECT_EQ(router.stats().keyframe_requests_received, 0u);
  Rtcp(ParticipantId(99), pli, t0);
  EXPECT_EQ(router.stats().rtcp_dropped_unknown_participant, 1u);
}

// RFC 3550 A.8 in floating point, as an independent reference.
double ReferenceJitter(const std::vector<std::pair<int64_t, uint32_t>>& arrivals_ms_and_ts) {
  double j = 0;
  for (size_t i = 1; i < arrivals_ms_and_ts.size(); ++i) {
    const double transit_prev = double(arrivals_ms_and_ts[i - 1].first) * 90 - arrivals_ms_and_ts[i - 1].second;
    const double transit = double(arrivals_ms_and_ts[i].first) * 90 - arrivals_ms_and_ts[i].second;
    j += (std::abs(transit - transit_prev) - j) / 16;
  }
  return j;
}

TEST_F(RouterRtcpTest, ReceiverReportCarriesLossAndJitterOfAKnownArrivalPattern) {
  EXPECT_FALSE(router.NextTimeout().has_value());  // nothing received yet
  // Seq 100..109 at 30 fps (3000 ticks, sent every 33.33 ms) arriving every
  // 33 ms; seq 105 lost; seq 103 arrives 10 ms late.
  std::vector<std::pair<int64_t, uint32_t>> pattern;
  for (uint16_t i = 0; i < 10; ++i) {
    if (i == 5) continue;
    const int64_t arrival_ms = t0.ms() + 33 * i + (i == 3 ? 10 : 0);
    const uint32_t ts = 3000u * i;
    pattern.push_back({arrival_ms, ts});
    router.OnRtp(kA, MakeRtp(kAVideo, 96, static_cast<uint16_t>(100 + i), ts, 200, random),
                 Timestamp::Millis(arrival_ms), sink);
  }
  // An SR from A 200 ms before the report: LSR/DLSR refer to it.
  rtcp::SenderReport sr;
  sr.sender = kAVideo;
  sr.ntp_timestamp = 0x11223344'55667788ULL;
  Rtcp(kA, testing::Rtcp(sr), t0 + TimeDelta::Millis(800));
  sink.Clear();

  ASSERT_EQ(router.NextTimeout(), t0 + TimeDelta::Seconds(1));
  router.OnTimer(t0 + TimeDelta::Millis(999), sink);
  EXPECT_TRUE(sink.rtcp.empty());
  router.OnTimer(t0 + TimeDelta::Seconds(1), sink);
  ASSERT_EQ(sink.rtcp.size(), 1u);
  EXPECT_EQ(sink.rtcp[0].to, kA);
  auto parsed = rtcp::ParseCompound(sink.rtcp[0].bytes);
  ASSERT_TRUE(parsed.ok());
  ASSERT_EQ(parsed->size(), 1u);
  const auto* rr = std::get_if<rtcp::ReceiverReport>(&(*parsed)[0]);
  ASSERT_NE(rr, nullptr);
  EXPECT_EQ(rr->sender, kAFeedback);
  ASSERT_EQ(rr->report_blocks.size(), 1u);
  const rtcp::ReportBlock& b = rr->report_blocks[0];
  EXPECT_EQ(b.source, kAVideo);
  EXPECT_EQ(b.extended_highest_sequence, 109u);
  EXPECT_EQ(b.cumulative_lost, 1);
  EXPECT_EQ(b.fraction_lost, 256 / 10);  // 1 of 10 expected
  const double reference = ReferenceJitter(pattern);
  EXPECT_GT(reference, 50.0);  // the pattern really has jitter
  EXPECT_NEAR(double(b.jitter), reference, 1.0);
  EXPECT_EQ(b.last_sr, 0x33445566u);
  EXPECT_EQ(b.delay_since_last_sr, 65536u / 5);  // 200 ms
  EXPECT_EQ(router.stats().receiver_reports_sent, 1u);

  // Next interval: seq 110..119 all arrive, so nothing lost in it.
  for (uint16_t i = 10; i < 20; ++i) {
    router.OnRtp(kA, MakeRtp(kAVideo, 96, static_cast<uint16_t>(100 + i), 3000u * i, 200, random),
                 t0 + TimeDelta::Millis(33 * i), sink);
  }
  ASSERT_EQ(router.NextTimeout(), t0 + TimeDelta::Seconds(2));
  sink.Clear();
  router.OnTimer(t0 + TimeDelta::Seconds(2), sink);
  ASSERT_EQ(sink.rtcp.size(), 1u);
  auto second = rtcp::ParseCompound(sink.rtcp[0].bytes);
  ASSERT_TRUE(second.ok());
  const auto& b2 = std::get<rtcp::ReceiverReport>((*second)[0]).report_blocks.at(0);
  EXPECT_EQ(b2.extended_highest_sequence, 119u);
  EXPECT_EQ(b2.cumulative_lost, 1);
  EXPECT_EQ(b2.fraction_lost, 0);

  // Quiet from then on: one more due time finds nothing heard, sends
  // nothing and stops the timer until media comes back.
  sink.Clear();
  router.OnTimer(t0 + TimeDelta::Seconds(3), sink);
  EXPECT_TRUE(sink.rtcp.empty());
  EXPECT_FALSE(router.NextTimeout().has_value());
  router.OnRtp(kA, MakeRtp(kAVideo, 96, 120, 3000u * 20, 200, random), t0 + TimeDelta::Seconds(5), sink);
  EXPECT_EQ(router.NextTimeout(), t0 + TimeDelta::Seconds(6));
  EXPECT_EQ(router.stats().receiver_reports_sent, 2u);
}

TEST_F(RouterRtcpTest, NoReceiverReportForAParticipantThatSentNoMedia) {
  router.OnTimer(t0 + TimeDelta::Seconds(10), sink);
  EXPECT_TRUE(sink.rtcp.empty());
  // Dropped packets (wrong PT) do not count as media either.
  router.OnRtp(kA, MakeRtp(kAVideo, 97, 1, 1, 10, random), t0, sink);
  EXPECT_FALSE(router.NextTimeout().has_value());
}


// Congestion: subscribers' receiver reports about A's video move the rate A
// is asked for (REMB), the lowest any of them can take.
class RouterCongestionTest : public RouterRtcpTest {
 protected:
  // One second of A's video at about `kbps`, forwarded to B and C.
  void SendSecond(int kbps) {
    const int packets = 50;
    const size_t payload = static_cast<size_t>(kbps) * 1000 / 8 / packets;
    for (int i = 0; i < packets; ++i) {
      router.OnRtp(kA, MakeRtp(kAVideo, 96, seq_++, ts_ += 1800, payload, random), now_, sink);
    }
    now_ += TimeDelta::Seconds(1);
  }
  void Report(ParticipantId from, Ssrc own, Ssrc down, double loss) {
    rtcp::ReceiverReport rr;
    rr.sender = own;
    rtcp::ReportBlock block;
    block.source = down;
    block.fraction_lost = static_cast<uint8_t>(loss * 256);
    rr.report_blocks = {block};
    Rtcp(from, testing::Rtcp(rr), now_);
  }
  // The REMBs A got, in order.
  std::vector<rtcp::Remb> Rembs() const { return testing::RembsTo(sink, kA); }

  Timestamp now_ = Timestamp::Millis(100'000);
  uint16_t seq_ = 1;
  uint32_t ts_ = 0;
};

TEST_F(RouterCongestionTest, ALossySubscriberLowersWhatThePublisherIsAskedAndALosslessOneDoesNot) {
  Report(kB, kBOwn, kBDown, 0);
  Report(kC, kCOwn, kCDown, 0);
  SendSecond(600);
  Report(kB, kBOwn, kBDown, 0);
  Report(kC, kCOwn, kCDown, 0);
  EXPECT_TRUE(Rembs().empty());  // nobody limited: A is asked nothing

  SendSecond(600);
  Report(kC, kCOwn, kCDown, 0);
  Report(kB, kBOwn, kBDown, 0.4);  // B's path drops 40 %
  auto rembs = Rembs();
  ASSERT_EQ(rembs.size(), 1u);
  EXPECT_EQ(rembs[0].sender, kAFeedback);
  EXPECT_EQ(rembs[0].ssrcs, std::vector<Ssrc>{kAVideo});
  // About 80 % of what B was sent (600 kbit/s of payload, plus headers).
  EXPECT_GT(rembs[0].bitrate_bps, 450'000u);
  EXPECT_LT(rembs[0].bitrate_bps, 540'000u);
  EXPECT_EQ(router.stats().rembs_sent, 1u);

  // B's loss gone: the limit grows 8 % per report; C never limits anything.
  const uint64_t first = rembs[0].bitrate_bps;
  SendSecond(480);
  Report(kB, kBOwn, kBDown, 0);
  Report(kC, kCOwn, kCDown, 0);
  rembs = Rembs();
  ASSERT_EQ(rembs.size(), 2u);  // B's report moved it; C's, within the second, did not
  EXPECT_NEAR(static_cast<double>(rembs[1].bitrate_bps), static_cast<double>(first) * 1.08, 2'000);
  // A second later an unchanged limit is said again.
  SendSecond(480);
  Report(kC, kCOwn, kCDown, 0);
  ASSERT_EQ(Rembs().size(), 3u);
  EXPECT_EQ(Rembs()[2].bitrate_bps, rembs[1].bitrate_bps);

  // B leaves the track: nobody limits A any more, which it is told once.
  ASSERT_TRUE(router.RemoveSubscription(kB, a_video).ok());
  SendSecond(500);
  Report(kC, kCOwn, kCDown, 0);
  rembs = Rembs();
  ASSERT_EQ(rembs.size(), 4u);
  EXPECT_GE(rembs[3].bitrate_bps, 20'000'000u);  // far above any encoder: A's own estimate decides
  SendSecond(500);
  Report(kC, kCOwn, kCDown, 0);
  EXPECT_EQ(Rembs().size(), 4u);
}

TEST_F(RouterCongestionTest, ReportsForAudioOrUnknownSsrcsLimitNothing) {
  Report(kB, kBOwn, Ssrc(0x12345678), 0.9);
  SendSecond(600);
  Report(kB, kBOwn, Ssrc(0x12345678), 0.9);
  EXPECT_TRUE(Rembs().empty());
}

}  // namespace
}  // namespace aegis::sfu
