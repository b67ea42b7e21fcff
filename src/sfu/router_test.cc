// RTP forwarding through the router in simulated time: byte-exact rewriting
// and every security rule with its drop counter.
#include "sfu/router.h"

#include <gtest/gtest.h>

#include "base/random.h"
#include "rtp/rtp_packet.h"
#include "sfu/test_util.h"

namespace aegis::sfu {
namespace {

using testing::MakeRtp;
using testing::RecordingSink;

const RoomId kRoom(1);
const RoomId kOtherRoom(2);
const ParticipantId kA(10), kB(11), kC(12), kD(20);
const Ssrc kAVideo(0x1111), kAAudio(0x2222), kBVideo(0x3333);
const Ssrc kBDown(0xB0000001), kCDown(0xC0000001);

TrackConfig Video(Ssrc ssrc) {
  return TrackConfig{MediaKind::kVideo, "1", {ssrc}, {96, 97}, 90000};
}
TrackConfig Audio(Ssrc ssrc) {
  return TrackConfig{MediaKind::kAudio, "0", {ssrc}, {111}, 48000};
}

class RouterTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(router.CreateRoom(kRoom).ok());
    ASSERT_TRUE(router.CreateRoom(kOtherRoom).ok());
    for (ParticipantId p : {kA, kB, kC}) ASSERT_TRUE(router.AddParticipant(kRoom, p).ok());
    ASSERT_TRUE(router.AddParticipant(kOtherRoom, kD).ok());
    auto video = router.PublishTrack(kA, Video(kAVideo));
    ASSERT_TRUE(video.ok());
    a_video = *video;
    // B gets VP8 96 as 100 and 97 as 101; C keeps the numbers.
    const PayloadTypeMapping b_map[] = {{96, 100}, {97, 101}};
    const PayloadTypeMapping c_map[] = {{96, 96}, {97, 97}};
    ASSERT_TRUE(router.AddSubscription(kB, a_video, kBDown, b_map).ok());
    ASSERT_TRUE(router.AddSubscription(kC, a_video, kCDown, c_map).ok());
  }

  void Send(ParticipantId from, const std::vector<uint8_t>& packet) { router.OnRtp(from, packet, now, sink); }

  Router router;
  RecordingSink sink;
  SeededRandom random{42};
  Timestamp now = Timestamp::Millis(5000);
  TrackId a_video;
};

// Only byte 1's low 7 bits (PT) and bytes 8–11 (SSRC) may differ.
void ExpectOnlySsrcAndPtDiffer(const std::vector<uint8_t>& in, const std::vector<uint8_t>& out, Ssrc ssrc,
                               uint8_t pt) {
  ASSERT_EQ(in.size(), out.size());
  auto expected = in;
  rtp::RewriteSsrc(expected, ssrc);
  rtp::RewritePayloadType(expected, pt);
  EXPECT_EQ(out, expected);
  auto view_in = rtp::RtpPacketView::Parse(in);
  auto view_out = rtp::RtpPacketView::Parse(out);
  ASSERT_TRUE(view_in && view_out);
  EXPECT_EQ(view_out->ssrc(), ssrc);
  EXPECT_EQ(view_out->payload_type(), pt);
  EXPECT_EQ(view_out->marker(), view_in->marker());
  EXPECT_EQ(view_out->sequence_number(), view_in->sequence_number());
  EXPECT_EQ(view_out->timestamp(), view_in->timestamp());
  EXPECT_EQ(view_out->csrc(0), view_in->csrc(0));
  EXPECT_TRUE(std::equal(view_in->payload().begin(), view_in->payload().end(), view_out->payload().begin(),
                         view_out->payload().end()));
}

