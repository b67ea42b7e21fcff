// One Conference under a stream of operations from six signaling sessions in
// three rooms, in simulated time. Inputs are records [op][arguments...]:
//
//   op % 11
//   0 join          [slot][room][grants]          synthesized verified claims
//   1 message       [slot][len:2][text]            through signaling::ParseClientMessage
//   2 publish       [slot][flags][ssrc]            a browser-like offer (Opus, VP8, a=ssrc)
//   3 answer        [slot][flags]                  a browser-like answer to the slot's last offer
//   4 datagram      [from][len:2][bytes]           raw UDP from one of the harness's addresses
//   5 stun check    [slot][flags]                  a Binding request with the server's credentials
//   6 time          [steps]                        advance, run the timers
//   7 disconnect    [slot]
//   8 connect       [slot][which]                  a native client (controlling ICE, DTLS client)
//                                                  completes ICE+DTLS on a connection
//   9 media         [slot][flags][pt][len][bytes]  SRTP RTP (or SRTCP) from a connected client
//  10 shutdown
//
// The harness answers for the signaling shell: a CloseSignal is followed by
// Disconnected, and the slot gets a fresh session id, as a new socket would.
// Invariants (abort on violation):
//  - every signaling message is a JSON object with v 1 and a known type, and
//    goes to a session the harness opened and that is not closed yet;
//  - datagrams go only to the harness's own addresses (where datagrams came
//    from), never anywhere else, and never to a publisher connection as RTP;
//  - forwarded RTP reaches a client only on an SSRC its subscriber offers
//    announced, and only from a publisher in the same room;
//  - no more participants than open sessions; after Shutdown nothing is
//    left: no participant and no timer.
#include <array>
#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <deque>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "dtls/certificate.h"
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
constexpr int kMaxConnects = 4;  // full handshakes per input: they are the slow part
const TransportAddress kServer = TransportAddress::Ipv4({198, 18, 0, 1}, 40000);
const std::array<const char*, 3> kRooms = {"alpha", "beta", "gamma"};
const ice::IceCredentials kPubIce{"fzpA", "fuzzPublisherPassword0123"};
const ice::IceCredentials kSubIce{"fzsB", "fuzzSubscriberPassword012"};

