// One Conference under a stream of operations from six signaling sessions in
// three rooms, in simulated time. Two input formats, chosen by the first byte:
//
// Op stream (any first byte but kStructuredMagic; the committed corpus'
// format). Records [op][arguments...]:
//
//   op % 11
//   0 join          [slot][room][grants]          synthesized verified claims (grants: 1 no publish,
//                                                  2 no subscribe, 4 a name, 8 e2ee with an MLS KeyPackage,
//                                                  0x10 a 2-seat room, 0x20 slot 0's identity: the join
//                                                  replaces that session, 0x40 room_admin (kick, mute, lock,
//                                                  end through `message`), 0x80 with e2ee: a KeyPackage
//                                                  made for another identity)
//   1 message       [slot][len:2][text]            through signaling::ParseClientMessage
//   2 publish       [slot][flags][ssrc]            a browser-like offer (Opus, VP8, a=ssrc)
//   3 answer        [slot][flags]                  a browser-like answer to the slot's last offer
//   4 datagram      [from][len:2][bytes]           raw UDP from one of the harness's addresses
//   5 stun check    [slot][flags]                  a Binding request with the server's credentials (flags: 1 subscriber, 2 nominating, 4 wrong password, 8 from a stranger, 0x10 over ICE-TCP)
//   6 time          [steps]                        advance, run the timers
//   7 disconnect    [slot]
//   8 connect       [slot][which]                  a native client (controlling ICE, DTLS client)
//                                                  completes ICE+DTLS on a connection (media target only)
//   9 media         [slot][flags][pt][len][bytes]  SRTP RTP (or SRTCP) from a connected client
//  10 shutdown
//
// Structured (first byte kStructuredMagic): whole steps of a call, each
// [step][arg], every message well formed, and after each step every slot
// answers its pending subscriber offer the way a browser does, so inputs
// spend their bytes on join/publish/leave sequences rather than on getting
// a valid SDP through:
//
//   step % 12, slot = (arg & 7) % 6
//   0 join       room (arg>>3)%3, 0x80 with the room_admin grant; resumable, as the SDK joins
//   1 publish    kinds (arg>>3)&3: audio, video, both, or the camera ended and no mic; fresh SSRCs
//   2 leave      0x80: the socket closes instead of `leave` (the participant stays, resumable);
//                0x40 (not 0x80): the socket drops and a new one resumes the session with the last
//                seq the slot read, or with 0x20 a wrong secret (refused)
//   3 connect    0x08: the subscriber connection (else the publisher's)
//   4 media      ((arg>>3)&7) + 1 RTP packets on its published SSRCs; 0x40 an RTCP packet too
//   5 moderate   as a room admin (else refused): (arg>>6) 0 kick slot (arg>>3)%6, 1 mute its video
//                (muted and unmuted in turn), 2 lock (and unlock in turn), 3 end the room
//   6 time       advance arg * 20 ms + 1 ms (no slot)
//   7 check      0x08 the subscriber connection, 0x40 from a stranger's address: a nominating
//                Binding request signed with the server's password, 0x20 over ICE-TCP (the same
//                host, another address); 0x80 instead: restart_ice
//                (the next subscriber offer restarts ICE; the slot answers it as a browser)
//   E2EE v2, the room's MLS group (docs/protocol.md §7), messages well formed for what the slot
//   was told (group id, epoch):
//   8 mls join   room (arg>>3)%3 with a KeyPackage; 0x80 one made for another identity (refused)
//   9 commit     (arg>>3)&3: 0 at the slot's epoch, 1 one epoch behind (stale; ahead at epoch 0),
//                2 adding every MLS slot of its room that waits for a Welcome, 3 removing the
//                leaves the server proposed; 0x40 as a PublicMessage signed as its leaf
//   10 member    reports leaf (arg>>3)&7 at its epoch
//   11 app       an application message; 0x40 for another room's group, 0x80 of content type commit
//
// Cost: every operation that makes the Conference write SDP or JSON costs
// around 0.1-0.5 ms under ASan and coverage, so one input runs at most
// kMaxHeavyOps of them; what comes after is read but not run. 10 heavy
// operations reach within 2 % of the edges 32 did (6,550 vs 6,640 on the
// same 880-input corpus) at 2.5x the executions per second. Certificates
// and DTLS contexts are made once per process, and signaling output is
// checked with a structural scan (a full JSON parse only where the harness
// needs fields), so an input costs what its own operations cost.
//
// A DTLS handshake costs more than all of an input's other operations
// together (OpenSSL's certificate decoding alone was 10 % of the fuzzer's
// time), and an input that made one set the pace for all: 600-970
// executions per second against 1,350-1,620 without. So the file builds
// two targets: conference_fuzzer, where `connect` (and so `media`) does
// nothing and the signaling, SDP, ICE and MLS paths get every execution,
// and conference_media_fuzzer, where an input completes up to two
// handshakes and sends SRTP/SRTCP through them.
//
// The harness answers for the signaling shell: a CloseSignal is followed by
// Disconnected, and the slot gets a fresh session id, as a new socket would.
// Invariants (abort on violation):
//  - every signaling message is a JSON object with v 2 and a known type, and
//    goes to a session the harness opened and that is not closed yet;
//  - every offer the server sends parses, and names only the server's own
//    candidates;
//  - datagrams go only to the harness's own addresses (where datagrams came
//    from), never anywhere else, and never to a publisher connection as RTP;
//  - forwarded RTP reaches a client only on an SSRC its subscriber offers
//    announced, and only from a publisher in the same room;
//  - no more participants than open sessions; after Shutdown nothing is
//    left: no participant and no timer;
//  - MLS: a slot sees its group's commits in epoch order, one per epoch,
//    each a commit of its group for that epoch; a Welcome only after a
//    KeyPackage join; every Remove proposal parses as the server's, for the
//    slot's group and epoch, and its Ed25519 signature verifies; mls_*
//    messages reach only slots that joined with a KeyPackage, application
//    messages only from a slot of the same room;
//  - resumption: a numbered message ("seq") to a slot is always the one
//    after the last it read (or asked to resume from): none lost, none
//    twice, in order across a resume; nothing goes to a socket that
//    dropped; a refused resume changes nothing but closing its socket.
#include <array>
#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <deque>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "auth/base64url.h"
#include "crypto/ed25519.h"
#include "dtls/certificate.h"
#include "mls/external_sender.h"
#include "mls/test_messages.h"
#include "rtp/rtp_header.h"
#include "rtp/rtp_packet.h"
#include "sdp/sdp_parser.h"
#include "sdp/sdp_serializer.h"
#include "sdp/test_sdps.h"
#include "server/conference.h"
#include "stun/integrity.h"
#include "stun/message_builder.h"
#include "transport/peer_transport.h"

