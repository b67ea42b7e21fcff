// The router under a stream of records from the participants of two rooms:
// room 1 holds P1, P2, P3 (tracks and subscriptions between them), room 2
// holds P4. Input: records of
//   [who: 1 byte][kind: 1 byte][advance ms: 1 byte][length: 2 bytes BE][bytes]
// kind % 6: 0 RTP, 1 RTCP, 2 timer, 3 toggle a subscription,
// 4 remove and re-join a participant, 5 RTP with the SSRC replaced by a
// declared one (so the forwarding path is reached from the first runs).
// Invariants (abort on violation):
//  - nothing is sent to a participant outside the sender's room;
//  - a forwarded RTP packet has the input's length and differs from it only
//    in the PT bits and the SSRC, which is one of the recipient's downstream
//    SSRCs; RTCP sent in reply is never longer than the input;
//  - everything sent parses (RTP view, RTCP compound).
#include <array>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <span>
#include <vector>

#include "base/big_endian.h"
#include "rtcp/compound.h"
#include "rtp/rtp_packet.h"
#include "sfu/router.h"

namespace {

using namespace aegis;
using namespace aegis::sfu;

const RoomId kRoom1(1), kRoom2(2);
const std::array<ParticipantId, 5> kWho = {ParticipantId(1), ParticipantId(2), ParticipantId(3), ParticipantId(4),
                                           ParticipantId(99)};  // 99 never joins

RoomId RoomFor(ParticipantId p) { return p == ParticipantId(4) ? kRoom2 : kRoom1; }

struct PlannedTrack {
  ParticipantId publisher;
  TrackConfig config;
};
const std::array<PlannedTrack, 4> kTracks = {{
    {ParticipantId(1), {MediaKind::kVideo, "v", {Ssrc(0x11), Ssrc(0x12)}, {96, 97}, 90000}},
    {ParticipantId(1), {MediaKind::kAudio, "a", {Ssrc(0x13)}, {111}, 48000}},
    {ParticipantId(2), {MediaKind::kVideo, "v", {Ssrc(0x21)}, {96}, 90000}},
    {ParticipantId(4), {MediaKind::kVideo, "v", {Ssrc(0x41)}, {100}, 90000}},
}};
const std::array<Ssrc, 6> kDeclared = {Ssrc(0x11), Ssrc(0x12), Ssrc(0x13), Ssrc(0x21), Ssrc(0x41), Ssrc(0x99)};

struct PlannedSubscription {
  ParticipantId subscriber;
  size_t track;  // index into kTracks
  Ssrc downstream;
  bool allow_self;
};
// Downstream SSRCs encode the subscriber in the top byte.
const std::array<PlannedSubscription, 7> kSubscriptions = {{
    {ParticipantId(2), 0, Ssrc(0x02000001), false},
    {ParticipantId(3), 0, Ssrc(0x03000001), false},
    {ParticipantId(2), 1, Ssrc(0x02000002), false},
    {ParticipantId(3), 1, Ssrc(0x03000002), false},
    {ParticipantId(1), 2, Ssrc(0x01000003), false},
    {ParticipantId(1), 1, Ssrc(0x01000002), true},  // loopback of own audio
    {ParticipantId(4), 3, Ssrc(0x04000004), true},
}};
const PayloadTypeMapping kMaps[] = {{96, 100}, {97, 101}, {111, 111}, {100, 96}};

class World {
 public:
  World() {
    (void)router.CreateRoom(kRoom1);
    (void)router.CreateRoom(kRoom2);
    for (size_t i = 0; i < 4; ++i) Join(kWho[i]);
    for (size_t i = 0; i < kSubscriptions.size(); ++i) Subscribe(i);
  }

  void Join(ParticipantId p) {
    (void)router.AddParticipant(RoomFor(p), p, ParticipantOptions{Ssrc(0xfeed0000u + uint32_t(p.value()))});
    for (size_t i = 0; i < kTracks.size(); ++i) {
      if (kTracks[i].publisher != p) continue;
      auto id = router.PublishTrack(p, kTracks[i].config);
      if (id) track_ids[i] = *id;
    }
  }

