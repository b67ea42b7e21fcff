#include "signaling/client_messages.h"

#include <limits>

#include <nlohmann/json.hpp>

#include "auth/base64url.h"
#include "auth/jws.h"
#include "signaling/json_fields.h"

namespace aegis::signaling {

// A token the verifier would accept must never be refused here as too large.
static_assert(kMaxTokenSize == auth::kMaxTokenSize);

namespace {

using internal::Presence;
using nlohmann::json;

// Propagates a failed Result<_, ProtocolError> out of the calling parser.
#define SIG_TRY(var, expr)                 \
  auto var = (expr);                       \
  if (!var) return Err{var.error()}

Result<ClientMessage, ProtocolError> ParseJoin(const json& o) {
  SIG_TRY(members, internal::OnlyMembers(o, {"v", "type", "id", "room", "token", "e2ee", "key_package", "resumable"}));
  SIG_TRY(room, internal::GetId(o, "room", Presence::kRequired));
  SIG_TRY(token, internal::GetString(o, "token", kMaxTokenSize, Presence::kRequired));
  SIG_TRY(e2ee, internal::GetBool(o, "e2ee", Presence::kOptional));
  SIG_TRY(resumable, internal::GetBool(o, "resumable", Presence::kOptional));
  SIG_TRY(key_package, internal::GetBlob(o, "key_package", kMaxKeyPackageSize, Presence::kOptional));
  JoinRequest join;
  join.room = std::move(**room);
  join.token = std::move(**token);
  join.e2ee = e2ee->value_or(false);
  join.resumable = resumable->value_or(false);
  // An E2EE participant joins the room's MLS group with its KeyPackage;
  // without e2ee a KeyPackage is meaningless, so refused.
  if (!join.e2ee && key_package->has_value()) return Err{ProtocolError{ErrorCode::kInvalidField, "key_package"}};
  if (join.e2ee && !key_package->has_value()) return Err{ProtocolError{ErrorCode::kMissingField, "key_package"}};
  join.key_package = std::move(*key_package);
  return ClientMessage{std::move(join)};
}

Result<ClientMessage, ProtocolError> ParseResume(const json& o) {
  SIG_TRY(members,
          internal::OnlyMembers(o, {"v", "type", "id", "room", "token", "participant_id", "resume_token", "last_seq"}));
  SIG_TRY(room, internal::GetId(o, "room", Presence::kRequired));
  SIG_TRY(token, internal::GetString(o, "token", kMaxTokenSize, Presence::kRequired));
  SIG_TRY(participant, internal::GetId(o, "participant_id", Presence::kRequired));
  SIG_TRY(resume_token, internal::GetId(o, "resume_token", Presence::kRequired));
  SIG_TRY(last_seq, internal::GetInt(o, "last_seq", 0, kMaxSeq, Presence::kRequired));
  return ClientMessage{
      ResumeRequest{std::move(**room), std::move(**token), std::move(**participant), std::move(**resume_token), **last_seq}};
}

template <typename T>
Result<ClientMessage, ProtocolError> ParseSdpMessage(const json& o) {
  SIG_TRY(members, internal::OnlyMembers(o, {"v", "type", "id", "sdp"}));
  SIG_TRY(sdp, internal::GetString(o, "sdp", kMaxSdpSize, Presence::kRequired));
  return ClientMessage{T{std::move(**sdp)}};
}

Result<ClientMessage, ProtocolError> ParsePublish(const json& o) {
  SIG_TRY(members, internal::OnlyMembers(o, {"v", "type", "id", "sdp", "sources"}));
  SIG_TRY(sdp, internal::GetString(o, "sdp", kMaxSdpSize, Presence::kRequired));
  PublishOffer publish;
  publish.sdp = std::move(**sdp);
  if (const json* sources = internal::Member(o, "sources")) {
    if (!sources->is_object()) return Err{ProtocolError{ErrorCode::kInvalidField, "sources"}};
    if (sources->size() > kMaxSourcesListed) return Err{ProtocolError{ErrorCode::kTooLarge, "sources"}};
    for (const auto& [mid, value] : sources->items()) {
      TrackSource source{};
      if (!IsSafeId(mid) || !value.is_string() || !ParseTrackSource(value.get_ref<const std::string&>(), &source)) {
        return Err{ProtocolError{ErrorCode::kInvalidField, "sources"}};
      }
      publish.sources.emplace(mid, source);
    }
  }
  return ClientMessage{std::move(publish)};
}

Result<ClientMessage, ProtocolError> ParseLeave(const json& o) {
  SIG_TRY(members, internal::OnlyMembers(o, {"v", "type", "id"}));
  return ClientMessage{LeaveRequest{}};
}

Result<ClientMessage, ProtocolError> ParseRestartIce(const json& o) {
  SIG_TRY(members, internal::OnlyMembers(o, {"v", "type", "id"}));
  return ClientMessage{IceRestartRequest{}};
}

Result<ClientMessage, ProtocolError> ParsePing(const json& o) {
  SIG_TRY(members, internal::OnlyMembers(o, {"v", "type", "id", "seq"}));
  SIG_TRY(seq, internal::GetInt(o, "seq", 0, kMaxSeq, Presence::kOptional));
  return ClientMessage{Ping{*seq}};
}

Result<ClientMessage, ProtocolError> ParseRefresh(const json& o) {
  SIG_TRY(members, internal::OnlyMembers(o, {"v", "type", "id", "token"}));
  SIG_TRY(token, internal::GetString(o, "token", kMaxTokenSize, Presence::kRequired));
  RefreshToken refresh;
  refresh.token = std::move(**token);
  return ClientMessage{std::move(refresh)};
}

Result<ClientMessage, ProtocolError> ParseKick(const json& o) {
  SIG_TRY(members, internal::OnlyMembers(o, {"v", "type", "id", "participant_id"}));
  SIG_TRY(id, internal::GetId(o, "participant_id", Presence::kRequired));
  return ClientMessage{KickRequest{std::move(**id)}};
}

Result<ClientMessage, ProtocolError> ParseMute(const json& o) {
  SIG_TRY(members, internal::OnlyMembers(o, {"v", "type", "id", "participant_id", "kind", "muted"}));
  SIG_TRY(id, internal::GetId(o, "participant_id", Presence::kRequired));
  SIG_TRY(kind, internal::GetString(o, "kind", 8, Presence::kRequired));
  SIG_TRY(muted, internal::GetBool(o, "muted", Presence::kRequired));
  if (**kind != "audio" && **kind != "video") return Err{ProtocolError{ErrorCode::kInvalidField, "kind"}};
  return ClientMessage{MuteRequest{std::move(**id), **kind == "audio" ? TrackKind::kAudio : TrackKind::kVideo, **muted}};
}

Result<ClientMessage, ProtocolError> ParseLock(const json& o) {
  SIG_TRY(members, internal::OnlyMembers(o, {"v", "type", "id", "locked"}));
  SIG_TRY(locked, internal::GetBool(o, "locked", Presence::kRequired));
  return ClientMessage{LockRequest{**locked}};
}

Result<ClientMessage, ProtocolError> ParseEnd(const json& o) {
  SIG_TRY(members, internal::OnlyMembers(o, {"v", "type", "id"}));
  return ClientMessage{EndRequest{}};
}

Result<ClientMessage, ProtocolError> ParseLobbyDecision(const json& o, bool admit) {
  SIG_TRY(members, internal::OnlyMembers(o, {"v", "type", "id", "participant_id"}));
  SIG_TRY(id, internal::GetId(o, "participant_id", Presence::kRequired));
  return ClientMessage{LobbyDecision{std::move(**id), admit}};
}

Result<ClientMessage, ProtocolError> ParseMlsCommit(const json& o) {
  SIG_TRY(members, internal::OnlyMembers(o, {"v", "type", "id", "epoch", "commit", "welcome", "added", "removed"}));
  SIG_TRY(epoch, internal::GetInt(o, "epoch", 0, kMaxSeq, Presence::kRequired));
  SIG_TRY(commit, internal::GetBlob(o, "commit", kMaxMlsHandshakeSize, Presence::kRequired));
  SIG_TRY(welcome, internal::GetBlob(o, "welcome", kMaxMlsHandshakeSize, Presence::kOptional));
  SIG_TRY(added, internal::GetIdList(o, "added", kMaxMlsListEntries));
  SIG_TRY(removed, internal::GetIntList(o, "removed", 0, kMaxMlsLeaf, kMaxMlsListEntries));
  return ClientMessage{MlsCommit{**epoch, std::move(**commit), std::move(*welcome), std::move(*added),
                                 std::move(*removed)}};
}

Result<ClientMessage, ProtocolError> ParseMlsMember(const json& o) {
  SIG_TRY(members, internal::OnlyMembers(o, {"v", "type", "id", "epoch", "leaf"}));
  SIG_TRY(epoch, internal::GetInt(o, "epoch", 0, kMaxSeq, Presence::kRequired));
  SIG_TRY(leaf, internal::GetInt(o, "leaf", 0, kMaxMlsLeaf, Presence::kRequired));
  return ClientMessage{MlsMember{**epoch, **leaf}};
}

Result<ClientMessage, ProtocolError> ParseMlsApp(const json& o) {
  SIG_TRY(members, internal::OnlyMembers(o, {"v", "type", "id", "epoch", "message"}));
  SIG_TRY(epoch, internal::GetInt(o, "epoch", 0, kMaxSeq, Presence::kRequired));
  SIG_TRY(message, internal::GetBlob(o, "message", kMaxMlsAppMessageSize, Presence::kRequired));
  return ClientMessage{MlsApp{**epoch, std::move(**message)}};
}

#undef SIG_TRY

json Envelope(std::string_view type) {
  return json{{"v", kProtocolVersion}, {"type", type}};
}

}  // namespace

Result<ClientMessage, ProtocolError> ParseClientMessage(std::string_view text) {
  return ParseClientMessage(text, nullptr);
}

Result<ClientMessage, ProtocolError> ParseClientMessage(std::string_view text, std::optional<int64_t>* request_id) {
  // Only an mls_commit may exceed kMaxMessageSize; which type a message has
  // is known only once it is parsed, so up to kMaxCommitMessageSize is
  // parsed and the type checked below.
  auto parsed = internal::ParseObject(text, kMaxCommitMessageSize);
  if (!parsed) return Err{parsed.error()};
  const json& o = *parsed;
  // Version before type: a future version may rename types.
  auto version = internal::GetInt(o, "v", std::numeric_limits<int64_t>::min(),
                                      std::numeric_limits<int64_t>::max(), Presence::kRequired);
  if (!version) return Err{version.error()};
  if (**version != kProtocolVersion) return Err{ProtocolError{ErrorCode::kUnsupportedVersion, "v"}};
  // The request id next, so that a refusal of the rest can still name it.
  auto id = internal::GetInt(o, "id", 0, kMaxSeq, Presence::kOptional);
  if (!id) return Err{id.error()};
  if (request_id) *request_id = *id;
  auto type = internal::GetString(o, "type", 32, Presence::kRequired);
  if (!type) {
    if (type.error().code == ErrorCode::kTooLarge) return Err{ProtocolError{ErrorCode::kUnknownType, "type"}};
    return Err{type.error()};
  }
  const std::string& t = **type;
  if (text.size() > kMaxMessageSize && t != "mls_commit") return Err{ProtocolError{ErrorCode::kTooLarge, ""}};
  if (t == "join") return ParseJoin(o);
  if (t == "resume") return ParseResume(o);
  if (t == "publish") return ParsePublish(o);
  if (t == "subscribe_answer") return ParseSdpMessage<SubscribeAnswer>(o);
  if (t == "restart_ice") return ParseRestartIce(o);
  if (t == "leave") return ParseLeave(o);
  if (t == "ping") return ParsePing(o);
  if (t == "refresh") return ParseRefresh(o);
  if (t == "kick") return ParseKick(o);
  if (t == "mute") return ParseMute(o);
  if (t == "lock") return ParseLock(o);
  if (t == "end") return ParseEnd(o);
  if (t == "admit") return ParseLobbyDecision(o, true);
  if (t == "deny") return ParseLobbyDecision(o, false);
  if (t == "mls_commit") return ParseMlsCommit(o);
  if (t == "mls_member") return ParseMlsMember(o);
  if (t == "mls_app") return ParseMlsApp(o);
  return Err{ProtocolError{ErrorCode::kUnknownType, "type"}};
}

namespace {

struct ClientSerializer {
  json operator()(const JoinRequest& m) const {
    json o = Envelope("join");
    o["room"] = m.room;
    o["token"] = m.token;
    if (m.e2ee) o["e2ee"] = true;
    if (m.key_package) o["key_package"] = auth::Base64UrlEncode(*m.key_package);
    if (m.resumable) o["resumable"] = true;
    return o;
  }
  json operator()(const ResumeRequest& m) const {
    json o = Envelope("resume");
    o["room"] = m.room;
    o["token"] = m.token;
    o["participant_id"] = m.participant_id;
    o["resume_token"] = m.resume_token;
    o["last_seq"] = m.last_seq;
    return o;
  }
  json operator()(const PublishOffer& m) const {
    json o = Envelope("publish");
    o["sdp"] = m.sdp;
    if (!m.sources.empty()) {
      json sources = json::object();
      for (const auto& [mid, source] : m.sources) sources[mid] = WireName(source);
      o["sources"] = std::move(sources);
    }
    return o;
  }
  json operator()(const SubscribeAnswer& m) const {
    json o = Envelope("subscribe_answer");
    o["sdp"] = m.sdp;
    return o;
  }
  json operator()(const IceRestartRequest&) const { return Envelope("restart_ice"); }
  json operator()(const LeaveRequest&) const { return Envelope("leave"); }
  json operator()(const Ping& m) const {
    json o = Envelope("ping");
    if (m.seq) o["seq"] = *m.seq;
    return o;
  }
  json operator()(const RefreshToken& m) const {
    json o = Envelope("refresh");
    o["token"] = m.token;
    return o;
  }
  json operator()(const KickRequest& m) const {
    json o = Envelope("kick");
    o["participant_id"] = m.participant_id;
    return o;
  }
  json operator()(const MuteRequest& m) const {
    json o = Envelope("mute");
    o["participant_id"] = m.participant_id;
    o["kind"] = WireName(m.kind);
    o["muted"] = m.muted;
    return o;
  }
  json operator()(const LockRequest& m) const {
    json o = Envelope("lock");
    o["locked"] = m.locked;
    return o;
  }
  json operator()(const EndRequest&) const { return Envelope("end"); }
  json operator()(const LobbyDecision& m) const {
    json o = Envelope(m.admit ? "admit" : "deny");
    o["participant_id"] = m.participant_id;
    return o;
  }
  json operator()(const MlsCommit& m) const {
    json o = Envelope("mls_commit");
    o["epoch"] = m.epoch;
    o["commit"] = auth::Base64UrlEncode(m.commit);
    if (m.welcome) o["welcome"] = auth::Base64UrlEncode(*m.welcome);
    if (!m.added.empty()) o["added"] = m.added;
    if (!m.removed.empty()) o["removed"] = m.removed;
    return o;
  }
  json operator()(const MlsMember& m) const {
    json o = Envelope("mls_member");
    o["epoch"] = m.epoch;
    o["leaf"] = m.leaf;
    return o;
  }
  json operator()(const MlsApp& m) const {
    json o = Envelope("mls_app");
    o["epoch"] = m.epoch;
    o["message"] = auth::Base64UrlEncode(m.message);
    return o;
  }
};

}  // namespace

std::string Serialize(const ClientMessage& message) {
  return internal::Dump(std::visit(ClientSerializer{}, message));
}

bool IsAdminRequest(const ClientMessage& message) {
  return std::holds_alternative<KickRequest>(message) || std::holds_alternative<MuteRequest>(message) ||
         std::holds_alternative<LockRequest>(message) || std::holds_alternative<EndRequest>(message) ||
         std::holds_alternative<LobbyDecision>(message);
}

}  // namespace aegis::signaling