TEST_F(RouterTest, ForwardsEachPacketToEverySubscriberRewritingOnlySsrcAndPayloadType) {
  for (uint16_t i = 0; i < 50; ++i) {
    sink.Clear();
    const uint8_t pt = i % 3 == 0 ? 97 : 96;
    const auto packet = MakeRtp(kAVideo, pt, static_cast<uint16_t>(65530 + i), 1000u * i, 1 + (i * 37) % 1100, random,
                                i % 5 == 0, i % 7 == 0 ? 4 : 0);
    ASSERT_FALSE(packet.empty());
    Send(kA, packet);
    ASSERT_EQ(sink.rtp.size(), 2u);
    ASSERT_TRUE(sink.rtcp.empty());
    auto to_b = sink.RtpTo(kB);
    auto to_c = sink.RtpTo(kC);
    ASSERT_EQ(to_b.size(), 1u);
    ASSERT_EQ(to_c.size(), 1u);
    ExpectOnlySsrcAndPtDiffer(packet, to_b[0].bytes, kBDown, pt == 96 ? 100 : 101);
    ExpectOnlySsrcAndPtDiffer(packet, to_c[0].bytes, kCDown, pt);
  }
  EXPECT_EQ(router.stats().rtp_received, 50u);
  EXPECT_EQ(router.stats().rtp_accepted, 50u);
  EXPECT_EQ(router.stats().rtp_forwarded, 100u);
}

// A downstream SSRC given to a new track after its old one ended (a WHEP
// viewer's refilled section) continues the old stream's numbers: a jump
// back would be dropped by the subscriber's SRTP replay window.
TEST_F(RouterTest, AReusedDownstreamSsrcContinuesTheEndedStreamsNumbers) {
  for (uint16_t i = 0; i < 3; ++i) Send(kA, MakeRtp(kAVideo, 96, static_cast<uint16_t>(40000 + i), 9000u + 3000u * i, 100, random));
  const auto first_stream = sink.RtpTo(kB);
  ASSERT_EQ(first_stream.size(), 3u);
  auto last = rtp::RtpPacketView::Parse(first_stream.back().bytes);
  ASSERT_TRUE(last);
  const uint16_t last_seq = last->sequence_number();
  const uint32_t last_ts = last->timestamp();
  ASSERT_TRUE(router.UnpublishTrack(a_video).ok());
  // B's next track on the same SSRC starts far behind: seq 10, timestamp 500.
  auto b_video = router.PublishTrack(kC, Video(kBVideo));
  ASSERT_TRUE(b_video.ok());
  const PayloadTypeMapping map[] = {{96, 100}};
  ASSERT_TRUE(router.AddSubscription(kB, *b_video, kBDown, map).ok());
  sink.Clear();
  for (uint16_t i = 0; i < 3; ++i) Send(kC, MakeRtp(kBVideo, 96, static_cast<uint16_t>(10 + i), 500u + 3000u * i, 100, random));
  auto got = sink.RtpTo(kB);
  ASSERT_EQ(got.size(), 3u);
  for (uint16_t i = 0; i < 3; ++i) {
    auto view = rtp::RtpPacketView::Parse(got[i].bytes);
    ASSERT_TRUE(view);
    EXPECT_EQ(view->ssrc(), kBDown);
    EXPECT_EQ(view->sequence_number(), static_cast<uint16_t>(last_seq + 1 + i));
    EXPECT_EQ(view->timestamp(), last_ts + 3000u + 3000u * i);
  }
  // A fresh SSRC keeps the publisher's own numbers.
  const Ssrc fresh(0xB0000002);
  auto a_audio = router.PublishTrack(kA, Audio(kAAudio));
  ASSERT_TRUE(a_audio.ok());
  const PayloadTypeMapping audio_map[] = {{111, 111}};
  ASSERT_TRUE(router.AddSubscription(kB, *a_audio, fresh, audio_map).ok());
  sink.Clear();
  Send(kA, MakeRtp(kAAudio, 111, 777, 4242, 50, random));
  const auto audio_stream = sink.RtpTo(kB);
  ASSERT_EQ(audio_stream.size(), 1u);
  auto audio = rtp::RtpPacketView::Parse(audio_stream[0].bytes);
  ASSERT_TRUE(audio);
  EXPECT_EQ(audio->sequence_number(), 777);
  EXPECT_EQ(audio->timestamp(), 4242u);
}

