// The checks every client message passes on the signaling thread, before
// any room state is touched: per-connection and per-address rate limits,
// the strict parser, the token (signature, alg, expiry, room) on join, the
// grant for each action, and the abuse tracker that closes a connection
// after repeated refusals. Sans-IO: one gate per WebSocket connection; the
// connection object writes the replies and forwards what passed to the
// room's media worker.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "auth/api_secret.h"
#include "auth/claims.h"
#include "base/time.h"
#include "signaling/abuse_tracker.h"
#include "signaling/client_messages.h"
#include "signaling/rate_limiter.h"
#include "signaling/server_messages.h"

namespace aegis::server {

// TURN relays (coturn with use-auth-secret, docs/configuration.md): every
// admitted join gets a credential for them that expires after ttl_s.
struct TurnConfig {
  std::vector<std::string> urls;  // none: no TURN, `joined` carries no ice_servers
  std::string shared_secret;      // coturn's static-auth-secret
  int64_t ttl_s = 3600;
};

struct GateConfig {
  signaling::RateLimit messages_per_connection{10, 20};  // 10/s, burst 20
  signaling::AbuseLimit abuse;
  int64_t token_leeway_s = 30;
  TurnConfig turn;
};

// What the operator set for a room (aegis room policy); read at every join.
struct RoomRules {
  bool e2ee_required = false;
  size_t max_participants = 0;  // 0: the server's own limit
  bool unavailable = false;      // the policy could not be read: joins are refused (fail closed)
  bool lobby = false;            // joiners without room_admin wait until an admin admits them
  bool relay_only = false;       // media only through the TURN relay (ConferenceConfig::relay_addresses)
};

// `aegis token revoke`: whether a verified token was revoked (by its jti,
// or by its room and identity for tokens issued at or before the
// revocation). An unreadable store answers true: fail closed.
class RevocationSource {
 public:
  virtual ~RevocationSource() = default;
  virtual bool IsRevoked(const auth::Claims& claims) = 0;
};

class RoomRulesSource {
 public:
  virtual ~RoomRulesSource() = default;
  virtual RoomRules Lookup(std::string_view room) = 0;
};

// A join that passed: the room's worker adds the participant.
struct AdmittedJoin {
  auth::Claims claims;
  signaling::JoinRequest request;
  RoomRules rules;
  int64_t token_remaining_s = 0;  // until the token expires (with the leeway), at least 1
  // WHEP playback (docs/protocol.md §1b): the viewer's offer, answered on
  // the subscriber connection; `viewer_participant` (empty: any) names whose
  // tracks it receives.
  std::optional<std::string> viewer_offer;
  std::string viewer_participant;
  std::vector<signaling::IceServer> ice_servers;  // minted for this join (GateConfig::turn)
  // Set for a resume (its token verified as a join's): the worker resumes
  // the session it names instead of adding a participant.
  std::optional<signaling::ResumeRequest> resume = std::nullopt;
};

struct GateVerdict {
  std::vector<std::string> replies;  // to this client, in order
  // What the room's worker must handle: an admitted join or a later message.
  std::variant<std::monostate, AdmittedJoin, signaling::ClientMessage> forward;
  bool close = false;  // after the replies
  // The message's "id", echoed as "re" in the error or answer it gets
  // (refusals here carry it already; the worker echoes it for what it answers).
  std::optional<int64_t> request_id;
  // For the operator's log, never for the client: joins admitted, and why a
  // token was refused (the client only learns "unauthorized"). Ids and room
  // names are from the restricted id sets, so safe to print.
  std::string log;
};

class SessionGate {
 public:
  // `joins_per_address` is shared by every connection (signaling thread only).
  // `rules` may be null (no room policies).
  SessionGate(const GateConfig& config, const auth::ApiSecret& secret, signaling::KeyedRateLimiter& joins_per_address,
              std::string peer_address, Timestamp now, RoomRulesSource* rules = nullptr,
              RevocationSource* revocations = nullptr);

  GateVerdict OnMessage(std::string_view text, Timestamp now, int64_t unix_now_s);
  // The protocol is text frames only: a binary frame is refused, costs a
  // message and counts as abuse like any other refusal.
  GateVerdict OnBinaryFrame(Timestamp now);

  bool joined() const { return claims_.has_value(); }
  // The room this connection joined (set by an admitted join).
  const std::string* room() const { return claims_ ? &claims_->room : nullptr; }
  uint64_t refused() const { return refused_; }

 private:
  void Refuse(GateVerdict& verdict, signaling::ErrorCode code, std::string_view field, std::string message,
              Timestamp now);
  void Join(GateVerdict& verdict, signaling::JoinRequest request, Timestamp now, int64_t unix_now_s);
  void Refresh(GateVerdict& verdict, signaling::RefreshToken refresh, Timestamp now, int64_t unix_now_s);
  int64_t RemainingSeconds(const auth::Claims& claims, int64_t unix_now_s) const;

  const GateConfig& config_;
  const auth::ApiSecret& secret_;
  signaling::KeyedRateLimiter& joins_per_address_;
  std::string peer_address_;
  RoomRulesSource* rules_;
  RevocationSource* revocations_;
  signaling::TokenBucket messages_;
  signaling::AbuseTracker abuse_;
  std::optional<auth::Claims> claims_;
  uint64_t refused_ = 0;
};

}  // namespace aegis::server
