#include "signaling/server_messages.h"

#include "auth/base64url.h"
#include "signaling/json_writer.h"

namespace aegis::signaling {
namespace {

// Every object's keys are written in byte order, as nlohmann's dump (a
// std::map) writes them, so the bytes match the documented examples and
// the tests.

// The two members every message ends with (in byte order "type" < "v").
void TypeAndVersion(JsonWriter& w, std::string_view type) {
  w.StringField("type", type);
  w.IntField("v", kProtocolVersion);
}

void WriteTrack(JsonWriter& w, const TrackInfo& t) {
  w.BeginObject();
  w.StringField("id", t.id);
  w.StringField("kind", WireName(t.kind));
  w.StringField("source", WireName(t.source.value_or(DefaultSource(t.kind))));
  w.EndObject();
}

void WriteParticipant(JsonWriter& w, const ParticipantInfo& p) {
  w.BeginObject();
  if (p.audio_muted) w.BoolField("audio_muted", true);
  w.StringField("id", p.id);
  if (p.identity) w.StringField("identity", *p.identity);
  if (p.key_package) w.StringField("key_package", auth::Base64UrlEncode(*p.key_package));
  w.StringField("name", p.name);
  w.Key("tracks");
  w.BeginArray();
  for (const auto& t : p.tracks) WriteTrack(w, t);
  w.EndArray();
  if (p.video_muted) w.BoolField("video_muted", true);
  w.EndObject();
}

void WriteParticipants(JsonWriter& w, std::string_view key, const std::vector<ParticipantInfo>& list) {
  w.Key(key);
  w.BeginArray();
  for (const auto& p : list) WriteParticipant(w, p);
  w.EndArray();
}

// The group's members, in an object of their own (joined.mls) or among a
// message's (mls_group, where "type" and "v" sort after them).
void WriteGroupFields(JsonWriter& w, const MlsGroupInfo& g) {
  w.BoolField("create", g.create);
  w.UintField("epoch", g.epoch);
  w.StringField("external_sender", auth::Base64UrlEncode(g.external_sender));
  w.StringField("group_id", auth::Base64UrlEncode(g.group_id));
  w.UintField("suite", g.suite);
}

// Writes a message's members into the open envelope object.
struct ServerSerializer {
  JsonWriter& w;

