#include "sfu/router.h"

namespace aegis::sfu {
namespace {
// Typical path MTU; a larger packet grows the buffer once.
constexpr size_t kInitialBufferSize = 1500;
}  // namespace

class Router::DispatchScope {
 public:
  explicit DispatchScope(bool& flag) : flag_(flag) { flag_ = true; }
  ~DispatchScope() { flag_ = false; }
  DispatchScope(const DispatchScope&) = delete;
  DispatchScope& operator=(const DispatchScope&) = delete;

 private:
  bool& flag_;
};

Router::Router(RouterConfig config) : config_(config), rtcp_(config_, stats_) {
  rtp_buffer_.reserve(kInitialBufferSize);
}

Result<void, SfuError> Router::CreateRoom(RoomId room) {
  if (dispatching_) return Err{SfuError::kReentrant};
  next_timeout_stale_ = true;
  if (rooms_.contains(room)) return Err{SfuError::kRoomExists};
  rooms_.emplace(room, std::make_unique<Room>(room, config_, stats_));
  return {};
}

Result<void, SfuError> Router::RemoveRoom(RoomId room) {
  if (dispatching_) return Err{SfuError::kReentrant};
  next_timeout_stale_ = true;
  auto it = rooms_.find(room);
  if (it == rooms_.end()) return Err{SfuError::kNoSuchRoom};
  if (!it->second->empty()) return Err{SfuError::kRoomNotEmpty};
  rooms_.erase(it);
  return {};
}

Result<void, SfuError> Router::AddParticipant(RoomId room, ParticipantId participant, ParticipantOptions options) {
  if (dispatching_) return Err{SfuError::kReentrant};
  next_timeout_stale_ = true;
  auto it = rooms_.find(room);
  if (it == rooms_.end()) return Err{SfuError::kNoSuchRoom};
  if (participant_rooms_.contains(participant)) return Err{SfuError::kParticipantExists};
  auto added = it->second->AddParticipant(participant, options);
  if (!added) return added;
  participant_rooms_.emplace(participant, it->second.get());
  return {};
}

Result<std::vector<TrackEnded>, SfuError> Router::RemoveParticipant(ParticipantId participant) {
  if (dispatching_) return Err{SfuError::kReentrant};
  next_timeout_stale_ = true;
  auto it = participant_rooms_.find(participant);
  if (it == participant_rooms_.end()) return Err{SfuError::kNoSuchParticipant};
  std::vector<TrackEnded> events;
  std::vector<TrackId> removed_tracks;
  it->second->RemoveParticipant(participant, events, removed_tracks);
  for (TrackId track : removed_tracks) track_rooms_.erase(track);
  participant_rooms_.erase(it);
  return events;
}

Result<TrackId, SfuError> Router::PublishTrack(ParticipantId publisher, TrackConfig config) {
  if (dispatching_) return Err{SfuError::kReentrant};
  next_timeout_stale_ = true;
  auto it = participant_rooms_.find(publisher);
  if (it == participant_rooms_.end()) return Err{SfuError::kNoSuchParticipant};
  const TrackId id(next_track_id_);
  auto published = it->second->PublishTrack(publisher, id, std::move(config));
  if (!published) return Err{published.error()};
  ++next_track_id_;
  track_rooms_.emplace(id, it->second);
  return id;
}

Result<std::vector<TrackEnded>, SfuError> Router::UnpublishTrack(TrackId track) {
  if (dispatching_) return Err{SfuError::kReentrant};
  next_timeout_stale_ = true;
  auto it = track_rooms_.find(track);
  if (it == track_rooms_.end()) return Err{SfuError::kNoSuchTrack};
  std::vector<TrackEnded> events;
  it->second->UnpublishTrack(track, events);
  track_rooms_.erase(it);
  return events;
}

Result<void, SfuError> Router::AddSubscription(ParticipantId subscriber, TrackId track, Ssrc downstream_ssrc,
                                               std::span<const PayloadTypeMapping> payload_types,
                                               SubscriptionOptions options) {
  if (dispatching_) return Err{SfuError::kReentrant};
  next_timeout_stale_ = true;
  auto sub_room = participant_rooms_.find(subscriber);
  if (sub_room == participant_rooms_.end()) return Err{SfuError::kNoSuchParticipant};
  auto track_room = track_rooms_.find(track);
  if (track_room == track_rooms_.end()) return Err{SfuError::kNoSuchTrack};
  if (sub_room->second != track_room->second) {
    ++stats_.subscriptions_refused_cross_room;
    return Err{SfuError::kCrossRoom};
  }
  return sub_room->second->AddSubscription(subscriber, track, downstream_ssrc, payload_types, options);
}

Result<void, SfuError> Router::RemoveSubscription(ParticipantId subscriber, TrackId track) {
  if (dispatching_) return Err{SfuError::kReentrant};
  next_timeout_stale_ = true;
  auto it = participant_rooms_.find(subscriber);
  if (it == participant_rooms_.end()) return Err{SfuError::kNoSuchSubscription};
  return it->second->RemoveSubscription(subscriber, track);
}

Result<void, SfuError> Router::StopRetransmissions(ParticipantId subscriber, TrackId track) {
  if (dispatching_) return Err{SfuError::kReentrant};
  auto it = track_rooms_.find(track);
  Track* t = it == track_rooms_.end() ? nullptr : it->second->FindTrack(track);
  if (!t) return Err{SfuError::kNoSuchSubscription};
  Subscription* sub = t->FindSubscription(subscriber);
  if (!sub) return Err{SfuError::kNoSuchSubscription};
  sub->rtx.reset();
  return {};
}

Result<void, SfuError> Router::SetTransportFeedback(ParticipantId subscriber, std::optional<uint8_t> extension_id) {
  if (dispatching_) return Err{SfuError::kReentrant};
  auto it = participant_rooms_.find(subscriber);
  if (it == participant_rooms_.end()) return Err{SfuError::kNoSuchParticipant};
  return it->second->SetTransportFeedback(subscriber, extension_id);
}

Result<void, SfuError> Router::SetUpstreamTransportFeedback(ParticipantId publisher,
                                                            std::optional<uint8_t> extension_id) {
  if (dispatching_) return Err{SfuError::kReentrant};
  next_timeout_stale_ = true;
  auto it = participant_rooms_.find(publisher);
  if (it == participant_rooms_.end()) return Err{SfuError::kNoSuchParticipant};
  return it->second->SetUpstreamTransportFeedback(publisher, extension_id);
}

Result<void, SfuError> Router::SetTrackMuted(TrackId track, bool muted) {
  if (dispatching_) return Err{SfuError::kReentrant};
  next_timeout_stale_ = true;
  auto it = track_rooms_.find(track);
  if (it == track_rooms_.end()) return Err{SfuError::kNoSuchTrack};
  Track* t = it->second->FindTrack(track);
  if (!t) return Err{SfuError::kNoSuchTrack};
  t->muted = muted;
  return {};
}

void Router::OnRtp(ParticipantId from, std::span<const uint8_t> plain_rtp, Timestamp now, Sink& out,
                   std::optional<Timestamp> arrived) {
  ++stats_.rtp_received;
  if (dispatching_) {
    ++stats_.reentrant_calls_refused;
    return;
  }
  auto it = participant_rooms_.find(from);
  if (it == participant_rooms_.end()) {
    ++stats_.rtp_dropped_unknown_participant;
    return;
  }
  DispatchScope scope(dispatching_);
  it->second->OnRtp(from, plain_rtp, now, out, rtp_buffer_, arrived.value_or(now));
  if (it->second->TakeDeadlineAdded()) next_timeout_stale_ = true;
}

void Router::OnRtcp(ParticipantId from, std::span<const uint8_t> plain_rtcp, Timestamp now, Sink& out) {
  ++stats_.rtcp_received;
  if (dispatching_) {
    ++stats_.reentrant_calls_refused;
    return;
  }
  auto it = participant_rooms_.find(from);
  if (it == participant_rooms_.end()) {
    ++stats_.rtcp_dropped_unknown_participant;
    return;
  }
  DispatchScope scope(dispatching_);
  next_timeout_stale_ = true;  // keyframe requests may be deferred
  rtcp_.OnRtcp(*it->second, from, plain_rtcp, now, out);
}

void Router::RequestKeyframes(ParticipantId subscriber, Timestamp now, Sink& out) {
  if (dispatching_) {
    ++stats_.reentrant_calls_refused;
    return;
  }
  auto it = participant_rooms_.find(subscriber);
  if (it == participant_rooms_.end()) return;
  DispatchScope scope(dispatching_);
  next_timeout_stale_ = true;
  rtcp_.RequestKeyframes(*it->second, subscriber, now, out);
}

void Router::OnTimer(Timestamp now, Sink& out) {
  if (dispatching_) {
    ++stats_.reentrant_calls_refused;
    return;
  }
  DispatchScope scope(dispatching_);
  next_timeout_stale_ = true;
  for (auto& [id, room] : rooms_) rtcp_.OnTimer(*room, now, out);
}

std::optional<Timestamp> Router::NextTimeout() const {
  if (!next_timeout_stale_) return next_timeout_;
  std::optional<Timestamp> next;
  for (const auto& [id, room] : rooms_) {
    auto t = room->NextTimeout();
    if (t && (!next || *t < *next)) next = t;
  }
  next_timeout_ = next;
  next_timeout_stale_ = false;
  return next;
}

size_t Router::subscription_count() const {
  size_t n = 0;
  for (const auto& [id, room] : rooms_) {
    for (const auto& [track_id, track] : room->tracks()) n += track.subscriptions.size();
  }
  return n;
}

std::optional<RoomId> Router::RoomOf(ParticipantId participant) const {
  auto it = participant_rooms_.find(participant);
  if (it == participant_rooms_.end()) return std::nullopt;
  return it->second->id();
}

const Track* Router::FindTrack(TrackId track) const {
  auto it = track_rooms_.find(track);
  return it == track_rooms_.end() ? nullptr : static_cast<const Room&>(*it->second).FindTrack(track);
}

}  // namespace aegis::sfu
