// One room: its participants, their published tracks and the subscriptions
// between them, and the RTP forwarding path. Rooms are separate objects with
// no links between them: a packet entering a room can only reach
// subscriptions of that room's tracks, so media cannot cross rooms.
//
// RTP path (OnRtp): parse the header (never the payload) → the SSRC must be
// one the sender declared for a track → the PT must be negotiated for it →
// update receive statistics and loss tracking, keep a copy in the track's
// cache (video) → per subscription copy into the reused buffer, rewrite
// SSRC and PT, hand to the Sink. No allocation once the buffers have grown
// to the largest packet. A packet on a declared RTX SSRC is unwrapped first
// and then takes the same path.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <utility>
#include <unordered_map>
#include <vector>

#include "base/result.h"
#include "base/time.h"
#include "rtp/rtp_packet.h"
#include "sfu/config.h"
#include "sfu/model.h"
#include "sfu/sfu_error.h"
#include "sfu/sfu_stats.h"
#include "sfu/sink.h"

namespace aegis::sfu {

class Room {
 public:
  Room(RoomId id, const RouterConfig& config, SfuStats& stats) : id_(id), config_(config), stats_(stats) {}
  Room(const Room&) = delete;
  Room& operator=(const Room&) = delete;

  RoomId id() const { return id_; }
  bool empty() const { return participants_.empty(); }

  Result<void, SfuError> AddParticipant(ParticipantId id, const ParticipantOptions& options);
  // Removes the participant's tracks (events for their subscribers, and the
  // removed track ids) and its own subscriptions.
  void RemoveParticipant(ParticipantId id, std::vector<TrackEnded>& events, std::vector<TrackId>& removed_tracks);

  Result<void, SfuError> PublishTrack(ParticipantId publisher, TrackId id, TrackConfig config);
  void UnpublishTrack(TrackId id, std::vector<TrackEnded>& events);

  // The track must be in this room (the Router checks rooms first).
  Result<void, SfuError> AddSubscription(ParticipantId subscriber, TrackId track, Ssrc downstream_ssrc,
                                         std::span<const PayloadTypeMapping> payload_types,
                                         const SubscriptionOptions& options);
  Result<void, SfuError> RemoveSubscription(ParticipantId subscriber, TrackId track);
  // Starts (an id) or stops (none) numbering what `subscriber` receives for
  // transport-wide feedback; the same id again keeps the running estimate.
  Result<void, SfuError> SetTransportFeedback(ParticipantId subscriber, std::optional<uint8_t> extension_id);
  // Starts (an id) or stops (none) reporting arrivals to `publisher`.
  Result<void, SfuError> SetUpstreamTransportFeedback(ParticipantId publisher, std::optional<uint8_t> extension_id);

  // `scratch` is the router's reused output buffer.
  void OnRtp(ParticipantId from, std::span<const uint8_t> packet, Timestamp now, Sink& out,
             std::vector<uint8_t>& scratch, Timestamp arrived);

  // For the RTCP handler and tests.
  Participant* FindParticipant(ParticipantId id);
  Track* FindTrack(TrackId id);
  const Track* FindTrack(TrackId id) const;
  std::unordered_map<ParticipantId, Participant>& participants() { return participants_; }
  std::unordered_map<TrackId, Track>& tracks() { return tracks_; }
  // Earliest receiver report, deferred keyframe request or NACK due in this room.
  std::optional<Timestamp> NextTimeout() const;
  // Whether OnRtp scheduled a deadline since the last call (a sender's
  // first receiver report), so the Router's cached NextTimeout is stale.
  bool TakeDeadlineAdded() { return std::exchange(deadline_added_, false); }

 private:
  void OnRetransmission(Participant& sender, Track& track, UpstreamStream& stream, const rtp::RtpPacketView& rtx,
                        Timestamp now, Sink& out, std::vector<uint8_t>& scratch);
  // A media packet that passed the checks (or was recovered from RTX):
  // statistics, loss tracking, cache, then a copy per subscriber.
  void OnMedia(Participant& sender, Track& track, const rtp::RtpPacketView& view, Timestamp now, Sink& out,
               std::vector<uint8_t>& scratch);
  static bool RtxConfigValid(const TrackConfig& config);
  void DropSubscription(Track& track, ParticipantId subscriber);
  // Keeps where a subscription's numbers ended, for the next on its SSRC.
  static void RememberEnded(Participant& subscriber, const Subscription& sub);

  RoomId id_;
  const RouterConfig& config_;
  SfuStats& stats_;
  std::unordered_map<ParticipantId, Participant> participants_;
  std::unordered_map<TrackId, Track> tracks_;  // references stay valid across rehash
  // How many participants declared each SSRC: tells a spoofed SSRC from an
  // unannounced one in O(1) on the drop path.
  std::unordered_map<Ssrc, uint32_t> declared_ssrcs_;
  bool deadline_added_ = false;
  std::vector<uint8_t> recovered_;  // a publisher's RTX packet, unwrapped
};

}  // namespace aegis::sfu
