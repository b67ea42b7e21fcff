// The native client engine against the real Conference, in-process and in
// simulated time: two clients join one room, publish Opus/VP8 RTP, answer
// their subscriber offers and receive each other's packets over SRTP; an
// E2EE-required room refuses the client with e2ee_required.
#include "client/client.h"

#include <gtest/gtest.h>

#include "auth/jwt.h"
#include "auth/test_token.h"
#include "server/conference_test_fixture.h"
#include "server/session_gate.h"
#include "signaling/client_messages.h"

namespace aegis::client {
namespace {

using server::conference_testing::ConferenceTest;
using server::conference_testing::kServer1;
using server::conference_testing::MakeContext;
using stun::TransportAddress;

struct Peer {
  server::SessionId session;
  TransportAddress pub_address;
  TransportAddress sub_address;
  std::unique_ptr<Client> client;
  uint64_t received = 0;
  std::shared_ptr<const dtls::DtlsContext> context;
  uint64_t audio_frames = 0;
  uint64_t video_frames = 0;
  size_t last_video_frame_size = 0;
};

class ClientTest : public ConferenceTest {
 protected:
  void Add(Peer& p, const std::string& room, const server::RoomRules& rules = {}, bool publish = true) {
    ClientConfig config;
    config.publish_audio = publish;
    config.publish_video = publish;
    config.room = room;
    config.token = "token";
    p.context = MakeContext(100 + p.session.value());
    config.dtls_context = p.context;
    config.rng = &client_rng_;
    p.client = std::make_unique<Client>(std::move(config));
    p.client->on_rtp = [&p](std::span<const uint8_t>) { ++p.received; };
    p.client->on_frame = [&p](const ReceivedFrame& f) {
      ++(f.video ? p.video_frames : p.audio_frames);
      if (f.video) p.last_video_frame_size = f.data.size();
    };
    auto join = signaling::ParseClientMessage(p.client->Start());
    ASSERT_TRUE(join.ok());
    auto& request = std::get<signaling::JoinRequest>(*join);
    EXPECT_EQ(request.room, room);
    EXPECT_FALSE(request.e2ee);
    auth::Claims claims;
    claims.identity = "bot-" + std::to_string(p.session.value());
    claims.room = room;
    claims.grants = {.publish = true, .subscribe = true, .room_admin = false};
    claims.not_before = 1'700'000'000;
    claims.expires_at = 1'700'000'600;
    conference_->Join(p.session, claims, request, now_, rules);
  }

  void Step(std::initializer_list<Peer*> peers) {
    // Signaling, both ways.
    for (auto& s : out_.signals) {
      for (Peer* p : peers) {
        if (p->session == s.session) p->client->HandleSignal(s.message.dump(), now_);
      }
    }
    out_.signals.clear();
    for (Peer* p : peers) {
      while (auto text = p->client->PollSignal()) {
        auto parsed = signaling::ParseClientMessage(*text);
        ASSERT_TRUE(parsed.ok()) << *text;
        conference_->HandleMessage(p->session, *parsed, now_);
      }
      while (auto d = p->client->PollTransmit()) {
        EXPECT_EQ(d->to, kServer1);
        conference_->HandleDatagram(d->bytes,
                                    d->connection == Connection::kPublisher ? p->pub_address : p->sub_address, now_);
      }
    }
    while (!out_.datagrams.empty()) {
      auto sent = std::move(out_.datagrams.front());
      out_.datagrams.pop_front();
      for (Peer* p : peers) {
        if (sent.to == p->pub_address) p->client->HandleDatagram(Connection::kPublisher, sent.bytes, kServer1, now_);
        if (sent.to == p->sub_address) p->client->HandleDatagram(Connection::kSubscriber, sent.bytes, kServer1, now_);
      }
    }
    now_ += TimeDelta::Millis(5);
    for (Peer* p : peers) p->client->HandleTimeout(now_);
    if (auto next = conference_->NextTimeout(); next && *next <= now_) conference_->HandleTimers(now_);
  }

