// The router under a stream of records from the participants of two rooms:
// room 1 holds P1, P2, P3 (tracks and subscriptions between them), room 2
// holds P4. Input: records of
//   [who: 1 byte][kind: 1 byte][advance ms: 1 byte][length: 2 bytes BE][bytes]
// kind % 8: 0 RTP, 1 RTCP, 2 timer, 3 toggle a subscription (bytes[0]),
// 4 remove and re-join a participant with all its subscriptions, 5 RTP with
// the SSRC replaced by a declared one (so the forwarding path is reached from
// the first runs), 6 leave (or join again, without subscriptions),
// 7 unpublish (or publish again) a track (bytes[0] % 4), or with bytes[0]
// bit 7 set mute (or unmute) it.
//
// The fuzzer keeps its own model of who is in, which tracks are published
// and which subscriptions are active, and checks the router against it
// (abort with a message on violation):
//  - model changes succeed or fail as the model says, and unpublishing or
//    leaving ends exactly the active subscriptions (TrackEnded events);
//  - RTP is forwarded exactly once to each active subscription of the
//    sender's own published track whose first SSRC the packet carries (PT
//    negotiated) unless it is muted, and to nobody else: never for an SSRC
//    the sender did not declare, never to a subscriber that is not
//    subscribed, has left, or is in another room, never after
//    unpublish/unsubscribe/leave;
//  - a forwarded packet has the input's length and differs from it only in
//    the SSRC (the subscription's downstream SSRC) and the PT (its mapping);
//  - loss repair: P2's video has RTX (SSRC 0x22, PT 98): an RTX packet is
//    forwarded as the packet it carries unless that sequence number is
//    already in the cache (the model mirrors the cache's slots), and P3's
//    and P1's video subscriptions take RTX: a retransmission goes only to
//    the subscriber whose NACK asked, on its RTX SSRC and PT, for an active,
//    unmuted subscription, and carries exactly the packet the publisher
//    last sent with that sequence number;
//  - P3 negotiated transport-wide sequence numbers (id 3, set at every
//    join): what it gets, forwards and retransmissions alike, carries the
//    numbered block instead of the publisher's extensions, numbered
//    0, 1, 2, ... from each join, and is otherwise as above; transport
//    feedback in the input reaches its estimate; P2's packets are read as
//    numbered (element 1) and reported back to it on the timer;
//  - RTCP goes only to present participants of the sender's room, replies
//    are never longer than the input, and everything sent parses.
#include <array>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <optional>
#include <span>
#include <vector>

#include "base/big_endian.h"
#include "rtcp/compound.h"
#include "rtp/rtp_packet.h"
#include "rtp/rtx.h"
#include "rtp/transport_sequence.h"
#include "sfu/packet_cache.h"
#include "sfu/router.h"

