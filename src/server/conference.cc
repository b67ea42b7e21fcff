#include "server/conference.h"

#include <algorithm>

#include "auth/base64url.h"
#include "base/hex.h"
#include "crypto/hash.h"
#include "negotiation/answer.h"
#include "sdp/sdp_parser.h"
#include "sdp/sdp_serializer.h"
#include "server/member.h"

namespace aegis::server {

using signaling::ErrorCode;

namespace {

// Sections one subscriber connection may hold (our SDP parser reads at most
// 64); ended ones are reused, so this bounds the tracks a subscriber can
// receive at once, not what a long call accumulates.
constexpr size_t kMaxSubscriberSections = 64;

uint32_t NonZeroU32(RandomSource& rng) {
  uint32_t v = 0;
  while (v == 0) v = rng.U32();
  return v;
}

signaling::TrackKind KindOf(sdp::MediaKind kind) {
  return kind == sdp::MediaKind::kAudio ? signaling::TrackKind::kAudio : signaling::TrackKind::kVideo;
}

// The client sends media on a section we answered recvonly (or sendrecv).
bool ClientSends(const negotiation::AcceptedMedia& m) {
  return m.direction == sdp::Direction::kRecvOnly || m.direction == sdp::Direction::kSendRecv;
}

// "left room R: participant pX: published 1200 RTP packets (900000 bytes)
// received, 2400 RTP packets (1800000 bytes) forwarded to it". Plain RTP
// sizes (before SRTP), counted after authentication.
std::string LeaveLogLine(const Member& m) {
  auto count = [](const std::unique_ptr<Connection>& c, bool received) {
    const uint64_t packets = !c ? 0 : received ? c->rtp_packets_received : c->rtp_packets_sent;
    const uint64_t bytes = !c ? 0 : received ? c->rtp_bytes_received : c->rtp_bytes_sent;
    return std::to_string(packets) + " RTP packets (" + std::to_string(bytes) + " bytes)";
  };
  return "left room " + m.room + ": participant " + m.id + ": published " + count(m.publisher, true) +
         " received, " + count(m.subscriber, false) + " forwarded to it";
}

}  // namespace

void Conference::Send(SessionId session, const signaling::ServerMessage& message) {
  Deliver(session, signaling::Serialize(message));
}

void Conference::Deliver(SessionId session, std::string_view text) {
  auto it = members_.find(session);
  if (it == members_.end()) return output_.SendSignal(session, std::string(text));  // not (or no longer) a member
  Member& m = *it->second;
  if (m.resume_token.empty()) return output_.SendSignal(m.socket, std::string(text));
  const std::string& numbered = m.replay.Number(text);
  if (m.socket != kNoSession) output_.SendSignal(m.socket, numbered);  // detached: kept for the replay
}

SessionId Conference::SessionOf(SessionId socket) const {
  auto it = session_of_socket_.find(socket);
  return it == session_of_socket_.end() ? socket : it->second;
}

void Conference::SendError(SessionId session, ErrorCode code, std::string message, std::string_view field) {
  const std::optional<int64_t> re = session == requester_ ? request_id_ : std::nullopt;
  Send(session, signaling::ErrorMessage{code, std::string(field), std::move(message), re});
}

void Conference::Broadcast(const RoomState& room, SessionId except, const signaling::ServerMessage& message) {
  const std::string text = signaling::Serialize(message);
  for (SessionId s : room.members) {
    if (s != except) Deliver(s, text);
  }
}

signaling::ParticipantInfo Conference::Describe(const Member& member) const {
  signaling::ParticipantInfo info{member.id,          member.name,        {},          member.audio_muted,
                                  member.video_muted, std::nullopt, std::nullopt};
  // An MLS participant's credential names its token subject: the others
  // check each leaf against it (docs/protocol.md §7). Nobody else's is sent.
  if (member.key_package) {
    info.identity = member.identity;
    info.key_package = member.announced_key_package;
  }
  for (const auto& t : member.tracks) info.tracks.push_back({WireTrackId(t.id), t.kind, t.source});
  return info;
}

void Conference::Join(SessionId session, const auth::Claims& claims, const signaling::JoinRequest& request,
                      Timestamp now, const RoomRules& rules, TimeDelta token_remaining,
                      std::vector<signaling::IceServer> ice_servers) {
  SetSinkTime(now);  // what the router sends from here (keyframe requests) is sent now
  // A resumed socket speaks for its older session: that one is joined too.
  if (members_.contains(SessionOf(session))) return SendError(session, ErrorCode::kAlreadyJoined, "already joined");
  // Before anything changes: a KeyPackage made for someone else (or another
  // suite) must not even replace this identity's older session.
  if (request.key_package && !CheckKeyPackage(session, claims, *request.key_package)) return;
  // One live session per identity and room: the newest wins (a reconnect
  // from another tab or device), the old one is told and removed.
  if (auto old = FindByIdentity(claims.room, claims.identity)) {
    SendError(*old, ErrorCode::kReplaced, "the same identity joined this room again");
    Remove(*old, now, /*close_signal=*/true, "replaced");
  }
  // A relay-only room needs a relay the client is given and whose
  // addresses the server knows (it ignores checks from anywhere else).
  if (rules.relay_only && (ice_servers.empty() || config_.relay_addresses.empty())) {
    SendError(session, ErrorCode::kRelayUnavailable,
              "this room takes media only through a TURN relay, and this server has none configured "
              "(the operator: --turn-url, and --turn-relay-ip unless the URLs name IP addresses)");
    output_.CloseSignal(session);
    return;
  }
  auto room_it = rooms_.find(claims.room);
  const size_t in_room = room_it == rooms_.end() ? 0 : room_it->second->members.size();
  size_t room_limit = config_.max_participants_per_room;
  if (rules.max_participants > 0) room_limit = std::min(room_limit, rules.max_participants);
  // "joined" lists everyone else, and the protocol caps that list.
  room_limit = std::min(room_limit, signaling::kMaxParticipantsListed + 1);
  const bool waits = rules.lobby && !claims.grants.room_admin;
  const size_t waiting = room_it == rooms_.end() ? 0 : room_it->second->lobby.size();
  if (members_.size() >= config_.max_participants || in_room >= room_limit ||
      (waits && waiting >= kMaxLobby)) {
    SendError(session, ErrorCode::kRoomFull, "the room is full");
    output_.CloseSignal(session);
    return;
  }
  if (room_it != rooms_.end() && room_it->second->locked && !claims.grants.room_admin) {
    SendError(session, ErrorCode::kRoomLocked, "the room is locked");
    output_.CloseSignal(session);
    return;
  }
  if (room_it == rooms_.end()) {
    auto room = std::make_unique<RoomState>();
    room->sfu_id = sfu::RoomId(next_room_id_++);
    (void)router_.CreateRoom(room->sfu_id);  // ids are fresh: cannot collide
    room_it = rooms_.emplace(claims.room, std::move(room)).first;
  }
  RoomState& room = *room_it->second;

  auto member = std::make_unique<Member>();
  member->session = session;
  member->socket = session;
  if (request.resumable) {
    std::array<uint8_t, 32> secret;
    rng_.Fill(secret);
    member->resume_token = auth::Base64UrlEncode(secret);
  }
  std::array<uint8_t, 8> id_bytes;
  rng_.Fill(id_bytes);
  member->id = "p" + ToHex(id_bytes);  // unguessable, and never the token's identity
  member->sfu_id = sfu::ParticipantId(next_participant_id_++);
  member->room = claims.room;
  member->name = claims.display_name.value_or("");
  member->identity = claims.identity;
  member->token_id = claims.token_id;
  member->issued_at = claims.issued_at.value_or(claims.not_before);
  member->key_package = request.key_package;
  member->announced_key_package = request.key_package;
  if (config_.test_hooks && request.key_package) {
    if (auto swapped = config_.test_hooks->AnnouncedKeyPackage(claims.room, room.joins, *request.key_package)) {
      member->announced_key_package = std::move(*swapped);
    }
  }
  ++room.joins;
  member->grants = claims.grants;
  member->relay_only = rules.relay_only;
  member->ice_servers = std::move(ice_servers);
  member->subscriber_session_id = rng_.U64() >> 2;
  if (pending_viewer_) member->viewer = Member::Viewer{pending_viewer_->first, pending_viewer_->second, 0, 0};
  Member& m = *member;
  members_[session] = std::move(member);
  ScheduleTokenExpiry(m, now, token_remaining);
  if (waits) {
    // The lobby: nothing is sent to or received from this joiner until a
    // room admin admits it (docs/protocol.md §4).
    m.in_lobby = true;
    room.lobby.push_back(session);
    Send(session, signaling::LobbyWaiting{});
    SendToAdmins(room, signaling::LobbyJoined{Describe(m)});
    return;
  }
  Enter(m, now);
}

// The member takes its place in the room: the SFU, the others, its offer.
void Conference::Enter(Member& m, Timestamp now) {
  RoomState& room = *rooms_.at(m.room);
  sfu::ParticipantOptions options;
  options.feedback_ssrc = Ssrc(NonZeroU32(rng_));
  options.target = &m;
  m.feedback_ssrc = options.feedback_ssrc.value();
  if (!router_.AddParticipant(room.sfu_id, m.sfu_id, options).ok()) {
    SendError(m.session, ErrorCode::kInternal, "cannot add the participant");
    Remove(m.session, now, /*close_signal=*/true, "internal error");
    return;
  }
  m.in_lobby = false;
  signaling::Joined joined{m.id, m.room, {}, m.grants.room_admin, room.locked, {}, std::nullopt, m.ice_servers,
                           m.relay_only};
  for (SessionId s : room.members) joined.participants.push_back(Describe(*members_.at(s)));
  if (m.grants.room_admin) {
    for (SessionId s : room.lobby) joined.lobby.push_back(Describe(*members_.at(s)));
  }
  if (m.key_package) joined.mls = MlsEnter(room, m);
  if (!m.resume_token.empty()) joined.resume = signaling::Joined::Resume{m.resume_token, config_.resume_grace.ms() / 1000};
  Send(m.session, joined);
  Broadcast(room, m.session, signaling::ParticipantJoined{Describe(m)});

  room.members.push_back(m.session);
  ++stats_.joins;
  output_.Audit("participant.join", "room=" + m.room + " identity=" + m.identity + " participant=" + m.id);
  if (m.viewer) {
    if (!AnswerViewer(m, now)) return Remove(m.session, now, /*close_signal=*/true, "viewer offer refused");
    // The most recently joined publisher first: it fills the sections.
    for (auto s = room.members.rbegin(); s != room.members.rend(); ++s) {
      for (const auto& t : members_.at(*s)->tracks) Subscribe(m, t.id);
    }
    return;
  }
  if (m.grants.subscribe) {
    for (SessionId s : room.members) {
      for (const auto& t : members_.at(s)->tracks) Subscribe(m, t.id);
    }
    MaybeSendOffer(m);
  }
}

void Conference::JoinViewer(SessionId session, const auth::Claims& claims, const std::string& offer,
                            const std::string& participant, Timestamp now, const RoomRules& rules,
                            TimeDelta token_remaining) {
  SetSinkTime(now);
  auth::Claims viewer = claims;
  viewer.grants.publish = false;
  viewer.grants.subscribe = true;
  pending_viewer_.emplace(offer, participant);
  Join(session, viewer, signaling::JoinRequest{claims.room, "", false, std::nullopt}, now, rules, token_remaining);
  pending_viewer_.reset();
}

// The viewer's offer, answered on its subscriber connection: sendonly
// sections with the SSRCs the answer announces, empty until a track fills them.
bool Conference::AnswerViewer(Member& m, Timestamp now) {
  auto offer = sdp::ParseSdp(m.viewer->offer);
  if (!offer.ok()) {
    SendError(m.session, ErrorCode::kBadSdp,
              "offer does not parse: " + std::string(sdp::ToString(offer.error().error)) + " at line " +
                  std::to_string(offer.error().line));
    return false;
  }
  if (!m.subscriber) m.subscriber = NewConnection(m, /*publisher=*/false);
  auto answer = negotiation::AnswerOffer(*offer, LocalFor(m.subscriber->local_ice, m.subscriber_session_id), rng_);
  if (!answer.ok()) {
    std::string why = answer.error().policy ? std::string(sdp::ToString(answer.error().policy->error))
                                            : "no acceptable BUNDLEd audio/video section";
    SendError(m.session, ErrorCode::kBadSdp, "offer refused: " + why);
    return false;
  }
  for (const auto& media : answer->media) {
    if (media.direction != sdp::Direction::kSendOnly) {
      SendError(m.session, ErrorCode::kBadSdp, "offer refused: a WHEP viewer's sections must be recvonly");
      return false;
    }
    uint8_t& pt = media.kind == sdp::MediaKind::kAudio ? m.viewer->audio_pt : m.viewer->video_pt;
    if (pt != 0 || media.payload_types.empty()) continue;  // one section per kind carries media
    pt = media.payload_types.front();
    negotiation::OfferedTrack section;
    section.mid = media.mid;
    section.kind = media.kind;
    section.ssrc = media.local_ssrc;
    section.active = false;  // until a track fills it
    for (const auto& rtx : media.rtx_payload_types) {
      if (rtx.media != pt || media.local_rtx_ssrc == 0) continue;
      m.viewer->video_rtx_pt = rtx.rtx;
      section.rtx_ssrc = media.local_rtx_ssrc;
      m.offered_ssrcs.insert(media.local_rtx_ssrc);
    }
    m.sections.push_back(std::move(section));
    m.offered_ssrcs.insert(media.local_ssrc);
  }
  auto text = sdp::SerializeSdp(answer->sdp);
  if (m.sections.empty() || !text) {
    SendError(m.session, ErrorCode::kBadSdp, "offer refused: no audio or video section");
    return false;
  }
  if (!StartTransport(*m.subscriber, answer->remote_ice, answer->remote_fingerprint, answer->local_dtls_role, now)) {
    SendError(m.session, ErrorCode::kInternal, "cannot create the transport");
    return false;
  }
  Send(m.session, signaling::PublishAnswer{*text, std::nullopt});
  return true;
}

void Conference::SubscribeViewer(Member& viewer, const sfu::Track& track, sfu::TrackId track_id) {
  const Member* publisher = MemberOf(track.publisher_target);
  if (!publisher) return;
  if (!viewer.viewer->participant.empty() && publisher->id != viewer.viewer->participant) return;
  const bool audio = track.config.kind == sfu::MediaKind::kAudio;
  const sdp::MediaKind kind = audio ? sdp::MediaKind::kAudio : sdp::MediaKind::kVideo;
  auto section = std::find_if(viewer.sections.begin(), viewer.sections.end(),
                              [&](const auto& s) { return s.kind == kind && !s.active; });
  if (section == viewer.sections.end()) return;
  std::vector<sfu::PayloadTypeMapping> mappings;
  for (uint8_t pt : track.config.payload_types) mappings.push_back({pt, audio ? viewer.viewer->audio_pt : viewer.viewer->video_pt});
  sfu::SubscriptionOptions options;
  if (!audio && section->rtx_ssrc != 0) {
    options.rtx = sfu::RtxDownstream{Ssrc(section->rtx_ssrc), viewer.viewer->video_rtx_pt, NextSequenceStart()};
  }
  if (!router_.AddSubscription(viewer.sfu_id, track_id, Ssrc(section->ssrc), mappings, options).ok()) return;
  section->stream_id = publisher->id;
  section->track_id = WireTrackId(track_id);
  section->active = true;
  viewer.section_of_track[track_id] = static_cast<size_t>(section - viewer.sections.begin());
  // A WHEP player may never ask for a keyframe itself, and the new
  // publisher's last one went out before this section was its: ask now.
  const Connection* c = viewer.subscriber.get();
  if (!audio && c && c->transport && c->transport->state() == transport::TransportState::kConnected) {
    RequestKeyframes(viewer);
  }
}

void Conference::HandleMessage(SessionId socket, const signaling::ClientMessage& message, Timestamp now,
                               std::optional<int64_t> request_id) {
  SetSinkTime(now);
  const SessionId session = SessionOf(socket);
  requester_ = session;
  request_id_ = request_id;
  HandleRequest(session, message, now);
  requester_ = kNoSession;
  request_id_.reset();
}

void Conference::HandleRequest(SessionId session, const signaling::ClientMessage& message, Timestamp now) {
  auto it = members_.find(session);
  if (it == members_.end()) return SendError(session, ErrorCode::kNotJoined, "join first");
  Member& member = *it->second;
  if (member.in_lobby) {
    if (std::holds_alternative<signaling::LeaveRequest>(message)) return Remove(session, now, true, "left the lobby");
    return SendError(session, ErrorCode::kNotJoined, "waiting for a room admin to admit you");
  }
  if (signaling::IsAdminRequest(message) && !member.grants.room_admin) {
    return SendError(session, ErrorCode::kForbidden, "the token does not grant room_admin");
  }
  if (HandleModeration(member, message, now)) return RemoveFailed(now);
  if (const auto* refresh = std::get_if<signaling::RefreshToken>(&message)) {
    if (!refresh->verified_claims) return SendError(session, ErrorCode::kInternal, "refresh not verified");
    member.token_id = refresh->verified_claims->token_id;
    member.issued_at = refresh->verified_claims->issued_at.value_or(refresh->verified_claims->not_before);
    ScheduleTokenExpiry(member, now, TimeDelta::Seconds(refresh->verified_remaining_s));
    return;
  }
  // The gate checked the grants already; a worker does not rely on that alone.
  if (const auto* publish = std::get_if<signaling::PublishOffer>(&message)) {
    if (!member.grants.publish) return SendError(session, ErrorCode::kForbidden, "the token does not allow publishing");
    Publish(member, publish->sdp, publish->sources, now);
  } else if (const auto* answer = std::get_if<signaling::SubscribeAnswer>(&message)) {
    if (!member.grants.subscribe) {
      return SendError(session, ErrorCode::kForbidden, "the token does not allow subscribing");
    }
    AcceptSubscriberAnswer(member, answer->sdp, now);
  } else if (std::holds_alternative<signaling::IceRestartRequest>(message)) {
    if (!member.grants.subscribe) {
      return SendError(session, ErrorCode::kForbidden, "the token does not allow subscribing");
    }
    RequestSubscriberIceRestart(member);
  } else if (std::holds_alternative<signaling::LeaveRequest>(message)) {
    Remove(session, now, /*close_signal=*/true, "left");
  } else if (const auto* commit = std::get_if<signaling::MlsCommit>(&message)) {
    HandleMlsCommit(member, *commit);
  } else if (const auto* report = std::get_if<signaling::MlsMember>(&message)) {
    HandleMlsMember(member, *report);
  } else if (const auto* app = std::get_if<signaling::MlsApp>(&message)) {
    HandleMlsApp(member, *app);
  }
  RemoveFailed(now);
}

void Conference::Disconnected(SessionId socket, Timestamp now) {
  SetSinkTime(now);
  const SessionId session = SessionOf(socket);
  session_of_socket_.erase(socket);
  if (auto it = members_.find(session); it != members_.end()) {
    Member& m = *it->second;
    if (m.socket != socket) return;  // a socket it already left for a newer one
    if (!m.resume_token.empty() && !m.in_lobby && !shutting_down_) {
      // Media goes on; messages wait in the replay for the client to resume.
      m.socket = kNoSession;
      m.resume_deadline = now + config_.resume_grace;
      resume_timers_.insert({*m.resume_deadline, session});
      output_.Log("participant " + m.id + " in room " + m.room + ": signaling dropped, kept " +
                  std::to_string(config_.resume_grace.ms()) + " ms for it to resume");
      return;
    }
  }
  Remove(session, now, /*close_signal=*/false, "disconnected");
}

void Conference::Resume(SessionId socket, const auth::Claims& claims, const signaling::ResumeRequest& request,
                        Timestamp now) {
  SetSinkTime(now);
  Member* m = nullptr;
  if (auto room = rooms_.find(request.room); room != rooms_.end()) {
    for (SessionId s : room->second->members) {
      if (members_.at(s)->id == request.participant_id) m = members_.at(s).get();
    }
  }
  // One answer for every refusal: who asks learns nothing about the session.
  auto refuse = [&](std::string_view why) {
    output_.Log("resume refused in room " + request.room + " for participant " + request.participant_id + ": " +
                std::string(why));
    output_.SendSignal(socket, signaling::Serialize(signaling::ErrorMessage{
                                   ErrorCode::kResumeFailed, "", "no session to resume: join again", std::nullopt}));
    output_.CloseSignal(socket);
  };
  if (members_.contains(SessionOf(socket))) {
    return SendError(SessionOf(socket), ErrorCode::kAlreadyJoined, "already joined");
  }
  if (!m || m->resume_token.empty()) return refuse("no such resumable session");
  const std::string_view given = request.resume_token;
  const bool secret_ok = given.size() == m->resume_token.size() &&
                         crypto::ConstantTimeEquals({reinterpret_cast<const uint8_t*>(given.data()), given.size()},
                                                    {reinterpret_cast<const uint8_t*>(m->resume_token.data()),
                                                     m->resume_token.size()});
  if (!secret_ok || claims.identity != m->identity) return refuse("wrong resume token or identity");
  auto missed = m->replay.After(static_cast<uint64_t>(request.last_seq));
  if (!missed) {
    refuse("the messages it missed are no longer kept");
    return Remove(m->session, now, /*close_signal=*/true, "resume too late");
  }
  // Whatever socket it still has is a dead one (the client says so by resuming).
  if (m->socket != kNoSession) {
    session_of_socket_.erase(m->socket);
    output_.CloseSignal(m->socket);
  } else {
    resume_timers_.erase({*m->resume_deadline, m->session});
  }
  m->resume_deadline.reset();
  m->socket = socket;
  if (socket != m->session) session_of_socket_[socket] = m->session;
  output_.SendSignal(socket, signaling::Serialize(signaling::Resumed{m->id, static_cast<int64_t>(missed->size())}));
  for (const std::string* text : *missed) output_.SendSignal(socket, *text);
  output_.Audit("participant.resume", "room=" + m->room + " identity=" + m->identity + " participant=" + m->id +
                                          " replayed=" + std::to_string(missed->size()));
}

void Conference::HandleResumeTimers(Timestamp now) {
  while (!resume_timers_.empty() && resume_timers_.begin()->first <= now) {
    const SessionId session = resume_timers_.begin()->second;
    resume_timers_.erase(resume_timers_.begin());
    Remove(session, now, /*close_signal=*/false, "signaling lost, not resumed");
  }
}

void Conference::Publish(Member& member, const std::string& sdp_text,
                         const std::map<std::string, signaling::TrackSource>& sources, Timestamp now) {
  auto offer = sdp::ParseSdp(sdp_text);
  if (!offer.ok()) {
    return SendError(member.session, ErrorCode::kBadSdp,
                     "offer does not parse: " + std::string(sdp::ToString(offer.error().error)) + " at line " +
                         std::to_string(offer.error().line));
  }
  // Each "sources" entry names an audio/video section of this offer whose
  // kind the source has (a screen is video, screen_audio audio).
  for (const auto& [mid, source] : sources) {
    const sdp::MediaSection* section = offer->FindMid(mid);
    const bool fits = section && (section->kind() == sdp::MediaKind::kAudio || section->kind() == sdp::MediaKind::kVideo) &&
                      KindOf(section->kind()) == signaling::KindOf(source);
    if (!fits) {
      return SendError(member.session, ErrorCode::kInvalidField,
                       "sources: " + mid + " is no " + std::string(signaling::WireName(signaling::KindOf(source))) +
                           " section of the offer",
                       "sources");
    }
  }
  if (!member.publisher) member.publisher = NewConnection(member, /*publisher=*/true);
  Connection& connection = *member.publisher;
  const uint64_t session_id = member.subscriber_session_id ^ 1;
  // With publisher_transport_feedback, the publisher's uplink is judged by
  // its own estimate, from the arrivals the SFU reports (sfu/upstream_feedback.h).
  const negotiation::AnswerOptions publisher_answer{.transport_feedback = config_.publisher_transport_feedback};
  auto answer = negotiation::AnswerOffer(*offer, LocalFor(connection.local_ice, session_id), rng_, publisher_answer);
  if (!answer.ok()) {
    std::string why = answer.error().policy ? std::string(sdp::ToString(answer.error().policy->error))
                                            : "no acceptable BUNDLEd audio/video section";
    return SendError(member.session, ErrorCode::kBadSdp, "offer refused: " + why);
  }
  // New ICE credentials in the offer: an ICE restart, answered with new
  // credentials of ours (RFC 8445 §9), applied once the offer is accepted.
  std::optional<ice::IceCredentials> restarted_ice;
  if (connection.transport && !SameRemote(connection, answer->remote_ice, answer->remote_fingerprint)) {
    if (answer->remote_fingerprint != connection.remote_fingerprint) {
      return SendError(member.session, ErrorCode::kBadSdp,
                       "offer refused: the DTLS certificate changed (a new connection needs a new session: join again)");
    }
    restarted_ice = UniqueLocalIce();
    answer = negotiation::AnswerOffer(*offer, LocalFor(*restarted_ice, session_id), rng_, publisher_answer);
    if (!answer.ok()) return SendError(member.session, ErrorCode::kInternal, "cannot answer the ICE restart");
  }
  std::vector<const negotiation::AcceptedMedia*> sending;
  for (const auto& m : answer->media) {
    if (ClientSends(m) && !m.remote_ssrcs.empty()) sending.push_back(&m);
  }
  const auto audio_tracks = static_cast<size_t>(std::count_if(
      sending.begin(), sending.end(), [](const auto* m) { return m->kind == sdp::MediaKind::kAudio; }));
  if (audio_tracks > config_.max_audio_tracks_per_participant ||
      sending.size() - audio_tracks > config_.max_video_tracks_per_participant) {
    return SendError(member.session, ErrorCode::kTooManyTracks,
                     "offer refused: at most " + std::to_string(config_.max_audio_tracks_per_participant) +
                         " audio and " + std::to_string(config_.max_video_tracks_per_participant) +
                         " video tracks per participant");
  }
  // Every new track costs one token: a slow republish is free, a churn is not.
  const auto new_tracks = static_cast<size_t>(std::count_if(sending.begin(), sending.end(), [&](const auto* m) {
    return std::none_of(member.tracks.begin(), member.tracks.end(), [&](const auto& t) { return t.mid == m->mid; });
  }));
  if (!member.new_tracks) member.new_tracks.emplace(config_.new_tracks, now);
  if (new_tracks > 0 && !member.new_tracks->TryTake(now, static_cast<double>(new_tracks))) {
    return SendError(member.session, ErrorCode::kRateLimited, "offer refused: publishing new tracks too fast");
  }
  auto text = sdp::SerializeSdp(answer->sdp);
  if (!text) return SendError(member.session, ErrorCode::kInternal, "cannot write the answer");
  if (!connection.transport &&
      !StartTransport(connection, answer->remote_ice, answer->remote_fingerprint, answer->local_dtls_role, now)) {
    return SendError(member.session, ErrorCode::kInternal, "cannot create the transport");
  }
  if (restarted_ice) RestartIce(connection, *restarted_ice, answer->remote_ice, now);
  Send(member.session, signaling::PublishAnswer{*text, member.session == requester_ ? request_id_ : std::nullopt});
  // One BUNDLE transport: one id for the connection.
  std::optional<uint8_t> transport_sequence;
  for (const auto& m : answer->media) {
    if (m.transport_sequence_extension) transport_sequence = m.transport_sequence_extension;
  }
  (void)router_.SetUpstreamTransportFeedback(member.sfu_id, transport_sequence);
  SyncPublishedTracks(member, sending, sources);
}

// Makes the member's published tracks match the sections of its latest offer:
// removed sections end their track, new ones publish one.
void Conference::SyncPublishedTracks(Member& member, const std::vector<const negotiation::AcceptedMedia*>& sending,
                                     const std::map<std::string, signaling::TrackSource>& sources) {
  RoomState& room = *rooms_.at(member.room);
  for (size_t i = 0; i < member.tracks.size();) {
    const auto& track = member.tracks[i];
    bool kept = std::any_of(sending.begin(), sending.end(), [&](const auto* m) { return m->mid == track.mid; });
    if (kept) {
      ++i;
      continue;
    }
    auto ended = router_.UnpublishTrack(track.id);
    Broadcast(room, member.session, signaling::TrackUnpublished{member.id, WireTrackId(track.id)});
    member.tracks.erase(member.tracks.begin() + static_cast<std::ptrdiff_t>(i));
    if (ended.ok()) EndSections(*ended);
  }
  for (const auto* m : sending) {
    bool known = std::any_of(member.tracks.begin(), member.tracks.end(), [&](const auto& t) { return t.mid == m->mid; });
    if (known) continue;
    sfu::TrackConfig config;
    config.kind = m->kind == sdp::MediaKind::kAudio ? sfu::MediaKind::kAudio : sfu::MediaKind::kVideo;
    config.mid = m->mid;
    for (uint32_t ssrc : m->remote_ssrcs) {
      if (config.ssrcs.size() < sfu::kMaxSsrcsPerTrack) config.ssrcs.push_back(Ssrc(ssrc));
    }
    config.payload_types = m->payload_types;
    for (const auto& pair : m->remote_rtx_ssrcs) {
      if (std::find(config.ssrcs.begin(), config.ssrcs.end(), Ssrc(pair.media)) == config.ssrcs.end()) continue;
      config.rtx_ssrcs.push_back({Ssrc(pair.media), Ssrc(pair.rtx)});
    }
    for (const auto& pt : m->rtx_payload_types) config.rtx_payload_types.push_back({pt.rtx, pt.media});
    config.clock_rate = m->kind == sdp::MediaKind::kAudio ? 48000 : 90000;
    auto id = router_.PublishTrack(member.sfu_id, std::move(config));
    if (!id.ok()) {
      SendError(member.session, ErrorCode::kBadSdp,
                "track " + m->mid + " refused: " + std::string(sfu::ToString(id.error())));
      continue;
    }
    // A room admin's mute holds for the participant's later tracks too.
    if (m->kind == sdp::MediaKind::kAudio ? member.audio_muted : member.video_muted) {
      (void)router_.SetTrackMuted(*id, true);
    }
    // A track's source is fixed when it starts (a republish keeps it).
    auto named = sources.find(m->mid);
    const auto source = named != sources.end() ? named->second : signaling::DefaultSource(KindOf(m->kind));
    member.tracks.push_back({m->mid, *id, KindOf(m->kind), source});
    Broadcast(room, member.session,
              signaling::TrackPublished{member.id, {WireTrackId(*id), KindOf(m->kind), source}});
    for (SessionId s : room.members) {
      Member& other = *members_.at(s);
      if (&other != &member && other.grants.subscribe) Subscribe(other, *id);
    }
  }
  for (SessionId s : room.members) MaybeSendOffer(*members_.at(s));
}

// A downstream SSRC the subscriber has nowhere yet (nor `also_not`): not
// the RTCP sender's, which the router refuses for media, nor any section's
// media or RTX SSRC.
uint32_t Conference::NewDownstreamSsrc(const Member& subscriber, uint32_t also_not) {
  uint32_t ssrc = 0;
  do {
    ssrc = NonZeroU32(rng_);
  } while (ssrc == subscriber.feedback_ssrc || ssrc == also_not || subscriber.retired_ssrcs.contains(ssrc) ||
           std::any_of(subscriber.sections.begin(), subscriber.sections.end(),
                       [&](const auto& s) { return s.ssrc == ssrc || s.rtx_ssrc == ssrc; }));
  return ssrc;
}

// RFC 3550 §5.1: an RTP stream's first sequence number is random.
uint16_t Conference::NextSequenceStart() { return static_cast<uint16_t>(rng_.U32()); }

void Conference::Subscribe(Member& subscriber, sfu::TrackId track_id) {
  const sfu::Track* track = router_.FindTrack(track_id);
  if (!track) return;
  if (subscriber.viewer) return SubscribeViewer(subscriber, *track, track_id);
  const sdp::MediaKind kind = track->config.kind == sfu::MediaKind::kAudio ? sdp::MediaKind::kAudio
                                                                            : sdp::MediaKind::kVideo;
  auto reusable = std::find_if(subscriber.reusable_sections.begin(), subscriber.reusable_sections.end(),
                               [&](size_t i) { return subscriber.sections[i].kind == kind; });
  if (reusable == subscriber.reusable_sections.end() && subscriber.sections.size() >= kMaxSubscriberSections) {
    ++stats_.subscriptions_refused_full;
    return;
  }
  const Member* publisher = MemberOf(track->publisher_target);
  if (!publisher) return;
  const bool audio = track->config.kind == sfu::MediaKind::kAudio;
  const uint32_t ssrc = NewDownstreamSsrc(subscriber, 0);
  // Video also gets an RTX stream for the retransmissions of what it NACKs.
  const uint32_t rtx_ssrc = audio ? 0 : NewDownstreamSsrc(subscriber, ssrc);
  std::vector<sfu::PayloadTypeMapping> mappings;
  for (uint8_t pt : track->config.payload_types) {
    mappings.push_back({pt, audio ? negotiation::kSubscriberOpusPayloadType : negotiation::kSubscriberVp8PayloadType});
  }
  sfu::SubscriptionOptions options;
  if (!audio) {
    options.rtx = sfu::RtxDownstream{Ssrc(rtx_ssrc), negotiation::kSubscriberRtxPayloadType, NextSequenceStart()};
  }
  if (!router_.AddSubscription(subscriber.sfu_id, track_id, Ssrc(ssrc), mappings, options).ok()) return;
  size_t index = subscriber.sections.size();
  if (reusable != subscriber.reusable_sections.end()) {
    index = *reusable;
    subscriber.reusable_sections.erase(reusable);
    subscriber.offered_ssrcs.erase(subscriber.sections[index].ssrc);
    subscriber.offered_ssrcs.erase(subscriber.sections[index].rtx_ssrc);
  } else {
    subscriber.sections.emplace_back();
    subscriber.sections.back().mid = std::to_string(index);
  }
  negotiation::OfferedTrack& section = subscriber.sections[index];
  section.kind = kind;
  section.ssrc = ssrc;
  section.rtx_ssrc = rtx_ssrc;
  section.stream_id = publisher->id;
  section.track_id = WireTrackId(track_id);
  section.active = true;
  subscriber.section_of_track[track_id] = index;
  subscriber.offer_dirty = true;
}

// Marks the subscribers' sections inactive; the caller sends the offers
// (MaybeSendOffer) once every change of the step is made, so no offer shows
// a track that is already gone.
void Conference::EndSections(const std::vector<sfu::TrackEnded>& ended) {
  for (const auto& e : ended) {
    Member* found = MemberOf(e.subscriber_target);
    if (!found) continue;
    Member& subscriber = *found;
    auto section = subscriber.section_of_track.find(e.track);
    if (section == subscriber.section_of_track.end()) continue;
    negotiation::OfferedTrack& ended_section = subscriber.sections[section->second];
    ended_section.active = false;
    subscriber.section_of_track.erase(section);
    subscriber.offer_dirty = true;
    // Nothing is sent on its SSRCs again (a reused section gets new ones):
    // free their SRTP state. A WHEP viewer's section keeps its SSRCs.
    if (!subscriber.viewer) {
      for (uint32_t ssrc : {ended_section.ssrc, ended_section.rtx_ssrc}) {
        if (ssrc == 0) continue;
        subscriber.retired_ssrcs.insert(ssrc);
        if (subscriber.subscriber && subscriber.subscriber->transport) {
          subscriber.subscriber->transport->ForgetSendSsrc(Ssrc(ssrc));
        }
      }
    }
  }
}

void Conference::MaybeSendOffer(Member& member) {
  if (member.viewer) return;  // its one answer was all: an ended track's section waits for the next
  if (member.offer_outstanding || !member.offer_dirty || member.sections.empty()) return;
  if (!member.subscriber) member.subscriber = NewConnection(member, /*publisher=*/false);
  Connection& connection = *member.subscriber;
  if (member.subscriber_ice_restart) {
    member.subscriber_ice_restart = false;
    connection.offered_ice = UniqueLocalIce();
    directory_.Add(connection.offered_ice->ufrag, &connection);
  }
  auto offer = negotiation::BuildSubscriberOffer(
      LocalFor(connection.offered_ice.value_or(connection.local_ice), member.subscriber_session_id),
      member.offer_version, member.sections);
  auto text = offer.ok() ? sdp::SerializeSdp(*offer) : std::nullopt;
  if (!text) return SendError(member.session, ErrorCode::kInternal, "cannot write the subscriber offer");
  ++member.offer_version;
  member.last_offer = std::move(*offer);
  member.offer_outstanding = true;
  member.offer_dirty = false;
  Send(member.session, signaling::SubscribeOffer{*text});
  // From now on the client knows these SSRCs: media may flow on them.
  member.inactive_in_last_offer.clear();
  for (size_t i = 0; i < member.sections.size(); ++i) {
    if (member.sections[i].active) {
      member.offered_ssrcs.insert(member.sections[i].ssrc);
      if (member.sections[i].rtx_ssrc != 0) member.offered_ssrcs.insert(member.sections[i].rtx_ssrc);
    } else {
      member.inactive_in_last_offer.insert(i);
    }
  }
}

void Conference::AcceptSubscriberAnswer(Member& member, const std::string& sdp_text, Timestamp now) {
  if (!member.offer_outstanding) {
    return SendError(member.session, ErrorCode::kBadSdp, "no subscriber offer is waiting for an answer");
  }
  auto answer_sdp = sdp::ParseSdp(sdp_text);
  if (!answer_sdp.ok()) {
    return SendError(member.session, ErrorCode::kBadSdp,
                     "answer does not parse: " + std::string(sdp::ToString(answer_sdp.error().error)));
  }
  auto answer = negotiation::AcceptSubscriberAnswer(*member.last_offer, *answer_sdp);
  if (!answer.ok()) return SendError(member.session, ErrorCode::kBadSdp, "answer refused");
  Connection& connection = *member.subscriber;
  if (!connection.transport) {
    if (!StartTransport(connection, answer->remote_ice, answer->remote_fingerprint, answer->local_dtls_role, now)) {
      return SendError(member.session, ErrorCode::kInternal, "cannot create the transport");
    }
  } else if (connection.offered_ice) {
    // The answer to an ICE restart offer (the client's credentials are new
    // too, as RFC 8445 §9 has it; the certificate is not).
    if (answer->remote_fingerprint != connection.remote_fingerprint) {
      return SendError(member.session, ErrorCode::kBadSdp, "answer refused: the DTLS certificate changed");
    }
    const ice::IceCredentials local = *connection.offered_ice;
    connection.offered_ice.reset();
    RestartIce(connection, local, answer->remote_ice, now);
  } else if (!SameRemote(connection, answer->remote_ice, answer->remote_fingerprint)) {
    return SendError(member.session, ErrorCode::kBadSdp,
                     "answer refused: new ICE credentials or certificate without an ICE restart (send restart_ice)");
  }
  member.offer_outstanding = false;
  // What it receives is numbered for transport-wide feedback if its answer
  // kept the extension (a browser does; a simple client may not).
  (void)router_.SetTransportFeedback(member.sfu_id, answer->transport_sequence_id);
  // RTX the client's answer dropped is not sent (a browser keeps it; a
  // simpler client may not know it).
  for (const std::string& mid : answer->without_rtx_mids) {
    for (const auto& [track, index] : member.section_of_track) {
      if (member.sections[index].mid == mid) (void)router_.StopRetransmissions(member.sfu_id, track);
    }
  }
  // The client has now seen these sections inactive: they may carry new tracks.
  for (size_t i : member.inactive_in_last_offer) {
    if (!member.sections[i].active) member.reusable_sections.insert(i);
  }
  member.inactive_in_last_offer.clear();
  MaybeSendOffer(member);
}

void Conference::Remove(SessionId session, Timestamp now, bool close_signal, std::string_view reason) {
  auto it = members_.find(session);
  if (it == members_.end()) return;
  Member& member = *it->second;
  auto room_it = rooms_.find(member.room);
  RoomState& room = *room_it->second;
  UnscheduleTokenExpiry(member);
  const SessionId socket = member.socket;
  session_of_socket_.erase(socket);
  if (member.resume_deadline) resume_timers_.erase({*member.resume_deadline, session});
  if (member.in_lobby) {
    std::erase(room.lobby, session);
    DropConnection(member.publisher, now);  // none yet, unless a future lobby flow makes them
    DropConnection(member.subscriber, now);
    if (!shutting_down_) SendToAdmins(room, signaling::LobbyLeft{member.id});
    output_.Audit("lobby.leave", "room=" + member.room + " identity=" + member.identity + " participant=" +
                                     member.id + " reason=" + std::string(reason));
    members_.erase(it);
  } else {
    output_.Log(LeaveLogLine(member));
    output_.Audit("participant.leave", "room=" + member.room + " identity=" + member.identity +
                                           " participant=" + member.id + " reason=" + std::string(reason));
    auto ended = router_.RemoveParticipant(member.sfu_id);
    std::erase(room.members, session);
    if (config_.test_hooks) config_.test_hooks->OnParticipantRemoved(member.room, member.id);
    if (!shutting_down_) {
      Broadcast(room, session, signaling::ParticipantLeft{member.id});
      MlsLeave(room, session);
    }
    DropConnection(member.publisher, now);
    DropConnection(member.subscriber, now);
    if (ended.ok()) EndSections(*ended);  // while every Member they name still exists
    members_.erase(it);
    // One offer per subscriber after every section of the member ended, so no
    // offer still shows a track that is gone.
    if (!shutting_down_) {
      for (SessionId s : room.members) MaybeSendOffer(*members_.at(s));
    }
    ++stats_.leaves;
  }
  if (room.members.empty() && room.lobby.empty()) {
    (void)router_.RemoveRoom(room.sfu_id);
    rooms_.erase(room_it);
  }
  if (close_signal && socket != kNoSession) output_.CloseSignal(socket);
}

void Conference::RemoveFailed(Timestamp now) {
  while (!failed_.empty()) {
    SessionId session = failed_.back();
    failed_.pop_back();
    if (!members_.contains(session)) continue;
    SendError(session, ErrorCode::kInternal, "media connection lost");
    Remove(session, now, /*close_signal=*/true, "media connection lost");
  }
}

void Conference::Shutdown(Timestamp now) {
  // Everyone is told once; then nobody hears of the others leaving (no
  // participant_left, MLS proposal or new offer per departure, which made
  // a shutdown quadratic in a room's size): every socket closes.
  for (const auto& [session, member] : members_) {
    SendError(session, ErrorCode::kShuttingDown, "the server is shutting down");
  }
  shutting_down_ = true;
  while (!members_.empty()) Remove(members_.begin()->first, now, /*close_signal=*/true, "server shutdown");
  shutting_down_ = false;
}

}  // namespace aegis::server