  SeededRandom client_rng_{7};
};

TEST_F(ClientTest, PublisherOfferIsWhatTheServerAccepts) {
  Peer a{server::SessionId(1), TransportAddress::Ipv4({192, 0, 2, 10}, 50001), TransportAddress::Ipv4({192, 0, 2, 10}, 50002), nullptr, 0, nullptr};
  Add(a, "R");
  const std::string offer = a.client->PublisherOffer();
  EXPECT_NE(offer.find("a=group:BUNDLE 0 1"), std::string::npos);
  EXPECT_NE(offer.find("opus/48000/2"), std::string::npos);
  EXPECT_NE(offer.find("VP8/90000"), std::string::npos);
  EXPECT_NE(offer.find("a=rtcp-mux"), std::string::npos);
  EXPECT_NE(offer.find("a=fingerprint:" + a.context->certificate().fingerprint().ToSdpString()), std::string::npos);
  // The Conference answers it, and the publisher connection comes up.
  for (int i = 0; i < 200 && !a.client->publisher_connected(); ++i) Step({&a});
  EXPECT_EQ(a.client->state(), ClientState::kJoined);
  EXPECT_FALSE(a.client->error().has_value());
  EXPECT_TRUE(a.client->publisher_connected());
  EXPECT_FALSE(a.client->participant_id().empty());
}

TEST_F(ClientTest, TwoClientsReceiveEachOthersMedia) {
  Peer a{server::SessionId(1), TransportAddress::Ipv4({192, 0, 2, 10}, 50001), TransportAddress::Ipv4({192, 0, 2, 10}, 50002), nullptr, 0, nullptr};
  Peer b{server::SessionId(2), TransportAddress::Ipv4({192, 0, 2, 20}, 50001), TransportAddress::Ipv4({192, 0, 2, 20}, 50002), nullptr, 0, nullptr};
  Add(a, "R");
  Add(b, "R");
  uint64_t keyframe_callbacks = 0;
  a.client->on_keyframe_request = b.client->on_keyframe_request = [&] { ++keyframe_callbacks; };
  for (int i = 0; i < 400 && !(a.client->publisher_connected() && b.client->publisher_connected() &&
                                a.client->subscriber_connected() && b.client->subscriber_connected());
       ++i) {
    Step({&a, &b});
  }
  ASSERT_EQ(a.client->state(), ClientState::kJoined);
  ASSERT_EQ(b.client->state(), ClientState::kJoined);
  ASSERT_TRUE(a.client->publisher_connected());
  ASSERT_TRUE(b.client->publisher_connected());
  ASSERT_TRUE(a.client->subscriber_connected());
  ASSERT_TRUE(b.client->subscriber_connected());
  const std::vector<uint8_t> opus(80, 0x42);
  std::vector<uint8_t> vp8(900, 0x55);
  for (int i = 0; i < 200; ++i) {
    for (Peer* p : {&a, &b}) {
      if (i % 4 == 0) {
        EXPECT_TRUE(p->client->SendAudio(opus, 960, now_));
      }
      vp8[0] = i % 3 == 0 ? 0x10 : 0x00;  // VP8 payload descriptor: S=1 on a frame's first packet
      EXPECT_TRUE(p->client->SendVideo(vp8, i % 3 == 2, i % 3 == 0 ? 3000 : 0, now_));
    }
    Step({&a, &b});
  }
  for (int i = 0; i < 20; ++i) Step({&a, &b});
  EXPECT_GT(a.received, 100u);
  EXPECT_GT(b.received, 100u);
  for (Peer* p : {&a, &b}) {
    ASSERT_EQ(p->client->receive_stats().size(), 2u);
    uint64_t audio = 0, video = 0;
    for (const auto& t : p->client->receive_stats()) {
      if (t.payload_type == Client::kOpusPayloadType) {
        audio += t.packets;
      } else {
        video += t.packets;
      }
      EXPECT_EQ(t.lost, 0u);
    }
    EXPECT_GT(audio, 30u);
    EXPECT_GT(video, 100u);
    EXPECT_EQ(p->client->srtp_errors(), 0u);
  }
  // Frames: every Opus packet, and 66 VP8 frames of three packets each (the
  // 67th has no marker yet), descriptors removed.
  for (Peer* p : {&a, &b}) {
    EXPECT_EQ(p->audio_frames, 50u);
    EXPECT_EQ(p->video_frames, 66u);
    EXPECT_EQ(p->last_video_frame_size, 3u * 899u);
    EXPECT_EQ(p->client->frames_dropped(), 0u);
  }
  // The SFU asks a publisher for a keyframe when a subscriber's connection
  // comes up after the publisher's: whichever connected first was asked.
  const uint64_t requests = a.client->keyframe_requests() + b.client->keyframe_requests();
  EXPECT_GE(requests, 1u);
  EXPECT_EQ(keyframe_callbacks, requests);
  // Each track is named after its publisher (the subscriber offer's a=msid).
  for (auto [me, other] : {std::pair{&a, &b}, std::pair{&b, &a}}) {
    for (const auto& t : me->client->receive_stats()) {
      EXPECT_EQ(t.participant_id, other->client->participant_id());
      EXPECT_FALSE(t.track_id.empty());
    }
  }
}

TEST_F(ClientTest, AReceiveOnlyClientGetsThePublishersMedia) {
  Peer a{server::SessionId(1), TransportAddress::Ipv4({192, 0, 2, 10}, 50001), TransportAddress::Ipv4({192, 0, 2, 10}, 50002), nullptr, 0, nullptr};
  Peer b{server::SessionId(2), TransportAddress::Ipv4({192, 0, 2, 20}, 50001), TransportAddress::Ipv4({192, 0, 2, 20}, 50002), nullptr, 0, nullptr};
  Add(a, "R");
  Add(b, "R", {}, /*publish=*/false);
  for (int i = 0; i < 400 && !(a.client->publisher_connected() && b.client->subscriber_connected()); ++i) {
    Step({&a, &b});
  }
  ASSERT_TRUE(a.client->publisher_connected());
  ASSERT_TRUE(b.client->subscriber_connected());
  EXPECT_FALSE(b.client->publisher_connected());  // it never published
  const std::vector<uint8_t> opus(80, 0x42);
  for (int i = 0; i < 50; ++i) {
    EXPECT_TRUE(a.client->SendAudio(opus, 960, now_));
    EXPECT_FALSE(b.client->SendAudio(opus, 960, now_));
    Step({&a, &b});
  }
  for (int i = 0; i < 20; ++i) Step({&a, &b});
  EXPECT_EQ(b.received, 50u);
  EXPECT_EQ(a.received, 0u);
  EXPECT_EQ(b.client->packets_sent(), 0u);
  ASSERT_EQ(b.client->receive_stats().size(), 1u);
  EXPECT_EQ(b.client->receive_stats()[0].lost, 0u);
}

// The refusal comes from the server's SessionGate (token and room policy),
// before any Conference sees the join.
class E2eeRoom final : public server::RoomRulesSource {
 public:
  server::RoomRules Lookup(std::string_view room) override { return {.e2ee_required = room == "secure"}; }
};

TEST(ClientGateTest, AnE2eeRequiredRoomRefusesTheClient) {
  constexpr int64_t kUnixNow = 1'700'000'000;
  auto secret = std::move(auth::ApiSecret::FromBytes(auth::testing::SecretOf("client-test-api-secret-0123456789abcdef"))).value();
  auth::Claims claims;
  claims.identity = "bot";
  claims.room = "secure";
  claims.grants = {.publish = true, .subscribe = true, .room_admin = false};
  claims.not_before = kUnixNow - 10;
  claims.expires_at = kUnixNow + 600;
  auto token = auth::MintToken(claims, secret);
  ASSERT_TRUE(token.ok());
  server::GateConfig config;
  signaling::KeyedRateLimiter joins{{1, 10}, 100};
  E2eeRoom rules;
  const Timestamp now = Timestamp::Millis(1'000'000);
  server::SessionGate gate(config, secret, joins, "192.0.2.44", now, &rules);

  SeededRandom rng(3);
  Client client(ClientConfig{"secure", *token, MakeContext(9), &rng});
  auto verdict = gate.OnMessage(client.Start(), now, kUnixNow);
  EXPECT_TRUE(std::holds_alternative<std::monostate>(verdict.forward));
  ASSERT_EQ(verdict.replies.size(), 1u);
  client.HandleSignal(verdict.replies[0], now);
  EXPECT_EQ(client.state(), ClientState::kFailed);
  ASSERT_TRUE(client.error().has_value());
  EXPECT_EQ(client.error()->code, "e2ee_required");
  EXPECT_EQ(client.error()->message, "this room requires end-to-end encryption");
  EXPECT_FALSE(client.PollSignal().has_value());  // nothing is published
}

}  // namespace
}  // namespace aegis::client
