// The Conference's media path end to end: native clients (controlling ICE,
// DTLS client) on an in-memory network with the Conference, in simulated
// time (conference_test_fixture.h).
#include "server/conference_test_fixture.h"
#include "negotiation/subscriber_offer.h"
#include "rtp/transport_sequence.h"

namespace aegis::server {
namespace {

using namespace conference_testing;  // NOLINT: the fixture is this file's vocabulary

// Transport-wide feedback to a publisher is the operator's choice
// (ConferenceConfig::publisher_transport_feedback, off by default): off, the
// answer drops what the browser offered; on, it keeps it and A's numbered
// packets are reported back to A, holes as lost.
TEST_F(ConferenceMediaTest, PublisherTransportFeedbackOnlyWhenConfigured) {
  const ice::IceCredentials a_ice{"pubA", "publisherApassword0123456"};
  OfferSpec spec = SpecFor(a_, a_ice);
  spec.transport_cc = true;
  Join(1, "standup", "Alice");
  Publish(1, PublishSdp(spec));
  ASSERT_EQ(out_.Count(1, "answer"), 1u) << out_.Last(1, "error").dump();
  std::string answer = out_.Last(1, "answer")["sdp"].get<std::string>();
  EXPECT_EQ(answer.find("transport-wide-cc"), std::string::npos) << answer;
  EXPECT_EQ(answer.find("transport-cc"), std::string::npos) << answer;

  publisher_transport_feedback_ = true;
  MakeConference();
  Join(1, "standup", "Alice");
  Publish(1, PublishSdp(spec));
  ASSERT_EQ(out_.Count(1, "answer"), 2u) << out_.Last(1, "error").dump();
  answer = out_.Last(1, "answer")["sdp"].get<std::string>();
  EXPECT_NE(answer.find("a=extmap:3 " + std::string(rtp::kTransportSequenceUri)), std::string::npos) << answer;
  EXPECT_NE(answer.find("a=rtcp-fb:96 transport-cc"), std::string::npos) << answer;
  Connect(a_, a_ice, answer);
  ASSERT_TRUE(RunUntil([&] { return a_.connected; }));
  a_.rtcp.clear();
  // Transport number 3 never arrives (lost on A's uplink).
  for (uint16_t i = 1; i <= 5; ++i) {
    if (i != 3) SendRtp(a_, static_cast<uint16_t>(100 + i), spec.audio_ssrc, 111, i);
  }
  std::optional<rtcp::TransportFeedback> report;
  RunUntil([&] {
    for (const auto& bytes : a_.rtcp) {
      auto packets = rtcp::ParseCompound(bytes);
      if (!packets.ok()) continue;
      for (const auto& p : *packets) {
        if (const auto* f = std::get_if<rtcp::TransportFeedback>(&p)) report = *f;
      }
    }
    return report.has_value();
  }, TimeDelta::Millis(300));
  ASSERT_TRUE(report) << "no transport feedback reached A";
  EXPECT_EQ(report->base_sequence, 1);
  EXPECT_EQ(report->status_count, 5);
  std::vector<uint16_t> received;
  for (const auto& r : report->received) received.push_back(r.sequence_number);
  EXPECT_EQ(received, (std::vector<uint16_t>{1, 2, 4, 5}));
}

// libnice (GStreamer's webrtcbin) puts the request's USERNAME in its answers
// to the server's own checks (return routability, consent). An answer is
// routed by the address it comes from, never by a USERNAME (the agent
// matches it to its own transaction); dropped as unrouted, the address
// would never pass return routability and its DTLS would be refused.
TEST_F(ConferenceMediaTest, AnswersToTheServersChecksMayCarryAUsername) {
  const ice::IceCredentials a_ice{"pubA", "publisherApassword0123456"};
  OfferSpec spec = SpecFor(a_, a_ice);
  Join(1, "standup", "Alice");
  Publish(1, PublishSdp(spec));
  ASSERT_EQ(out_.Count(1, "answer"), 1u) << out_.Last(1, "error").dump();
  const std::string answer = out_.Last(1, "answer")["sdp"].get<std::string>();
  const std::string server_ufrag = *ParseOk(answer).media[0].common.ice_ufrag;
  int rewritten = 0;
  rewrite_to_server_ = [&](Client& from, std::vector<uint8_t>& bytes) {
    auto m = stun::Message::Parse(bytes);
    if (&from != &a_ || !m.ok() || m->type.cls != stun::MessageClass::kSuccessResponse) return;
    stun::MessageBuilder b(m->type, m->transaction_id);
    for (const auto& attribute : m->attributes) {
      if (std::holds_alternative<stun::MessageIntegrity>(attribute) ||
          std::holds_alternative<stun::MessageIntegritySha256>(attribute) ||
          std::holds_alternative<stun::Fingerprint>(attribute)) {
        continue;
      }
      ASSERT_TRUE(b.Add(attribute));
    }
    ASSERT_TRUE(b.Add(stun::Username{a_ice.ufrag + ":" + server_ufrag}));
    ASSERT_TRUE(b.AddMessageIntegrity(stun::ShortTermKey(a_ice.pwd)));
    ASSERT_TRUE(b.AddFingerprint());
    bytes = std::move(b).Take();
    ++rewritten;
  };
  Connect(a_, a_ice, answer);
  EXPECT_TRUE(RunUntil([&] { return a_.connected; })) << "DTLS never completed";
  EXPECT_GT(rewritten, 0) << "the server sent no check of its own";
  EXPECT_EQ(conference_->stats().datagrams_unrouted, 0u);
}

TEST_F(ConferenceMediaTest, PublishedRtpReachesTheSubscriberRewritten) {
  const ice::IceCredentials a_ice{"pubA", "publisherApassword0123456"};
  const ice::IceCredentials b_ice{"subB", "subscriberBpassword0123456"};
  Join(1, "standup", "Alice");
  Join(2, "standup", "Bob");
  OfferSpec spec = SpecFor(a_, a_ice);
  Publish(1, PublishSdp(spec));
  ASSERT_EQ(out_.Count(1, "answer"), 1u) << out_.Last(1, "error").dump() << PublishSdp(spec);
  const std::string offer_text = out_.Last(2, "offer")["sdp"].get<std::string>();
  const auto offer = ParseOk(offer_text);
  ASSERT_EQ(offer.media.size(), 2u);
  uint32_t audio_ssrc = 0, video_ssrc = 0;
  for (const auto& m : offer.media) {
    (m.kind() == sdp::MediaKind::kAudio ? audio_ssrc : video_ssrc) = m.ssrcs.at(0).ssrc;
  }
  Answer(2, SubscriberAnswerFor(offer_text, b_ice, b_.context->certificate().fingerprint()));
  ASSERT_EQ(out_.Count(2, "error"), 0u) << out_.Last(2, "error").dump();

  // The publisher connects first; its media has nowhere to go yet.
  Connect(a_, a_ice, out_.Last(1, "answer")["sdp"].get<std::string>());
  ASSERT_TRUE(RunUntil([&] { return a_.connected; }));
  SendRtp(a_, 1, spec.audio_ssrc, 111);
  EXPECT_EQ(conference_->stats().rtp_dropped_not_connected, 1u);
  EXPECT_EQ(conference_->stats().rtp_forwarded, 0u);

  Connect(b_, b_ice, offer_text);
  ASSERT_TRUE(RunUntil([&] { return b_.connected; }));
  // B's connection came up: A is asked for a keyframe of its video (only),
  // without B having to ask.
  RunUntil([&] { return !a_.rtcp.empty(); }, TimeDelta::Millis(100));
  ASSERT_EQ(a_.rtcp.size(), 1u);
  auto pli = rtcp::ParseCompound(a_.rtcp[0]);
  ASSERT_TRUE(pli.ok());
  ASSERT_EQ(pli->size(), 1u);
  const auto* request = std::get_if<rtcp::Pli>(&(*pli)[0]);
  ASSERT_NE(request, nullptr);
  EXPECT_EQ(request->media_source, Ssrc(spec.video_ssrc));
  for (uint16_t seq = 100; seq < 110; ++seq) SendRtp(a_, seq, spec.audio_ssrc, 111);
  for (uint16_t seq = 500; seq < 505; ++seq) SendRtp(a_, seq, spec.video_ssrc, 96);
  RunUntil([&] { return b_.rtp.size() >= 15; }, TimeDelta::Millis(200));
  ASSERT_EQ(b_.rtp.size(), 15u);
  EXPECT_EQ(conference_->stats().rtp_forwarded, 15u);
  EXPECT_EQ(conference_->sfu_stats().rtp_forwarded, 16u);  // with the one dropped before B connected
  for (size_t i = 0; i < b_.rtp.size(); ++i) {
    auto view = rtp::RtpPacketView::Parse(b_.rtp[i]);
    ASSERT_TRUE(view.has_value());
    const bool audio = i < 10;
    const uint16_t seq = static_cast<uint16_t>(audio ? 100 + i : 500 + (i - 10));
    EXPECT_EQ(view->ssrc(), Ssrc(audio ? audio_ssrc : video_ssrc)) << i;  // the SSRC B was offered
    EXPECT_EQ(view->payload_type(), audio ? 111 : 96) << i;
    EXPECT_EQ(view->sequence_number(), seq);
    auto sent = MakeRtp(seq, audio ? spec.audio_ssrc : spec.video_ssrc, audio ? 111 : 96);
    auto sent_view = rtp::RtpPacketView::Parse(sent);
    EXPECT_TRUE(std::ranges::equal(view->payload(), sent_view->payload())) << i;
    // B's answer kept transport-wide congestion control: one numbering for
    // all it receives, from 1 (the router numbered the copy the Conference
    // dropped before B's connection was up; feedback just never names it).
    EXPECT_EQ(rtp::ReadTransportSequence(*view, negotiation::kSubscriberTransportSequenceId), i + 1);
  }
  EXPECT_TRUE(a_.rtp.empty());  // nothing echoed to the publisher

  // An SSRC A never declared is not forwarded; neither is a PT it did not negotiate.
  SendRtp(a_, 200, 5555, 111);
  SendRtp(a_, 201, spec.audio_ssrc, 0);
  Step();
  EXPECT_EQ(b_.rtp.size(), 15u);
  EXPECT_EQ(conference_->sfu_stats().rtp_dropped_unannounced_ssrc, 1u);
  EXPECT_EQ(conference_->sfu_stats().rtp_dropped_payload_type, 1u);

  // Media sent on a subscriber connection goes nowhere.
  SendRtp(b_, 1, 4242, 111);
  Step();
  EXPECT_EQ(conference_->stats().rtp_on_subscriber_connection, 1u);
  EXPECT_TRUE(a_.rtp.empty());

  // A stranger replaying A's packet from its own address is not routed.
  auto packet = MakeRtp(300, spec.audio_ssrc, 111);
  const size_t len = packet.size();
  packet.resize(len + transport::PeerTransport::kMaxSrtpOverhead);
  auto protected_packet = a_.transport->ProtectRtp(packet, len, now_);
  ASSERT_TRUE(protected_packet.ok());
  std::vector<uint8_t> replay(protected_packet->begin(), protected_packet->end());
  const uint64_t unrouted = conference_->stats().datagrams_unrouted;
  conference_->HandleDatagram(replay, kStranger, now_);
  EXPECT_EQ(conference_->stats().datagrams_unrouted, unrouted + 1);
  Step();
  EXPECT_EQ(b_.rtp.size(), 15u);

  // When A leaves, its transports are closed and B's media stops.
  Send(1, signaling::LeaveRequest{});
  EXPECT_EQ(conference_->participant_count(), 1u);
  Step();
  EXPECT_EQ(b_.rtp.size(), 15u);
}

// Both clients change networks and restart ICE (the publisher with a new
// offer, the subscriber with restart_ice): the server follows them to their
// new addresses, and media goes on under the same DTLS and SRTP state.
TEST_F(ConferenceMediaTest, AfterAnIceRestartMediaFollowsTheClientsToTheirNewAddresses) {
  const ice::IceCredentials a_ice{"pubA", "publisherApassword0123456"};
  const ice::IceCredentials b_ice{"subB", "subscriberBpassword0123456"};
  Join(1, "standup", "Alice");
  Join(2, "standup", "Bob");
  OfferSpec spec = SpecFor(a_, a_ice);
  spec.video = false;
  Publish(1, PublishSdp(spec));
  const std::string offer = out_.Last(2, "offer")["sdp"].get<std::string>();
  Answer(2, SubscriberAnswerFor(offer, b_ice, b_.context->certificate().fingerprint()));
  Connect(a_, a_ice, out_.Last(1, "answer")["sdp"].get<std::string>());
  Connect(b_, b_ice, offer);
  ASSERT_TRUE(RunUntil([&] { return a_.connected && b_.connected; }));
  for (uint16_t seq = 1; seq <= 5; ++seq) SendRtp(a_, seq, spec.audio_ssrc, 111);
  ASSERT_TRUE(RunUntil([&] { return b_.rtp.size() == 5; }, TimeDelta::Millis(100)));

  // Both move; what was sent from the old addresses is gone with them.
  vacated_ = {a_.address, b_.address};
  a_.address = TransportAddress::Ipv4({198, 51, 100, 10}, 40001);
  b_.address = TransportAddress::Ipv4({198, 51, 100, 20}, 40002);
  // Before the restart, A's media from its new address is not accepted.
  SendRtp(a_, 6, spec.audio_ssrc, 111);
  Step();
  EXPECT_EQ(b_.rtp.size(), 5u);

  // A restarts: a publish offer with new credentials, answered with new ones.
  const ice::IceCredentials a_ice2{"pubA2", "publisherApassword2abcdef"};
  spec.ufrag = a_ice2.ufrag;
  spec.pwd = a_ice2.pwd;
  Publish(1, PublishSdp(spec));
  ASSERT_EQ(out_.Count(1, "answer"), 2u) << out_.Last(1, "error").dump();
  const auto a_answer = ParseOk(out_.Last(1, "answer")["sdp"].get<std::string>());
  a_.transport->RestartIce(a_ice2, {*a_answer.media[0].common.ice_ufrag, *a_answer.media[0].common.ice_pwd}, now_);
  // B asks for one: the server's offer carries new credentials.
  const ice::IceCredentials b_ice2{"subB2", "subscriberBpassword2abcde"};
  Send(2, signaling::IceRestartRequest{});
  ASSERT_EQ(out_.Count(2, "offer"), 2u);
  const auto b_offer = ParseOk(out_.Last(2, "offer")["sdp"].get<std::string>());
  Answer(2, SubscriberAnswerFor(out_.Last(2, "offer")["sdp"].get<std::string>(), b_ice2,
                                b_.context->certificate().fingerprint()));
  ASSERT_EQ(out_.Count(2, "error"), 0u) << out_.Last(2, "error").dump();
  b_.transport->RestartIce(b_ice2, {*b_offer.media[0].common.ice_ufrag, *b_offer.media[0].common.ice_pwd}, now_);
  EXPECT_EQ(conference_->stats().ice_restarts, 2u);

  // The checks under the new credentials move both routes (the server
  // verifies a new address before it sends there).
  RunUntil([] { return false; }, TimeDelta::Millis(500));
  for (uint16_t seq = 7; seq <= 16; ++seq) SendRtp(a_, seq, spec.audio_ssrc, 111);
  ASSERT_TRUE(RunUntil([&] { return b_.rtp.size() == 15; }, TimeDelta::Millis(100))) << b_.rtp.size();
  auto last = rtp::RtpPacketView::Parse(b_.rtp.back());
  ASSERT_TRUE(last.has_value());
  EXPECT_EQ(last->sequence_number(), 16);  // the same stream, its SRTP going on
  // Still connected, and nobody rejoined.
  EXPECT_EQ(conference_->participant_count(), 2u);
  EXPECT_EQ(out_.Count(2, "participant_left"), 0u);
}

// A relay-only room (aegis room policy --relay-only on): a participant's
// checks from its own address are ignored, whatever its client does; only
// through a relay does it connect. Without a relay the room refuses joins.
TEST_F(ConferenceMediaTest, ARelayOnlyRoomConnectsOnlyThroughTheRelay) {
  const TransportAddress relay = TransportAddress::Ipv4({203, 0, 113, 50}, 0);
  relay_addresses_ = {relay};
  MakeConference();
  const RoomRules relay_only{.relay_only = true};
  const std::vector<signaling::IceServer> turn = {{{"turn:203.0.113.50:3478?transport=udp"}, "1700000600:id", "c"}};
  auth::Claims claims;
  claims.identity = "ada";
  claims.room = "private";
  claims.grants = {.publish = true, .subscribe = true, .room_admin = false};
  claims.not_before = 1'700'000'000;
  claims.expires_at = 1'700'000'600;
  // No relay given to the client: refused, with what to do.
  conference_->Join(S(1), claims, signaling::JoinRequest{"private", "t", false, std::nullopt}, now_, relay_only,
                    TimeDelta::Seconds(600), {});
  EXPECT_EQ(LastError(1), "relay_unavailable");
  EXPECT_EQ(out_.Count(1, "joined"), 0u);

  conference_->Join(S(2), claims, signaling::JoinRequest{"private", "t", false, std::nullopt}, now_, relay_only,
                    TimeDelta::Seconds(600), turn);
  ASSERT_EQ(out_.Count(2, "joined"), 1u) << out_.Last(2, "error").dump();
  EXPECT_EQ(out_.Last(2, "joined").value("relay_only", false), true);
  const ice::IceCredentials a_ice{"pubA", "publisherApassword0123456"};
  OfferSpec spec = SpecFor(a_, a_ice);
  spec.video = false;
  Publish(2, PublishSdp(spec));
  ASSERT_EQ(out_.Count(2, "answer"), 1u) << out_.Last(2, "error").dump();
  // A client that ignores the policy checks from its own address: nothing.
  a_.address = kClientA;
  Connect(a_, a_ice, out_.Last(2, "answer")["sdp"].get<std::string>());
  EXPECT_FALSE(RunUntil([&] { return a_.connected; }, TimeDelta::Seconds(2)));
  EXPECT_GT(conference_->stats().checks_not_relayed, 0u);
  EXPECT_EQ(conference_->stats().datagrams_unrouted, 0u);
  // Through the relay (its relayed address, any port) it connects.
  vacated_ = {a_.address};
  a_.address = TransportAddress::Ipv4({203, 0, 113, 50}, 49152);
  EXPECT_TRUE(RunUntil([&] { return a_.connected; }, TimeDelta::Seconds(5)));

  // A relay-only room on a server that knows no relay address: refused.
  relay_addresses_.clear();
  MakeConference();
  conference_->Join(S(3), claims, signaling::JoinRequest{"private", "t", false, std::nullopt}, now_, relay_only,
                    TimeDelta::Seconds(600), turn);
  EXPECT_EQ(LastError(3), "relay_unavailable");
}

// A track published while the subscriber's previous offer still waits for
// its answer: its section is coalesced into the next offer, and no media
// flows on its SSRC before that offer announced it.
TEST_F(ConferenceMediaTest, NoMediaOnASectionTheSubscriberWasNotOfferedYet) {
  const ice::IceCredentials a_ice{"pubA", "publisherApassword0123456"};
  const ice::IceCredentials b_ice{"subB", "subscriberBpassword0123456"};
  Join(1, "standup", "Alice");
  Join(2, "standup", "Bob");
  OfferSpec spec = SpecFor(a_, a_ice);
  spec.video = false;
  Publish(1, PublishSdp(spec));
  const std::string first_offer = out_.Last(2, "offer")["sdp"].get<std::string>();
  const auto answer_for = [&](const std::string& offer) {
    return SubscriberAnswerFor(offer, b_ice, b_.context->certificate().fingerprint());
  };
  Answer(2, answer_for(first_offer));
  Connect(a_, a_ice, out_.Last(1, "answer")["sdp"].get<std::string>());
  Connect(b_, b_ice, first_offer);
  ASSERT_TRUE(RunUntil([&] { return a_.connected && b_.connected; }));

  // A adds its camera: offer 2 (audio + video) goes out and is not answered yet.
  spec.video = true;
  Publish(1, PublishSdp(spec));
  ASSERT_EQ(out_.Count(2, "offer"), 2u);
  const std::string second_offer = out_.Last(2, "offer")["sdp"].get<std::string>();
  // A stops the camera and starts another one (a new track, new SSRC) while
  // offer 2 still waits: the new section is coalesced into offer 3.
  spec.video_direction = "inactive";
  Publish(1, PublishSdp(spec));
  spec.video_direction = "sendonly";
  spec.video_ssrc = 3003;
  Publish(1, PublishSdp(spec));
  EXPECT_EQ(out_.Count(1, "error"), 0u) << out_.Last(1, "error").dump();
  EXPECT_EQ(out_.Count(2, "track_published"), 3u);
  ASSERT_EQ(out_.Count(2, "offer"), 2u);

  for (uint16_t seq = 1; seq <= 5; ++seq) SendRtp(a_, seq, 3003, 96);
  for (uint16_t seq = 1; seq <= 5; ++seq) SendRtp(a_, seq, spec.audio_ssrc, 111);
  RunUntil([&] { return b_.rtp.size() >= 5; }, TimeDelta::Millis(100));
  Step();
  ASSERT_EQ(b_.rtp.size(), 5u);  // the audio only
  for (const auto& p : b_.rtp) EXPECT_EQ(rtp::RtpPacketView::Parse(p)->payload_type(), 111);
  EXPECT_EQ(conference_->stats().rtp_dropped_not_connected, 5u);

  // The answer to offer 2 releases offer 3 with the new section; then it flows.
  Answer(2, answer_for(second_offer));
  ASSERT_EQ(out_.Count(2, "offer"), 3u);
  const auto third = ParseOk(out_.Last(2, "offer")["sdp"].get<std::string>());
  ASSERT_EQ(third.media.size(), 3u);
  ASSERT_EQ(third.media[2].common.direction, sdp::Direction::kSendOnly);
  const uint32_t new_ssrc = third.media[2].ssrcs.at(0).ssrc;
  EXPECT_EQ(third.media[1].common.direction, sdp::Direction::kInactive);  // the first camera
  b_.rtp.clear();
  for (uint16_t seq = 6; seq <= 8; ++seq) SendRtp(a_, seq, 3003, 96);
  RunUntil([&] { return b_.rtp.size() >= 3; }, TimeDelta::Millis(100));
  ASSERT_EQ(b_.rtp.size(), 3u);
  for (const auto& p : b_.rtp) EXPECT_EQ(rtp::RtpPacketView::Parse(p)->ssrc(), Ssrc(new_ssrc));
}

// A long call where someone's camera goes off and on again and again (or
// people come and go): every new track reaches the subscriber on fresh
// SSRCs, and the ones that ended must not fill its SRTP sender's table of
// SSRCs for good (it holds 160), or new tracks stop reaching it.
TEST_F(ConferenceMediaTest, EndedTracksDoNotUseUpTheSubscribersSsrcs) {
  client_max_ssrcs_ = 1000;  // the browser side keeps up; the server's side is what is tested
  const ice::IceCredentials a_ice{"pubA", "publisherApassword0123456"};
  const ice::IceCredentials b_ice{"subB", "subscriberBpassword0123456"};
  Join(1, "standup", "Alice");
  Join(2, "standup", "Bob");
  OfferSpec spec = SpecFor(a_, a_ice);
  spec.audio = false;
  Publish(1, PublishSdp(spec));
  const auto answer_latest = [&] {
    Answer(2, SubscriberAnswerFor(out_.Last(2, "offer")["sdp"].get<std::string>(), b_ice,
                                  b_.context->certificate().fingerprint()));
  };
  const std::string first_offer = out_.Last(2, "offer")["sdp"].get<std::string>();
  answer_latest();
  Connect(a_, a_ice, out_.Last(1, "answer")["sdp"].get<std::string>());
  Connect(b_, b_ice, first_offer);
  ASSERT_TRUE(RunUntil([&] { return a_.connected && b_.connected; }));

  constexpr int kCameraRestarts = 200;
  int reached = 0;
  for (int i = 0; i < kCameraRestarts; ++i) {
    // Off (the subscriber answers the offer that ends the section), then on
    // with a new SSRC (a new track on the reused section).
    spec.video_direction = "inactive";
    Publish(1, PublishSdp(spec));
    answer_latest();
    spec.video_direction = "sendonly";
    // Two SSRCs in turn: the publisher's side is not what is tested here.
    spec.video_ssrc = 10'000 + static_cast<uint32_t>(i % 2);
    now_ += TimeDelta::Seconds(1);  // the new-track rate limit: one per second
    Publish(1, PublishSdp(spec));
    ASSERT_EQ(out_.Count(1, "error"), 0u) << i << " " << out_.Last(1, "error").dump();
    answer_latest();
    b_.rtp.clear();
    SendRtp(a_, static_cast<uint16_t>(i), spec.video_ssrc, 96);
    RunUntil([&] { return !b_.rtp.empty(); }, TimeDelta::Millis(50));
    if (!b_.rtp.empty()) ++reached;
  }
  EXPECT_EQ(reached, kCameraRestarts);
}

}  // namespace
}  // namespace aegis::server
