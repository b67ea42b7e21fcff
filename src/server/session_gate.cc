#include "server/session_gate.h"

#include <algorithm>

#include "auth/authorize.h"
#include "auth/jwt.h"
#include "auth/turn_credentials.h"
#include "signaling/server_messages.h"

namespace aegis::server {

using signaling::ErrorCode;

SessionGate::SessionGate(const GateConfig& config, const auth::ApiSecret& secret,
                         signaling::KeyedRateLimiter& joins_per_address, std::string peer_address, Timestamp now,
                         RoomRulesSource* rules, RevocationSource* revocations)
    : config_(config),
      secret_(secret),
      joins_per_address_(joins_per_address),
      peer_address_(std::move(peer_address)),
      rules_(rules),
      revocations_(revocations),
      messages_(config.messages_per_connection, now),
      abuse_(config.abuse) {}

void SessionGate::Refuse(GateVerdict& verdict, ErrorCode code, std::string_view field, std::string message,
                         Timestamp now) {
  ++refused_;
  verdict.replies.push_back(
      signaling::Serialize(signaling::ErrorMessage{code, std::string(field), std::move(message), verdict.request_id}));
  if (abuse_.RecordError(now) == signaling::AbuseVerdict::kClose) verdict.close = true;
}

GateVerdict SessionGate::OnMessage(std::string_view text, Timestamp now, int64_t unix_now_s) {
  GateVerdict verdict;
  // A message costs one token per started 64 KiB: an mls_commit may be up
  // to 384 KiB (docs/protocol.md §7) and costs up to 6, so the bytes one
  // connection can make the server parse and relay per second stay what
  // they are with 64 KiB messages. Nothing is parsed once the bucket
  // cannot pay.
  const double cost =
      static_cast<double>(std::max<size_t>(1, (text.size() + signaling::kMaxMessageSize - 1) / signaling::kMaxMessageSize));
  if (!messages_.TryTake(now, cost)) {
    Refuse(verdict, ErrorCode::kRateLimited, "", "too many messages", now);
    return verdict;
  }
  auto parsed = signaling::ParseClientMessage(text, &verdict.request_id);
  if (!parsed.ok()) {
    auto error = signaling::MakeError(parsed.error());
    Refuse(verdict, error.code, error.field, error.message, now);
    return verdict;
  }
  signaling::ClientMessage& message = *parsed;
  if (const auto* ping = std::get_if<signaling::Ping>(&message)) {
    verdict.replies.push_back(signaling::Serialize(signaling::Pong{ping->seq}));
    return verdict;
  }
  if (auto* join = std::get_if<signaling::JoinRequest>(&message)) {
    Join(verdict, std::move(*join), now, unix_now_s);
    return verdict;
  }
  if (auto* resume = std::get_if<signaling::ResumeRequest>(&message)) {
    // The access token passes the join's checks (a resumed session keeps
    // its E2EE mode, so the room's e2ee rule was met when it joined); the
    // worker then checks the rest against the session.
    signaling::JoinRequest as_join{resume->room, resume->token, /*e2ee=*/true, std::nullopt, /*resumable=*/true};
    Join(verdict, std::move(as_join), now, unix_now_s);
    if (auto* admitted = std::get_if<AdmittedJoin>(&verdict.forward)) {
      admitted->resume = std::move(*resume);
      verdict.log = "resume room " + admitted->resume->room + " participant " + admitted->resume->participant_id +
                    " identity " + admitted->claims.identity + " from " + peer_address_;
    }
    return verdict;
  }
  if (!claims_) {
    Refuse(verdict, ErrorCode::kNotJoined, "", "join first", now);
    return verdict;
  }
  if (std::holds_alternative<signaling::PublishOffer>(message) &&
      !auth::Authorize(*claims_, claims_->room, auth::Action::kPublish).ok()) {
    Refuse(verdict, ErrorCode::kForbidden, "", "the token does not allow publishing", now);
    return verdict;
  }
  if ((std::holds_alternative<signaling::SubscribeAnswer>(message) ||
       std::holds_alternative<signaling::IceRestartRequest>(message)) &&
      !auth::Authorize(*claims_, claims_->room, auth::Action::kSubscribe).ok()) {
    Refuse(verdict, ErrorCode::kForbidden, "", "the token does not allow subscribing", now);
    return verdict;
  }
  if (signaling::IsAdminRequest(message) &&
      !auth::Authorize(*claims_, claims_->room, auth::Action::kAdmin).ok()) {
    Refuse(verdict, ErrorCode::kForbidden, "", "the token does not grant room_admin", now);
    return verdict;
  }
  if (auto* refresh = std::get_if<signaling::RefreshToken>(&message)) {
    Refresh(verdict, std::move(*refresh), now, unix_now_s);
    return verdict;
  }
  if (std::holds_alternative<signaling::LeaveRequest>(message)) verdict.close = true;
  verdict.forward = std::move(message);
  return verdict;
}

GateVerdict SessionGate::OnBinaryFrame(Timestamp now) {
  GateVerdict verdict;
  if (!messages_.TryTake(now)) {
    Refuse(verdict, ErrorCode::kRateLimited, "", "too many messages", now);
  } else {
    Refuse(verdict, ErrorCode::kMalformedJson, "", "send text frames", now);
  }
  return verdict;
}

void SessionGate::Join(GateVerdict& verdict, signaling::JoinRequest request, Timestamp now, int64_t unix_now_s) {
  if (claims_) return Refuse(verdict, ErrorCode::kAlreadyJoined, "", "already joined", now);
  // Every attempt counts against the address, so guessing tokens is slow too.
  if (!joins_per_address_.TryTake(peer_address_, now)) {
    return Refuse(verdict, ErrorCode::kRateLimited, "", "too many joins from this address", now);
  }
  auth::VerifyOptions options;
  options.leeway_s = config_.token_leeway_s;
  auto claims = auth::VerifyToken(request.token, secret_, unix_now_s, options);
  // One answer for every token failure: the client learns only that the
  // token was refused (docs/protocol.md §5); the reason stays server-side.
  if (!claims.ok()) {
    verdict.log = "join refused from " + peer_address_ + " for room " + request.room + ": token " +
                  std::string(auth::ToString(claims.error()));
    return Refuse(verdict, ErrorCode::kUnauthorized, "token", "token refused", now);
  }
  if (auto allowed = auth::Authorize(*claims, request.room, auth::Action::kJoin); !allowed.ok()) {
    verdict.log = "join refused from " + peer_address_ + " for room " + request.room + ": " +
                  std::string(auth::ToString(allowed.error())) + " (token for room " + claims->room + ", jti " +
                  claims->token_id.value_or("-") + ")";
    return Refuse(verdict, ErrorCode::kUnauthorized, "token", "token refused", now);
  }
  if (revocations_ && revocations_->IsRevoked(*claims)) {
    verdict.log = "join refused from " + peer_address_ + " for room " + request.room + ": token revoked (identity " +
                  claims->identity + ", jti " + claims->token_id.value_or("-") + ")";
    return Refuse(verdict, ErrorCode::kUnauthorized, "token", "token refused", now);
  }
  RoomRules rules = rules_ ? rules_->Lookup(request.room) : RoomRules{};
  // An unreadable policy might be "E2EE required": never guess "optional".
  if (rules.unavailable) return Refuse(verdict, ErrorCode::kInternal, "", "the room's policy cannot be read", now);
  if (rules.e2ee_required && !request.e2ee) {
    return Refuse(verdict, ErrorCode::kE2eeRequired, "e2ee", "this room requires end-to-end encryption", now);
  }
  verdict.log = "join room " + request.room + " identity " + claims->identity + " from " + peer_address_ +
                (request.e2ee ? " (e2ee)" : "") + " jti " + claims->token_id.value_or("-");
  claims_ = *claims;
  const int64_t remaining = RemainingSeconds(*claims, unix_now_s);
  AdmittedJoin admitted{std::move(*claims), std::move(request), rules, remaining, std::nullopt, {}, {}};
  if (!config_.turn.urls.empty()) {
    // Named by the token's subject, so the relay's own log says whose relay it was.
    auto credential = auth::MintTurnCredential(config_.turn.shared_secret, admitted.claims.identity,
                                               unix_now_s + config_.turn.ttl_s);
    admitted.ice_servers.push_back({config_.turn.urls, std::move(credential.username), std::move(credential.password)});
  }
  verdict.forward = std::move(admitted);
}

int64_t SessionGate::RemainingSeconds(const auth::Claims& claims, int64_t unix_now_s) const {
  return std::max<int64_t>(1, claims.expires_at + config_.token_leeway_s - unix_now_s);
}

// A fresh token for the session: same room, same identity, not revoked.
// Its grants do not change the session's (a new grant needs a new join).
void SessionGate::Refresh(GateVerdict& verdict, signaling::RefreshToken refresh, Timestamp now,
                          int64_t unix_now_s) {
  auth::VerifyOptions options;
  options.leeway_s = config_.token_leeway_s;
  auto claims = auth::VerifyToken(refresh.token, secret_, unix_now_s, options);
  std::string why;
  if (!claims.ok()) {
    why = "token " + std::string(auth::ToString(claims.error()));
  } else if (claims->room != claims_->room || claims->identity != claims_->identity) {
    why = "token for another room or identity";
  } else if (revocations_ && revocations_->IsRevoked(*claims)) {
    why = "token revoked";
  }
  if (!why.empty()) {
    verdict.log = "refresh refused from " + peer_address_ + " in room " + claims_->room + ": " + why;
    return Refuse(verdict, ErrorCode::kUnauthorized, "token", "token refused", now);
  }
  refresh.verified_remaining_s = RemainingSeconds(*claims, unix_now_s);
  refresh.verified_claims = std::move(*claims);
  verdict.forward = signaling::ClientMessage{std::move(refresh)};
}

}  // namespace aegis::server