namespace {

using namespace aegis;
using namespace aegis::sfu;

#define CHECK(cond, what)                                                      \
  do {                                                                         \
    if (!(cond)) {                                                             \
      std::fprintf(stderr, "sfu_router_fuzzer: %s (line %d)\n", what, __LINE__); \
      abort();                                                                 \
    }                                                                          \
  } while (0)

const RoomId kRoom1(1), kRoom2(2);
const std::array<ParticipantId, 5> kWho = {ParticipantId(1), ParticipantId(2), ParticipantId(3), ParticipantId(4),
                                           ParticipantId(99)};  // 99 never joins

const ParticipantId kNumbered(3);  // takes transport-wide sequence numbers
constexpr uint8_t kTransportId = 3;
// Its own packets' element 1, read as a transport-wide sequence number, is
// reported back to it on the timer (RTCP that must parse, to it alone).
const ParticipantId kReported(2);
constexpr uint8_t kReportedId = 1;

RoomId RoomFor(ParticipantId p) { return p == ParticipantId(4) ? kRoom2 : kRoom1; }
// Index into kWho of a participant that can join (P1..P4).
size_t Slot(ParticipantId p) { return p.value() - 1; }

struct PlannedTrack {
  ParticipantId publisher;
  TrackConfig config;
};
TrackConfig WithRtx(TrackConfig config, RtxSsrc ssrc, RtxPayloadType pt) {
  config.rtx_ssrcs = {ssrc};
  config.rtx_payload_types = {pt};
  return config;
}
const Ssrc kP2Rtx(0x22);
constexpr uint8_t kP2RtxPt = 98;
constexpr size_t kRtxTrack = 2;
const std::array<PlannedTrack, 4> kTracks = {{
    {ParticipantId(1), {MediaKind::kVideo, "v", {Ssrc(0x11), Ssrc(0x12)}, {96, 97}, 90000}},
    {ParticipantId(1), {MediaKind::kAudio, "a", {Ssrc(0x13)}, {111}, 48000}},
    {ParticipantId(2), WithRtx({MediaKind::kVideo, "v", {Ssrc(0x21)}, {96}, 90000}, {Ssrc(0x21), kP2Rtx}, {kP2RtxPt, 96})},
    {ParticipantId(4), {MediaKind::kVideo, "v", {Ssrc(0x41)}, {100}, 90000}},
}};
const std::array<Ssrc, 7> kDeclared = {Ssrc(0x11), Ssrc(0x12), Ssrc(0x13), Ssrc(0x21), kP2Rtx, Ssrc(0x41), Ssrc(0x99)};

struct PlannedSubscription {
  ParticipantId subscriber;
  size_t track;  // index into kTracks
  Ssrc downstream;
  bool allow_self;
  std::optional<RtxDownstream> rtx = std::nullopt;
};
const std::array<PlannedSubscription, 7> kSubscriptions = {{
    {ParticipantId(2), 0, Ssrc(0x02000001), false},
    {ParticipantId(3), 0, Ssrc(0x03000001), false, RtxDownstream{Ssrc(0x03000011), 102, 1000}},
    {ParticipantId(2), 1, Ssrc(0x02000002), false},
    {ParticipantId(3), 1, Ssrc(0x03000002), false},
    {ParticipantId(1), 2, Ssrc(0x01000003), false, RtxDownstream{Ssrc(0x01000013), 103, 65530}},
    {ParticipantId(1), 1, Ssrc(0x01000002), true},  // loopback of own audio
    {ParticipantId(4), 3, Ssrc(0x04000004), true},
}};
const PayloadTypeMapping kMaps[] = {{96, 100}, {97, 101}, {111, 111}, {100, 96}};

// The downstream PT for upstream `pt` (every planned PT has one).
uint8_t MapPt(uint8_t pt) {
  for (const auto& m : kMaps) {
    if (m.upstream == pt) return m.downstream;
  }
  return 0xff;
}

class World {
 public:
  // Incremented by every AddSubscription that succeeded: a new subscription
  // may shift sequence numbers and timestamps (continuing a reused SSRC).
  std::array<uint32_t, kSubscriptions.size()> generation{};

  World() {
    (void)router.CreateRoom(kRoom1);
    (void)router.CreateRoom(kRoom2);
    for (size_t i = 0; i < 4; ++i) Join(kWho[i]);
    for (size_t i = 0; i < kSubscriptions.size(); ++i) Subscribe(i);
  }

  void Join(ParticipantId p) {
    const ParticipantOptions options{Ssrc(0xfeed0000u + uint32_t(p.value()))};
    const bool ok = router.AddParticipant(RoomFor(p), p, options).ok();
    CHECK(ok != joined[Slot(p)], "AddParticipant disagrees with the model");
    joined[Slot(p)] = true;
    if (p == kNumbered) {
      CHECK(router.SetTransportFeedback(p, kTransportId).ok(), "SetTransportFeedback refused a present participant");
      ++numbered_joins;
    }
    if (p == kReported) {
      CHECK(router.SetUpstreamTransportFeedback(p, kReportedId).ok(), "SetUpstreamTransportFeedback refused");
    }
    for (size_t i = 0; i < kTracks.size(); ++i) {
      if (kTracks[i].publisher == p && !published[i]) Publish(i);
    }
  }

  void Leave(ParticipantId p) {
    auto ended = router.RemoveParticipant(p);
    CHECK(ended.ok() == joined[Slot(p)], "RemoveParticipant disagrees with the model");
    if (!ended.ok()) return;
    // Its own subscriptions end silently; others lose its tracks with an event.
    for (size_t i = 0; i < kSubscriptions.size(); ++i) {
      if (kSubscriptions[i].subscriber == p) subscribed[i] = false;
    }
    std::vector<TrackEnded> expected;
    for (size_t t = 0; t < kTracks.size(); ++t) {
      if (kTracks[t].publisher == p && published[t]) EndTrack(t, expected);
    }
    CheckEvents(*ended, expected);
    joined[Slot(p)] = false;
  }

