// The Conference test fixture shared by the conference_*_test.cc files: a
// recording ConferenceOutput, publisher offers in Chromium's shape, browser
// answers to subscriber offers, and ConferenceTest (a Conference in
// simulated time). Test-only.
#pragma once

#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <deque>
#include <functional>
#include <optional>
#include <set>

#include <nlohmann/json.hpp>

#include "auth/base64url.h"
#include "dtls/certificate.h"
#include "rtcp/compound.h"
#include "rtcp/pli.h"
#include "rtp/rtp_header.h"
#include "rtp/rtp_packet.h"
#include "rtp/transport_sequence.h"
#include "sdp/sdp_parser.h"
#include "sdp/sdp_serializer.h"
#include "sdp/test_sdps.h"
#include "server/conference.h"
#include "stun/integrity.h"
#include "stun/message_builder.h"
#include "transport/peer_transport.h"

namespace aegis::server::conference_testing {

using nlohmann::json;
using stun::TransportAddress;

inline const TransportAddress kServer1 = TransportAddress::Ipv4({198, 18, 0, 1}, 40000);
inline const TransportAddress kServer2 = TransportAddress::Ipv4({198, 18, 0, 2}, 40002);
inline const TransportAddress kClientA = TransportAddress::Ipv4({192, 0, 2, 10}, 50001);
inline const TransportAddress kClientB = TransportAddress::Ipv4({192, 0, 2, 20}, 50002);
inline const TransportAddress kStranger = TransportAddress::Ipv4({192, 0, 2, 66}, 6666);

// What kChromiumOffer carries that must never reach another participant.
inline constexpr const char* kChromiumFingerprint =
    "sha-256 4A:AD:B9:B1:3F:82:18:3B:54:02:12:DF:3E:5D:49:6B:19:E5:7C:AB:3C:5E:31:F7:B3:A6:50:C5:F3:F8:2C:79";
inline constexpr const char* kBrowserFingerprint =
    "sha-256 9C:41:E0:7B:23:5A:C8:16:F2:0D:94:BB:37:6E:A1:58:C3:0F:72:E9:4D:86:1B:A5:5C:E3:08:9F:D6:2A:71:B4";

inline std::shared_ptr<const dtls::DtlsContext> MakeContext(uint64_t seed) {
  SeededRandom rng(seed);
  auto cert =
      dtls::Certificate::Generate(rng, std::chrono::floor<std::chrono::seconds>(std::chrono::system_clock::now()));
  return dtls::DtlsContext::Create(cert);
}

inline const std::shared_ptr<const dtls::DtlsContext>& ServerContext() {
  static const auto* context = new std::shared_ptr<const dtls::DtlsContext>(MakeContext(1));
  return *context;
}

// Tests name sessions by small numbers (Join(1, ...)): S takes a number or
// a SessionId and gives a SessionId, so the helpers below take either.
struct S {
  S(uint64_t number) : n(number) {}  // NOLINT: implicit on purpose
  S(SessionId id) : n(id.value()) {}  // NOLINT
  operator SessionId() const { return SessionId(n); }  // NOLINT
  uint64_t n;
};
inline std::vector<SessionId> Sessions(std::initializer_list<uint64_t> numbers) {
  std::vector<SessionId> out;
  for (uint64_t n : numbers) out.emplace_back(n);
  return out;
}
// For gtest's messages (found by argument-dependent lookup).
inline std::ostream& operator<<(std::ostream& os, SessionId s) { return os << "session " << s.value(); }

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
    EXPECT_EQ(j.value("v", 0), signaling::kProtocolVersion) << message;
    log.push_back("signal " + std::to_string(session.value()) + " " + j.value("type", "?"));
    signals.push_back({session, std::move(j)});
  }
  void CloseSignal(SessionId session) override {
    log.push_back("close " + std::to_string(session.value()));
    closed.push_back(session);
  }
  void SendDatagram(const TransportAddress& to, std::span<const uint8_t> bytes) override {
    datagrams.push_back({to, {bytes.begin(), bytes.end()}});
  }

  // Messages to `session`, of `type` if given.
  std::vector<json> To(S session, std::string_view type = "") const {
    std::vector<json> out;
    for (const auto& s : signals) {
      if (s.session == SessionId(session) && (type.empty() || s.message.value("type", "") == type)) out.push_back(s.message);
    }
    return out;
  }
  size_t Count(S session, std::string_view type = "") const { return To(session, type).size(); }
  json Last(S session, std::string_view type) const {
    auto all = To(session, type);
    EXPECT_FALSE(all.empty()) << "no " << type << " to session " << session.n;
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
  bool transport_cc = false;  // offer transport-wide congestion control (extension 3 + feedback), as Chrome does
};

