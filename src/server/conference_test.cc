#include "server/conference.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <deque>
#include <functional>
#include <set>

#include <nlohmann/json.hpp>

#include "auth/base64url.h"
#include "dtls/certificate.h"
#include "rtcp/compound.h"
#include "rtcp/pli.h"
#include "rtp/rtp_header.h"
#include "rtp/rtp_packet.h"
#include "sdp/sdp_parser.h"
#include "sdp/sdp_serializer.h"
#include "sdp/test_sdps.h"
#include "stun/integrity.h"
#include "stun/message_builder.h"
#include "transport/peer_transport.h"

namespace aegis::server {
namespace {

using nlohmann::json;
using stun::TransportAddress;

const TransportAddress kServer1 = TransportAddress::Ipv4({198, 18, 0, 1}, 40000);
const TransportAddress kServer2 = TransportAddress::Ipv4({198, 18, 0, 2}, 40002);
const TransportAddress kClientA = TransportAddress::Ipv4({192, 0, 2, 10}, 50001);
const TransportAddress kClientB = TransportAddress::Ipv4({192, 0, 2, 20}, 50002);
const TransportAddress kStranger = TransportAddress::Ipv4({192, 0, 2, 66}, 6666);

// What kChromiumOffer carries that must never reach another participant.
constexpr const char* kChromiumFingerprint =
    "sha-256 4A:AD:B9:B1:3F:82:18:3B:54:02:12:DF:3E:5D:49:6B:19:E5:7C:AB:3C:5E:31:F7:B3:A6:50:C5:F3:F8:2C:79";
constexpr const char* kBrowserFingerprint =
    "sha-256 9C:41:E0:7B:23:5A:C8:16:F2:0D:94:BB:37:6E:A1:58:C3:0F:72:E9:4D:86:1B:A5:5C:E3:08:9F:D6:2A:71:B4";

std::shared_ptr<const dtls::DtlsContext> MakeContext(uint64_t seed) {
  SeededRandom rng(seed);
  auto cert =
      dtls::Certificate::Generate(rng, std::chrono::floor<std::chrono::seconds>(std::chrono::system_clock::now()));
  return dtls::DtlsContext::Create(cert);
}

const std::shared_ptr<const dtls::DtlsContext>& ServerContext() {
  static const auto* context = new std::shared_ptr<const dtls::DtlsContext>(MakeContext(1));
  return *context;
}

// ConferenceOutput that keeps everything, in order.
class Recorder final : public ConferenceOutput {
 public:
  struct Signal {
    SessionId session;
    json message;
  };
  struct Sent {
    TransportAddress to;
    std::vector<uint8_t> bytes;
  };

  void SendSignal(SessionId session, std::string message) override {
    auto j = json::parse(message, nullptr, /*allow_exceptions=*/false);
    EXPECT_TRUE(j.is_object() && j.contains("type")) << message;
    EXPECT_EQ(j.value("v", 0), 1) << message;
    log.push_back("signal " + std::to_string(session) + " " + j.value("type", "?"));
    signals.push_back({session, std::move(j)});
  }
  void CloseSignal(SessionId session) override {
    log.push_back("close " + std::to_string(session));
    closed.push_back(session);
  }
  void SendDatagram(const TransportAddress& to, std::span<const uint8_t> bytes) override {
    datagrams.push_back({to, {bytes.begin(), bytes.end()}});
  }

  // Messages to `session`, of `type` if given.
  std::vector<json> To(SessionId session, std::string_view type = "") const {
    std::vector<json> out;
    for (const auto& s : signals) {
      if (s.session == session && (type.empty() || s.message.value("type", "") == type)) out.push_back(s.message);
    }
    return out;
  }
  size_t Count(SessionId session, std::string_view type = "") const { return To(session, type).size(); }
  json Last(SessionId session, std::string_view type) const {
    auto all = To(session, type);
    EXPECT_FALSE(all.empty()) << "no " << type << " to " << session;
    return all.empty() ? json::object() : all.back();
  }
  void Clear() {
    signals.clear();
    closed.clear();
    log.clear();
  }