// Three participants each publish video and receive the other two.
TEST(RouterMeshTest, ThreeParticipantsEachReceiveExactlyTheOtherTwo) {
  Router router;
  RecordingSink sink;
  SeededRandom random(3);
  ASSERT_TRUE(router.CreateRoom(kRoom).ok());
  const ParticipantId who[] = {kA, kB, kC};
  TrackId tracks[3];
  for (uint32_t i = 0; i < 3; ++i) {
    ASSERT_TRUE(router.AddParticipant(kRoom, who[i]).ok());
    auto t = router.PublishTrack(who[i], Video(Ssrc(0x100 + i)));
    ASSERT_TRUE(t.ok());
    tracks[i] = *t;
  }
  // Downstream SSRC 0xS0P: subscriber S, publisher P; PT 96 → 100 + P.
  for (uint32_t s = 0; s < 3; ++s) {
    for (uint32_t p = 0; p < 3; ++p) {
      if (s == p) continue;
      const PayloadTypeMapping map[] = {{96, static_cast<uint8_t>(100 + p)}};
      ASSERT_TRUE(router.AddSubscription(who[s], tracks[p], Ssrc(0x1000 * (s + 1) + p), map).ok());
    }
  }
  std::vector<std::vector<uint8_t>> sent[3];
  for (uint16_t n = 0; n < 20; ++n) {
    for (uint32_t p = 0; p < 3; ++p) {
      sent[p].push_back(MakeRtp(Ssrc(0x100 + p), 96, n, 90u * n, 50 + 13u * n, random));
      router.OnRtp(who[p], sent[p].back(), Timestamp::Millis(1000 + n), sink);
    }
  }
  ASSERT_EQ(sink.rtp.size(), 3u * 20u * 2u);
  for (uint32_t s = 0; s < 3; ++s) {
    const auto received = sink.RtpTo(who[s]);
    ASSERT_EQ(received.size(), 40u);
    size_t next[3] = {0, 0, 0};
    for (const auto& r : received) {
      const uint32_t ssrc = rtp::RtpPacketView::Parse(r.bytes)->ssrc().value();
      ASSERT_EQ(ssrc / 0x1000, s + 1);
      const uint32_t p = ssrc % 0x1000;
      ASSERT_LT(p, 3u);
      ASSERT_NE(p, s);  // never its own
      ExpectOnlySsrcAndPtDiffer(sent[p][next[p]++], r.bytes, Ssrc(ssrc), static_cast<uint8_t>(100 + p));
    }
  }
}

TEST_F(RouterTest, PublisherDoesNotReceiveItsOwnTrackUnlessAllowed) {
  const PayloadTypeMapping map[] = {{96, 96}};
  EXPECT_EQ(router.AddSubscription(kA, a_video, Ssrc(0xA0), map).error(), SfuError::kSelfSubscription);
  EXPECT_EQ(router.stats().subscriptions_refused_self, 1u);
  Send(kA, MakeRtp(kAVideo, 96, 1, 1, 10, random));
  EXPECT_TRUE(sink.RtpTo(kA).empty());

  ASSERT_TRUE(router.AddSubscription(kA, a_video, Ssrc(0xA0), map, SubscriptionOptions{.allow_self = true}).ok());
  Send(kA, MakeRtp(kAVideo, 96, 2, 1, 10, random));
  ASSERT_EQ(sink.RtpTo(kA).size(), 1u);
}

TEST_F(RouterTest, SsrcOfAnotherParticipantIsDroppedAsSpoofed) {
  // B claims A's SSRC: nothing goes anywhere.
  Send(kB, MakeRtp(kAVideo, 96, 1, 1, 100, random));
  EXPECT_TRUE(sink.rtp.empty());
  EXPECT_EQ(router.stats().rtp_dropped_spoofed_ssrc, 1u);
  EXPECT_EQ(router.stats().rtp_accepted, 0u);
  // Even after B publishes a track of its own.
  ASSERT_TRUE(router.PublishTrack(kB, Video(kBVideo)).ok());
  Send(kB, MakeRtp(kAVideo, 96, 2, 1, 100, random));
  EXPECT_TRUE(sink.rtp.empty());
  EXPECT_EQ(router.stats().rtp_dropped_spoofed_ssrc, 2u);
}

