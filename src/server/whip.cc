#include "server/whip.h"

#include <algorithm>
#include <cctype>

#include <nlohmann/json.hpp>

#include "auth/authorize.h"
#include "auth/jwt.h"
#include "signaling/messages.h"

namespace aegis::server {

namespace {

constexpr const char* kText = "text/plain; charset=utf-8";

HttpReply Text(int status, std::string body) { return HttpReply{status, kText, std::move(body) + "\n", {}}; }

std::string_view MediaType(std::string_view content_type) {
  auto media_type = content_type.substr(0, content_type.find(';'));
  while (!media_type.empty() && media_type.back() == ' ') media_type.remove_suffix(1);
  while (!media_type.empty() && media_type.front() == ' ') media_type.remove_prefix(1);
  return media_type;
}

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) == std::tolower(static_cast<unsigned char>(y));
         });
}

std::optional<WhipTarget> ParseTarget(std::string_view target, std::string_view prefix) {
  if (!target.starts_with(prefix)) return std::nullopt;
  target.remove_prefix(prefix.size());
  WhipTarget parsed;
  const auto slash = target.find('/');
  parsed.room = std::string(target.substr(0, slash));
  if (slash != std::string_view::npos) parsed.resource = std::string(target.substr(slash + 1));
  if (!signaling::IsSafeId(parsed.room)) return std::nullopt;
  if (slash != std::string_view::npos && !signaling::IsSafeId(parsed.resource)) return std::nullopt;
  return parsed;
}

}  // namespace

std::optional<WhipTarget> ParseWhipTarget(std::string_view target) { return ParseTarget(target, "/whip/"); }
std::optional<WhipTarget> ParseWhepTarget(std::string_view target) {
  constexpr std::string_view kParticipant = "participant=";
  const auto query = target.find('?');
  auto parsed = ParseTarget(target.substr(0, query), "/whep/");
  if (!parsed || query == std::string_view::npos) return parsed;
  const auto value = target.substr(query + 1);
  if (!parsed->resource.empty() || !value.starts_with(kParticipant)) return std::nullopt;
  parsed->participant = std::string(value.substr(kParticipant.size()));
  if (!signaling::IsSafeId(parsed->participant)) return std::nullopt;
  return parsed;
}

std::optional<std::string_view> BearerToken(std::string_view authorization) {
  constexpr std::string_view kScheme = "bearer ";
  if (authorization.size() <= kScheme.size() || !EqualsIgnoreCase(authorization.substr(0, kScheme.size()), kScheme)) {
    return std::nullopt;
  }
  auto token = authorization.substr(kScheme.size());
  while (!token.empty() && token.front() == ' ') token.remove_prefix(1);
  while (!token.empty() && token.back() == ' ') token.remove_suffix(1);
  if (token.empty()) return std::nullopt;
  return token;
}

bool WhipCorsPolicy::Allows(std::string_view origin) const {
  return !origin.empty() && std::find(allowed_origins.begin(), allowed_origins.end(), origin) != allowed_origins.end();
}

void AddCorsHeaders(HttpReply& reply, const WhipCorsPolicy& cors, std::string_view origin, bool preflight) {
  if (!cors.Allows(origin)) return;
  reply.headers.emplace_back("Access-Control-Allow-Origin", std::string(origin));
  reply.headers.emplace_back("Vary", "Origin");
  if (preflight) {
    reply.headers.emplace_back("Access-Control-Allow-Methods", "POST, DELETE, OPTIONS");
    reply.headers.emplace_back("Access-Control-Allow-Headers", "Authorization, Content-Type");
    reply.headers.emplace_back("Access-Control-Max-Age", "600");
  } else {
    // The client reads the session's URL and what the server offers.
    reply.headers.emplace_back("Access-Control-Expose-Headers", "Location");
  }
}

HttpReply WhipUnauthorized(std::string_view error) {
  HttpReply reply = Text(401, "token refused");
  reply.headers.emplace_back("WWW-Authenticate", error.empty() ? std::string("Bearer")
                                                               : "Bearer error=\"" + std::string(error) + "\"");
  return reply;
}