  std::vector<Signal> signals;
  std::vector<SessionId> closed;
  std::vector<std::string> log;
  std::deque<Sent> datagrams;
};

// A publisher offer in Chromium's shape: BUNDLE, a=ssrc lines, Opus and VP8.
struct OfferSpec {
  bool audio = true;
  bool video = true;
  std::string video_direction = "sendonly";
  uint32_t audio_ssrc = 1001;
  uint32_t video_ssrc = 2002;
  std::string ufrag = "Pq7z";
  std::string pwd = "w3Ls9Kd2Jf8Hg5Tb1Nc6Rx4V";
  std::string fingerprint = kChromiumFingerprint;
};

std::string PublishSdp(const OfferSpec& s) {
  std::string bundle = "a=group:BUNDLE";
  if (s.audio) bundle += " 0";
  if (s.video) bundle += " 1";
  auto transport = [&](const char* mid) {
    return "c=IN IP4 0.0.0.0\r\n"
           "a=rtcp:9 IN IP4 0.0.0.0\r\n"
           "a=candidate:1467250027 1 udp 2122260223 192.0.2.10 54400 typ host generation 0\r\n"
           "a=ice-ufrag:" + s.ufrag + "\r\n"
           "a=ice-pwd:" + s.pwd + "\r\n"
           "a=fingerprint:" + s.fingerprint + "\r\n"
           "a=setup:actpass\r\n"
           "a=mid:" + std::string(mid) + "\r\n"
           "a=extmap:4 urn:ietf:params:rtp-hdrext:sdes:mid\r\n";
  };
  std::string sdp =
      "v=0\r\n"
      "o=- 4611731400430051337 2 IN IP4 127.0.0.1\r\n"
      "s=-\r\n"
      "t=0 0\r\n" +
      bundle + "\r\n" + "a=msid-semantic: WMS s\r\n";
  if (s.audio) {
    sdp += "m=audio 9 UDP/TLS/RTP/SAVPF 111 0\r\n" + transport("0") +
           "a=sendonly\r\n"
           "a=msid:s mic\r\n"
           "a=rtcp-mux\r\n"
           "a=rtpmap:111 opus/48000/2\r\n"
           "a=fmtp:111 minptime=10;useinbandfec=1\r\n"
           "a=rtpmap:0 PCMU/8000\r\n"
           "a=ssrc:" + std::to_string(s.audio_ssrc) + " cname:c\r\n";
  }
  if (s.video) {
    sdp += "m=video 9 UDP/TLS/RTP/SAVPF 96 45\r\n" + transport("1") + "a=" + s.video_direction + "\r\n";
    if (s.video_direction != "inactive") sdp += "a=msid:s cam\r\n";
    sdp +=
        "a=rtcp-mux\r\n"
        "a=rtcp-rsize\r\n"
        "a=rtpmap:96 VP8/90000\r\n"
        "a=rtcp-fb:96 nack pli\r\n"
        "a=rtpmap:45 AV1/90000\r\n";
    if (s.video_direction != "inactive") sdp += "a=ssrc:" + std::to_string(s.video_ssrc) + " cname:c\r\n";
  }
  return sdp;
}

sdp::SessionDescription ParseOk(const std::string& text) {
  auto parsed = sdp::ParseSdp(text);
  EXPECT_TRUE(parsed.ok()) << text;
  return parsed.ok() ? std::move(parsed).value() : sdp::SessionDescription{};
}

sdp::Fingerprint ToSdp(const dtls::Fingerprint& fp) {
  std::string text = fp.ToSdpString();
  return {text.substr(0, text.find(' ')), {fp.digest().begin(), fp.digest().end()}};
}

// What a browser answers to a subscriber offer: recvonly (inactive for an
// inactive section), setup:active, its own ICE credentials and certificate.
std::string SubscriberAnswerFor(const std::string& offer_text, const ice::IceCredentials& ice,
                                const dtls::Fingerprint& fingerprint) {
  const sdp::SessionDescription offer = ParseOk(offer_text);
  sdp::SessionDescription answer;
  answer.origin = {"-", 8147035672384019265u, 2, "IN", "IP4", "127.0.0.1"};
  answer.timings = {sdp::Timing{}};
  answer.groups = offer.groups;
  answer.msid_semantic = sdp::MsidSemantic{"WMS", {}};
  for (const auto& offered : offer.media) {
    sdp::MediaSection m = offered;
    m.port = 9;
    m.connection = sdp::Connection{"IN", "IP4", "0.0.0.0"};
    m.candidates.clear();
    m.common.end_of_candidates = false;
    m.ssrcs.clear();
    m.msids.clear();
    m.common.direction = offered.common.direction == sdp::Direction::kInactive ? sdp::Direction::kInactive
                                                                               : sdp::Direction::kRecvOnly;
    m.common.setup = sdp::SetupRole::kActive;
    m.common.ice_ufrag = ice.ufrag;
    m.common.ice_pwd = ice.pwd;
    m.common.fingerprints = {ToSdp(fingerprint)};
    answer.media.push_back(std::move(m));
  }
  auto text = sdp::SerializeSdp(answer);
  EXPECT_TRUE(text.has_value());
  return text.value_or("");
}

const ice::IceCredentials kBrowserIceB{"vH3k", "Tq9Lw2Zp7Rm4Xc8Nb1Fy5Gd6"};

bool IsServerCandidate(const sdp::Candidate& c) {
  for (const auto& a : {kServer1, kServer2}) {
    if (c.address == a.IpString() && c.port == a.port && c.type == "host") return true;
  }
  return false;
}

class ConferenceTest : public ::testing::Test {
 protected:
  void SetUp() override { MakeConference(); }

  void MakeConference(size_t per_room = 64, size_t total = 1000) {
    ConferenceConfig config;
    config.candidates = {kServer1, kServer2};
    config.dtls_context = ServerContext();
    config.max_participants_per_room = per_room;
    config.max_participants = total;
    conference_.reset();
    conference_ = std::make_unique<Conference>(std::move(config), out_, rng_);
  }

  // Joins and returns the participant id from "joined" ("" if refused).
  std::string Join(SessionId session, const std::string& room, const std::string& name,
                   auth::Grants grants = {.publish = true, .subscribe = true, .room_admin = false},
                   const RoomRules& rules = {}, std::optional<signaling::Blob> identity_key = std::nullopt) {
    auth::Claims claims;
    claims.identity = "identity-" + std::to_string(session);
    claims.room = room;
    claims.display_name = name;
    claims.grants = grants;
    claims.not_before = 1'700'000'000;
    claims.expires_at = 1'700'000'600;
    const size_t before = out_.Count(session, "joined");
    const bool e2ee = identity_key.has_value();
    conference_->Join(session, claims, signaling::JoinRequest{room, "token", e2ee, std::move(identity_key)}, now_,
                      rules);
    if (out_.Count(session, "joined") == before) return "";
    return out_.Last(session, "joined").value("participant_id", "");
  }

  void Send(SessionId session, const signaling::ClientMessage& message) {
    conference_->HandleMessage(session, message, now_);
  }
  void Publish(SessionId session, const std::string& sdp) { Send(session, signaling::PublishOffer{sdp}); }
  void Answer(SessionId session, const std::string& sdp) { Send(session, signaling::SubscribeAnswer{sdp}); }
  // Answers the latest subscriber offer to `session` as a browser would.
  void AnswerLatestOffer(SessionId session, const ice::IceCredentials& ice = kBrowserIceB,
                         const dtls::Fingerprint& fp = *dtls::Fingerprint::Parse(kBrowserFingerprint)) {
    Answer(session, SubscriberAnswerFor(out_.Last(session, "offer").value("sdp", ""), ice, fp));
  }
  std::string LastError(SessionId session) { return out_.Last(session, "error").value("code", ""); }
  void Disconnected(SessionId session) { conference_->Disconnected(session, now_); }

