// The Conference's session lifecycle and moderation: token expiry and
// refresh, revocation, one session per identity, and what a room admin may
// do (kick, mute, lock, end, admit or deny from the lobby). The grants were
// checked by the session gate; HandleMessage checks room_admin again.
#include "server/conference.h"
#include "server/member.h"

namespace aegis::server {

using signaling::ErrorCode;

namespace {
// token_expiring goes out this long before the token's expiry.
constexpr TimeDelta kExpiryWarning = TimeDelta::Seconds(60);
}  // namespace

std::optional<SessionId> Conference::FindByIdentity(const std::string& room, const std::string& identity) const {
  for (const auto& [session, member] : members_) {
    if (member->room == room && member->identity == identity) return session;
  }
  return std::nullopt;
}

Member* Conference::FindInRoom(const RoomState& room, std::string_view participant_id) const {
  for (SessionId s : room.members) {
    if (members_.at(s)->id == participant_id) return members_.at(s).get();
  }
  for (SessionId s : room.lobby) {
    if (members_.at(s)->id == participant_id) return members_.at(s).get();
  }
  return nullptr;
}

void Conference::SendToAdmins(const RoomState& room, const signaling::ServerMessage& message) {
  const std::string text = signaling::Serialize(message);
  for (SessionId s : room.members) {
    if (members_.at(s)->grants.room_admin) Deliver(s, text);
  }
}

// ------------------------------------------------------------ token expiry

void Conference::ScheduleTokenExpiry(Member& member, Timestamp now, TimeDelta remaining) {
  UnscheduleTokenExpiry(member);
  member.token_deadline = now + remaining;
  member.token_warned = remaining <= kExpiryWarning;
  if (member.token_warned) Send(member.session, signaling::TokenExpiring{std::max<int64_t>(0, remaining.ms() / 1000)});
  member.token_timer = member.token_warned ? member.token_deadline : member.token_deadline - kExpiryWarning;
  token_timers_.insert({member.token_timer, member.session});
}

void Conference::UnscheduleTokenExpiry(Member& member) { token_timers_.erase({member.token_timer, member.session}); }

void Conference::HandleTokenTimers(Timestamp now) {
  while (!token_timers_.empty() && token_timers_.begin()->first <= now) {
    const SessionId session = token_timers_.begin()->second;
    token_timers_.erase(token_timers_.begin());
    auto it = members_.find(session);
    if (it == members_.end()) continue;
    Member& member = *it->second;
    if (!member.token_warned && member.token_deadline > now) {
      member.token_warned = true;
      Send(session, signaling::TokenExpiring{(member.token_deadline - now).ms() / 1000});
      member.token_timer = member.token_deadline;
      token_timers_.insert({member.token_timer, session});
      continue;
    }
    SendError(session, ErrorCode::kTokenExpired, "the access token expired; join again with a fresh one");
    Remove(session, now, /*close_signal=*/true, "token expired");
  }
}

std::optional<Timestamp> Conference::NextTokenTimeout() const {
  if (token_timers_.empty()) return std::nullopt;
  return token_timers_.begin()->first;
}

// ------------------------------------------------------------ revocation

void Conference::Revoke(const Revocation& revocation, Timestamp now) {
  SetSinkTime(now);
  std::vector<SessionId> ended;
  for (const auto& [session, member] : members_) {
    if (member->room != revocation.room) continue;
    const bool by_identity = revocation.identity && *revocation.identity == member->identity &&
                             member->issued_at <= revocation.revoked_at_unix_s;
    const bool by_token = revocation.token_id && member->token_id == revocation.token_id;
    if (by_identity || by_token) ended.push_back(session);
  }
  for (SessionId session : ended) {
    SendError(session, ErrorCode::kRevoked, "the access token was revoked");
    Remove(session, now, /*close_signal=*/true, "revoked");
  }
}

// ------------------------------------------------------------ room admins

bool Conference::HandleModeration(Member& admin, const signaling::ClientMessage& message, Timestamp now) {
  RoomState& room = *rooms_.at(admin.room);
  const std::string actor = "room=" + admin.room + " by=" + admin.identity;
  if (const auto* kick = std::get_if<signaling::KickRequest>(&message)) {
    Member* target = FindInRoom(room, kick->participant_id);
    if (!target) return SendError(admin.session, ErrorCode::kUnknownParticipant, "no such participant"), true;
    output_.Audit("participant.kick", actor + " identity=" + target->identity + " participant=" + target->id);
    SendError(target->session, ErrorCode::kKicked, "removed by a room admin");
    Remove(target->session, now, /*close_signal=*/true, "kicked");
    return true;
  }
  if (const auto* mute = std::get_if<signaling::MuteRequest>(&message)) {
    Member* target = FindInRoom(room, mute->participant_id);
    if (!target || target->in_lobby) {
      return SendError(admin.session, ErrorCode::kUnknownParticipant, "no such participant"), true;
    }
    const bool audio = mute->kind == signaling::TrackKind::kAudio;
    (audio ? target->audio_muted : target->video_muted) = mute->muted;
    for (const auto& t : target->tracks) {
      if (t.kind == mute->kind) (void)router_.SetTrackMuted(t.id, mute->muted);
    }
    output_.Audit(mute->muted ? "participant.mute" : "participant.unmute",
                  actor + " participant=" + target->id + " kind=" + std::string(signaling::WireName(mute->kind)));
    const signaling::Muted event{target->id, mute->kind, mute->muted};
    Broadcast(room, kNoSession, event);
    return true;
  }
  if (const auto* lock = std::get_if<signaling::LockRequest>(&message)) {
    room.locked = lock->locked;
    output_.Audit(lock->locked ? "room.lock" : "room.unlock", actor);
    Broadcast(room, kNoSession, signaling::Locked{lock->locked});
    return true;
  }
  if (std::holds_alternative<signaling::EndRequest>(message)) {
    output_.Audit("room.end", actor);
    const std::string room_name = admin.room;
    std::vector<SessionId> everyone(room.lobby.begin(), room.lobby.end());
    everyone.insert(everyone.end(), room.members.begin(), room.members.end());
    for (SessionId s : everyone) {
      if (!members_.contains(s)) continue;
      SendError(s, ErrorCode::kRoomEnded, "a room admin ended the room");
      Remove(s, now, /*close_signal=*/true, "room ended");
    }
    return true;
  }
  if (const auto* decision = std::get_if<signaling::LobbyDecision>(&message)) {
    Member* target = FindInRoom(room, decision->participant_id);
    if (!target || !target->in_lobby) {
      return SendError(admin.session, ErrorCode::kUnknownParticipant, "nobody by that id waits in the lobby"), true;
    }
    output_.Audit(decision->admit ? "lobby.admit" : "lobby.deny",
                  actor + " identity=" + target->identity + " participant=" + target->id);
    if (!decision->admit) {
      SendError(target->session, ErrorCode::kDenied, "a room admin refused entry");
      Remove(target->session, now, /*close_signal=*/true, "denied");
      return true;
    }
    std::erase(room.lobby, target->session);
    SendToAdmins(room, signaling::LobbyLeft{target->id});
    Enter(*target, now);
    return true;
  }
  return false;
}

}  // namespace aegis::server