inline std::string PublishSdp(const OfferSpec& s) {
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
           "a=extmap:4 urn:ietf:params:rtp-hdrext:sdes:mid\r\n" +
           (s.transport_cc ? "a=extmap:3 " + std::string(rtp::kTransportSequenceUri) + "\r\n" : std::string());
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
        "a=rtcp-fb:96 nack pli\r\n" +
        std::string(s.transport_cc ? "a=rtcp-fb:96 transport-cc\r\n" : "") +
        "a=rtpmap:45 AV1/90000\r\n";
    if (s.video_direction != "inactive") sdp += "a=ssrc:" + std::to_string(s.video_ssrc) + " cname:c\r\n";
  }
  return sdp;
}

inline sdp::SessionDescription ParseOk(const std::string& text) {
  auto parsed = sdp::ParseSdp(text);
  EXPECT_TRUE(parsed.ok()) << text;
  return parsed.ok() ? std::move(parsed).value() : sdp::SessionDescription{};
}

inline sdp::Fingerprint ToSdp(const dtls::Fingerprint& fp) {
  std::string text = fp.ToSdpString();
  return {text.substr(0, text.find(' ')), {fp.digest().begin(), fp.digest().end()}};
}

// What a browser answers to a subscriber offer: recvonly (inactive for an
// inactive section), setup:active, its own ICE credentials and certificate.
inline std::string SubscriberAnswerFor(const std::string& offer_text, const ice::IceCredentials& ice,
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

inline const ice::IceCredentials kBrowserIceB{"vH3k", "Tq9Lw2Zp7Rm4Xc8Nb1Fy5Gd6"};

inline bool IsServerCandidate(const sdp::Candidate& c) {
  for (const auto& a : {kServer1, kServer2}) {
    if (c.address == a.IpString() && c.port == a.port && c.type == "host") return true;
  }
  return false;
}

class ConferenceTest : public ::testing::Test {
 protected:
  void SetUp() override { MakeConference(); }

  void MakeConference(size_t per_room = 64, size_t total = 1000, ConferenceTestHooks* hooks = nullptr) {
    ConferenceConfig config;
    config.test_hooks = hooks;
    config.candidates = {kServer1, kServer2};
    config.relay_addresses = relay_addresses_;
    config.publisher_transport_feedback = publisher_transport_feedback_;
    config.dtls_context = ServerContext();
    config.max_participants_per_room = per_room;
    config.max_participants = total;
    conference_.reset();
    conference_ = std::make_unique<Conference>(std::move(config), out_, rng_);
  }

  // Joins and returns the participant id from "joined" ("" if refused).
  std::string Join(S session, const std::string& room, const std::string& name,
                   auth::Grants grants = {.publish = true, .subscribe = true, .room_admin = false},
                   const RoomRules& rules = {}) {
    auth::Claims claims;
    claims.identity = "identity-" + std::to_string(session.n);
    claims.room = room;
    claims.display_name = name;
    claims.grants = grants;
    claims.not_before = 1'700'000'000;
    claims.expires_at = 1'700'000'600;
    const size_t before = out_.Count(session, "joined");
    conference_->Join(session, claims, signaling::JoinRequest{room, "token", false, std::nullopt}, now_, rules);
    if (out_.Count(session, "joined") == before) return "";
    return out_.Last(session, "joined").value("participant_id", "");
  }

  void Send(S session, const signaling::ClientMessage& message) {
    conference_->HandleMessage(session, message, now_);
  }
  void Publish(S session, const std::string& sdp) { Send(session, signaling::PublishOffer{sdp}); }
  void Answer(S session, const std::string& sdp) { Send(session, signaling::SubscribeAnswer{sdp}); }
  // Answers the latest subscriber offer to `session` as a browser would.
  void AnswerLatestOffer(S session, const ice::IceCredentials& ice = kBrowserIceB,
                         const dtls::Fingerprint& fp = *dtls::Fingerprint::Parse(kBrowserFingerprint)) {
    Answer(session, SubscriberAnswerFor(out_.Last(session, "offer").value("sdp", ""), ice, fp));
  }
  std::string LastError(S session) { return out_.Last(session, "error").value("code", ""); }
  void Disconnected(S session) { conference_->Disconnected(session, now_); }

  std::vector<TransportAddress> relay_addresses_;  // ConferenceConfig::relay_addresses (MakeConference)
  bool publisher_transport_feedback_ = false;       // ConferenceConfig::publisher_transport_feedback
  Recorder out_;
  SeededRandom rng_{42};
  Timestamp now_ = Timestamp::Millis(1'000'000);
  std::unique_ptr<Conference> conference_;
};

// ---------------------------------------------------------------------------
// Media end to end: native clients (controlling ICE, DTLS client) on an
// in-memory network with the Conference, in simulated time.

// With `transport_number`, the packet carries it as transport-wide sequence
// number (extension id 3, as PublishSdp offers it).
inline std::vector<uint8_t> MakeRtp(uint16_t seq, uint32_t ssrc, uint8_t pt,
                                    std::optional<uint16_t> transport_number = std::nullopt) {
  rtp::RtpHeader h;
  h.payload_type = pt;
  h.sequence_number = seq;
  h.timestamp = seq * 960u;
  h.ssrc = Ssrc(ssrc);
  if (transport_number) {
    h.extensions.push_back({3, {static_cast<uint8_t>(*transport_number >> 8), static_cast<uint8_t>(*transport_number)}});
  }
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
  // A publish offer from `client` with these ICE credentials and its certificate.
  static OfferSpec SpecFor(const Client& client, const ice::IceCredentials& ice) {
    OfferSpec spec;
    spec.ufrag = ice.ufrag;
    spec.pwd = ice.pwd;
    spec.fingerprint = client.context->certificate().fingerprint().ToSdpString();
    return spec;
  }

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
    c.srtp.max_ssrcs = client_max_ssrcs_;
    auto created = transport::PeerTransport::Create(std::move(c), now_);
    ASSERT_TRUE(created.ok());
    client.transport = std::move(created).value();
  }

  void Step() {
    for (Client* c : {&a_, &b_}) {
      if (!c->transport) continue;
      while (auto d = c->transport->PollTransmit()) {
        EXPECT_EQ(d->to, kServer1);
        if (rewrite_to_server_) rewrite_to_server_(*c, d->bytes);
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
      if (!to && std::find(vacated_.begin(), vacated_.end(), sent.to) != vacated_.end()) continue;
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
  void SendRtp(Client& from, uint16_t seq, uint32_t ssrc, uint8_t pt,
               std::optional<uint16_t> transport_number = std::nullopt) {
    auto packet = MakeRtp(seq, ssrc, pt, transport_number);
    const size_t len = packet.size();
    packet.resize(len + transport::PeerTransport::kMaxSrtpOverhead);
    auto out = from.transport->ProtectRtp(packet, len, now_);
    ASSERT_TRUE(out.ok());
    std::vector<uint8_t> bytes(out->begin(), out->end());
    conference_->HandleDatagram(bytes, from.address, now_);
  }

  // Changes what a client sends before the server gets it (another peer's
  // habits, e.g. libnice's).
  std::function<void(Client&, std::vector<uint8_t>&)> rewrite_to_server_;
  SeededRandom client_rng_{77};
  // The test clients' SRTP SSRC bound (a browser has none of its own).
  size_t client_max_ssrcs_ = 160;
  // Addresses a client moved away from: what the server still sends there is lost.
  std::vector<TransportAddress> vacated_;
  Client a_{kClientA, MakeContext(2), nullptr, {}, {}, false};
  Client b_{kClientB, MakeContext(3), nullptr, {}, {}, false};
};

}  // namespace aegis::server::conference_testing