  void Subscribe(size_t i) {
    const PlannedSubscription& s = kSubscriptions[i];
    std::vector<PayloadTypeMapping> map;
    for (const auto& m : kMaps) {
      for (uint8_t pt : kTracks[s.track].config.payload_types) {
        if (m.upstream == pt) map.push_back(m);
      }
    }
    (void)router.AddSubscription(s.subscriber, track_ids[s.track], s.downstream, map,
                                 SubscriptionOptions{.allow_self = s.allow_self});
  }

  void Toggle(size_t i) {
    const PlannedSubscription& s = kSubscriptions[i];
    if (!router.RemoveSubscription(s.subscriber, track_ids[s.track])) Subscribe(i);
  }

  void Rejoin(ParticipantId p) {
    if (!router.RemoveParticipant(p)) return;
    Join(p);
    for (size_t i = 0; i < kSubscriptions.size(); ++i) {
      if (kSubscriptions[i].subscriber == p || kTracks[kSubscriptions[i].track].publisher == p) Subscribe(i);
    }
  }

  Router router;
  std::array<TrackId, kTracks.size()> track_ids{};
};

class CheckingSink : public Sink {
 public:
  void SendRtp(ParticipantId to, std::span<const uint8_t> packet) override {
    if (RoomFor(to) != RoomFor(from)) abort();
    if (packet.size() != input.size()) abort();
    auto view = rtp::RtpPacketView::Parse(packet);
    if (!view) abort();
    if ((view->ssrc().value() >> 24) != to.value()) abort();  // one of its downstream SSRCs
    for (size_t i = 0; i < packet.size(); ++i) {
      if (i == 1 && (packet[1] & 0x80) == (input[1] & 0x80)) continue;
      if (i >= 8 && i < 12) continue;
      if (packet[i] != input[i]) abort();
    }
  }
  void SendRtcp(ParticipantId to, std::span<const uint8_t> packet) override {
    if (timer) {
      if (to == ParticipantId(99)) abort();
    } else {
      if (RoomFor(to) != RoomFor(from)) abort();
      if (packet.size() > input.size()) abort();
    }
    if (!rtcp::ParseCompound(packet)) abort();
  }

  ParticipantId from;
  std::span<const uint8_t> input;
  bool timer = false;
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  World world;
  CheckingSink sink;
  Timestamp now = Timestamp::Millis(1'000'000);
  std::vector<uint8_t> buffer;
  size_t pos = 0;
  while (size - pos >= 5) {
    const ParticipantId who = kWho[data[pos] % kWho.size()];
    const uint8_t kind = data[pos + 1] % 6;
    now += TimeDelta::Millis(data[pos + 2]);
    size_t length = aegis::LoadBE16(data + pos + 3);
    pos += 5;
    if (length > size - pos) length = size - pos;
    buffer.assign(data + pos, data + pos + length);
    pos += length;

    sink.from = who;
    sink.timer = false;
    switch (kind) {
      case 0:
      case 5:
        if (kind == 5 && buffer.size() >= 12 && !buffer.empty()) {
          aegis::StoreBE32(buffer.data() + 8, kDeclared[buffer[0] % kDeclared.size()].value());
        }
        sink.input = buffer;
        world.router.OnRtp(who, buffer, now, sink);
        break;
      case 1:
        sink.input = buffer;
        world.router.OnRtcp(who, buffer, now, sink);
        break;
      case 2:
        sink.timer = true;
        world.router.OnTimer(now, sink);
        break;
      case 3:
        world.Toggle(buffer.empty() ? 0 : buffer[0] % kSubscriptions.size());
        break;
      case 4:
        world.Rejoin(who);
        break;
    }
  }
  return 0;
}
