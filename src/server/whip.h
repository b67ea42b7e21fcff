// WHIP ingest (RFC 9725) without sockets: the HTTP side of a WHIP session.
// `POST /whip/{room}` with a bearer token and an SDP offer becomes a
// Conference participant that publishes and subscribes to nothing; the
// signaling server (signaling_server.cc) runs it like a WebSocket session
// whose signaling output is dropped, except the answer to its offer.
// docs/protocol.md §1b.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "auth/api_secret.h"
#include "base/time.h"
#include "http/static_files.h"
#include "server/session_gate.h"
#include "signaling/rate_limiter.h"

namespace aegis::server {

using http::HttpReply;

// "/whip/{room}" (the endpoint) or "/whip/{room}/{resource}" (a session),
// ids from the protocol's id set; anything else is not a WHIP target.
struct WhipTarget {
  std::string room;
  std::string resource;  // empty: the endpoint
  std::string participant;  // WHEP only: "?participant=<id>" on the endpoint (empty: none)
};
std::optional<WhipTarget> ParseWhipTarget(std::string_view target);
// The same for WHEP playback: "/whep/{room}" (optionally
// "?participant=<id>", a participant id) or "/whep/{room}/{resource}".
std::optional<WhipTarget> ParseWhepTarget(std::string_view target);

// The token of "Authorization: Bearer <token>" (the scheme in any case).
std::optional<std::string_view> BearerToken(std::string_view authorization);

// What a WHIP request carries, as the HTTP shell read it.
struct WhipHttpRequest {
  std::string_view method;  // "POST", "DELETE", "PATCH", "OPTIONS", ...
  std::string_view authorization;
  std::string_view content_type;
  std::string_view origin;  // empty: none
  std::string_view body;
};

// Origins whose pages may use the WHIP endpoints (CORS); the server's own
// origin needs no entry. Empty by default: no CORS headers at all.
struct WhipCorsPolicy {
  std::vector<std::string> allowed_origins;
  bool Allows(std::string_view origin) const;
};

// The CORS response headers for `origin` (none unless it is allowed).
void AddCorsHeaders(HttpReply& reply, const WhipCorsPolicy& cors, std::string_view origin, bool preflight);

// A POST that passed every check the signaling thread can make: the join
// for the room's worker (grants.subscribe cleared: a WHIP publisher
// receives nothing) and the offer to publish.
struct WhipAdmitted {
  AdmittedJoin join;
  std::string offer;
  std::string token;  // the bearer token: a DELETE of the session must carry the same
};

struct WhipCheck {
  std::optional<WhipAdmitted> admitted;
  HttpReply refusal;  // when not admitted
  std::string log;    // for the operator (why a token was refused)
};

// The POST checks, in order: content type application/sdp (415), the body
// at most signaling::kMaxSdpSize (413), a bearer token (401 with
// WWW-Authenticate: Bearer), the per-address join rate (429), the token's
// signature, expiry and room (401), its publish grant (403), revocation
// (401), the room's policy: unreadable (503), E2EE required (403: WHIP
// cannot do SFrame), a lobby the token does not admin (403). The room's
// lock and size are the worker's to decide (Conference::Join).
WhipCheck CheckWhipPost(const WhipHttpRequest& request, const WhipTarget& target, const GateConfig& config,
                        const auth::ApiSecret& secret, signaling::KeyedRateLimiter& joins_per_address,
                        const std::string& peer, Timestamp now, int64_t unix_now_s, RoomRulesSource* rules,
                        RevocationSource* revocations);

// WHEP playback (docs/protocol.md §1b): the same checks in the same order
// and with the same statuses as CheckWhipPost, but for a viewer: the
// subscribe grant instead of publish (403 without it), the admitted join
// with grants.publish cleared (a viewer sends nothing), and an E2EE-required
// room refused with 403 because a WHEP viewer cannot decrypt SFrame.
WhipCheck CheckWhepPost(const WhipHttpRequest& request, const WhipTarget& target, const GateConfig& config,
                        const auth::ApiSecret& secret, signaling::KeyedRateLimiter& joins_per_address,
                        const std::string& peer, Timestamp now, int64_t unix_now_s, RoomRulesSource* rules,
                        RevocationSource* revocations);

// What the worker answered the session's join and publish (a signaling
// message, docs/protocol.md §4), as the HTTP reply of the POST: `answer` →
// 201 with the SDP and `location`; `error` → its status; nullopt for every
// other message (joined, participant_joined, ...: dropped).
std::optional<HttpReply> WhipReplyFor(std::string_view server_message, const std::string& location);

// 401 for a request without a valid bearer token.
HttpReply WhipUnauthorized(std::string_view error);

}  // namespace aegis::server