#define CHECK(cond)                                                               \
  do {                                                                            \
    if (!(cond)) {                                                                \
      fprintf(stderr, "conference_fuzzer: invariant failed: %s (line %d)\n", #cond, __LINE__); \
      abort();                                                                    \
    }                                                                             \
  } while (0)

struct Contexts {
  std::shared_ptr<const dtls::DtlsContext> server, client;
};

const Contexts& GetContexts() {
  static const Contexts contexts = [] {
    SeededRandom rng(1);
    auto now = std::chrono::floor<std::chrono::seconds>(std::chrono::system_clock::now());
    return Contexts{dtls::DtlsContext::Create(dtls::Certificate::Generate(rng, now)),
                    dtls::DtlsContext::Create(dtls::Certificate::Generate(rng, now))};
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

// A browser-like answer to `offer_text`; flags spoil it in various ways.
std::optional<std::string> AnswerSdp(const std::string& offer_text, uint8_t flags, const dtls::Fingerprint& fp) {
  auto offer = sdp::ParseSdp(offer_text);
  if (!offer.ok()) return std::nullopt;
  sdp::SessionDescription answer;
  answer.origin = {"-", 99, 2, "IN", "IP4", "127.0.0.1"};
  answer.timings = {sdp::Timing{}};
  answer.groups = offer->groups;
  for (size_t i = 0; i < offer->media.size(); ++i) {
    sdp::MediaSection m = offer->media[i];
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
    if ((flags & 2) && i + 1 == offer->media.size() && i > 0) {  // the browser stopped the last transceiver
      m.port = 0;
      if (!answer.groups.empty()) std::erase(answer.groups[0].mids, *m.mid);
    }
    answer.media.push_back(std::move(m));
  }
  return sdp::SerializeSdp(answer);
}

struct Client {
  TransportAddress address;
  std::unique_ptr<transport::PeerTransport> transport;
  uint16_t seq = 0;
};

struct Slot {
  SessionId session = 0;
  bool joined = false;  // "joined" received and not closed since
  std::string room;
  std::optional<std::string> answer;  // the last publish answer
  std::optional<std::string> offer;   // the last subscriber offer
  std::set<uint32_t> offered_ssrcs;   // every SSRC any offer to this session announced
  uint8_t ssrc_seed = 0;
  Client pub, sub;
};

class Harness final : public ConferenceOutput {
 public:
  Harness() {
    for (size_t i = 0; i < kSlots; ++i) {
      slots_[i].session = next_session_++;
      slots_[i].pub.address = PubAddress(i);
      slots_[i].sub.address = SubAddress(i);
    }
    ConferenceConfig config;
    config.candidates = {kServer};
    config.dtls_context = GetContexts().server;
    config.max_participants_per_room = 4;
    config.max_participants = 5;
    conference_ = std::make_unique<Conference>(std::move(config), *this, rng_);
  }

  // ConferenceOutput.
  void SendSignal(SessionId session, std::string message) override {
    CHECK(message.size() < 1024 * 1024);
    Slot* slot = SlotOf(session);
    CHECK(slot != nullptr);  // a session we opened, not closed
    auto j = nlohmann::json::parse(message, nullptr, /*allow_exceptions=*/false);
    CHECK(j.is_object());
    CHECK(j.value("v", 0) == 1);
    static const std::set<std::string> kTypes = {"joined", "participant_joined", "participant_left",
                                                 "track_published", "track_unpublished", "answer",
                                                 "offer", "key_blob", "error", "pong"};
    const std::string type = j.value("type", "");
    CHECK(kTypes.contains(type));
    if (type == "joined") {
      slot->joined = true;
      slot->room = j.value("room", "");
      CHECK(j["participants"].size() < kSlots);
    } else if (type == "answer") {
      slot->answer = j.value("sdp", "");
    } else if (type == "offer") {
      slot->offer = j.value("sdp", "");
      if (auto sd = sdp::ParseSdp(*slot->offer); sd.ok()) {
        for (const auto& m : sd->media) {
          for (const auto& s : m.ssrcs) slot->offered_ssrcs.insert(s.ssrc);
          for (const auto& c : m.candidates) CHECK(c.address == kServer.IpString() && c.port == kServer.port);
        }
      } else {
        CHECK(false);  // we must always be able to read our own offers
      }
    }
    ++signals_this_op_;
  }
  void CloseSignal(SessionId session) override {
    CHECK(SlotOf(session) != nullptr);
    closed_.push_back(session);
  }
  void SendDatagram(const TransportAddress& to, std::span<const uint8_t> bytes) override {
    bool known = false;
    for (size_t i = 0; i < kSlots; ++i) known = known || to == PubAddress(i) || to == SubAddress(i);
    for (size_t i = 0; i < 2; ++i) known = known || to == Stranger(i);
    CHECK(known);
    CHECK(bytes.size() <= 1500);
    if (outbox_.size() < 4096) outbox_.push_back({to, {bytes.begin(), bytes.end()}});
  }

  void Run(const uint8_t* data, size_t size) {
    Reader in{data, size};
    while (!in.empty()) {
      signals_this_op_ = 0;
      const uint8_t op = in.u8() % 11;
      switch (op) {
        case 0: Join(in.u8(), in.u8(), in.u8()); break;
        case 1: {
          const size_t slot = in.u8() % kSlots;
          Message(slot, in.bytes(in.u16()));
          break;
        }
        case 2: {
          Slot& s = slots_[in.u8() % kSlots];
          const uint8_t flags = in.u8();
          s.ssrc_seed = in.u8();
          const std::string fp = (flags & 0x80) ? std::string("sha-256 ") + std::string(95, 'A').replace(2, 1, ":")
                                                : GetContexts().client->certificate().fingerprint().ToSdpString();
          conference_->HandleMessage(s.session, signaling::PublishOffer{PublishSdp(flags, s.ssrc_seed, fp)}, now_);
          break;
        }
        case 3: {
          Slot& s = slots_[in.u8() % kSlots];
          const uint8_t flags = in.u8();
          if (!s.offer) break;
          dtls::Fingerprint fp = GetContexts().client->certificate().fingerprint();
          if (flags & 8) fp = GetContexts().server->certificate().fingerprint();
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
        case 10: conference_->Shutdown(now_); break;
      }
      Settle();
      CHECK(signals_this_op_ < 2000);
      CHECK(conference_->participant_count() <= kSlots);
    }
    if (std::getenv("CONFERENCE_FUZZER_STATS")) {  // how deep an input got
      const auto& c = conference_->stats();
      const auto& r = conference_->sfu_stats();
      fprintf(stderr,
              "joins %lu leaves %lu unrouted %lu forwarded %lu not-connected %lu on-subscriber %lu failed %lu | "
              "sfu rtp %lu accepted %lu rtcp %lu connects %d rtp-delivered %lu\n",
              c.joins, c.leaves, c.datagrams_unrouted, c.rtp_forwarded, c.rtp_dropped_not_connected,
              c.rtp_on_subscriber_connection, c.transports_failed, r.rtp_received, r.rtp_accepted, r.rtcp_received,
              connects_, delivered_);
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

  void Join(uint8_t slot_selector, uint8_t room_selector, uint8_t grants) {
    Slot& s = slots_[slot_selector % kSlots];
    auth::Claims claims;
    claims.identity = "fuzz";
    claims.room = kRooms[room_selector % kRooms.size()];
    claims.grants = {.publish = (grants & 1) == 0, .subscribe = (grants & 2) == 0, .room_admin = false};
    if (grants & 4) claims.display_name = "N";
    signaling::JoinRequest request{claims.room, "t", (grants & 8) != 0, std::nullopt};
    if (request.e2ee) request.identity_key = signaling::Blob(65, grants);
    RoomRules rules;
    if (grants & 0x10) rules.max_participants = 2;
    conference_->Join(s.session, claims, request, now_, rules);
  }

  void Message(size_t slot, const std::vector<uint8_t>& text) {
    auto parsed = signaling::ParseClientMessage({reinterpret_cast<const char*>(text.data()), text.size()});
    if (!parsed.ok()) return;  // the gate answers those
    Slot& s = slots_[slot];
    if (auto* join = std::get_if<signaling::JoinRequest>(&*parsed)) {
      auth::Claims claims;
      claims.identity = "fuzz";
      claims.room = join->room;
      claims.grants = {.publish = true, .subscribe = true, .room_admin = false};
      conference_->Join(s.session, claims, *join, now_);
    } else if (!std::holds_alternative<signaling::Ping>(*parsed)) {
      conference_->HandleMessage(s.session, *parsed, now_);
    }
  }

  void Datagram(const TransportAddress& from, std::vector<uint8_t> bytes) {
    conference_->HandleDatagram(bytes, from, now_);
  }

  // A Binding request to the slot's publisher (or subscriber) connection,
  // with the server's credentials from the SDP we were sent.
  void Check(uint8_t slot_selector, uint8_t flags) {
    Slot& s = slots_[slot_selector % kSlots];
    const bool publisher = (flags & 1) == 0;
    const auto& text = publisher ? s.answer : s.offer;
    if (!text) return;
    auto sd = sdp::ParseSdp(*text);
    if (!sd.ok() || sd->media.empty() || !sd->media[0].common.ice_ufrag || !sd->media[0].common.ice_pwd) return;
    const ice::IceCredentials& client = publisher ? kPubIce : kSubIce;
    stun::TransactionId id;
    id.fill(static_cast<uint8_t>(flags ^ slot_selector));
    stun::MessageBuilder b({stun::method::kBinding, stun::MessageClass::kRequest}, id);
    b.Add(stun::Username{*sd->media[0].common.ice_ufrag + ":" + client.ufrag});
    b.Add(stun::Priority{1000});
    b.Add(stun::IceControlling{42});
    if (flags & 2) b.Add(stun::UseCandidate{});
    const std::string password = (flags & 4) ? std::string("wrong-password-0123456789") : *sd->media[0].common.ice_pwd;
    b.AddMessageIntegrity(stun::ShortTermKey(password));
    b.AddFingerprint();
    const TransportAddress from = (flags & 8) ? Stranger(flags >> 7) : publisher ? s.pub.address : s.sub.address;
    Datagram(from, std::move(b).Take());
  }

  void Connect(uint8_t slot_selector, uint8_t which) {
    if (connects_ >= kMaxConnects) return;
    Slot& s = slots_[slot_selector % kSlots];
    const bool publisher = (which & 1) == 0;
    Client& c = publisher ? s.pub : s.sub;
    const auto& text = publisher ? s.answer : s.offer;
    if (c.transport || !text) return;
    auto sd = sdp::ParseSdp(*text);
    if (!sd.ok() || sd->media.empty() || !sd->media[0].common.ice_ufrag || !sd->media[0].common.ice_pwd) return;
    ++connects_;
    transport::PeerTransportConfig config;
    config.ice_role = transport::IceRole::kControlling;
    config.local_ice = publisher ? kPubIce : kSubIce;
    config.remote_ice = {*sd->media[0].common.ice_ufrag, *sd->media[0].common.ice_pwd};
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
      std::deque<Out> batch;
      batch.swap(outbox_);
      for (auto& d : batch) {
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
    s.session = next_session_++;
    s.joined = false;
    s.room.clear();
    s.answer.reset();
    s.offer.reset();
    s.offered_ssrcs.clear();
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
  SessionId next_session_ = 1;
  std::unique_ptr<Conference> conference_;
  std::deque<Out> outbox_;
  std::deque<SessionId> closed_;
  int connects_ = 0;
  uint64_t delivered_ = 0;
  size_t signals_this_op_ = 0;
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size > 64 * 1024) return 0;
  Harness harness;
  harness.Run(data, size);
  return 0;
}