  Recorder out_;
  SeededRandom rng_{42};
  Timestamp now_ = Timestamp::Millis(1'000'000);
  std::unique_ptr<Conference> conference_;
};

TEST_F(ConferenceTest, JoinAnnouncesParticipantsWithinTheRoomOnly) {
  const std::string alice = Join(1, "standup", "Alice");
  ASSERT_FALSE(alice.empty());
  auto joined = out_.Last(1, "joined");
  EXPECT_EQ(joined["room"], "standup");
  EXPECT_TRUE(joined["participants"].empty());
  EXPECT_EQ(alice.front(), 'p');
  EXPECT_EQ(alice.find("identity"), std::string::npos);  // never the token's identity

  const std::string bob = Join(2, "standup", "Bob");
  ASSERT_FALSE(bob.empty());
  EXPECT_NE(alice, bob);
  auto bob_joined = out_.Last(2, "joined");
  ASSERT_EQ(bob_joined["participants"].size(), 1u);
  EXPECT_EQ(bob_joined["participants"][0]["id"], alice);
  EXPECT_EQ(bob_joined["participants"][0]["name"], "Alice");
  EXPECT_TRUE(bob_joined["participants"][0]["tracks"].empty());
  auto announced = out_.Last(1, "participant_joined");
  EXPECT_EQ(announced["participant"]["id"], bob);
  EXPECT_EQ(announced["participant"]["name"], "Bob");
  EXPECT_EQ(out_.Count(2, "participant_joined"), 0u);  // not told about itself

  const size_t to_alice = out_.Count(1), to_bob = out_.Count(2);
  const std::string carol = Join(3, "other", "Carol");
  ASSERT_FALSE(carol.empty());
  EXPECT_TRUE(out_.Last(3, "joined")["participants"].empty());
  EXPECT_EQ(out_.Count(1), to_alice);  // another room: nobody here hears of Carol
  EXPECT_EQ(out_.Count(2), to_bob);
  EXPECT_EQ(conference_->participant_count(), 3u);
  EXPECT_EQ(conference_->stats().joins, 3u);
  EXPECT_TRUE(out_.closed.empty());
}

TEST_F(ConferenceTest, SecondJoinOnASessionIsRefused) {
  ASSERT_FALSE(Join(1, "standup", "Alice").empty());
  EXPECT_TRUE(Join(1, "standup", "Alice").empty());
  EXPECT_EQ(LastError(1), "already_joined");
  EXPECT_EQ(conference_->participant_count(), 1u);
}

TEST_F(ConferenceTest, MessagesBeforeJoinAreNotJoined) {
  Publish(9, PublishSdp({}));
  EXPECT_EQ(LastError(9), "not_joined");
  Send(9, signaling::KeyBlobSend{std::nullopt, {1}});
  EXPECT_EQ(out_.Count(9, "error"), 2u);
  EXPECT_EQ(conference_->participant_count(), 0u);
}

TEST_F(ConferenceTest, PublishAnswersAndOffersTheTracksToRoomMatesOnly) {
  const std::string alice = Join(1, "standup", "Alice");
  const std::string bob = Join(2, "standup", "Bob");
  Join(3, "other", "Carol");
  out_.Clear();

  Publish(1, sdp::testing::kChromiumOffer);

  // The publisher gets its answer: ICE-lite, only our candidates, DTLS server.
  ASSERT_EQ(out_.Count(1, "answer"), 1u);
  EXPECT_EQ(out_.Count(1, "error"), 0u);
  EXPECT_EQ(out_.Count(1, "offer"), 0u);  // nothing to receive yet
  const auto answer = ParseOk(out_.Last(1, "answer")["sdp"].get<std::string>());
  EXPECT_TRUE(answer.ice_lite);
  ASSERT_EQ(answer.media.size(), 4u);
  for (const auto& m : answer.media) {
    for (const auto& c : m.candidates) EXPECT_TRUE(IsServerCandidate(c)) << c.address;
    if (m.port != 0) {
      EXPECT_EQ(m.common.setup, sdp::SetupRole::kPassive);
    }
  }

  // The room-mate hears of the two tracks that carry SSRCs (audio, camera).
  auto published = out_.To(2, "track_published");
  ASSERT_EQ(published.size(), 2u);
  std::map<std::string, std::string> kind_of_track;
  for (const auto& p : published) {
    EXPECT_EQ(p["participant_id"], alice);
    kind_of_track[p["track_id"].get<std::string>()] = p["kind"].get<std::string>();
  }
  EXPECT_EQ((std::multiset<std::string>{published[0]["kind"].get<std::string>(),
                                        published[1]["kind"].get<std::string>()}),
            (std::multiset<std::string>{"audio", "video"}));

  // ... and gets one subscriber offer for them.
  ASSERT_EQ(out_.Count(2, "offer"), 1u);
  const std::string offer_text = out_.Last(2, "offer")["sdp"].get<std::string>();
  const auto offer = ParseOk(offer_text);
  EXPECT_TRUE(offer.ice_lite);
  ASSERT_EQ(offer.media.size(), 2u);
  ASSERT_EQ(offer.groups.size(), 1u);
  EXPECT_EQ(offer.groups[0].mids, (std::vector<std::string>{"0", "1"}));
  std::set<uint32_t> ssrcs;
  for (const auto& m : offer.media) {
    EXPECT_EQ(m.common.direction, sdp::Direction::kSendOnly);
    EXPECT_EQ(m.common.setup, sdp::SetupRole::kActPass);
    ASSERT_EQ(m.msids.size(), 1u);
    EXPECT_EQ(m.msids[0].id, alice);  // stream = the publisher
    ASSERT_TRUE(m.msids[0].app_data.has_value());
    ASSERT_TRUE(kind_of_track.contains(*m.msids[0].app_data)) << *m.msids[0].app_data;
    EXPECT_EQ(kind_of_track[*m.msids[0].app_data], m.kind() == sdp::MediaKind::kAudio ? "audio" : "video");
    EXPECT_FALSE(m.candidates.empty());
    for (const auto& c : m.candidates) EXPECT_TRUE(IsServerCandidate(c)) << c.address;
    ASSERT_FALSE(m.ssrcs.empty());
    EXPECT_EQ(m.ssrcs[0].attribute, "cname");
    ssrcs.insert(m.ssrcs[0].ssrc);
    // Not the publisher's SSRCs: the server rewrites them.
    EXPECT_NE(m.ssrcs[0].ssrc, 1001u);
    EXPECT_NE(m.ssrcs[0].ssrc, 2002u);
  }
  EXPECT_EQ(ssrcs.size(), 2u);
  // Nothing of the publisher's transport reaches the subscriber.
  for (const char* secret : {"192.0.2.10", "203.0.113.7", "Xk2q", "p7Qv3f9Lm2Zt8Rk1Ws4Yb6Nd", "4A:AD:B9:B1"}) {
    EXPECT_EQ(offer_text.find(secret), std::string::npos) << secret;
  }
  // Different ICE credentials from the publisher connection's answer.
  EXPECT_NE(offer.media[0].common.ice_ufrag, answer.media[0].common.ice_ufrag);

  // The other room hears nothing.
  EXPECT_EQ(out_.Count(3), 0u);
}

TEST_F(ConferenceTest, LateJoinerSeesTracksAndGetsAnOffer) {
  const std::string alice = Join(1, "standup", "Alice");
  Publish(1, PublishSdp({}));
  ASSERT_EQ(out_.Count(1, "answer"), 1u);
  Join(2, "standup", "Bob");
  auto joined = out_.Last(2, "joined");
  ASSERT_EQ(joined["participants"].size(), 1u);
  EXPECT_EQ(joined["participants"][0]["id"], alice);
  EXPECT_EQ(joined["participants"][0]["tracks"].size(), 2u);
  ASSERT_EQ(out_.Count(2, "offer"), 1u);
  EXPECT_EQ(ParseOk(out_.Last(2, "offer")["sdp"].get<std::string>()).media.size(), 2u);
  EXPECT_EQ(out_.Count(1, "offer"), 0u);  // Bob publishes nothing
}

TEST_F(ConferenceTest, NoOfferWithoutTheSubscribeGrant) {
  Join(1, "standup", "Alice");
  Join(2, "standup", "Viewer-less", {.publish = true, .subscribe = false, .room_admin = false});
  Publish(1, PublishSdp({}));
  EXPECT_EQ(out_.Count(2, "track_published"), 2u);  // still told what exists
  EXPECT_EQ(out_.Count(2, "offer"), 0u);
}

TEST_F(ConferenceTest, SubscribeAnswerIsAcceptedAndOffersNeverCross) {
  Join(1, "standup", "Alice");
  Join(2, "standup", "Bob");
  OfferSpec spec;
  spec.video = false;
  Publish(1, PublishSdp(spec));
  ASSERT_EQ(out_.Count(2, "offer"), 1u);
  const auto first = ParseOk(out_.Last(2, "offer")["sdp"].get<std::string>());
  ASSERT_EQ(first.media.size(), 1u);
  const std::string first_answer =
      SubscriberAnswerFor(out_.Last(2, "offer")["sdp"].get<std::string>(), kBrowserIceB,
                          *dtls::Fingerprint::Parse(kBrowserFingerprint));

  // A second change while the first offer waits: told, but not offered yet.
  spec.video = true;
  Publish(1, PublishSdp(spec));
  EXPECT_EQ(out_.Count(1, "error"), 0u) << out_.Last(1, "error").dump();
  EXPECT_EQ(out_.Count(2, "track_published"), 2u);
  EXPECT_EQ(out_.Count(2, "offer"), 1u);

  // A broken answer changes nothing.
  Answer(2, "v=0\r\n");
  EXPECT_EQ(LastError(2), "bad_sdp");
  Answer(2, sdp::testing::kChromiumOffer);  // an offer is not an answer
  EXPECT_EQ(out_.Count(2, "error"), 2u);
  EXPECT_EQ(out_.Count(2, "offer"), 1u);

  // The answer to the first offer releases the coalesced one.
  Answer(2, first_answer);
  EXPECT_EQ(out_.Count(2, "error"), 2u) << out_.Last(2, "error").dump();
  ASSERT_EQ(out_.Count(2, "offer"), 2u);
  const auto second = ParseOk(out_.Last(2, "offer")["sdp"].get<std::string>());
  ASSERT_EQ(second.media.size(), 2u);
  EXPECT_EQ(second.media[0].mid, first.media[0].mid);  // mids and SSRCs are stable
  EXPECT_EQ(second.media[0].ssrcs, first.media[0].ssrcs);
  EXPECT_EQ(second.media[1].kind(), sdp::MediaKind::kVideo);
  EXPECT_EQ(second.origin.session_id, first.origin.session_id);
  EXPECT_EQ(second.origin.session_version, first.origin.session_version + 1);
  EXPECT_EQ(second.media[0].common.ice_ufrag, first.media[0].common.ice_ufrag);

  AnswerLatestOffer(2);
  EXPECT_EQ(out_.Count(2, "error"), 2u) << out_.Last(2, "error").dump();
  EXPECT_EQ(out_.Count(2, "offer"), 2u);  // nothing changed since

  // An answer with nothing outstanding is refused.
  AnswerLatestOffer(2);
  EXPECT_EQ(out_.Count(2, "error"), 3u);
  EXPECT_EQ(LastError(2), "bad_sdp");
}

TEST_F(ConferenceTest, SubscriberIceRestartIsRefused) {
  Join(1, "standup", "Alice");
  Join(2, "standup", "Bob");
  OfferSpec spec;
  spec.video = false;
  Publish(1, PublishSdp(spec));
  AnswerLatestOffer(2);
  ASSERT_EQ(out_.Count(2, "error"), 0u);
  spec.video = true;
  Publish(1, PublishSdp(spec));
  ASSERT_EQ(out_.Count(2, "offer"), 2u);
  AnswerLatestOffer(2, {"newU", "anotherPassword0123456789"});
  EXPECT_EQ(LastError(2), "bad_sdp");
  // The offer still waits: the right answer is accepted.
  AnswerLatestOffer(2);
  EXPECT_EQ(out_.Count(2, "error"), 1u);
}

TEST_F(ConferenceTest, PublisherIceRestartIsRefused) {
  Join(1, "standup", "Alice");
  Join(2, "standup", "Bob");
  OfferSpec spec;
  spec.video = false;
  Publish(1, PublishSdp(spec));
  ASSERT_EQ(out_.Count(1, "answer"), 1u);
  spec.video = true;
  spec.ufrag = "Zz9y";
  Publish(1, PublishSdp(spec));
  EXPECT_EQ(LastError(1), "bad_sdp");
  EXPECT_EQ(out_.Count(1, "answer"), 1u);
  EXPECT_EQ(out_.Count(2, "track_published"), 1u);  // the refused offer published nothing
}

TEST_F(ConferenceTest, BadPublishOffersAreRefusedAndPublishNothing) {
  Join(1, "standup", "Alice");
  Join(2, "standup", "Bob");
  out_.Clear();
  std::string no_bundle = PublishSdp({});
  no_bundle.erase(no_bundle.find("a=group:BUNDLE 0 1\r\n"), 20);
  std::string pcmu_only = PublishSdp({.video = false});
  pcmu_only.replace(pcmu_only.find("m=audio 9 UDP/TLS/RTP/SAVPF 111 0"), 33, "m=audio 9 UDP/TLS/RTP/SAVPF 0");
  std::string sdes = PublishSdp({});
  sdes.insert(sdes.find("a=mid:0"),
              "a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:WVNfX19zZW1jdGwgKCkgewkyMjA7fQp9CnVubGVz\r\n");
  for (const std::string& bad : {std::string("hello"), std::string(), no_bundle, pcmu_only, sdes}) {
    const size_t errors = out_.Count(1, "error");
    Publish(1, bad);
    EXPECT_EQ(out_.Count(1, "error"), errors + 1) << bad;
    EXPECT_EQ(LastError(1), "bad_sdp") << bad;
  }
  EXPECT_EQ(out_.Count(1, "answer"), 0u);
  EXPECT_EQ(out_.Count(2), 0u);
  // Still in the call, and a good offer works afterwards.
  Publish(1, PublishSdp({}));
  EXPECT_EQ(out_.Count(1, "answer"), 1u);
  EXPECT_EQ(out_.Count(2, "track_published"), 2u);
}

TEST_F(ConferenceTest, UnpublishedTrackEndsItsSection) {
  const std::string alice = Join(1, "standup", "Alice");
  Join(2, "standup", "Bob");
  Publish(1, PublishSdp({}));
  AnswerLatestOffer(2);
  auto published = out_.To(2, "track_published");
  ASSERT_EQ(published.size(), 2u);
  const std::string video_track =
      (published[1]["kind"] == "video" ? published[1] : published[0])["track_id"].get<std::string>();

  OfferSpec spec;
  spec.video_direction = "inactive";  // removeTrack() on the camera
  Publish(1, PublishSdp(spec));
  EXPECT_EQ(out_.Count(1, "error"), 0u);
  auto unpublished = out_.Last(2, "track_unpublished");
  EXPECT_EQ(unpublished["participant_id"], alice);
  EXPECT_EQ(unpublished["track_id"], video_track);
  ASSERT_EQ(out_.Count(2, "offer"), 2u);
  const auto offer = ParseOk(out_.Last(2, "offer")["sdp"].get<std::string>());
  ASSERT_EQ(offer.media.size(), 2u);
  const auto& audio = offer.media[0].kind() == sdp::MediaKind::kAudio ? offer.media[0] : offer.media[1];
  const auto& video = offer.media[0].kind() == sdp::MediaKind::kVideo ? offer.media[0] : offer.media[1];
  EXPECT_EQ(audio.common.direction, sdp::Direction::kSendOnly);
  EXPECT_EQ(video.common.direction, sdp::Direction::kInactive);
  EXPECT_TRUE(video.msids.empty());
  EXPECT_TRUE(video.ssrcs.empty());
  AnswerLatestOffer(2);  // inactive answered inactive
  EXPECT_EQ(out_.Count(2, "error"), 0u);
}

TEST_F(ConferenceTest, LeaveTellsTheRoomAndReOffersTheSectionsInactive) {
  const std::string alice = Join(1, "standup", "Alice");
  const std::string bob = Join(2, "standup", "Bob");
  Join(3, "other", "Carol");
  Publish(1, PublishSdp({}));
  AnswerLatestOffer(2);
  ASSERT_EQ(out_.Count(2, "error"), 0u);
  const size_t to_carol = out_.Count(3);

  Send(1, signaling::LeaveRequest{});
  EXPECT_EQ(out_.closed, std::vector<SessionId>{1});
  EXPECT_EQ(out_.Last(2, "participant_left")["participant_id"], alice);
  ASSERT_EQ(out_.Count(2, "offer"), 2u);
  const auto offer = ParseOk(out_.Last(2, "offer")["sdp"].get<std::string>());
  ASSERT_EQ(offer.media.size(), 2u);
  for (const auto& m : offer.media) {
    EXPECT_EQ(m.common.direction, sdp::Direction::kInactive);
    EXPECT_TRUE(m.msids.empty());
  }
  EXPECT_EQ(out_.Count(3), to_carol);
  EXPECT_EQ(conference_->participant_count(), 2u);
  EXPECT_EQ(conference_->stats().leaves, 1u);

  // Gone: further messages are refused.
  Publish(1, PublishSdp({}));
  EXPECT_EQ(LastError(1), "not_joined");

  // A disconnect is a leave without closing (the socket is already gone).
  Send(2, signaling::LeaveRequest{});
  Disconnected(3);
  EXPECT_EQ(out_.closed, (std::vector<SessionId>{1, 2}));
  EXPECT_EQ(conference_->participant_count(), 0u);
  EXPECT_EQ(conference_->stats().leaves, 3u);
}

TEST_F(ConferenceTest, RejoinAfterTheRoomEmptiedStartsAFreshRoom) {
  Join(1, "standup", "Alice");
  Publish(1, PublishSdp({}));
  Disconnected(1);
  EXPECT_EQ(conference_->participant_count(), 0u);
  Join(2, "standup", "Bob");
  EXPECT_TRUE(out_.Last(2, "joined")["participants"].empty());
  EXPECT_EQ(out_.Count(2, "offer"), 0u);
}

TEST_F(ConferenceTest, KeyBlobsAreRelayedInsideTheRoom) {
  const std::string alice = Join(1, "standup", "Alice");
  const std::string bob = Join(2, "standup", "Bob");
  const std::string carol = Join(3, "other", "Carol");
  const std::string dave = Join(4, "standup", "Dave");
  out_.Clear();
  const signaling::Blob blob{1, 2, 3, 250};

  Send(1, signaling::KeyBlobSend{bob, blob});
  ASSERT_EQ(out_.Count(2, "key_blob"), 1u);
  EXPECT_EQ(out_.Last(2, "key_blob")["from"], alice);
  EXPECT_EQ(out_.Last(2, "key_blob")["blob"], auth::Base64UrlEncode(blob));
  EXPECT_EQ(out_.Count(1), 0u);
  EXPECT_EQ(out_.Count(3), 0u);
  EXPECT_EQ(out_.Count(4), 0u);

  Send(1, signaling::KeyBlobSend{std::nullopt, blob});
  EXPECT_EQ(out_.Count(2, "key_blob"), 2u);
  EXPECT_EQ(out_.Count(4, "key_blob"), 1u);
  EXPECT_EQ(out_.Last(4, "key_blob")["from"], alice);
  EXPECT_EQ(out_.Count(1), 0u);  // not echoed to the sender
  EXPECT_EQ(out_.Count(3), 0u);  // nor across rooms

  Send(1, signaling::KeyBlobSend{carol, blob});  // exists, but in another room
  EXPECT_EQ(LastError(1), "unknown_participant");
  EXPECT_EQ(out_.Count(3), 0u);
  Send(1, signaling::KeyBlobSend{"pnobody", blob});
  EXPECT_EQ(out_.Count(1, "error"), 2u);
  EXPECT_EQ(LastError(1), "unknown_participant");
  Send(1, signaling::KeyBlobSend{alice, blob});  // to itself
  EXPECT_EQ(out_.Count(1, "key_blob"), 0u);
  EXPECT_EQ(out_.Count(2, "key_blob"), 2u);
}

TEST_F(ConferenceTest, ShutdownTellsEveryoneAndClosesEverySocket) {
  Join(1, "standup", "Alice");
  Join(2, "standup", "Bob");
  Join(3, "other", "Carol");
  Publish(1, PublishSdp({}));
  out_.Clear();
  conference_->Shutdown(now_);
  EXPECT_EQ(conference_->participant_count(), 0u);
  std::vector<SessionId> closed = out_.closed;
  std::sort(closed.begin(), closed.end());
  EXPECT_EQ(closed, (std::vector<SessionId>{1, 2, 3}));
  for (SessionId s : {1, 2, 3}) {
    EXPECT_EQ(LastError(s), "shutting_down") << s;
    // The error comes before the close.
    auto error_at = std::find(out_.log.begin(), out_.log.end(), "signal " + std::to_string(s) + " error");
    auto close_at = std::find(out_.log.begin(), out_.log.end(), "close " + std::to_string(s));
    EXPECT_LT(error_at, close_at) << s;
    // Nothing after the close.
    EXPECT_EQ(std::find_if(close_at, out_.log.end(),
                           [&](const std::string& e) { return e.starts_with("signal " + std::to_string(s) + " "); }),
              out_.log.end())
        << s;
  }
}

TEST_F(ConferenceTest, RoomFullRefusesAndCloses) {
  MakeConference(/*per_room=*/2, /*total=*/3);
  ASSERT_FALSE(Join(1, "standup", "Alice").empty());
  ASSERT_FALSE(Join(2, "standup", "Bob").empty());
  EXPECT_TRUE(Join(3, "standup", "Carol").empty());
  EXPECT_EQ(LastError(3), "room_full");
  EXPECT_EQ(out_.closed, std::vector<SessionId>{3});
  EXPECT_EQ(out_.Count(1, "participant_joined"), 1u);  // Bob only
  EXPECT_EQ(conference_->participant_count(), 2u);

  ASSERT_FALSE(Join(4, "other", "Dave").empty());  // another room has space
  EXPECT_TRUE(Join(5, "third", "Erin").empty());   // but the worker is now full
  EXPECT_EQ(LastError(5), "room_full");
  EXPECT_EQ(conference_->participant_count(), 3u);

  Disconnected(2);
  EXPECT_FALSE(Join(6, "standup", "Frank").empty());
}

TEST_F(ConferenceTest, RoomRulesLowerTheRoomLimit) {
  const RoomRules rules{.e2ee_required = false, .max_participants = 2};
  ASSERT_FALSE(Join(1, "small", "Alice", {true, true, false}, rules).empty());
  ASSERT_FALSE(Join(2, "small", "Bob", {true, true, false}, rules).empty());
  EXPECT_TRUE(Join(3, "small", "Carol", {true, true, false}, rules).empty());
  EXPECT_EQ(LastError(3), "room_full");
  EXPECT_EQ(out_.closed, std::vector<SessionId>{3});
  // A rule cannot raise the server's own limit.
  MakeConference(/*per_room=*/1);
  ASSERT_FALSE(Join(4, "big", "Dave", {true, true, false}, {false, 10}).empty());
  EXPECT_TRUE(Join(5, "big", "Erin", {true, true, false}, {false, 10}).empty());
}

TEST_F(ConferenceTest, JoinedNeverListsMoreThanTheProtocolAllows) {
  MakeConference(/*per_room=*/10000, /*total=*/10000);
  const SessionId limit = signaling::kMaxParticipantsListed + 1;
  for (SessionId s = 1; s <= limit; ++s) ASSERT_FALSE(Join(s, "huge", "x").empty()) << s;
  EXPECT_EQ(out_.Last(limit, "joined")["participants"].size(), signaling::kMaxParticipantsListed);
  EXPECT_TRUE(Join(limit + 1, "huge", "x").empty());
  EXPECT_EQ(LastError(limit + 1), "room_full");
}

TEST_F(ConferenceTest, IdentityKeysAreAnnouncedAsSent) {
  const signaling::Blob key_a(65, 4), key_b(65, 7);
  const std::string alice = Join(1, "standup", "Alice", {true, true, false}, {}, key_a);
  Join(2, "standup", "Bob", {true, true, false}, {}, key_b);
  Join(3, "standup", "Carol");  // no E2EE
  auto listed = out_.Last(3, "joined")["participants"];
  ASSERT_EQ(listed.size(), 2u);
  EXPECT_EQ(listed[0]["identity_key"], auth::Base64UrlEncode(key_a));
  EXPECT_EQ(listed[1]["identity_key"], auth::Base64UrlEncode(key_b));
  auto announced = out_.To(1, "participant_joined");
  ASSERT_EQ(announced.size(), 2u);
  EXPECT_EQ(announced[0]["participant"]["identity_key"], auth::Base64UrlEncode(key_b));
  EXPECT_FALSE(announced[1]["participant"].contains("identity_key"));  // Carol's
}

TEST_F(ConferenceTest, GrantsAreCheckedAgainByTheWorker) {
  Join(1, "standup", "Viewer", {.publish = false, .subscribe = true, .room_admin = false});
  Join(2, "standup", "Broadcaster", {.publish = true, .subscribe = false, .room_admin = false});
  Publish(1, PublishSdp({}));
  EXPECT_EQ(LastError(1), "forbidden");
  EXPECT_EQ(out_.Count(1, "answer"), 0u);
  EXPECT_EQ(out_.Count(2, "track_published"), 0u);
  Answer(2, "v=0\r\n");
  EXPECT_EQ(LastError(2), "forbidden");
}

TEST_F(ConferenceTest, UnroutedDatagramsAreCountedAndIgnored) {
  Join(1, "standup", "Alice");
  Publish(1, PublishSdp({}));
  out_.datagrams.clear();
  std::vector<uint8_t> srtp(100, 0x80);
  conference_->HandleDatagram(srtp, kStranger, now_);
  std::vector<uint8_t> dtls(60, 22);
  conference_->HandleDatagram(dtls, kStranger, now_);
  // A STUN check naming nobody's ufrag.
  stun::TransactionId id;
  id.fill(7);
  stun::MessageBuilder b({stun::method::kBinding, stun::MessageClass::kRequest}, id);
  b.Add(stun::Username{"nobody:Pq7z"});
  b.AddMessageIntegrity(stun::ShortTermKey("whatever-password-0123"));
  b.AddFingerprint();
  std::vector<uint8_t> check = std::move(b).Take();
  conference_->HandleDatagram(check, kStranger, now_);
  std::vector<uint8_t> empty;
  conference_->HandleDatagram(empty, kStranger, now_);
  EXPECT_EQ(conference_->stats().datagrams_unrouted, 4u);
  EXPECT_TRUE(out_.datagrams.empty());
}

TEST_F(ConferenceTest, AMediaConnectionThatNeverComesUpRemovesTheParticipant) {
  const std::string alice = Join(1, "standup", "Alice");
  Join(2, "standup", "Bob");
  Publish(1, PublishSdp({}));
  ASSERT_TRUE(conference_->NextTimeout().has_value());
  const Timestamp end = now_ + transport::PeerTransport::kConnectTimeout + TimeDelta::Seconds(2);
  while (now_ < end && conference_->participant_count() == 2) {
    now_ += TimeDelta::Millis(100);
    if (auto next = conference_->NextTimeout(); next && *next <= now_) conference_->HandleTimers(now_);
  }
  EXPECT_EQ(conference_->participant_count(), 1u);
  EXPECT_GE(now_, Timestamp::Millis(1'000'000) + transport::PeerTransport::kConnectTimeout);
  EXPECT_EQ(LastError(1), "internal");
  EXPECT_EQ(out_.closed, std::vector<SessionId>{1});
  EXPECT_EQ(out_.Last(2, "participant_left")["participant_id"], alice);
  EXPECT_GE(conference_->stats().transports_failed, 1u);
}

// ---------------------------------------------------------------------------
// Media end to end: native clients (controlling ICE, DTLS client) on an
// in-memory network with the Conference, in simulated time.

std::vector<uint8_t> MakeRtp(uint16_t seq, uint32_t ssrc, uint8_t pt) {
  rtp::RtpHeader h;
  h.payload_type = pt;
  h.sequence_number = seq;
  h.timestamp = seq * 960u;
  h.ssrc = Ssrc(ssrc);
  std::vector<uint8_t> payload(120, static_cast<uint8_t>(seq * 7));
  std::vector<uint8_t> out;
  h.SerializeTo(payload, 0, out);
  return out;
}

struct Client {
  TransportAddress address;
  std::shared_ptr<const dtls::DtlsContext> context;
  std::unique_ptr<transport::PeerTransport> transport;
  std::vector<std::vector<uint8_t>> rtp;
  std::vector<std::vector<uint8_t>> rtcp;
  bool connected = false;
};

class ConferenceMediaTest : public ConferenceTest {
 protected:
  void Connect(Client& client, const ice::IceCredentials& local, const std::string& server_sdp) {
    const auto sd = ParseOk(server_sdp);
    ASSERT_FALSE(sd.media.empty());
    transport::PeerTransportConfig c;
    c.ice_role = transport::IceRole::kControlling;
    c.local_ice = local;
    c.remote_ice = {*sd.media[0].common.ice_ufrag, *sd.media[0].common.ice_pwd};
    c.remote_candidates = {kServer1};
    c.rng = &client_rng_;
    c.dtls_role = dtls::DtlsRole::kClient;
    c.remote_fingerprint = ServerContext()->certificate().fingerprint();
    c.dtls_context = client.context;
    auto created = transport::PeerTransport::Create(std::move(c), now_);
    ASSERT_TRUE(created.ok());
    client.transport = std::move(created).value();
  }