  void operator()(const Joined& m) const {
    w.BoolField("admin", m.admin);
    if (!m.ice_servers.empty()) {
      w.Key("ice_servers");
      w.BeginArray();
      for (const IceServer& server : m.ice_servers) {
        w.BeginObject();
        w.StringField("credential", server.credential);
        w.Key("urls");
        w.BeginArray();
        for (const std::string& url : server.urls) w.String(url);
        w.EndArray();
        w.StringField("username", server.username);
        w.EndObject();
      }
      w.EndArray();
    }
    if (m.admin) WriteParticipants(w, "lobby", m.lobby);
    w.BoolField("locked", m.locked);
    if (m.relay_only) w.BoolField("relay_only", true);
    if (m.mls) {
      w.Key("mls");
      w.BeginObject();
      WriteGroupFields(w, *m.mls);
      w.EndObject();
    }
    w.StringField("participant_id", m.participant_id);
    WriteParticipants(w, "participants", m.participants);
    if (m.resume) {
      w.Key("resume");
      w.BeginObject();
      w.IntField("grace_s", m.resume->grace_s);
      w.StringField("token", m.resume->token);
      w.EndObject();
    }
    w.StringField("room", m.room);
    TypeAndVersion(w, "joined");
  }
  void operator()(const Resumed& m) const {
    w.StringField("participant_id", m.participant_id);
    w.IntField("replayed", m.replayed);
    TypeAndVersion(w, "resumed");
  }
  void operator()(const ParticipantJoined& m) const {
    w.Key("participant");
    WriteParticipant(w, m.participant);
    TypeAndVersion(w, "participant_joined");
  }
  void operator()(const ParticipantLeft& m) const {
    w.StringField("participant_id", m.participant_id);
    TypeAndVersion(w, "participant_left");
  }
  void operator()(const TrackPublished& m) const {
    w.StringField("kind", WireName(m.track.kind));
    w.StringField("participant_id", m.participant_id);
    w.StringField("source", WireName(m.track.source.value_or(DefaultSource(m.track.kind))));
    w.StringField("track_id", m.track.id);
    TypeAndVersion(w, "track_published");
  }
  void operator()(const TrackUnpublished& m) const {
    w.StringField("participant_id", m.participant_id);
    w.StringField("track_id", m.track_id);
    TypeAndVersion(w, "track_unpublished");
  }
  void operator()(const PublishAnswer& m) const {
    if (m.re) w.IntField("re", *m.re);
    w.StringField("sdp", m.sdp);
    TypeAndVersion(w, "answer");
  }
  void operator()(const SubscribeOffer& m) const {
    w.StringField("sdp", m.sdp);
    TypeAndVersion(w, "offer");
  }
  void operator()(const ErrorMessage& m) const {
    w.StringField("code", WireName(m.code));
    if (!m.field.empty()) w.StringField("field", m.field);
    // A cut inside a UTF-8 sequence is written as U+FFFD.
    w.StringField("message", std::string_view(m.message).substr(0, kMaxErrorMessageSize));
    if (m.re) w.IntField("re", *m.re);
    TypeAndVersion(w, "error");
  }
  void operator()(const Pong& m) const {
    if (m.seq) w.IntField("seq", *m.seq);
    TypeAndVersion(w, "pong");
  }
  void operator()(const TokenExpiring& m) const {
    w.IntField("expires_in_s", m.expires_in_s);
    TypeAndVersion(w, "token_expiring");
  }
  void operator()(const Muted& m) const {
    w.StringField("kind", WireName(m.kind));
    w.BoolField("muted", m.muted);
    w.StringField("participant_id", m.participant_id);
    TypeAndVersion(w, "muted");
  }
  void operator()(const Locked& m) const {
    w.BoolField("locked", m.locked);
    TypeAndVersion(w, "locked");
  }
  void operator()(const LobbyWaiting&) const { TypeAndVersion(w, "lobby"); }
  void operator()(const LobbyJoined& m) const {
    w.Key("participant");
    WriteParticipant(w, m.participant);
    TypeAndVersion(w, "lobby_joined");
  }
  void operator()(const LobbyLeft& m) const {
    w.StringField("participant_id", m.participant_id);
    TypeAndVersion(w, "lobby_left");
  }
  void operator()(const MlsGroup& m) const {
    WriteGroupFields(w, m.group);
    TypeAndVersion(w, "mls_group");
  }
  void operator()(const MlsCommitRelay& m) const {
    w.StringField("commit", auth::Base64UrlEncode(m.commit));
    w.UintField("epoch", m.epoch);
    w.StringField("from", m.from);
    TypeAndVersion(w, "mls_commit");
  }
  void operator()(const MlsWelcomeRelay& m) const {
    w.UintField("epoch", m.epoch);
    w.StringField("from", m.from);
    TypeAndVersion(w, "mls_welcome");
    w.StringField("welcome", auth::Base64UrlEncode(m.welcome));
  }
  void operator()(const MlsProposal& m) const {
    w.UintField("epoch", m.epoch);
    w.StringField("proposal", auth::Base64UrlEncode(m.proposal));
    TypeAndVersion(w, "mls_proposal");
  }
  void operator()(const MlsAppRelay& m) const {
    w.StringField("from", m.from);
    w.StringField("message", auth::Base64UrlEncode(m.message));
    TypeAndVersion(w, "mls_app");
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
    case ErrorCode::kResumeFailed: return "no session to resume: join again";
    case ErrorCode::kRelayUnavailable: return "the room takes media only through a TURN relay, and this server has none";
    case ErrorCode::kInternal: return "internal server error";
  }
  return "error";
}

}  // namespace

std::string Serialize(const ServerMessage& message) {
  JsonWriter w;
  w.BeginObject();
  std::visit(ServerSerializer{w}, message);
  w.EndObject();
  return std::move(w).Take();
}

ErrorMessage MakeError(const ProtocolError& error) {
  return ErrorMessage{error.code, std::string(error.field), std::string(Describe(error.code)), std::nullopt};
}

}  // namespace aegis::signaling
