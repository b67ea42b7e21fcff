// The SFU forwarding core: a sans-IO routing engine between peer
// transports. It takes plain (already SRTP-unprotected) RTP/RTCP bytes with
// the id of the participant whose transport they came from, and hands
// rewritten bytes for other participants to a Sink. No sockets, threads or
// clock: time is passed in, and OnTimer is called at NextTimeout().
//
// Rooms are separate objects (room.h); participant and track ids are
// unique across rooms, and a subscription across rooms is refused.
// Not thread-safe: one Router per media worker thread.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <unordered_map>
#include <vector>

#include "base/result.h"
#include "base/time.h"
#include "sfu/config.h"
#include "sfu/model.h"
#include "sfu/room.h"
#include "sfu/rtcp_handler.h"
#include "sfu/sfu_error.h"
#include "sfu/sfu_stats.h"
#include "sfu/sink.h"

namespace aegis::sfu {

class Router {
 public:
  explicit Router(RouterConfig config = {});
  Router(const Router&) = delete;
  Router& operator=(const Router&) = delete;

  Result<void, SfuError> CreateRoom(RoomId room);
  // Only an empty room can be removed.
  Result<void, SfuError> RemoveRoom(RoomId room);

  Result<void, SfuError> AddParticipant(RoomId room, ParticipantId participant, ParticipantOptions options = {});
  // Also unpublishes its tracks and ends its subscriptions; returns one
  // event per (other) subscriber that lost a track.
  Result<std::vector<TrackEnded>, SfuError> RemoveParticipant(ParticipantId participant);

  Result<TrackId, SfuError> PublishTrack(ParticipantId publisher, TrackConfig config);
  Result<std::vector<TrackEnded>, SfuError> UnpublishTrack(TrackId track);

  // `subscriber` receives `track` on `downstream_ssrc`, each upstream PT
  // rewritten per `payload_types` (PTs without a mapping are not sent to
  // it). Refused across rooms, for its own track unless options allow it,
  // and for a downstream SSRC it already receives on.
  Result<void, SfuError> AddSubscription(ParticipantId subscriber, TrackId track, Ssrc downstream_ssrc,
                                         std::span<const PayloadTypeMapping> payload_types,
                                         SubscriptionOptions options = {});
  // Forwarding to it stops at once.
  Result<void, SfuError> RemoveSubscription(ParticipantId subscriber, TrackId track);
  // The subscriber's answer dropped RTX: its NACKs get no retransmission.
  Result<void, SfuError> StopRetransmissions(ParticipantId subscriber, TrackId track);
  // The subscriber's answer kept the transport-wide sequence number under
  // `extension_id` (none: it did not): what it receives is numbered, its
  // transport feedback judged (send_side_estimate.h), and what its
  // connection can take limits the publishers it receives video from.
  Result<void, SfuError> SetTransportFeedback(ParticipantId subscriber, std::optional<uint8_t> extension_id);
  // The publisher's offer had the transport-wide sequence number under
  // `extension_id` and the answer kept it (none: not): what it sends is
  // reported back every 100 ms (upstream_feedback.h) for its own estimate.
  Result<void, SfuError> SetUpstreamTransportFeedback(ParticipantId publisher, std::optional<uint8_t> extension_id);
  // A muted track's packets are still checked and counted but reach no
  // subscriber (a room admin's mute); unmuting resumes forwarding.
  Result<void, SfuError> SetTrackMuted(TrackId track, bool muted);

  // `arrived`: when it reached the machine, if the caller knows (reported
  // to a publisher that takes transport-wide feedback); else `now`.
  void OnRtp(ParticipantId from, std::span<const uint8_t> plain_rtp, Timestamp now, Sink& out,
             std::optional<Timestamp> arrived = std::nullopt);
  void OnRtcp(ParticipantId from, std::span<const uint8_t> plain_rtcp, Timestamp now, Sink& out);
  // The subscriber's connection came up: ask the publishers of the video it
  // receives for a keyframe (throttled like any keyframe request), so it
  // need not wait for the next one.
  void RequestKeyframes(ParticipantId subscriber, Timestamp now, Sink& out);
  // Sends whatever is due (receiver reports to publishers).
  void OnTimer(Timestamp now, Sink& out);
  // Cached: recomputed (a scan of the rooms) only after something that can
  // move a deadline, so the I/O shell may ask after every batch.
  std::optional<Timestamp> NextTimeout() const;

  const SfuStats& stats() const { return stats_; }
  size_t track_count() const { return track_rooms_.size(); }
  // Walks every track: for metrics, not the packet path.
  size_t subscription_count() const;
  std::optional<RoomId> RoomOf(ParticipantId participant) const;
  const Track* FindTrack(TrackId track) const;

 private:
  // Marks a Sink dispatch, so model changes from inside one are refused.
  class DispatchScope;

  RouterConfig config_;
  SfuStats stats_;
  std::unordered_map<RoomId, std::unique_ptr<Room>> rooms_;
  std::unordered_map<ParticipantId, Room*> participant_rooms_;
  std::unordered_map<TrackId, Room*> track_rooms_;
  uint64_t next_track_id_ = 1;
  std::vector<uint8_t> rtp_buffer_;  // reused for every forwarded copy
  RtcpHandler rtcp_;
  bool dispatching_ = false;
  mutable std::optional<Timestamp> next_timeout_;
  mutable bool next_timeout_stale_ = true;
};

}  // namespace aegis::sfu
