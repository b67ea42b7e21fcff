#include "signaling/server_messages.h"

#include <nlohmann/json.hpp>

#include "auth/base64url.h"
#include "signaling/json_fields.h"

namespace aegis::signaling {
namespace {

using nlohmann::json;

json Envelope(std::string_view type) {
  return json{{"v", kProtocolVersion}, {"type", type}};
}

json TrackJson(const TrackInfo& t) {
  return json{{"id", t.id}, {"kind", WireName(t.kind)}, {"source", WireName(t.source.value_or(DefaultSource(t.kind)))}};
}

json ParticipantJson(const ParticipantInfo& p) {
  json o{{"id", p.id}, {"name", p.name}};
  json tracks = json::array();
  for (const auto& t : p.tracks) tracks.push_back(TrackJson(t));
  o["tracks"] = std::move(tracks);
  if (p.audio_muted) o["audio_muted"] = true;
  if (p.video_muted) o["video_muted"] = true;
  if (p.identity) o["identity"] = *p.identity;
  if (p.key_package) o["key_package"] = auth::Base64UrlEncode(*p.key_package);
  return o;
}

void AddGroup(json& o, const MlsGroupInfo& g) {
  o["group_id"] = auth::Base64UrlEncode(g.group_id);
  o["epoch"] = g.epoch;
  o["suite"] = g.suite;
  o["external_sender"] = auth::Base64UrlEncode(g.external_sender);
  o["create"] = g.create;
}

struct ServerSerializer {
  json operator()(const Joined& m) const {
    json o = Envelope("joined");
    o["participant_id"] = m.participant_id;
    o["room"] = m.room;
    json list = json::array();
    for (const auto& p : m.participants) list.push_back(ParticipantJson(p));
    o["participants"] = std::move(list);
    o["admin"] = m.admin;
    o["locked"] = m.locked;
    if (m.admin) {
      json waiting = json::array();
      for (const auto& p : m.lobby) waiting.push_back(ParticipantJson(p));
      o["lobby"] = std::move(waiting);
    }
    if (m.mls) {
      json group = json::object();
      AddGroup(group, *m.mls);
      o["mls"] = std::move(group);
    }
    return o;
  }
  json operator()(const ParticipantJoined& m) const {
    json o = Envelope("participant_joined");
    o["participant"] = ParticipantJson(m.participant);
    return o;
  }
  json operator()(const ParticipantLeft& m) const {
    json o = Envelope("participant_left");
    o["participant_id"] = m.participant_id;
    return o;
  }
  json operator()(const TrackPublished& m) const {
    json o = Envelope("track_published");
    o["participant_id"] = m.participant_id;
    o["track_id"] = m.track.id;
    o["kind"] = WireName(m.track.kind);
    o["source"] = WireName(m.track.source.value_or(DefaultSource(m.track.kind)));
    return o;
  }
  json operator()(const TrackUnpublished& m) const {
    json o = Envelope("track_unpublished");
    o["participant_id"] = m.participant_id;
    o["track_id"] = m.track_id;
    return o;
  }
  json operator()(const PublishAnswer& m) const {
    json o = Envelope("answer");
    o["sdp"] = m.sdp;
    if (m.re) o["re"] = *m.re;
    return o;
  }
  json operator()(const SubscribeOffer& m) const {
    json o = Envelope("offer");
    o["sdp"] = m.sdp;
    return o;
  }
  json operator()(const ErrorMessage& m) const {
    json o = Envelope("error");
    o["code"] = WireName(m.code);
    if (!m.field.empty()) o["field"] = m.field;
    // A cut inside a UTF-8 sequence is replaced by U+FFFD when dumped.
    o["message"] = m.message.substr(0, kMaxErrorMessageSize);
    if (m.re) o["re"] = *m.re;
    return o;
  }
  json operator()(const Pong& m) const {
    json o = Envelope("pong");
    if (m.seq) o["seq"] = *m.seq;
    return o;
  }
  json operator()(const TokenExpiring& m) const {
    json o = Envelope("token_expiring");
    o["expires_in_s"] = m.expires_in_s;
    return o;
  }
  json operator()(const Muted& m) const {
    json o = Envelope("muted");
    o["participant_id"] = m.participant_id;
    o["kind"] = WireName(m.kind);
    o["muted"] = m.muted;
    return o;
  }
  json operator()(const Locked& m) const {
    json o = Envelope("locked");
    o["locked"] = m.locked;
    return o;
  }
  json operator()(const LobbyWaiting&) const { return Envelope("lobby"); }
  json operator()(const LobbyJoined& m) const {
    json o = Envelope("lobby_joined");
    o["participant"] = ParticipantJson(m.participant);
    return o;
  }
  json operator()(const LobbyLeft& m) const {
    json o = Envelope("lobby_left");
    o["participant_id"] = m.participant_id;
    return o;
  }
  json operator()(const MlsGroup& m) const {
    json o = Envelope("mls_group");
    AddGroup(o, m.group);
    return o;
  }
  json operator()(const MlsCommitRelay& m) const {
    json o = Envelope("mls_commit");
    o["from"] = m.from;
    o["epoch"] = m.epoch;
    o["commit"] = auth::Base64UrlEncode(m.commit);
    return o;
  }
  json operator()(const MlsWelcomeRelay& m) const {
    json o = Envelope("mls_welcome");
    o["from"] = m.from;
    o["epoch"] = m.epoch;
    o["welcome"] = auth::Base64UrlEncode(m.welcome);
    return o;
  }
  json operator()(const MlsProposal& m) const {
    json o = Envelope("mls_proposal");
    o["epoch"] = m.epoch;
    o["proposal"] = auth::Base64UrlEncode(m.proposal);
    return o;
  }
  json operator()(const MlsAppRelay& m) const {
    json o = Envelope("mls_app");
    o["from"] = m.from;
    o["message"] = auth::Base64UrlEncode(m.message);
    return o;
  }
};

static_assert(kProtocolVersion == 2, "the unsupported_version message names the version");

std::string_view Describe(ErrorCode code) {
  switch (code) {
    case ErrorCode::kMalformedJson: return "message is not a valid JSON object";
    case ErrorCode::kDuplicateKey: return "a JSON object repeats a member name";
    case ErrorCode::kTooLarge: return "message or field too large";
    case ErrorCode::kUnsupportedVersion: return "unsupported protocol version: this server speaks protocol version 2";
    case ErrorCode::kUnknownType: return "unknown message type";
    case ErrorCode::kMissingField: return "required field missing";
    case ErrorCode::kInvalidField: return "field has the wrong type or value";
    case ErrorCode::kBadBase64: return "field is not unpadded base64url";
    case ErrorCode::kUnauthorized: return "access token refused";
    case ErrorCode::kForbidden: return "the token does not grant this action";
    case ErrorCode::kRateLimited: return "too many requests";
    case ErrorCode::kNotJoined: return "join first";
    case ErrorCode::kAlreadyJoined: return "already joined";
    case ErrorCode::kUnknownParticipant: return "no such participant in the room";
    case ErrorCode::kE2eeRequired: return "this room requires end-to-end encryption";
    case ErrorCode::kBadSdp: return "the SDP was refused";
    case ErrorCode::kRoomFull: return "the room is full";
    case ErrorCode::kShuttingDown: return "the server is shutting down";
    case ErrorCode::kTooManyTracks: return "too many tracks of one kind";
    case ErrorCode::kReplaced: return "the same identity joined again";
    case ErrorCode::kTokenExpired: return "the access token expired";
    case ErrorCode::kRevoked: return "the access token was revoked";
    case ErrorCode::kKicked: return "removed by a room admin";
    case ErrorCode::kRoomLocked: return "the room is locked";
    case ErrorCode::kRoomEnded: return "the room was ended";
    case ErrorCode::kDenied: return "a room admin refused entry";
    case ErrorCode::kMlsStaleEpoch: return "another commit ended that epoch: process it, then commit again";
    case ErrorCode::kMlsRefused: return "MLS message refused";
    case ErrorCode::kInternal: return "internal server error";
  }
  return "error";
}

}  // namespace

std::string Serialize(const ServerMessage& message) {
  return internal::Dump(std::visit(ServerSerializer{}, message));
}

ErrorMessage MakeError(const ProtocolError& error) {
  return ErrorMessage{error.code, std::string(error.field), std::string(Describe(error.code)), std::nullopt};
}

}  // namespace aegis::signaling