TEST_F(RouterTest, UnannouncedSsrcIsDropped) {
  Send(kA, MakeRtp(Ssrc(0x9999), 96, 1, 1, 100, random));
  Send(kB, MakeRtp(Ssrc(0x9999), 96, 1, 1, 100, random));
  EXPECT_TRUE(sink.rtp.empty());
  EXPECT_EQ(router.stats().rtp_dropped_unannounced_ssrc, 2u);
  // An SSRC of A's other (audio) track is A's own but not this track's PT.
  ASSERT_TRUE(router.PublishTrack(kA, Audio(kAAudio)).ok());
  Send(kA, MakeRtp(kAAudio, 96, 1, 1, 100, random));
  EXPECT_EQ(router.stats().rtp_dropped_payload_type, 1u);
  EXPECT_TRUE(sink.rtp.empty());
}

TEST_F(RouterTest, PayloadTypeNotNegotiatedForTheTrackIsDropped) {
  Send(kA, MakeRtp(kAVideo, 111, 1, 1, 100, random));
  Send(kA, MakeRtp(kAVideo, 0, 2, 1, 100, random));
  EXPECT_TRUE(sink.rtp.empty());
  EXPECT_EQ(router.stats().rtp_dropped_payload_type, 2u);
}

TEST_F(RouterTest, PayloadTypeWithoutMappingIsNotSentToThatSubscriber) {
  ASSERT_TRUE(router.AddParticipant(kRoom, ParticipantId(13)).ok());
  const PayloadTypeMapping only_96[] = {{96, 120}};
  ASSERT_TRUE(router.AddSubscription(ParticipantId(13), a_video, Ssrc(0xD), only_96).ok());
  Send(kA, MakeRtp(kAVideo, 97, 1, 1, 100, random));
  EXPECT_EQ(sink.rtp.size(), 2u);  // B and C only
  EXPECT_TRUE(sink.RtpTo(ParticipantId(13)).empty());
  EXPECT_EQ(router.stats().rtp_unmapped_payload_type, 1u);
}

TEST_F(RouterTest, CrossRoomSubscriptionIsRefusedAndNothingCrossesRooms) {
  const PayloadTypeMapping map[] = {{96, 96}};
  EXPECT_EQ(router.AddSubscription(kD, a_video, Ssrc(0xD), map).error(), SfuError::kCrossRoom);
  EXPECT_EQ(router.stats().subscriptions_refused_cross_room, 1u);
  auto d_track = router.PublishTrack(kD, Video(Ssrc(0x4444)));
  ASSERT_TRUE(d_track.ok());
  EXPECT_EQ(router.AddSubscription(kB, *d_track, Ssrc(0xD), map).error(), SfuError::kCrossRoom);
  // D sending A's SSRC from the other room is unannounced there.
  Send(kD, MakeRtp(kAVideo, 96, 1, 1, 100, random));
  Send(kA, MakeRtp(kAVideo, 96, 1, 1, 100, random));
  EXPECT_TRUE(sink.RtpTo(kD).empty());
  EXPECT_EQ(sink.rtp.size(), 2u);
  EXPECT_EQ(router.stats().rtp_dropped_unannounced_ssrc, 1u);
}

TEST_F(RouterTest, MalformedRtpIsCountedAndDropped) {
  auto good = MakeRtp(kAVideo, 96, 1, 1, 20, random);
  std::vector<std::vector<uint8_t>> bad = {
      {},
      std::vector<uint8_t>(good.begin(), good.begin() + 11),  // short fixed header
  };
  auto v1 = good;
  v1[0] = static_cast<uint8_t>((v1[0] & 0x3f) | 0x40);  // version 1
  bad.push_back(v1);
  auto csrcs = good;
  csrcs[0] = static_cast<uint8_t>(csrcs[0] | 0x0f);  // 15 CSRCs do not fit
  bad.push_back(std::vector<uint8_t>(csrcs.begin(), csrcs.begin() + 40));
  auto padding = good;
  padding[0] |= 0x20;
  padding.back() = 0xff;  // padding longer than the packet
  bad.push_back(padding);
  for (const auto& packet : bad) Send(kA, packet);
  EXPECT_TRUE(sink.rtp.empty());
  EXPECT_EQ(router.stats().rtp_dropped_malformed, bad.size());
  EXPECT_EQ(router.stats().rtp_accepted, 0u);
}

TEST_F(RouterTest, UnknownParticipantIsDropped) {
  Send(ParticipantId(99), MakeRtp(kAVideo, 96, 1, 1, 10, random));
  EXPECT_TRUE(sink.rtp.empty());
  EXPECT_EQ(router.stats().rtp_dropped_unknown_participant, 1u);
}