  void Rejoin(ParticipantId p) {
    if (p == ParticipantId(99) || !joined[Slot(p)]) return;
    Leave(p);
    Join(p);
    for (size_t i = 0; i < kSubscriptions.size(); ++i) {
      if (kSubscriptions[i].subscriber == p || kTracks[kSubscriptions[i].track].publisher == p) Subscribe(i);
    }
  }

  void ToggleMembership(ParticipantId p) {
    if (p == ParticipantId(99)) return;
    joined[Slot(p)] ? Leave(p) : Join(p);
  }

  void Publish(size_t t) {
    auto id = router.PublishTrack(kTracks[t].publisher, kTracks[t].config);
    CHECK(id.ok() == joined[Slot(kTracks[t].publisher)], "PublishTrack disagrees with the model");
    if (!id.ok()) return;
    track_ids[t] = *id;
    published[t] = true;
    muted[t] = false;
    sent[t].clear();  // a new track, a new cache
    cached_seq[t].fill(-1);
  }

  void ToggleMuted(size_t t) {
    CHECK(router.SetTrackMuted(track_ids[t], !muted[t]).ok() == published[t], "SetTrackMuted disagrees with the model");
    if (published[t]) muted[t] = !muted[t];
  }

  void TogglePublished(size_t t) {
    if (!published[t]) return Publish(t);
    auto ended = router.UnpublishTrack(track_ids[t]);
    CHECK(ended.ok(), "UnpublishTrack of a published track failed");
    std::vector<TrackEnded> expected;
    EndTrack(t, expected);
    CheckEvents(*ended, expected);
  }

  void Subscribe(size_t i) {
    if (subscribed[i]) return;
    const PlannedSubscription& s = kSubscriptions[i];
    std::vector<PayloadTypeMapping> map;
    for (uint8_t pt : kTracks[s.track].config.payload_types) map.push_back({pt, MapPt(pt)});
    const bool ok = router
                        .AddSubscription(s.subscriber, track_ids[s.track], s.downstream, map,
                                         SubscriptionOptions{.allow_self = s.allow_self, .rtx = s.rtx})
                        .ok();
    CHECK(ok == (joined[Slot(s.subscriber)] && published[s.track]), "AddSubscription disagrees with the model");
    subscribed[i] = ok;
    if (ok) ++generation[i];
  }

  void ToggleSubscribed(size_t i) {
    if (!subscribed[i]) return Subscribe(i);
    CHECK(router.RemoveSubscription(kSubscriptions[i].subscriber, track_ids[kSubscriptions[i].track]).ok(),
          "RemoveSubscription of an active subscription failed");
    subscribed[i] = false;
  }

  // What an RTP input from `from` amounts to: the packet itself, or, on
  // P2's RTX SSRC, the packet it carries (nullopt: nothing to forward).
  std::optional<std::vector<uint8_t>> Effective(ParticipantId from, std::span<const uint8_t> packet) const {
    auto view = rtp::RtpPacketView::Parse(packet);
    if (!view || view->ssrc() != kP2Rtx || from != kTracks[kRtxTrack].publisher) {
      return std::vector<uint8_t>(packet.begin(), packet.end());
    }
    if (!present(from) || !published[kRtxTrack] || view->payload_type() != kP2RtxPt) return std::nullopt;
    std::vector<uint8_t> original(packet.size());
    original.resize(rtp::RecoverFromRtx(*view, kTracks[kRtxTrack].config.ssrcs[0], 96, original));
    auto inner = rtp::RtpPacketView::Parse(original);
    if (!inner) return std::nullopt;  // a probe, or nothing that parses
    if (cached_seq[kRtxTrack][inner->sequence_number() % PacketCache::kSlots] == inner->sequence_number()) {
      return std::nullopt;  // a duplicate
    }
    return original;
  }

  // Per planned subscription, the PT its copy of `packet` from `from` must
  // carry, or -1 if it must get no copy.
  std::array<int, kSubscriptions.size()> ExpectedForwards(ParticipantId from, std::span<const uint8_t> packet) const {
    std::array<int, kSubscriptions.size()> out;
    out.fill(-1);
    auto t = AcceptingTrack(from, packet);
    if (!t || muted[*t] || kTracks[*t].config.ssrcs[0] != rtp::RtpPacketView::Parse(packet)->ssrc()) return out;
    // Only the first SSRC (layer) of a track is forwarded.
    for (size_t i = 0; i < kSubscriptions.size(); ++i) {
      if (kSubscriptions[i].track == *t && subscribed[i]) out[i] = MapPt(rtp::RtpPacketView::Parse(packet)->payload_type());
    }
    return out;
  }