  void Step() {
    for (Client* c : {&a_, &b_}) {
      if (!c->transport) continue;
      while (auto d = c->transport->PollTransmit()) {
        EXPECT_EQ(d->to, kServer1);
        conference_->HandleDatagram(d->bytes, c->address, now_);
      }
      while (auto e = c->transport->PollEvent()) {
        if (std::holds_alternative<transport::Connected>(*e)) c->connected = true;
      }
    }
    while (!out_.datagrams.empty()) {
      Recorder::Sent sent = std::move(out_.datagrams.front());
      out_.datagrams.pop_front();
      Client* to = sent.to == a_.address ? &a_ : sent.to == b_.address ? &b_ : nullptr;
      if (!to) {
        ADD_FAILURE() << "datagram to a stranger " << sent.to.IpString();
        continue;
      }
      if (!to->transport) continue;
      auto got = to->transport->HandleDatagram(sent.bytes, kServer1, now_);
      if (got.kind == transport::Received::Kind::kRtp) to->rtp.emplace_back(got.packet.begin(), got.packet.end());
      if (got.kind == transport::Received::Kind::kRtcp) to->rtcp.emplace_back(got.packet.begin(), got.packet.end());
    }
    now_ += TimeDelta::Millis(5);
    for (Client* c : {&a_, &b_}) {
      if (!c->transport) continue;
      if (auto next = c->transport->NextTimeout(); next && *next <= now_) c->transport->HandleTimeout(now_);
    }
    if (auto next = conference_->NextTimeout(); next && *next <= now_) conference_->HandleTimers(now_);
  }