namespace {

using namespace aegis;
using namespace aegis::server;
using stun::TransportAddress;

constexpr size_t kSlots = 6;
constexpr uint8_t kStructuredMagic = 0xA5;
// DTLS handshakes per input. conference_fuzzer makes none; conference_media_fuzzer
// (this file built with AEGIS_FUZZ_HANDSHAKES=2) makes two, enough for media
// from one participant to another (see Cost above).
#ifndef AEGIS_FUZZ_HANDSHAKES
#define AEGIS_FUZZ_HANDSHAKES 0
#endif
constexpr int kMaxConnects = AEGIS_FUZZ_HANDSHAKES;
constexpr int kMaxHeavyOps = 10;  // operations that make the Conference write SDP or JSON (see Cost above)
const TransportAddress kServer = TransportAddress::Ipv4({198, 18, 0, 1}, 40000);
const std::array<const char*, 3> kRooms = {"alpha", "beta", "gamma"};
const ice::IceCredentials kPubIce{"fzpA", "fuzzPublisherPassword0123"};
const ice::IceCredentials kSubIce{"fzsB", "fuzzSubscriberPassword012"};
constexpr int64_t kTokenExpiry = int64_t{1} << 40;  // tokens outlive any input

#define CHECK(cond)                                                               \
  do {                                                                            \
    if (!(cond)) {                                                                \
      fprintf(stderr, "conference_fuzzer: invariant failed: %s (line %d)\n", #cond, __LINE__); \
      abort();                                                                    \
    }                                                                             \
  } while (0)

struct Contexts {
  std::shared_ptr<const dtls::DtlsContext> server, client;
  std::shared_ptr<const mls::ExternalSenderKey> external_sender;  // the server's, as one process has one
};

const Contexts& GetContexts() {
  static const Contexts contexts = [] {
    SeededRandom rng(1);
    auto now = std::chrono::floor<std::chrono::seconds>(std::chrono::system_clock::now());
    return Contexts{dtls::DtlsContext::Create(dtls::Certificate::Generate(rng, now)),
                    dtls::DtlsContext::Create(dtls::Certificate::Generate(rng, now)),
                    std::make_shared<const mls::ExternalSenderKey>(mls::ExternalSenderKey::Generate(rng))};
  }();
  return contexts;
}

TransportAddress PubAddress(size_t slot) { return TransportAddress::Ipv4({10, 0, uint8_t(slot), 1}, 5000); }
TransportAddress SubAddress(size_t slot) { return TransportAddress::Ipv4({10, 0, uint8_t(slot), 2}, 5000); }
TransportAddress Stranger(size_t i) { return TransportAddress::Ipv4({10, 9, 9, uint8_t(i)}, 6000); }

std::string PublishSdp(uint8_t flags, uint8_t ssrc_seed, const std::string& fingerprint) {
  if (flags & 0x40) return sdp::testing::kChromiumOffer;
  const bool audio = (flags & 1) != 0 || (flags & 2) == 0;
  const bool video = (flags & 2) != 0;
  const char* video_direction = (flags & 4) ? "inactive" : (flags & 0x20) ? "sendrecv" : "sendonly";
  const std::string ufrag = (flags & 8) ? "zzzz" : kPubIce.ufrag;
  const uint32_t audio_ssrc = 1000u + ssrc_seed;
  const uint32_t video_ssrc = (flags & 0x10) ? audio_ssrc : 2000u + ssrc_seed;
  auto transport = [&](const char* mid) {
    return "c=IN IP4 0.0.0.0\r\na=ice-ufrag:" + ufrag + "\r\na=ice-pwd:" + kPubIce.pwd +
           "\r\na=fingerprint:" + fingerprint + "\r\na=setup:actpass\r\na=mid:" + mid +
           "\r\na=extmap:4 urn:ietf:params:rtp-hdrext:sdes:mid\r\na=rtcp-mux\r\n";
  };
  std::string sdp = "v=0\r\no=- 77 2 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\na=group:BUNDLE";
  if (audio) sdp += " 0";
  if (video) sdp += " 1";
  sdp += "\r\n";
  if (audio) {
    sdp += "m=audio 9 UDP/TLS/RTP/SAVPF 111\r\n" + transport("0") +
           "a=sendonly\r\na=rtpmap:111 opus/48000/2\r\na=ssrc:" + std::to_string(audio_ssrc) + " cname:c\r\n";
  }
  if (video) {
    sdp += "m=video 9 UDP/TLS/RTP/SAVPF 96 97\r\n" + transport("1") + "a=" + video_direction +
           "\r\na=rtpmap:96 VP8/90000\r\na=rtpmap:97 rtx/90000\r\na=fmtp:97 apt=96\r\n";
    if (!(flags & 4)) {
      sdp += "a=ssrc-group:FID " + std::to_string(video_ssrc) + " " + std::to_string(video_ssrc + 1) +
             "\r\na=ssrc:" + std::to_string(video_ssrc) + " cname:c\r\na=ssrc:" + std::to_string(video_ssrc + 1) +
             " cname:c\r\n";
    }
  }
  return sdp;
}

sdp::Fingerprint ToSdp(const dtls::Fingerprint& fp) {
  std::string text = fp.ToSdpString();
  return {text.substr(0, text.find(' ')), {fp.digest().begin(), fp.digest().end()}};
}

// A browser-like answer to `offer`; flags spoil it in various ways.
std::optional<std::string> AnswerSdp(const sdp::SessionDescription& offer, uint8_t flags,
                                     const dtls::Fingerprint& fp) {
  sdp::SessionDescription answer;
  answer.origin = {"-", 99, 2, "IN", "IP4", "127.0.0.1"};
  answer.timings = {sdp::Timing{}};
  answer.groups = offer.groups;
  for (size_t i = 0; i < offer.media.size(); ++i) {
    sdp::MediaSection m = offer.media[i];
    m.port = 9;
    m.candidates.clear();
    m.common.end_of_candidates = false;
    m.ssrcs.clear();
    m.msids.clear();
    const bool inactive = m.common.direction == sdp::Direction::kInactive;
    m.common.direction = (flags & 4) ? sdp::Direction::kSendRecv
                                     : inactive ? sdp::Direction::kInactive : sdp::Direction::kRecvOnly;
    m.common.setup = (flags & 0x10) ? sdp::SetupRole::kPassive : sdp::SetupRole::kActive;
    m.common.ice_ufrag = (flags & 1) ? "yyyy" : kSubIce.ufrag;
    m.common.ice_pwd = kSubIce.pwd;
    m.common.fingerprints = {ToSdp(fp)};
    if ((flags & 2) && i + 1 == offer.media.size() && i > 0) {  // the browser stopped the last transceiver
      m.port = 0;
      if (!answer.groups.empty()) std::erase(answer.groups[0].mids, *m.mid);
    }
    answer.media.push_back(std::move(m));
  }
  return sdp::SerializeSdp(answer);
}

// The server's ICE credentials in an SDP it sent (from its first section).
std::optional<ice::IceCredentials> ServerIce(const sdp::SessionDescription& sd) {
  if (sd.media.empty() || !sd.media[0].common.ice_ufrag || !sd.media[0].common.ice_pwd) return std::nullopt;
  return ice::IceCredentials{*sd.media[0].common.ice_ufrag, *sd.media[0].common.ice_pwd};
}

// The value of "key":"..." in serializer output (no escapes in the values
// looked up here), or empty.
std::string_view StringField(std::string_view json, std::string_view key) {
  const std::string needle = "\"" + std::string(key) + "\":\"";
  const size_t at = json.find(needle);
  if (at == std::string_view::npos) return {};
  const size_t begin = at + needle.size();
  const size_t end = json.find('"', begin);
  return end == std::string_view::npos ? std::string_view{} : json.substr(begin, end - begin);
}

// The JSON string value of "key" in serializer output, unescaped (the
// escapes nlohmann writes: \" \\ \/ \b \f \n \r \t \u00XX), or nullopt.
std::optional<std::string> StringValue(std::string_view json, std::string_view key) {
  const std::string needle = "\"" + std::string(key) + "\":\"";
  const size_t at = json.find(needle);
  if (at == std::string_view::npos) return std::nullopt;
  std::string out;
  for (size_t i = at + needle.size(); i < json.size(); ++i) {
    const char c = json[i];
    if (c == '"') return out;
    if (c != '\\') {
      out.push_back(c);
      continue;
    }
    if (++i >= json.size()) return std::nullopt;
    switch (json[i]) {
      case '"': case '\\': case '/': out.push_back(json[i]); break;
      case 'b': out.push_back('\b'); break;
      case 'f': out.push_back('\f'); break;
      case 'n': out.push_back('\n'); break;
      case 'r': out.push_back('\r'); break;
      case 't': out.push_back('\t'); break;
      case 'u': {
        if (i + 4 >= json.size() || json.substr(i + 1, 2) != "00") return std::nullopt;
        out.push_back(static_cast<char>(std::stoi(std::string(json.substr(i + 3, 2)), nullptr, 16)));
        i += 4;
        break;
      }
      default: return std::nullopt;
    }
  }
  return std::nullopt;
}

// What the harness's clients put in SDP, made once.
const std::string& ClientFingerprintText() {
  static const std::string text = GetContexts().client->certificate().fingerprint().ToSdpString();
  return text;
}

struct Client {
  TransportAddress address;
  std::unique_ptr<transport::PeerTransport> transport;
  uint16_t seq = 0;
};

struct Slot {
  SessionId session;
  bool joined = false;  // "joined" received and not closed since
  std::string room;
  std::string participant_id;
  std::optional<ice::IceCredentials> answer_ice;       // the server's, from the last publish answer
  std::optional<sdp::SessionDescription> offer;        // the last subscriber offer
  std::optional<ice::IceCredentials> offer_ice;        // the server's, from that offer
  bool offer_pending = false;                          // not answered yet (structured mode answers it)
  std::set<uint32_t> offered_ssrcs;                    // every SSRC any offer to this session announced
  uint8_t ssrc_seed = 0;
  uint8_t published_kinds = 0;                         // structured mode: 1 audio, 2 video
  // MLS: what the server told this slot of its room's group.
  bool mls = false;                 // joined with a KeyPackage
  bool in_group = false;            // created the group or got a Welcome
  std::vector<uint8_t> group_id;
  uint64_t epoch = 0;               // the next commit must be for this epoch
  uint32_t leaf = 0;                // the last leaf it reported
  std::set<uint32_t> proposed;      // leaves the server proposed to remove
  // Resumption: the secret from `joined`, the last numbered message read.
  std::string resume_token;
  int64_t last_seq = 0;
  Client pub, sub;
};

class Harness final : public ConferenceOutput {
 public:
  Harness() {
    for (size_t i = 0; i < kSlots; ++i) {
      slots_[i].session = NextSession();
      slots_[i].pub.address = PubAddress(i);
      slots_[i].sub.address = SubAddress(i);
    }
    ConferenceConfig config;
    config.candidates = {kServer};
    config.dtls_context = GetContexts().server;
    config.max_participants_per_room = 4;
    config.max_participants = 5;
    config.mls_external_sender = GetContexts().external_sender;
    conference_ = std::make_unique<Conference>(std::move(config), *this, rng_);
  }

  // ConferenceOutput. Every message is checked by a scan of the
  // serializer's compact output: an object, "v":2, a known "type" (no
  // nested object has those keys). The messages whose fields the harness
  // keeps are parsed in full, and checked again.
  void SendSignal(SessionId session, std::string message) override {
    CHECK(message.size() < 1024 * 1024);
    Slot* slot = SlotOf(session);
    CHECK(slot != nullptr);  // a session we opened, not closed
    CHECK(message.size() >= 2 && message.front() == '{' && message.back() == '}');
    CHECK(message.find("\"v\":2,") != std::string::npos || message.ends_with("\"v\":2}"));
    static const std::set<std::string, std::less<>> kTypes = {
        "joined", "participant_joined", "participant_left", "track_published", "track_unpublished",
        "answer", "offer", "error", "pong", "token_expiring", "muted", "locked", "lobby",
        "lobby_joined", "lobby_left", "mls_group", "mls_commit", "mls_welcome", "mls_proposal", "mls_app",
        "resumed"};
    const std::string_view type = StringField(message, "type");
    CHECK(kTypes.contains(type));
    // Numbered messages (a resumable session's) come exactly in order.
    if (message.starts_with("{\"seq\":")) {
      const int64_t seq = std::atoll(message.c_str() + 7);
      CHECK(seq == slot->last_seq + 1);
      slot->last_seq = seq;
    }
    if (type == "joined") {
      auto j = nlohmann::json::parse(message, nullptr, /*allow_exceptions=*/false);
      CHECK(j.is_object());
      CHECK(j.value("v", 0) == 2);
      CHECK(j.value("type", "") == type);
      slot->joined = true;
      slot->room = j.value("room", "");
      slot->participant_id = j.value("participant_id", "");
      slot->resume_token = j.contains("resume") ? j["resume"].value("token", "") : "";
      CHECK(j["participants"].size() < kSlots);
      if (j.contains("mls")) OnGroup(*slot, j["mls"]);
    } else if (type.starts_with("mls_")) {
      OnMls(*slot, type, message);
    } else if (type == "answer" || type == "offer") {
      auto text = StringValue(message, "sdp");
      CHECK(text.has_value());
      auto sd = sdp::ParseSdp(*text);
      if (type == "answer") {
        CHECK(sd.ok());  // our own answers always parse
        slot->answer_ice = ServerIce(*sd);
      } else {
        CHECK(sd.ok());  // we must always be able to read our own offers
        for (const auto& m : sd->media) {
          for (const auto& s : m.ssrcs) slot->offered_ssrcs.insert(s.ssrc);
          for (const auto& c : m.candidates) CHECK(c.address == kServer.IpString() && c.port == kServer.port);
        }
        slot->offer_ice = ServerIce(*sd);
        slot->offer = std::move(sd).value();
        slot->offer_pending = true;
      }
    }
    ++signals_this_op_;
  }
  void CloseSignal(SessionId session) override {
    CHECK(SlotOf(session) != nullptr);
    closed_.push_back(session);
  }
  void SendDatagram(const TransportAddress& to, std::span<const uint8_t> bytes) override {
    // Only ever to an address the harness sends from (over UDP, or the same
    // host over ICE-TCP).
    TransportAddress udp = to;
    udp.protocol = stun::Protocol::kUdp;
    bool known = false;
    for (size_t i = 0; i < kSlots; ++i) known = known || udp == PubAddress(i) || udp == SubAddress(i);
    for (size_t i = 0; i < 2; ++i) known = known || udp == Stranger(i);
    CHECK(known);
    CHECK(bytes.size() <= 1500);
    if (outbox_.size() < 4096) outbox_.push_back({to, {bytes.begin(), bytes.end()}});
  }

  void Run(const uint8_t* data, size_t size) {
    Reader in{data, size};
    if (size > 0 && data[0] == kStructuredMagic) {
      in.u8();
      RunStructured(in);
    } else {
      RunOps(in);
    }
    if (std::getenv("CONFERENCE_FUZZER_STATS")) {  // how deep an input got
      const auto& c = conference_->stats();
      const auto& r = conference_->sfu_stats();
      fprintf(stderr,
              "joins %lu leaves %lu unrouted %lu forwarded %lu not-connected %lu on-subscriber %lu failed %lu | "
              "sfu rtp %lu accepted %lu rtcp %lu connects %d rtp-delivered %lu heavy %d\n",
              c.joins, c.leaves, c.datagrams_unrouted, c.rtp_forwarded, c.rtp_dropped_not_connected,
              c.rtp_on_subscriber_connection, c.transports_failed, r.rtp_received, r.rtp_accepted, r.rtcp_received,
              connects_, delivered_, heavy_);
      for (const auto& [type, count] : mls_seen_) fprintf(stderr, "  %s %d\n", type.c_str(), count);
    }
    conference_->Shutdown(now_);
    Settle();
    CHECK(conference_->participant_count() == 0);
    CHECK(!conference_->NextTimeout().has_value());  // no transport, no router state left behind
  }

 private:
  struct Reader {
    const uint8_t* p;
    size_t n;
    bool empty() const { return n == 0; }
    uint8_t u8() {
      if (n == 0) return 0;
      --n;
      return *p++;
    }
    uint16_t u16() {
      const uint8_t high = u8();
      return static_cast<uint16_t>(high << 8 | u8());
    }
    std::vector<uint8_t> bytes(size_t len) {
      len = std::min(len, n);
      std::vector<uint8_t> out(p, p + len);
      p += len;
      n -= len;
      return out;
    }
  };
  struct Out {
    TransportAddress to;
    std::vector<uint8_t> bytes;
  };

  static std::vector<uint8_t> Blob(const nlohmann::json& j, const char* key) {
    auto bytes = auth::Base64UrlDecode(j.value(key, ""));
    CHECK(bytes.has_value());
    return std::move(*bytes);
  }

  // joined.mls or mls_group: the slot's group (new, or the room's current one).
  void OnGroup(Slot& s, const nlohmann::json& g) {
    CHECK(s.mls);
    CHECK(Blob(g, "external_sender") == GetContexts().external_sender->external_sender());
    CHECK(g.value("suite", 0) == mls::kSuiteXWingAes256);
    s.group_id = Blob(g, "group_id");
    CHECK(s.group_id.size() == 16);
    s.epoch = g.value("epoch", uint64_t{0});
    s.in_group = g.value("create", false);
    if (s.in_group) CHECK(s.epoch == 0);
    s.proposed.clear();
  }

  void OnMls(Slot& s, std::string_view type, const std::string& message) {
    ++mls_seen_[std::string(type)];
    auto j = nlohmann::json::parse(message, nullptr, /*allow_exceptions=*/false);
    CHECK(j.is_object());
    CHECK(s.joined && s.mls);  // only to participants that joined with a KeyPackage
    if (type == "mls_group") return OnGroup(s, j);
    if (type == "mls_commit") {
      // One commit per epoch, in order, each the group's commit of that epoch.
      const uint64_t epoch = j.value("epoch", uint64_t{0});
      CHECK(s.in_group);
      CHECK(epoch == s.epoch);
      auto commit = mls::ParseMlsMessage(Blob(j, "commit"));
      CHECK(commit.ok() && commit->content_type == mls::ContentType::kCommit);
      CHECK(commit->group_id == s.group_id && commit->epoch == epoch);
      s.epoch = epoch + 1;
      s.proposed.clear();  // re-sent for the new epoch if still pending
    } else if (type == "mls_welcome") {
      CHECK(!s.in_group);
      auto welcome = mls::ParseMlsMessage(Blob(j, "welcome"));
      CHECK(welcome.ok() && welcome->wire_format == mls::WireFormat::kWelcome);
      s.in_group = true;
      s.epoch = j.value("epoch", uint64_t{0});
    } else if (type == "mls_proposal") {
      CHECK(s.in_group);
      const auto bytes = Blob(j, "proposal");
      auto proposal = mls::ParseMlsMessage(bytes);
      CHECK(proposal.ok() && proposal->proposal && proposal->proposal->removed);
      CHECK(proposal->sender == (mls::Sender{mls::SenderType::kExternal, 0}));
      CHECK(proposal->group_id == s.group_id && proposal->epoch == s.epoch && j.value("epoch", uint64_t{0}) == s.epoch);
      const std::span<const uint8_t> all(bytes);
      CHECK(crypto::Ed25519Verify(GetContexts().external_sender->public_key(),
                                  mls::SignContent("FramedContentTBS", all.first(all.size() - 66)),
                                  all.last(64)));
      s.proposed.insert(*proposal->proposal->removed);
    } else if (type == "mls_app") {
      CHECK(s.in_group);
      const std::string from = j.value("from", "");
      bool same_room = false;
      for (const auto& other : slots_) same_room = same_room || (other.participant_id == from && other.room == s.room);
      CHECK(same_room && from != s.participant_id);
      auto app = mls::ParseMlsMessage(Blob(j, "message"));
      CHECK(app.ok() && app->group_id == s.group_id);
    }
  }

  // Takes one unit of the input's budget of expensive operations; false
  // once it is spent (the input ends there).
  bool Heavy() { return ++heavy_ <= kMaxHeavyOps; }

  void RunOps(Reader& in) {
    while (!in.empty()) {
      signals_this_op_ = 0;
      const uint8_t op = in.u8() % 11;
      switch (op) {
        case 0: {
          const uint8_t slot = in.u8(), room = in.u8(), grants = in.u8();
          if (!Heavy()) return;
          Join(slot, room, grants);
          break;
        }
        case 1: {
          const size_t slot = in.u8() % kSlots;
          if (!Message(slot, in.bytes(in.u16()))) return;
          break;
        }
        case 2: {
          Slot& s = slots_[in.u8() % kSlots];
          const uint8_t flags = in.u8();
          s.ssrc_seed = in.u8();
          if (!Heavy()) return;
          const std::string fp = (flags & 0x80) ? std::string("sha-256 ") + std::string(95, 'A').replace(2, 1, ":")
                                                : ClientFingerprintText();
          // Sources from the seed's low bits: none, a screen, screen and its audio, a mid
          // the offer lacks, a source of the wrong kind.
          using signaling::TrackSource;
          static const std::map<std::string, TrackSource> kSources[] = {
              {}, {{"1", TrackSource::kScreen}}, {{"0", TrackSource::kScreenAudio}, {"1", TrackSource::kScreen}},
              {{"9", TrackSource::kCamera}}, {{"0", TrackSource::kScreen}}};
          conference_->HandleMessage(
              s.session, signaling::PublishOffer{PublishSdp(flags, s.ssrc_seed, fp), kSources[s.ssrc_seed % 5]}, now_);
          break;
        }
        case 3: {
          Slot& s = slots_[in.u8() % kSlots];
          const uint8_t flags = in.u8();
          if (!s.offer) break;
          if (!Heavy()) return;
          dtls::Fingerprint fp = GetContexts().client->certificate().fingerprint();
          if (flags & 8) fp = GetContexts().server->certificate().fingerprint();
          s.offer_pending = false;
          if (auto text = AnswerSdp(*s.offer, flags, fp)) {
            conference_->HandleMessage(s.session, signaling::SubscribeAnswer{*text}, now_);
          }
          break;
        }
        case 4: {
          const uint8_t from = in.u8();
          auto bytes = in.bytes(in.u16() % 1600);
          Datagram(AddressOf(from), bytes);
          break;
        }
        case 5: Check(in.u8(), in.u8()); break;
        case 6: Advance(TimeDelta::Millis(int64_t{in.u8()} * 50 + 1)); break;
        case 7: {
          Slot& s = slots_[in.u8() % kSlots];
          if (s.joined && !Heavy()) return;
          conference_->Disconnected(s.session, now_);
          Retire(s);
          break;
        }
        case 8: Connect(in.u8(), in.u8()); break;
        case 9: {
          const size_t slot = in.u8() % kSlots;
          const uint8_t flags = in.u8();
          const uint8_t pt = in.u8();
          Media(slot, flags, pt, in.bytes(in.u8()));
          break;
        }
        case 10:
          if (!Heavy()) return;
          conference_->Shutdown(now_);
          break;
      }
      Settle();
      CHECK(signals_this_op_ < 2000);
      CHECK(conference_->participant_count() <= kSlots);
    }
  }

  void RunStructured(Reader& in) {
    while (!in.empty()) {
      signals_this_op_ = 0;
      const uint8_t step = in.u8() % 12;
      const uint8_t arg = in.u8();
      const uint8_t slot = static_cast<uint8_t>((arg & 7) % kSlots);
      Slot& s = slots_[slot];
      switch (step) {
        case 0:  // join
          if (!Heavy()) return;
          Join(slot, static_cast<uint8_t>((arg >> 3) % kRooms.size()), (arg & 0x80) ? 0x40 : 0, /*resumable=*/true);
          break;
        case 1: {  // publish: audio, video, both, or everything ended
          if (!s.joined) break;
          if (!Heavy()) return;
          static constexpr uint8_t kFlags[] = {0x01, 0x02, 0x03, 0x06};  // last: video inactive, no audio
          const uint8_t kinds = (arg >> 3) & 3;
          s.published_kinds = kinds == 3 ? 0 : kinds + 1;
          ++s.ssrc_seed;
          conference_->HandleMessage(
              s.session,
              signaling::PublishOffer{PublishSdp(kFlags[kinds], s.ssrc_seed, ClientFingerprintText())},
              now_);
          break;
        }
        case 2:  // leave
          if (!s.joined) break;
          if (!Heavy()) return;
          if (arg & 0x80) {
            conference_->Disconnected(s.session, now_);
            Retire(s);
          } else if (arg & 0x40) {
            Resume(s, (arg & 0x20) != 0);
          } else {
            conference_->HandleMessage(s.session, signaling::LeaveRequest{}, now_);
          }
          break;
        case 3:  // connect
          Connect(slot, (arg & 0x08) ? 1 : 0);
          break;
        case 4: {  // media on the published SSRCs
          const int packets = ((arg >> 3) & 7) + 1;
          for (int i = 0; i < packets; ++i) {
            // ssrcs[] in Media: 0 audio, 1 video; flags bit 2 picks video.
            const bool video = (s.published_kinds & 2) && (!(s.published_kinds & 1) || (i & 1));
            Media(slot, video ? 0x04 : 0x00, video ? 96 : 111, std::vector<uint8_t>(24, uint8_t(i)));
          }
          if (arg & 0x40) Media(slot, 0x02, 0, {0x80, 0xc9, 0x00, 0x01, 0, 0, 0x03, 0xe8});  // an empty RR
          break;
        }
        case 5: {  // moderate
          if (!s.joined) break;
          if (!Heavy()) return;
          const Slot& target = slots_[((arg >> 3) & 7) % kSlots];
          const std::string id = target.participant_id.empty() ? "pnobody" : target.participant_id;
          switch (arg >> 6) {
            case 0: conference_->HandleMessage(s.session, signaling::KickRequest{id}, now_); break;
            case 1:
              mute_next_ = !mute_next_;
              conference_->HandleMessage(s.session, signaling::MuteRequest{id, signaling::TrackKind::kVideo, mute_next_},
                                         now_);
              break;
            case 2:
              lock_next_ = !lock_next_;
              conference_->HandleMessage(s.session, signaling::LockRequest{lock_next_}, now_);
              break;
            default: conference_->HandleMessage(s.session, signaling::EndRequest{}, now_); break;
          }
          break;
        }
        case 6:
          Advance(TimeDelta::Millis(int64_t{arg} * 20 + 1));
          break;
        case 7:  // a check signed with the server's password, nominating; or an ICE restart
          if (arg & 0x80) {
            if (!s.joined) break;
            if (!Heavy()) return;
            conference_->HandleMessage(s.session, signaling::IceRestartRequest{}, now_);
            break;
          }
          Check(slot, static_cast<uint8_t>(((arg >> 3) & 1) | 2 | ((arg & 0x40) ? 8 : 0) | ((arg & 0x20) ? 0x10 : 0)));
          break;
        case 8:  // join with a KeyPackage
          if (!Heavy()) return;
          Join(slot, static_cast<uint8_t>((arg >> 3) % kRooms.size()), (arg & 0x80) ? 0x88 : 0x08, /*resumable=*/true);
          break;
        case 9:
          if (!s.joined) break;
          if (!Heavy()) return;
          MlsCommit(s, arg);
          break;
        case 10:
          if (!s.joined) break;
          if (!Heavy()) return;
          s.leaf = (arg >> 3) & 7;
          conference_->HandleMessage(s.session, signaling::MlsMember{static_cast<int64_t>(s.epoch), s.leaf}, now_);
          break;
        case 11: {
          if (!s.joined) break;
          if (!Heavy()) return;
          std::vector<uint8_t> group = s.group_id;
          if (arg & 0x40) {
            for (const auto& other : slots_) {
              if (other.mls && other.room != s.room) group = other.group_id;
            }
          }
          const auto type = (arg & 0x80) ? mls::ContentType::kCommit : mls::ContentType::kApplication;
          conference_->HandleMessage(
              s.session,
              signaling::MlsApp{static_cast<int64_t>(s.epoch), mls::testing::PrivateMessage(group, s.epoch, type, 24)},
              now_);
          break;
        }
      }
      Settle();
      if (!AnswerPendingOffers()) return;
      CHECK(signals_this_op_ < 2000);
      CHECK(conference_->participant_count() <= kSlots);
    }
  }

  void MlsCommit(Slot& s, uint8_t arg) {
    signaling::MlsCommit commit;
    const int variant = (arg >> 3) & 3;
    uint64_t epoch = s.epoch;
    if (variant == 1) epoch = epoch == 0 ? 1 : epoch - 1;
    if (variant == 2) {
      for (const auto& other : slots_) {
        if (&other != &s && other.joined && other.mls && !other.in_group && other.room == s.room) {
          commit.added.push_back(other.participant_id);
        }
      }
      if (!commit.added.empty()) commit.welcome = mls::testing::WelcomeMessage(mls::kSuiteXWingAes256, commit.added.size());
    }
    if (variant == 3) commit.removed.assign(s.proposed.begin(), s.proposed.end());
    commit.epoch = static_cast<int64_t>(epoch);
    commit.commit = (arg & 0x40) ? mls::testing::PublicMessage(s.group_id, epoch, s.leaf, mls::ContentType::kCommit)
                                 : mls::testing::PrivateMessage(s.group_id, epoch, mls::ContentType::kCommit);
    conference_->HandleMessage(s.session, commit, now_);
  }

  // What a browser does with a subscriber offer: answer it (recvonly).
  bool AnswerPendingOffers() {
    for (int round = 0; round < 4; ++round) {
      bool answered = false;
      for (auto& s : slots_) {
        if (!s.offer_pending || !s.offer) continue;
        if (!Heavy()) return false;
        s.offer_pending = false;
        answered = true;
        auto text = AnswerSdp(*s.offer, 0, GetContexts().client->certificate().fingerprint());
        CHECK(text.has_value());  // an answer to our own offer can always be written
        conference_->HandleMessage(s.session, signaling::SubscribeAnswer{*text}, now_);
        Settle();
      }
      if (!answered) break;
    }
    return true;
  }

  Slot* SlotOf(SessionId session) {
    for (auto& s : slots_) {
      if (s.session == session) return &s;
    }
    return nullptr;
  }

  TransportAddress AddressOf(uint8_t selector) {
    const size_t i = selector % (2 * kSlots + 2);
    if (i < kSlots) return PubAddress(i);
    if (i < 2 * kSlots) return SubAddress(i - kSlots);
    return Stranger(i - 2 * kSlots);
  }

  // The slot's socket drops; a new one resumes the session (docs/protocol.md §1c).
  void Resume(Slot& s, bool wrong_secret) {
    if (s.resume_token.empty()) return;
    conference_->Disconnected(s.session, now_);
    s.session = NextSession();  // the old socket is gone: nothing may reach it
    auth::Claims claims;
    claims.identity = "fuzz" + std::to_string(&s - slots_.data());
    claims.room = s.room;
    claims.expires_at = kTokenExpiry;
    std::string secret = s.resume_token;
    if (wrong_secret) secret[0] = secret[0] == 'A' ? 'B' : 'A';
    conference_->Resume(s.session, claims,
                        signaling::ResumeRequest{s.room, "t", s.participant_id, secret, s.last_seq}, now_);
    if (wrong_secret) CHECK(!closed_.empty() && closed_.back() == s.session);
  }

  void Join(uint8_t slot_selector, uint8_t room_selector, uint8_t grants, bool resumable = false) {
    Slot& s = slots_[slot_selector % kSlots];
    auth::Claims claims;
    // One identity per slot; 0x20 reuses slot 0's, so a second session of
    // one identity (which replaces the first) is reachable too.
    claims.identity = (grants & 0x20) ? "fuzz0" : "fuzz" + std::to_string(slot_selector % kSlots);
    claims.room = kRooms[room_selector % kRooms.size()];
    claims.expires_at = kTokenExpiry;
    claims.grants = {.publish = (grants & 1) == 0, .subscribe = (grants & 2) == 0, .room_admin = (grants & 0x40) != 0};
    if (grants & 4) claims.display_name = "N";
    signaling::JoinRequest request{claims.room, "t", (grants & 8) != 0, std::nullopt, resumable};
    if (request.e2ee) {
      // The KeyPackage names the token's subject and name, unless 0x80 makes
      // it someone else's (the server refuses it and closes the socket).
      request.key_package = mls::testing::MemberKeyPackage(
          mls::kSuiteXWingAes256, (grants & 0x80) ? "someone-else" : claims.identity, claims.display_name.value_or(""));
    }
    if (!s.joined) s.mls = request.key_package.has_value();
    RoomRules rules;
    if (grants & 0x10) rules.max_participants = 2;
    conference_->Join(s.session, claims, request, now_, rules);
  }

  // false: the input's budget is spent.
  bool Message(size_t slot, const std::vector<uint8_t>& text) {
    auto parsed = signaling::ParseClientMessage({reinterpret_cast<const char*>(text.data()), text.size()});
    if (!parsed.ok()) return true;  // the gate answers those
    if (!Heavy()) return false;
    Slot& s = slots_[slot];
    if (auto* join = std::get_if<signaling::JoinRequest>(&*parsed)) {
      auth::Claims claims;
      claims.identity = "fuzz" + std::to_string(slot);
      claims.room = join->room;
      claims.expires_at = kTokenExpiry;
      claims.grants = {.publish = true, .subscribe = true, .room_admin = false};
      if (!s.joined) s.mls = join->key_package.has_value();
      conference_->Join(s.session, claims, *join, now_);
    } else if (!std::holds_alternative<signaling::Ping>(*parsed)) {
      if (std::holds_alternative<signaling::SubscribeAnswer>(*parsed)) s.offer_pending = false;
      conference_->HandleMessage(s.session, *parsed, now_);
    }
    return true;
  }

  void Datagram(const TransportAddress& from, std::vector<uint8_t> bytes) {
    conference_->HandleDatagram(bytes, from, now_);
  }

  // A Binding request to the slot's publisher (or subscriber) connection,
  // with the server's credentials from the SDP we were sent.
  void Check(uint8_t slot_selector, uint8_t flags) {
    Slot& s = slots_[slot_selector % kSlots];
    const bool publisher = (flags & 1) == 0;
    const auto& server = publisher ? s.answer_ice : s.offer_ice;
    if (!server) return;
    const ice::IceCredentials& client = publisher ? kPubIce : kSubIce;
    stun::TransactionId id;
    id.fill(static_cast<uint8_t>(flags ^ slot_selector));
    stun::MessageBuilder b({stun::method::kBinding, stun::MessageClass::kRequest}, id);
    b.Add(stun::Username{server->ufrag + ":" + client.ufrag});
    b.Add(stun::Priority{1000});
    b.Add(stun::IceControlling{42});
    if (flags & 2) b.Add(stun::UseCandidate{});
    const std::string password = (flags & 4) ? std::string("wrong-password-0123456789") : server->pwd;
    b.AddMessageIntegrity(stun::ShortTermKey(password));
    b.AddFingerprint();
    TransportAddress from = (flags & 8) ? Stranger(flags >> 7) : publisher ? s.pub.address : s.sub.address;
    if (flags & 0x10) from = from.OverTcp();  // the same host over ICE-TCP: another address
    Datagram(from, std::move(b).Take());
  }

  void Connect(uint8_t slot_selector, uint8_t which) {
    if (connects_ >= kMaxConnects) return;
    Slot& s = slots_[slot_selector % kSlots];
    const bool publisher = (which & 1) == 0;
    Client& c = publisher ? s.pub : s.sub;
    const auto& server = publisher ? s.answer_ice : s.offer_ice;
    if (c.transport || !server) return;
    ++connects_;
    transport::PeerTransportConfig config;
    config.ice_role = transport::IceRole::kControlling;
    config.local_ice = publisher ? kPubIce : kSubIce;
    config.remote_ice = *server;
    config.remote_candidates = {kServer};
    config.rng = &rng_;
    config.dtls_role = dtls::DtlsRole::kClient;
    config.remote_fingerprint = GetContexts().server->certificate().fingerprint();
    config.dtls_context = GetContexts().client;
    auto created = transport::PeerTransport::Create(std::move(config), now_);
    if (!created.ok()) return;
    c.transport = std::move(created).value();
    for (int step = 0; step < 200 && c.transport && c.transport->state() != transport::TransportState::kConnected;
         ++step) {
      Advance(TimeDelta::Millis(5));
    }
  }
  void Media(size_t slot, uint8_t flags, uint8_t pt, std::vector<uint8_t> payload) {
    Slot& s = slots_[slot];
    Client& c = (flags & 1) ? s.sub : s.pub;
    if (!c.transport || c.transport->state() != transport::TransportState::kConnected) return;
    std::vector<uint8_t> packet;
    const bool rtcp = (flags & 2) != 0;
    if (rtcp) {
      packet = std::move(payload);
    } else {
      rtp::RtpHeader h;
      h.payload_type = pt & 0x7f;
      h.marker = (pt & 0x80) != 0;
      h.sequence_number = c.seq++;
      h.timestamp = uint32_t{c.seq} * 960u;
      const uint32_t ssrcs[] = {1000u + s.ssrc_seed, 2000u + s.ssrc_seed, 2001u + s.ssrc_seed, 1000u};
      h.ssrc = Ssrc(ssrcs[(flags >> 2) & 3]);
      if (flags & 0x10) h.extensions = {{4, {'0'}}};
      payload.insert(payload.begin(), static_cast<uint8_t>(slot));  // who sent it, for the room check
      if (!h.SerializeTo(payload, 0, packet)) return;
    }
    const size_t len = packet.size();
    packet.resize(len + transport::PeerTransport::kMaxSrtpOverhead);
    auto out = rtcp ? c.transport->ProtectRtcp(packet, len, now_) : c.transport->ProtectRtp(packet, len, now_);
    if (!out.ok()) return;
    Datagram(c.address, {out->begin(), out->end()});
  }

  // Moves datagrams between the clients and the Conference until quiet.
  void Settle() {
    for (int round = 0; round < 16; ++round) {
      bool moved = false;
      for (auto& s : slots_) {
        for (Client* c : {&s.pub, &s.sub}) {
          if (!c->transport) continue;
          while (auto d = c->transport->PollTransmit()) {
            moved = true;
            if (d->to == kServer) conference_->HandleDatagram(d->bytes, c->address, now_);
          }
          while (c->transport && c->transport->PollEvent()) {
          }
        }
      }
      batch_.clear();
      batch_.swap(outbox_);  // both keep their capacity: no allocation per round
      for (auto& d : batch_) {
        moved = true;
        Deliver(d);
      }
      FinishClosed();
      if (!moved) break;
    }
    FinishClosed();
  }

  void Deliver(Out& d) {
    for (size_t i = 0; i < kSlots; ++i) {
      Slot& s = slots_[i];
      for (Client* c : {&s.pub, &s.sub}) {
        if (!c->transport || d.to != c->address) continue;
        auto got = c->transport->HandleDatagram(d.bytes, kServer, now_);
        if (got.kind != transport::Received::Kind::kRtp) continue;
        CHECK(c == &s.sub);  // media only ever goes out on subscriber connections
        auto view = rtp::RtpPacketView::Parse(got.packet);
        CHECK(view.has_value());
        CHECK(s.offered_ssrcs.contains(view->ssrc().value()));
        const size_t payload_at = view->header_size();
        CHECK(got.packet.size() > payload_at);
        const size_t sender = got.packet[payload_at];
        CHECK(sender < kSlots && sender != i);
        CHECK(slots_[sender].joined && s.joined && slots_[sender].room == s.room);
        ++delivered_;
      }
    }
  }

  // What the signaling shell does after a CloseSignal: the socket goes away.
  void FinishClosed() {
    while (!closed_.empty()) {
      const SessionId session = closed_.front();
      closed_.pop_front();
      Slot* s = SlotOf(session);
      if (!s) continue;
      conference_->Disconnected(session, now_);
      Retire(*s);
    }
  }

  void Retire(Slot& s) {
    s.session = NextSession();
    s.joined = false;
    s.room.clear();
    s.participant_id.clear();
    s.answer_ice.reset();
    s.offer.reset();
    s.offer_ice.reset();
    s.offer_pending = false;
    s.published_kinds = 0;
    s.offered_ssrcs.clear();
    s.mls = false;
    s.in_group = false;
    s.group_id.clear();
    s.epoch = 0;
    s.leaf = 0;
    s.proposed.clear();
    s.resume_token.clear();
    s.last_seq = 0;
    s.pub.transport.reset();
    s.sub.transport.reset();
  }

  void Advance(TimeDelta d) {
    now_ += d;
    for (auto& s : slots_) {
      for (Client* c : {&s.pub, &s.sub}) {
        if (!c->transport) continue;
        if (auto next = c->transport->NextTimeout(); next && *next <= now_) c->transport->HandleTimeout(now_);
      }
    }
    if (auto next = conference_->NextTimeout(); next && *next <= now_) conference_->HandleTimers(now_);
    Settle();
  }

  SeededRandom rng_{7};
  Timestamp now_ = Timestamp::Millis(1'000'000);
  std::array<Slot, kSlots> slots_;
  SessionId NextSession() { return SessionId(next_session_++); }
  uint64_t next_session_ = 1;
  std::unique_ptr<Conference> conference_;
  std::vector<Out> outbox_, batch_;
  std::deque<SessionId> closed_;
  int connects_ = 0;
  int heavy_ = 0;
  uint64_t delivered_ = 0;
  size_t signals_this_op_ = 0;
  std::map<std::string, int> mls_seen_;  // MLS messages delivered, by type (for the stats line)
  bool mute_next_ = false;  // structured moderation: mute, unmute, mute, ...
  bool lock_next_ = false;  // and lock, unlock, ...
};

}  // namespace

// libFuzzer's entropic schedule (on by default) costs, in clang-14, a scan
// of its rare-feature list for every feature an input touches. One input
// here touches tens of thousands (a whole conference: SDP, JSON, ICE,
// DTLS), and profiling showed 63-71 % of the fuzzer's time in
// InputCorpus::UpdateFeatureFrequency, 11 % running inputs. So this target
// runs without it (-entropic=0) unless told otherwise on the command line.
// Every operation here allocates hundreds of small blocks, and ASan records a
// 30-frame stack for each: 11 % of the run. Four frames still name the
// allocating function; the quarantine (what catches use-after-free) shrinks
// from 256 MiB to 64 MiB, still far more than one input frees. ASAN_OPTIONS
// overrides both (e.g. malloc_context_size=30 to reproduce a crash).
extern "C" const char* __asan_default_options() { return "malloc_context_size=4:quarantine_size_mb=64"; }

extern "C" int LLVMFuzzerInitialize(int* argc, char*** argv) {
  for (int i = 1; i < *argc; ++i) {
    if (std::string_view((*argv)[i]).starts_with("-entropic=")) return 0;
  }
  static std::vector<char*> args;
  static char entropic_off[] = "-entropic=0";
  args.assign(*argv, *argv + *argc);
  args.push_back(entropic_off);
  args.push_back(nullptr);
  *argc += 1;
  *argv = args.data();
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size > 64 * 1024) return 0;
  Harness harness;
  harness.Run(data, size);
  return 0;
}