  // After OnRtp: the cache (mirrored here) kept an accepted packet.
  void Accepted(ParticipantId from, std::span<const uint8_t> packet) {
    auto t = AcceptingTrack(from, packet);
    if (!t || packet.size() > PacketCache::kMaxPacketSize) return;
    auto view = rtp::RtpPacketView::Parse(packet);
    if (view->ssrc() != kTracks[*t].config.ssrcs[0] || kTracks[*t].config.kind != MediaKind::kVideo) return;
    sent[*t][view->sequence_number()].assign(packet.begin(), packet.end());
    cached_seq[*t][view->sequence_number() % PacketCache::kSlots] = view->sequence_number();
  }

  // The packet the publisher of track t last sent (and the cache kept) with `seq`.
  const std::vector<uint8_t>* Sent(size_t t, uint16_t seq) const {
    auto it = sent[t].find(seq);
    return it == sent[t].end() ? nullptr : &it->second;
  }

  bool active(size_t i) const { return subscribed[i] && !muted[kSubscriptions[i].track]; }
  bool present(ParticipantId p) const { return p != ParticipantId(99) && joined[Slot(p)]; }

  // The planned track a media packet from `from` is accepted into: the
  // sender's own published track declaring its SSRC, with a negotiated PT.
  std::optional<size_t> AcceptingTrack(ParticipantId from, std::span<const uint8_t> packet) const {
    auto view = rtp::RtpPacketView::Parse(packet);
    if (!view || !present(from)) return std::nullopt;
    for (size_t t = 0; t < kTracks.size(); ++t) {
      const TrackConfig& c = kTracks[t].config;
      if (kTracks[t].publisher != from || !published[t]) continue;
      bool declared = false, negotiated = false;
      for (Ssrc ssrc : c.ssrcs) declared |= ssrc == view->ssrc();
      for (uint8_t pt : c.payload_types) negotiated |= pt == view->payload_type();
      if (declared && negotiated) return t;
    }
    return std::nullopt;
  }

  Router router;
  std::array<TrackId, kTracks.size()> track_ids{};

  // kNumbered's estimate (and numbering) starts afresh at each join.
  uint32_t numbered_joins = 0;

 private:
  // Track t goes away: its active subscriptions end with an event each.
  void EndTrack(size_t t, std::vector<TrackEnded>& expected) {
    for (size_t i = 0; i < kSubscriptions.size(); ++i) {
      if (kSubscriptions[i].track != t || !subscribed[i]) continue;
      const PlannedSubscription& s = kSubscriptions[i];
      expected.push_back({s.subscriber, track_ids[t], kTracks[t].publisher, s.downstream});
      subscribed[i] = false;
    }
    published[t] = false;
  }

  static void CheckEvents(const std::vector<TrackEnded>& got, const std::vector<TrackEnded>& expected) {
    CHECK(got.size() == expected.size(), "wrong number of TrackEnded events");
    for (const TrackEnded& e : expected) {
      bool found = false;
      for (const TrackEnded& g : got) found |= g == e;
      CHECK(found, "missing TrackEnded event");
    }
  }

  std::array<bool, 4> joined{};
  std::array<bool, kTracks.size()> published{};
  std::array<bool, kTracks.size()> muted{};
  std::array<bool, kSubscriptions.size()> subscribed{};
  std::array<std::map<uint16_t, std::vector<uint8_t>>, kTracks.size()> sent;
  std::array<std::array<int32_t, PacketCache::kSlots>, kTracks.size()> cached_seq{};
};

class CheckingSink : public Sink {
 public:
  explicit CheckingSink(const World& world) : world_(world) {}