  bool RunUntil(const std::function<bool()>& done, TimeDelta limit = TimeDelta::Seconds(10)) {
    const Timestamp end = now_ + limit;
    while (now_ < end) {
      if (done()) return true;
      Step();
    }
    return done();
  }

  // Sends one SRTP packet from `from` to the server.
  void SendRtp(Client& from, uint16_t seq, uint32_t ssrc, uint8_t pt) {
    auto packet = MakeRtp(seq, ssrc, pt);
    const size_t len = packet.size();
    packet.resize(len + transport::PeerTransport::kMaxSrtpOverhead);
    auto out = from.transport->ProtectRtp(packet, len, now_);
    ASSERT_TRUE(out.ok());
    std::vector<uint8_t> bytes(out->begin(), out->end());
    conference_->HandleDatagram(bytes, from.address, now_);
  }

  SeededRandom client_rng_{77};
  Client a_{kClientA, MakeContext(2), nullptr, {}, {}, false};
  Client b_{kClientB, MakeContext(3), nullptr, {}, {}, false};
};

TEST_F(ConferenceMediaTest, PublishedRtpReachesTheSubscriberRewritten) {
  const ice::IceCredentials a_ice{"pubA", "publisherApassword0123456"};
  const ice::IceCredentials b_ice{"subB", "subscriberBpassword0123456"};
  Join(1, "standup", "Alice");
  Join(2, "standup", "Bob");
  OfferSpec spec;
  spec.ufrag = a_ice.ufrag;
  spec.pwd = a_ice.pwd;
  spec.fingerprint = a_.context->certificate().fingerprint().ToSdpString();
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
    EXPECT_TRUE(std::equal(b_.rtp[i].begin() + 12, b_.rtp[i].end(), sent.begin() + 12, sent.end())) << i;
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

// A track published while the subscriber's previous offer still waits for
// its answer: its section is coalesced into the next offer, and no media
// flows on its SSRC before that offer announced it.
TEST_F(ConferenceMediaTest, NoMediaOnASectionTheSubscriberWasNotOfferedYet) {
  const ice::IceCredentials a_ice{"pubA", "publisherApassword0123456"};
  const ice::IceCredentials b_ice{"subB", "subscriberBpassword0123456"};
  Join(1, "standup", "Alice");
  Join(2, "standup", "Bob");
  OfferSpec spec;
  spec.ufrag = a_ice.ufrag;
  spec.pwd = a_ice.pwd;
  spec.fingerprint = a_.context->certificate().fingerprint().ToSdpString();
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

}  // namespace
}  // namespace aegis::server