TEST_F(RouterTest, RemovingASubscriptionStopsForwardingAtOnce) {
  ASSERT_TRUE(router.RemoveSubscription(kB, a_video).ok());
  Send(kA, MakeRtp(kAVideo, 96, 1, 1, 10, random));
  EXPECT_TRUE(sink.RtpTo(kB).empty());
  EXPECT_EQ(sink.RtpTo(kC).size(), 1u);
  EXPECT_EQ(router.RemoveSubscription(kB, a_video).error(), SfuError::kNoSuchSubscription);
  // The downstream SSRC is free again.
  const PayloadTypeMapping map[] = {{96, 96}};
  EXPECT_TRUE(router.AddSubscription(kB, a_video, kBDown, map).ok());
}

TEST_F(RouterTest, RemovingThePublisherEndsItsTracksForSubscribers) {
  auto removed = router.RemoveParticipant(kA);
  ASSERT_TRUE(removed.ok());
  ASSERT_EQ(removed->size(), 2u);
  EXPECT_EQ((*removed)[0], (TrackEnded{kB, a_video, kA, kBDown}));
  EXPECT_EQ((*removed)[1], (TrackEnded{kC, a_video, kA, kCDown}));
  EXPECT_EQ(router.FindTrack(a_video), nullptr);
  Send(kA, MakeRtp(kAVideo, 96, 1, 1, 10, random));
  EXPECT_TRUE(sink.rtp.empty());
  EXPECT_EQ(router.stats().rtp_dropped_unknown_participant, 1u);
  EXPECT_EQ(router.RemoveParticipant(kA).error(), SfuError::kNoSuchParticipant);
  // The id can join again, its old SSRCs are free.
  ASSERT_TRUE(router.AddParticipant(kRoom, kA).ok());
  EXPECT_TRUE(router.PublishTrack(kA, Video(kAVideo)).ok());
}

TEST_F(RouterTest, RemovingASubscriberEndsItsSubscriptions) {
  auto removed = router.RemoveParticipant(kB);
  ASSERT_TRUE(removed.ok());
  EXPECT_TRUE(removed->empty());  // B published nothing
  Send(kA, MakeRtp(kAVideo, 96, 1, 1, 10, random));
  ASSERT_EQ(sink.rtp.size(), 1u);
  EXPECT_EQ(sink.rtp[0].to, kC);
  EXPECT_EQ(router.FindTrack(a_video)->subscriptions.size(), 1u);
}

TEST_F(RouterTest, UnpublishingEndsTheTrack) {
  auto ended = router.UnpublishTrack(a_video);
  ASSERT_TRUE(ended.ok());
  EXPECT_EQ(ended->size(), 2u);
  Send(kA, MakeRtp(kAVideo, 96, 1, 1, 10, random));
  EXPECT_TRUE(sink.rtp.empty());
  EXPECT_EQ(router.stats().rtp_dropped_unannounced_ssrc, 1u);
  EXPECT_EQ(router.UnpublishTrack(a_video).error(), SfuError::kNoSuchTrack);
}