  void SendRtp(ParticipantId to, SinkTarget*, std::span<const uint8_t> packet) override {
    CHECK(!timer, "RTP sent from a timer");
    if (rtcp) return CheckRetransmission(to, packet);
    if (to == kNumbered) packet = Unnumbered(packet);
    CHECK(packet.size() == input.size(), "forwarded RTP changed length");
    auto view = rtp::RtpPacketView::Parse(packet);
    CHECK(view.has_value(), "forwarded RTP does not parse");
    size_t i = 0;
    while (i < kSubscriptions.size() &&
           !(kSubscriptions[i].subscriber == to && kSubscriptions[i].downstream == view->ssrc())) {
      ++i;
    }
    CHECK(i < kSubscriptions.size(), "RTP forwarded on an SSRC the recipient never subscribed on");
    CHECK(expected[i] >= 0, "spoofed or stale forward: no active subscription of this recipient to the sender's track");
    CHECK(!got[i], "RTP forwarded twice to one subscription");
    got[i] = true;
    CHECK(view->payload_type() == expected[i], "forwarded RTP has the wrong PT");
    // Sequence number and timestamp: shifted by one constant pair for the
    // whole life of a subscription (0 unless it continues a reused SSRC).
    auto in = rtp::RtpPacketView::Parse(input);
    CHECK(in.has_value(), "forwarded RTP from an input that does not parse");
    const std::pair<uint16_t, uint32_t> shift{static_cast<uint16_t>(view->sequence_number() - in->sequence_number()),
                                              view->timestamp() - in->timestamp()};
    if (shift_generation[i] != world_.generation[i]) {
      shift_generation[i] = world_.generation[i];
      shifts[i] = shift;
    }
    CHECK(shifts[i] == shift, "a subscription's sequence/timestamp shift changed");
    for (size_t b = 0; b < packet.size(); ++b) {
      if (b == 1 && (packet[1] & 0x80) == (input[1] & 0x80)) continue;  // PT checked above, marker kept
      if (b >= 2 && b < 8) continue;                                     // sequence, timestamp: checked above
      if (b >= 8 && b < 12) continue;                                    // SSRC checked above
      CHECK(packet[b] == input[b], "forwarded RTP changed beyond SSRC and PT");
    }
  }

  void SendRtcp(ParticipantId to, SinkTarget*, std::span<const uint8_t> packet) override {
    CHECK(world_.present(to), "RTCP sent to an absent participant");
    if (!timer) {
      CHECK(world_.present(from), "RTCP answered for an absent sender");
      CHECK(RoomFor(to) == RoomFor(from), "RTCP crossed rooms");
      CHECK(packet.size() <= input.size(), "RTCP reply longer than its input");
    }
    CHECK(rtcp::ParseCompound(packet).ok(), "sent RTCP does not parse");
  }

  // A packet for kNumbered: checks its transport sequence block (the next
  // number, in place of the publisher's extensions) and returns it with the
  // input's extension block put back, for the checks every copy gets.
  std::span<const uint8_t> Unnumbered(std::span<const uint8_t> packet) {
    CheckNextNumber(packet);
    auto in = rtp::RtpPacketView::Parse(input);
    auto view = rtp::RtpPacketView::Parse(packet);
    CHECK(in && view, "a numbered copy of an input that does not parse");
    const size_t fixed = rtp::kFixedHeaderSize + 4 * view->csrc_count();
    CHECK(view->header_size() == fixed + rtp::kTransportSequenceBlockSize, "a numbered copy with another block");
    restored_.assign(packet.begin(), packet.begin() + static_cast<std::ptrdiff_t>(fixed));
    restored_[0] = static_cast<uint8_t>((restored_[0] & ~0x10) | (input[0] & 0x10));
    const auto block = input.subspan(fixed, in->header_size() - fixed);
    restored_.insert(restored_.end(), block.begin(), block.end());
    restored_.insert(restored_.end(), packet.begin() + static_cast<std::ptrdiff_t>(view->header_size()), packet.end());
    return restored_;
  }
  void CheckNextNumber(std::span<const uint8_t> packet) {
    auto view = rtp::RtpPacketView::Parse(packet);
    CHECK(view.has_value(), "a numbered packet does not parse");
    if (numbered_generation_ != world_.numbered_joins) {
      numbered_generation_ = world_.numbered_joins;
      next_number_ = 0;
    }
    CHECK(rtp::ReadTransportSequence(*view, kTransportId) == next_number_, "transport sequence numbers out of step");
    ++next_number_;
  }