namespace {

// WHIP ingest (publish) or WHEP playback (subscribe): one set of checks.
WhipCheck CheckPost(bool playback, const WhipHttpRequest& request, const WhipTarget& target, const GateConfig& config,
                    const auth::ApiSecret& secret, signaling::KeyedRateLimiter& joins_per_address,
                    const std::string& peer, Timestamp now, int64_t unix_now_s, RoomRulesSource* rules,
                    RevocationSource* revocations) {
  const std::string kind = playback ? "whep" : "whip";
  WhipCheck check;
  if (MediaType(request.content_type) != "application/sdp") {
    check.refusal = Text(415, "use Content-Type: application/sdp");
    return check;
  }
  if (request.body.size() > signaling::kMaxSdpSize || request.body.empty()) {
    check.refusal = Text(request.body.empty() ? 400 : 413, "the SDP offer must be 1 to 32768 bytes");
    return check;
  }
  const auto token = BearerToken(request.authorization);
  if (!token) {
    check.refusal = WhipUnauthorized("");
    check.log = kind + " refused from " + peer + " for room " + target.room + ": no bearer token";
    return check;
  }
  // Every attempt counts against the address, as a join does.
  if (!joins_per_address.TryTake(peer, now)) {
    check.refusal = Text(429, "too many joins from this address");
    check.refusal.headers.emplace_back("Retry-After", "1");
    return check;
  }
  auth::VerifyOptions options;
  options.leeway_s = config.token_leeway_s;
  auto claims = auth::VerifyToken(*token, secret, unix_now_s, options);
  if (!claims.ok()) {
    check.log = kind + " refused from " + peer + " for room " + target.room + ": token " +
                std::string(auth::ToString(claims.error()));
    check.refusal = WhipUnauthorized("invalid_token");
    return check;
  }
  if (auto allowed = auth::Authorize(*claims, target.room, auth::Action::kJoin); !allowed.ok()) {
    check.log = kind + " refused from " + peer + " for room " + target.room + ": " +
                std::string(auth::ToString(allowed.error())) + " (token for room " + claims->room + ")";
    check.refusal = WhipUnauthorized("invalid_token");
    return check;
  }
  if (revocations && revocations->IsRevoked(*claims)) {
    check.log = kind + " refused from " + peer + " for room " + target.room + ": token revoked (identity " +
                claims->identity + ", jti " + claims->token_id.value_or("-") + ")";
    check.refusal = WhipUnauthorized("invalid_token");
    return check;
  }
  if (!auth::Authorize(*claims, target.room, playback ? auth::Action::kSubscribe : auth::Action::kPublish).ok()) {
    check.refusal = Text(403, playback ? "the token does not allow subscribing" : "the token does not allow publishing");
    check.refusal.headers.emplace_back("WWW-Authenticate", "Bearer error=\"insufficient_scope\"");
    return check;
  }
  RoomRules room_rules = rules ? rules->Lookup(target.room) : RoomRules{};
  // An unreadable policy might be "E2EE required": never guess "optional".
  if (room_rules.unavailable) {
    check.refusal = Text(503, "the room's policy cannot be read");
    return check;
  }
  if (room_rules.e2ee_required) {
    check.refusal = Text(403, playback ? "this room requires end-to-end encryption, which WHEP cannot do (a WHEP "
                                         "viewer cannot decrypt the room's SFrame-encrypted media); join with the "
                                         "Aegis app or SDK instead"
                                       : "this room requires end-to-end encryption, which WHIP cannot do (it has no "
                                         "way to encrypt frames for the room's MLS group); join with the Aegis app "
                                         "or SDK instead");
    return check;
  }
  if (room_rules.relay_only) {
    check.refusal = Text(403, std::string("this room takes media only through the server's TURN relay, which ") +
                                  (playback ? "a WHEP viewer" : "a WHIP publisher") +
                                  " is not given; join with the Aegis app or SDK instead");
    return check;
  }
  if (room_rules.lobby && !claims->grants.room_admin) {
    check.refusal = Text(403, playback ? "this room has a lobby; a WHEP viewer cannot wait in it (use a room_admin token)"
                                       : "this room has a lobby; a WHIP publisher cannot wait in it (use a room_admin token)");
    return check;
  }
  check.log = kind + " join room " + target.room + " identity " + claims->identity + " from " + peer + " jti " +
              claims->token_id.value_or("-");
  const int64_t remaining = std::max<int64_t>(1, claims->expires_at + config.token_leeway_s - unix_now_s);
  auth::Claims session_claims = std::move(*claims);
  if (playback) {
    session_claims.grants.publish = false;  // a viewer sends nothing
  } else {
    session_claims.grants.subscribe = false;  // a WHIP publisher receives nothing
  }
  signaling::JoinRequest join{target.room, std::string(*token), false, std::nullopt};
  std::optional<std::string> viewer_offer;
  if (playback) viewer_offer = std::string(request.body);
  check.admitted = WhipAdmitted{AdmittedJoin{std::move(session_claims), std::move(join), room_rules, remaining,
                                             std::move(viewer_offer), target.participant, {}},
                                std::string(request.body), std::string(*token)};
  return check;
}

}  // namespace

WhipCheck CheckWhipPost(const WhipHttpRequest& request, const WhipTarget& target, const GateConfig& config,
                        const auth::ApiSecret& secret, signaling::KeyedRateLimiter& joins_per_address,
                        const std::string& peer, Timestamp now, int64_t unix_now_s, RoomRulesSource* rules,
                        RevocationSource* revocations) {
  return CheckPost(false, request, target, config, secret, joins_per_address, peer, now, unix_now_s, rules,
                   revocations);
}

WhipCheck CheckWhepPost(const WhipHttpRequest& request, const WhipTarget& target, const GateConfig& config,
                        const auth::ApiSecret& secret, signaling::KeyedRateLimiter& joins_per_address,
                        const std::string& peer, Timestamp now, int64_t unix_now_s, RoomRulesSource* rules,
                        RevocationSource* revocations) {
  return CheckPost(true, request, target, config, secret, joins_per_address, peer, now, unix_now_s, rules,
                   revocations);
}

std::optional<HttpReply> WhipReplyFor(std::string_view server_message, const std::string& location) {
  auto json = nlohmann::json::parse(server_message, nullptr, /*allow_exceptions=*/false);
  if (!json.is_object()) return std::nullopt;
  const std::string type = json.value("type", "");
  if (type == "answer") {
    const auto sdp = json.find("sdp");
    if (sdp == json.end() || !sdp->is_string()) return Text(500, "no answer");
    HttpReply reply{201, "application/sdp", sdp->get<std::string>(), {}};
    reply.headers.emplace_back("Location", location);
    return reply;
  }
  if (type == "lobby_waiting") return Text(403, "this room has a lobby; a WHIP publisher cannot wait in it");
  if (type != "error") return std::nullopt;
  const std::string code = json.value("code", "");
  const std::string message = json.value("message", "refused");
  if (code == "bad_sdp" || code == "too_many_tracks") return Text(400, message);
  if (code == "room_full" || code == "shutting_down") return Text(503, message);
  if (code == "room_locked" || code == "forbidden" || code == "e2ee_required") return Text(403, message);
  if (code == "rate_limited") return Text(429, message);
  if (code == "unauthorized" || code == "revoked" || code == "token_expired") return WhipUnauthorized("invalid_token");
  return Text(500, message);
}

}  // namespace aegis::server
