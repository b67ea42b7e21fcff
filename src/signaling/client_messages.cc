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
  SIG_TRY(members, internal::OnlyMembers(o, {"v", "type", "room", "token", "e2ee", "identity_key"}));
  SIG_TRY(room, internal::GetId(o, "room", Presence::kRequired));
  SIG_TRY(token, internal::GetString(o, "token", kMaxTokenSize, Presence::kRequired));
  SIG_TRY(e2ee, internal::GetBool(o, "e2ee", Presence::kOptional));
  SIG_TRY(key, internal::GetBlob(o, "identity_key", kMaxIdentityKeySize, Presence::kOptional));
  JoinRequest join;
  join.room = std::move(**room);
  join.token = std::move(**token);
  join.e2ee = e2ee->value_or(false);
  // The identity key is what E2EE peers seal key blobs to: required with
  // e2ee, meaningless (so refused) without it.
  if (join.e2ee != key->has_value()) {
    return Err{ProtocolError{join.e2ee ? ErrorCode::kMissingField : ErrorCode::kInvalidField,
                             "identity_key"}};
  }
  join.identity_key = std::move(*key);
  return ClientMessage{std::move(join)};
}

template <typename T>
Result<ClientMessage, ProtocolError> ParseSdpMessage(const json& o) {
  SIG_TRY(members, internal::OnlyMembers(o, {"v", "type", "sdp"}));
  SIG_TRY(sdp, internal::GetString(o, "sdp", kMaxSdpSize, Presence::kRequired));
  return ClientMessage{T{std::move(**sdp)}};
}

Result<ClientMessage, ProtocolError> ParseLeave(const json& o) {
  SIG_TRY(members, internal::OnlyMembers(o, {"v", "type"}));
  return ClientMessage{LeaveRequest{}};
}

Result<ClientMessage, ProtocolError> ParseKeyBlob(const json& o) {
  SIG_TRY(members, internal::OnlyMembers(o, {"v", "type", "to", "blob"}));
  SIG_TRY(to, internal::GetId(o, "to", Presence::kOptional));
  SIG_TRY(blob, internal::GetBlob(o, "blob", kMaxKeyBlobSize, Presence::kRequired));
  return ClientMessage{KeyBlobSend{std::move(*to), std::move(**blob)}};
}

Result<ClientMessage, ProtocolError> ParsePing(const json& o) {
  SIG_TRY(members, internal::OnlyMembers(o, {"v", "type", "seq"}));
  SIG_TRY(seq, internal::GetInt(o, "seq", 0, kMaxSeq, Presence::kOptional));
  return ClientMessage{Ping{*seq}};
}

#undef SIG_TRY

json Envelope(std::string_view type) {
  return json{{"v", kProtocolVersion}, {"type", type}};
}

}  // namespace

Result<ClientMessage, ProtocolError> ParseClientMessage(std::string_view text) {
  auto parsed = internal::ParseObject(text);
  if (!parsed) return Err{parsed.error()};
  const json& o = *parsed;
  // Version before type: a future version may rename types.
  auto version = internal::GetInt(o, "v", std::numeric_limits<int64_t>::min(),
                                      std::numeric_limits<int64_t>::max(), Presence::kRequired);
  if (!version) return Err{version.error()};
  if (**version != kProtocolVersion) return Err{ProtocolError{ErrorCode::kUnsupportedVersion, "v"}};
  auto type = internal::GetString(o, "type", 32, Presence::kRequired);
  if (!type) {
    if (type.error().code == ErrorCode::kTooLarge) return Err{ProtocolError{ErrorCode::kUnknownType, "type"}};
    return Err{type.error()};
  }
  const std::string& t = **type;
  if (t == "join") return ParseJoin(o);
  if (t == "publish") return ParseSdpMessage<PublishOffer>(o);
  if (t == "subscribe_answer") return ParseSdpMessage<SubscribeAnswer>(o);
  if (t == "leave") return ParseLeave(o);
  if (t == "key_blob") return ParseKeyBlob(o);
  if (t == "ping") return ParsePing(o);
  return Err{ProtocolError{ErrorCode::kUnknownType, "type"}};
}

namespace {

struct ClientSerializer {
  json operator()(const JoinRequest& m) const {
    json o = Envelope("join");
    o["room"] = m.room;
    o["token"] = m.token;
    if (m.e2ee) o["e2ee"] = true;
    if (m.identity_key) o["identity_key"] = auth::Base64UrlEncode(*m.identity_key);
    return o;
  }
  json operator()(const PublishOffer& m) const {
    json o = Envelope("publish");
    o["sdp"] = m.sdp;
    return o;
  }
  json operator()(const SubscribeAnswer& m) const {
    json o = Envelope("subscribe_answer");
    o["sdp"] = m.sdp;
    return o;
  }
  json operator()(const LeaveRequest&) const { return Envelope("leave"); }
  json operator()(const KeyBlobSend& m) const {
    json o = Envelope("key_blob");
    if (m.to) o["to"] = *m.to;
    o["blob"] = auth::Base64UrlEncode(m.blob);
    return o;
  }
  json operator()(const Ping& m) const {
    json o = Envelope("ping");
    if (m.seq) o["seq"] = *m.seq;
    return o;
  }
};

}  // namespace

std::string Serialize(const ClientMessage& message) {
  return internal::Dump(std::visit(ClientSerializer{}, message));
}

}  // namespace aegis::signaling