  // An RTX packet sent while the router handled `from`'s RTCP.
  void CheckRetransmission(ParticipantId to, std::span<const uint8_t> packet) {
    CHECK(to == from, "a retransmission went to someone other than the NACK's sender");
    auto view = rtp::RtpPacketView::Parse(packet);
    CHECK(view.has_value(), "a retransmission does not parse");
    if (to == kNumbered) CheckNextNumber(packet);
    size_t i = 0;
    while (i < kSubscriptions.size() && !(kSubscriptions[i].subscriber == to && kSubscriptions[i].rtx &&
                                           kSubscriptions[i].rtx->ssrc == view->ssrc())) {
      ++i;
    }
    CHECK(i < kSubscriptions.size(), "RTP sent from RTCP on an SSRC that is no RTX SSRC of the recipient");
    CHECK(world_.active(i), "a retransmission for an inactive or muted subscription");
    CHECK(view->payload_type() == kSubscriptions[i].rtx->payload_type, "a retransmission with the wrong PT");
    std::vector<uint8_t> inner(packet.size());
    inner.resize(rtp::RecoverFromRtx(*view, kSubscriptions[i].downstream, 0, inner));
    auto original = rtp::RtpPacketView::Parse(inner);
    CHECK(original.has_value(), "a retransmission carries no packet");
    const bool shifted = shift_generation[i] == world_.generation[i];
    const uint16_t upstream_seq = static_cast<uint16_t>(original->sequence_number() - (shifted ? shifts[i].first : 0));
    const std::vector<uint8_t>* sent = world_.Sent(kSubscriptions[i].track, upstream_seq);
    CHECK(sent != nullptr, "a retransmission of a packet the publisher never sent");
    auto sent_view = rtp::RtpPacketView::Parse(*sent);
    CHECK(std::ranges::equal(sent_view->payload(), original->payload()), "a retransmission carries other bytes");
    CHECK(original->timestamp() == sent_view->timestamp() + (shifted ? shifts[i].second : 0),
          "a retransmission with the wrong timestamp");
  }

  // Before an OnRtp call, with what it amounts to (World::Effective).
  void ExpectRtp(ParticipantId sender, std::span<const uint8_t> effective) {
    from = sender;
    input = effective;
    timer = false;
    rtcp = false;
    expected = world_.ExpectedForwards(sender, effective);
    got.fill(false);
  }
  // After it: every active subscription got its copy.
  void CheckAllForwarded() const {
    for (size_t i = 0; i < kSubscriptions.size(); ++i) {
      CHECK(expected[i] < 0 || got[i], "RTP not forwarded to an active subscription");
    }
  }

  ParticipantId from;
  std::span<const uint8_t> input;
  bool timer = false;
  bool rtcp = false;
  std::array<std::pair<uint16_t, uint32_t>, kSubscriptions.size()> shifts{};
  std::array<uint32_t, kSubscriptions.size()> shift_generation{};

 private:
  const World& world_;
  std::vector<uint8_t> restored_;
  uint32_t numbered_generation_ = 0;
  uint16_t next_number_ = 0;
  std::array<int, kSubscriptions.size()> expected{};
  std::array<bool, kSubscriptions.size()> got{};
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  World world;
  CheckingSink sink(world);
  Timestamp now = Timestamp::Millis(1'000'000);
  std::vector<uint8_t> buffer;
  size_t pos = 0;
  while (size - pos >= 5) {
    const ParticipantId who = kWho[data[pos] % kWho.size()];
    const uint8_t kind = data[pos + 1] % 8;
    now += TimeDelta::Millis(data[pos + 2]);
    size_t length = aegis::LoadBE16(data + pos + 3);
    pos += 5;
    if (length > size - pos) length = size - pos;
    buffer.assign(data + pos, data + pos + length);
    pos += length;
    const uint8_t arg = buffer.empty() ? 0 : buffer[0];

    sink.from = who;
    sink.input = buffer;
    sink.timer = false;
    sink.rtcp = false;
    switch (kind) {
      case 0:
      case 5:
        if (kind == 5 && buffer.size() >= 12) {
          aegis::StoreBE32(buffer.data() + 8, kDeclared[buffer[0] % kDeclared.size()].value());
        }
        if (auto effective = world.Effective(who, buffer)) {
          sink.ExpectRtp(who, *effective);
          world.router.OnRtp(who, buffer, now, sink);
          sink.CheckAllForwarded();
          world.Accepted(who, *effective);
        } else {
          sink.ExpectRtp(who, {});
          world.router.OnRtp(who, buffer, now, sink);
        }
        break;
      case 1:
        sink.rtcp = true;
        world.router.OnRtcp(who, buffer, now, sink);
        sink.rtcp = false;
        break;
      case 2:
        sink.timer = true;
        world.router.OnTimer(now, sink);
        break;
      case 3:
        world.ToggleSubscribed(arg % kSubscriptions.size());
        break;
      case 4:
        world.Rejoin(who);
        break;
      case 6:
        world.ToggleMembership(who);
        break;
      case 7:
        if (arg & 0x80) {
          world.ToggleMuted(arg % kTracks.size());
        } else {
          world.TogglePublished(arg % kTracks.size());
        }
        break;
    }
  }
  return 0;
}