TEST_F(RouterTest, ModelChangesAreValidated) {
  EXPECT_EQ(router.CreateRoom(kRoom).error(), SfuError::kRoomExists);
  EXPECT_EQ(router.AddParticipant(kOtherRoom, kA).error(), SfuError::kParticipantExists);
  EXPECT_EQ(router.AddParticipant(RoomId(77), ParticipantId(77)).error(), SfuError::kNoSuchRoom);
  EXPECT_EQ(router.RemoveRoom(kRoom).error(), SfuError::kRoomNotEmpty);
  EXPECT_EQ(router.PublishTrack(kA, Video(kAVideo)).error(), SfuError::kSsrcInUse);
  EXPECT_EQ(router.PublishTrack(kA, TrackConfig{MediaKind::kVideo, "2", {}, {96}, 90000}).error(),
            SfuError::kBadTrackConfig);
  EXPECT_EQ(router.PublishTrack(kA, TrackConfig{MediaKind::kVideo, "2", {Ssrc(5)}, {96}, 0}).error(),
            SfuError::kBadTrackConfig);
  EXPECT_EQ(router.PublishTrack(kA, TrackConfig{MediaKind::kVideo, "2", {Ssrc(5)}, {200}, 90000}).error(),
            SfuError::kBadTrackConfig);
  EXPECT_EQ(router.PublishTrack(kA, TrackConfig{MediaKind::kVideo, "2", {Ssrc(5), Ssrc(5)}, {96}, 90000}).error(),
            SfuError::kBadTrackConfig);
  const PayloadTypeMapping ok_map[] = {{96, 96}};
  const PayloadTypeMapping unnegotiated[] = {{111, 111}};
  const PayloadTypeMapping repeated[] = {{96, 96}, {96, 98}};
  const PayloadTypeMapping too_big[] = {{96, 128}};
  ASSERT_TRUE(router.AddParticipant(kRoom, ParticipantId(13)).ok());
  const ParticipantId e(13);
  EXPECT_EQ(router.AddSubscription(e, a_video, Ssrc(0x77), unnegotiated).error(), SfuError::kBadPayloadTypeMap);
  EXPECT_EQ(router.AddSubscription(e, a_video, Ssrc(0x77), repeated).error(), SfuError::kBadPayloadTypeMap);
  EXPECT_EQ(router.AddSubscription(e, a_video, Ssrc(0x77), too_big).error(), SfuError::kBadPayloadTypeMap);
  EXPECT_EQ(router.AddSubscription(e, a_video, Ssrc(0x77), {}).error(), SfuError::kBadPayloadTypeMap);
  EXPECT_EQ(router.AddSubscription(e, TrackId(999), Ssrc(1), ok_map).error(), SfuError::kNoSuchTrack);
  EXPECT_EQ(router.AddSubscription(ParticipantId(999), a_video, Ssrc(1), ok_map).error(),
            SfuError::kNoSuchParticipant);
  EXPECT_EQ(router.AddSubscription(kB, a_video, Ssrc(1), ok_map).error(), SfuError::kDuplicateSubscription);
  // Ssrc(1) is E's feedback SSRC (the default): media may not share it.
  EXPECT_EQ(router.AddSubscription(e, a_video, Ssrc(1), ok_map).error(), SfuError::kDownstreamSsrcInUse);
  auto audio = router.PublishTrack(kA, Audio(kAAudio));
  ASSERT_TRUE(audio.ok());
  const PayloadTypeMapping opus[] = {{111, 111}};
  EXPECT_EQ(router.AddSubscription(kB, *audio, kBDown, opus).error(), SfuError::kDownstreamSsrcInUse);
  EXPECT_TRUE(router.AddSubscription(kB, *audio, Ssrc(0xB0000002), opus).ok());
  // A refused change left nothing behind: E still receives nothing.
  Send(kA, MakeRtp(kAVideo, 96, 1, 1, 10, random));
  EXPECT_TRUE(sink.RtpTo(e).empty());
}

// A Sink that tries to change the model while the router is dispatching.
class ReentrantSink : public RecordingSink {
 public:
  ReentrantSink(Router& router, TrackId track) : router_(router), track_(track) {}
  void SendRtp(ParticipantId to, SinkTarget* target, std::span<const uint8_t> packet) override {
    RecordingSink::SendRtp(to, target, packet);
    auto r = router_.RemoveSubscription(to, track_);
    if (!r.ok()) errors.push_back(r.error());
  }
  std::vector<SfuError> errors;

 private:
  Router& router_;
  TrackId track_;
};

TEST_F(RouterTest, ModelChangesFromInsideTheSinkAreRefused) {
  ReentrantSink reentrant(router, a_video);
  router.OnRtp(kA, MakeRtp(kAVideo, 96, 1, 1, 10, random), now, reentrant);
  EXPECT_EQ(reentrant.rtp.size(), 2u);
  EXPECT_EQ(reentrant.errors, (std::vector<SfuError>{SfuError::kReentrant, SfuError::kReentrant}));
  EXPECT_EQ(router.FindTrack(a_video)->subscriptions.size(), 2u);
  // Outside a dispatch it works.
  EXPECT_TRUE(router.RemoveSubscription(kB, a_video).ok());
}

