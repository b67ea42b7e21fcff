// Transport-wide congestion control through the router in simulated time:
// what a subscriber that negotiated it receives is numbered (media and RTX
// in one sequence), and its transport feedback, showing a queue behind a
// slow link, limits what the publisher is asked for (REMB).
#include <gtest/gtest.h>

#include <algorithm>

#include "base/random.h"
#include "rtcp/compound.h"
#include "rtp/rtp_header.h"
#include "rtp/rtx.h"
#include "rtp/transport_sequence.h"
#include "sfu/rtx_room_fixture.h"

namespace aegis::sfu {
namespace {

constexpr uint8_t kId = 3;  // B's transport-wide sequence number

class RouterTransportCcTest : public RtxRoomTest {
 protected:
  void SetUp() override {
    RtxRoomTest::SetUp();
    ASSERT_TRUE(router.SetTransportFeedback(kB, kId).ok());
  }

  void PublishAt(uint16_t seq, size_t payload, Timestamp at) {
    router.OnRtp(kA, MakeRtp(kAVideo, kVp8, seq, 9000u + seq, payload, random), at, sink);
  }
};

TEST_F(RouterTransportCcTest, WhatTheSubscriberGetsIsNumberedInOneSequenceWithItsRetransmissions) {
  for (uint16_t seq = 10; seq < 15; ++seq) PublishAt(seq, 300, t0);
  const auto to_b = sink.RtpTo(kB);
  ASSERT_EQ(to_b.size(), 5u);
  for (size_t i = 0; i < to_b.size(); ++i) {
    auto view = rtp::RtpPacketView::Parse(to_b[i].bytes);
    ASSERT_TRUE(view);
    EXPECT_EQ(rtp::ReadTransportSequence(*view, kId), i);
    EXPECT_FALSE(view->FindExtension(1)) << "the publisher's element reached B";
    EXPECT_EQ(view->payload_size(), 300u);
  }
  // C negotiated nothing: its copies are the publisher's bytes, element and all.
  for (const auto& sent : sink.RtpTo(kC)) {
    auto view = rtp::RtpPacketView::Parse(sent.bytes);
    ASSERT_TRUE(view);
    EXPECT_TRUE(view->FindExtension(1));
    EXPECT_FALSE(rtp::ReadTransportSequence(*view, kId));
  }
  sink.Clear();
  router.OnRtcp(kB, testing::Rtcp(rtcp::Nack::FromSequenceNumbers(kBOwn, kBDown, std::vector<uint16_t>{12})),
                t0 + TimeDelta::Millis(20), sink);
  const auto rtx = sink.RtpTo(kB);
  ASSERT_EQ(rtx.size(), 1u);
  auto view = rtp::RtpPacketView::Parse(rtx[0].bytes);
  ASSERT_TRUE(view);
  EXPECT_EQ(view->ssrc(), kBRtx);
  EXPECT_EQ(rtp::ReadTransportSequence(*view, kId), 5);  // the next number of the connection
  // Unwrapped, it is the packet B lost: same header and payload (its own
  // transport number aside).
  std::vector<uint8_t> original(view->size());
  original.resize(rtp::RecoverFromRtx(*view, kBDown, kDownVp8, original));
  auto recovered = rtp::RtpPacketView::Parse(original);
  auto lost = rtp::RtpPacketView::Parse(to_b[2].bytes);
  ASSERT_TRUE(recovered && lost);
  EXPECT_EQ(recovered->sequence_number(), lost->sequence_number());
  EXPECT_EQ(recovered->ssrc(), lost->ssrc());
  EXPECT_EQ(recovered->payload_type(), lost->payload_type());
  EXPECT_TRUE(std::ranges::equal(recovered->payload(), lost->payload()));
}

// B sits behind a 400 kbit/s link while A sends ~1 Mbit/s: B's feedback
// shows its queue growing, and A is asked for B's share of what gets
// through. C, with no transport feedback, changes nothing; feedback from it
// is dropped and counted.
TEST_F(RouterTransportCcTest, AQueueBehindTheSubscribersLinkLimitsThePublisher) {
  constexpr size_t kPayload = 1000;
  constexpr int64_t kLinkBps = 400'000;
  Timestamp now = Timestamp::Millis(10'000);
  int64_t link_free_us = 0;
  uint16_t seq = 1;
  std::vector<std::pair<uint16_t, int64_t>> arrivals;  // (transport sequence, arrival µs) since the last feedback
  uint8_t feedback_count = 0;
  for (int ms = 0; ms < 3000; ms += 8) {
    now = Timestamp::Millis(10'000 + ms);
    const size_t before = sink.RtpTo(kB).size();
    PublishAt(seq++, kPayload, now);
    auto to_b = sink.RtpTo(kB);
    ASSERT_EQ(to_b.size(), before + 1);
    auto view = rtp::RtpPacketView::Parse(to_b.back().bytes);
    const auto number = rtp::ReadTransportSequence(*view, kId);
    ASSERT_TRUE(number);
    link_free_us = std::max(link_free_us, now.us() + 10'000) +
                   static_cast<int64_t>(to_b.back().bytes.size()) * 8 * 1'000'000 / kLinkBps;
    arrivals.emplace_back(*number, link_free_us);
    if (arrivals.size() == 12) {  // about every 100 ms, as a browser reports
      // Only what has arrived by now is reported; the rest waits for the next.
      std::vector<rtcp::TransportFeedback::PacketStatus> statuses;
      const int32_t reference = static_cast<int32_t>(arrivals.front().second / 64'000);
      int64_t previous = static_cast<int64_t>(reference) * 64'000;
      for (const auto& [numbered, arrived] : arrivals) {
        const int64_t ticks = (arrived - previous) / 250;
        previous += ticks * 250;
        statuses.push_back({numbered, true, static_cast<int16_t>(ticks)});
      }
      auto feedback = rtcp::TransportFeedback::FromPackets(kBOwn, kBDown, reference & 0xffffff, feedback_count++,
                                                           statuses);
      ASSERT_TRUE(feedback);
      router.OnRtcp(kB, testing::Rtcp(*feedback), now, sink);
      arrivals.clear();
    }
  }
  EXPECT_GT(router.stats().transport_feedback_received, 20u);
  EXPECT_EQ(router.stats().transport_feedback_unknown_packets, 0u);
  auto rembs = testing::RembsTo(sink, kA);
  ASSERT_FALSE(rembs.empty()) << "A was never asked for less";
  EXPECT_EQ(rembs.back().ssrcs, std::vector<Ssrc>{kAVideo});
  // B's one video track gets all of 85 % of what its link carried.
  EXPECT_LE(rembs.back().bitrate_bps, 400'000u);
  EXPECT_GE(rembs.back().bitrate_bps, 250'000u);

  // Feedback from C, which negotiated none.
  auto stray = rtcp::TransportFeedback::FromPackets(kCOwn, kCDown, 0, 0,
                                                    std::vector<rtcp::TransportFeedback::PacketStatus>{{0, true, 4}});
  router.OnRtcp(kC, testing::Rtcp(*stray), now, sink);
  EXPECT_EQ(router.stats().transport_feedback_unexpected, 1u);
}

TEST_F(RouterTransportCcTest, FeedbackStopsWhenTheSubscriberRenegotiatesWithoutIt) {
  ASSERT_TRUE(router.SetTransportFeedback(kB, std::nullopt).ok());
  PublishAt(1, 100, t0);
  const auto to_b = sink.RtpTo(kB);
  ASSERT_EQ(to_b.size(), 1u);
  auto view = rtp::RtpPacketView::Parse(to_b[0].bytes);
  ASSERT_TRUE(view);
  EXPECT_FALSE(rtp::ReadTransportSequence(*view, kId));
  EXPECT_TRUE(view->FindExtension(1));
  EXPECT_EQ(router.SetTransportFeedback(ParticipantId(99), kId).error(), SfuError::kNoSuchParticipant);
}

// The other way: A numbers what it sends, and the router reports arrivals
// to A every 100 ms, at the deadline it announces.
TEST_F(RouterTransportCcTest, APublishersNumberedPacketsAreReportedBackToIt) {
  ASSERT_TRUE(router.SetUpstreamTransportFeedback(kA, kId).ok());
  const Timestamp start = Timestamp::Millis(20'000);
  uint16_t rtp_sequence = 100;
  for (uint16_t i = 0; i < 5; ++i) {
    // Transport number 3 lost on A's uplink (a packet of another stream: no
    // hole in this one's RTP numbers, so no NACK moves the deadline).
    if (i == 3) continue;
    rtp::RtpHeader h;
    h.payload_type = kVp8;
    h.sequence_number = rtp_sequence++;
    h.timestamp = 1000;
    h.ssrc = kAVideo;
    h.extensions = {{kId, {0x12, static_cast<uint8_t>(0x30 + i)}}};  // transport numbers 0x1230..
    std::vector<uint8_t> payload(50, 0xab), packet;
    ASSERT_TRUE(h.SerializeTo(payload, 0, packet));
    router.OnRtp(kA, packet, start + TimeDelta::Millis(2 * i), sink);
  }
  ASSERT_EQ(router.NextTimeout(), start + UpstreamFeedback::kInterval);
  router.OnTimer(start + TimeDelta::Millis(99), sink);
  std::vector<rtcp::TransportFeedback> reports;
  auto collect = [&] {
    reports.clear();
    for (const auto& sent : sink.RtcpTo(kA)) {
      auto packets = rtcp::ParseCompound(sent.bytes);
      ASSERT_TRUE(packets.ok());
      for (const auto& p : *packets) {
        if (const auto* f = std::get_if<rtcp::TransportFeedback>(&p)) reports.push_back(*f);
      }
    }
  };
  collect();
  EXPECT_TRUE(reports.empty());  // not due yet
  router.OnTimer(start + UpstreamFeedback::kInterval, sink);
  collect();
  ASSERT_EQ(reports.size(), 1u);
  EXPECT_EQ(reports[0].sender, kAFeedback);
  EXPECT_EQ(reports[0].base_sequence, 0x1230);
  EXPECT_EQ(reports[0].status_count, 5);
  ASSERT_EQ(reports[0].received.size(), 4u);
  EXPECT_EQ(reports[0].received[3].sequence_number, 0x1234);
  EXPECT_EQ(router.stats().transport_feedback_sent, 1u);
  // Nothing more arrived: nothing more is due or sent.
  EXPECT_NE(router.NextTimeout(), start + UpstreamFeedback::kInterval);
  ASSERT_TRUE(router.SetUpstreamTransportFeedback(kA, std::nullopt).ok());
  EXPECT_EQ(router.SetUpstreamTransportFeedback(ParticipantId(99), kId).error(), SfuError::kNoSuchParticipant);
}

}  // namespace
}  // namespace aegis::sfu