// A Sink that feeds a packet back into the router while it is dispatching.
class EchoingSink : public RecordingSink {
 public:
  EchoingSink(Router& router, std::vector<uint8_t> packet) : router_(router), packet_(std::move(packet)) {}
  void SendRtp(ParticipantId to, SinkTarget* target, std::span<const uint8_t> packet) override {
    RecordingSink::SendRtp(to, target, packet);
    router_.OnRtp(kA, packet_, Timestamp::Millis(1), *this);
    router_.OnRtcp(kB, packet_, Timestamp::Millis(1), *this);
    router_.OnTimer(Timestamp::Millis(1), *this);
  }

 private:
  Router& router_;
  std::vector<uint8_t> packet_;
};

TEST_F(RouterTest, PacketCallsFromInsideTheSinkAreIgnored) {
  const auto packet = MakeRtp(kAVideo, 96, 1, 1, 10, random);
  EchoingSink echoing(router, packet);
  router.OnRtp(kA, packet, now, echoing);
  EXPECT_EQ(echoing.rtp.size(), 2u);  // no recursion
  EXPECT_EQ(router.stats().reentrant_calls_refused, 6u);
  EXPECT_EQ(router.stats().rtp_accepted, 1u);
}

TEST_F(RouterTest, EmptyRoomCanBeRemoved) {
  ASSERT_TRUE(router.RemoveParticipant(kD).ok());
  EXPECT_TRUE(router.RemoveRoom(kOtherRoom).ok());
  EXPECT_EQ(router.RemoveRoom(kOtherRoom).error(), SfuError::kNoSuchRoom);
}

// The owner's record of each participant (ParticipantOptions::target)
// comes back with everything addressed to it, so the owner never needs a
// map of its own from router ids to its records: RTP and RTCP to a
// participant carry its target, a track names its publisher's, and an ended
// subscription names its subscriber's.
TEST(RouterTargets, ComeBackWithEveryPacketTrackAndEvent) {
  struct Record : SinkTarget {};
  struct TargetSink : RecordingSink {
    void SendRtp(ParticipantId to, SinkTarget* target, std::span<const uint8_t> packet) override {
      RecordingSink::SendRtp(to, target, packet);
      rtp_targets.emplace_back(to, target);
    }
    void SendRtcp(ParticipantId to, SinkTarget* target, std::span<const uint8_t> packet) override {
      RecordingSink::SendRtcp(to, target, packet);
      rtcp_targets.emplace_back(to, target);
    }
    std::vector<std::pair<ParticipantId, SinkTarget*>> rtp_targets, rtcp_targets;
  };
  Record a_record, b_record;
  Router router;
  ASSERT_TRUE(router.CreateRoom(kRoom).ok());
  ASSERT_TRUE(router.AddParticipant(kRoom, kA, {Ssrc(0xA1), &a_record}).ok());
  ASSERT_TRUE(router.AddParticipant(kRoom, kB, {Ssrc(0xB1), &b_record}).ok());
  auto video = router.PublishTrack(kA, Video(kAVideo));
  ASSERT_TRUE(video.ok());
  EXPECT_EQ(router.FindTrack(*video)->publisher_target, &a_record);
  const PayloadTypeMapping map[] = {{96, 96}, {97, 97}};
  ASSERT_TRUE(router.AddSubscription(kB, *video, kBDown, map).ok());
  TargetSink sink;
  SeededRandom random{7};
  router.OnRtp(kA, MakeRtp(kAVideo, 96, 1, 1, 10, random), Timestamp::Millis(1000), sink);
  ASSERT_EQ(sink.rtp_targets.size(), 1u);
  EXPECT_EQ(sink.rtp_targets[0], (std::pair<ParticipantId, SinkTarget*>{kB, &b_record}));
  router.RequestKeyframes(kB, Timestamp::Millis(1000), sink);  // a PLI to A
  ASSERT_EQ(sink.rtcp_targets.size(), 1u);
  EXPECT_EQ(sink.rtcp_targets[0], (std::pair<ParticipantId, SinkTarget*>{kA, &a_record}));
  auto ended = router.RemoveParticipant(kA);
  ASSERT_TRUE(ended.ok());
  ASSERT_EQ(ended->size(), 1u);
  EXPECT_EQ((*ended)[0].subscriber, kB);
  EXPECT_EQ((*ended)[0].subscriber_target, &b_record);
}

}  // namespace
}  // namespace aegis::sfu
