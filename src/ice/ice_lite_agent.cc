#include "ice/ice_lite_agent.h"

#include "stun/integrity.h"
#include "stun/message.h"
#include "stun/message_builder.h"

namespace aegis::ice {

IceLiteAgent::IceLiteAgent(IceCredentials local, IceCredentials remote)
    : local_(std::move(local)), remote_(std::move(remote)) {}

bool IceLiteAgent::UsernameMatches(const std::string& username) const {
  // RFC 8445 §7.2.2: the requester sends "<receiver ufrag>:<sender ufrag>".
  const std::string prefix = local_.ufrag + ":";
  if (username.size() <= prefix.size() || username.compare(0, prefix.size(), prefix) != 0) return false;
  return remote_.ufrag.empty() || username.compare(prefix.size(), std::string::npos, remote_.ufrag) == 0;
}

void IceLiteAgent::HandleStun(std::span<const uint8_t> datagram, const TransportAddress& from, Timestamp now) {
  auto parsed = stun::Message::Parse(datagram);
  if (!parsed.ok()) {
    ++stats_.dropped_unparseable;
    return;
  }
  const stun::Message& msg = *parsed;
  if (msg.type != stun::MessageType{stun::method::kBinding, stun::MessageClass::kRequest}) {
    // A lite agent sends no requests, so it expects no responses either.
    ++stats_.dropped_not_binding_request;
    return;
  }
  const auto* username = msg.Get<stun::Username>();
  if (!username || !UsernameMatches(username->value)) {
    ++stats_.dropped_bad_username;
    return;
  }
  if (stun::VerifyMessageIntegrity(datagram, stun::ShortTermKey(local_.pwd)) != stun::IntegrityStatus::kOk) {
    ++stats_.dropped_bad_integrity;
    return;
  }
  if (stun::VerifyFingerprint(datagram) != stun::IntegrityStatus::kOk) {
    ++stats_.dropped_bad_fingerprint;
    return;
  }
  // A lite agent is always controlled (RFC 8445 §6.1.1); a peer that is not
  // controlling cannot nominate anything.
  if (!msg.Has<stun::IceControlling>()) {
    ++stats_.dropped_role_conflict;
    return;
  }

  // A transaction id seen before is either the peer's own retransmission
  // (same address: answer it, nothing more) or a captured check replayed
  // from elsewhere (drop). Neither may refresh consent or move the
  // nomination: only fresh checks prove the peer is still there.
  const Seen seen = Remember(msg.transaction_id, from, now);
  if (seen == Seen::kFromElsewhere) {
    ++stats_.dropped_replayed;
    return;
  }

  Respond(msg.transaction_id, from);
  ++stats_.checks_answered;
  if (seen == Seen::kRetransmission) return;
  if (!IsAuthenticated(from)) {
    if (authenticated_.size() == kRememberedAddresses) authenticated_.pop_front();
    authenticated_.push_back(from);
  }

  if (selected_ == from) {
    last_consent_ = now;
    last_heard_from_selected_ = now;
    return;
  }
  // A new nomination wins if it has a higher priority, or if the selected
  // address has been silent a while (the peer moved, e.g. to a relay). An
  // old check replayed from elsewhere has at most the selected pair's
  // priority, and the live peer's checks keep the selected address heard.
  const auto* priority = msg.Get<stun::Priority>();
  uint32_t prio = priority ? priority->value : 0;
  const bool selected_silent = selected_ && now - last_heard_from_selected_ >= kSwitchAfterSilence;
  if (msg.Has<stun::UseCandidate>() && !consent_expired_ &&
      (!selected_ || prio > selected_priority_ || selected_silent)) {
    selected_ = from;
    selected_priority_ = prio;
    last_consent_ = now;
    last_heard_from_selected_ = now;
    events_.push_back(SelectedAddressChanged{from});
  }
}

IceLiteAgent::Seen IceLiteAgent::Remember(const stun::TransactionId& id, const TransportAddress& from,
                                          Timestamp now) {
  while (!recent_transactions_.empty() && now - recent_transactions_.front().at > kTransactionMemory) {
    recent_transactions_.pop_front();
  }
  for (const auto& t : recent_transactions_) {
    if (t.id == id) return t.from == from ? Seen::kRetransmission : Seen::kFromElsewhere;
  }
  if (recent_transactions_.size() == kRememberedTransactions) recent_transactions_.pop_front();
  recent_transactions_.push_back({id, from, now});
  return Seen::kNew;
}

void IceLiteAgent::Respond(const stun::TransactionId& transaction_id, const TransportAddress& to) {
  if (transmits_.size() >= kMaxQueuedTransmits) return;  // the shell is not draining: shed load
  stun::MessageBuilder b({stun::method::kBinding, stun::MessageClass::kSuccessResponse}, transaction_id);
  b.Add(stun::XorMappedAddress{to});
  b.AddMessageIntegrity(stun::ShortTermKey(local_.pwd));
  b.AddFingerprint();
  transmits_.push_back({to, std::move(b).Take()});
}

void IceLiteAgent::HandleTimeout(Timestamp now) {
  if (selected_ && !consent_expired_ && now - last_consent_ >= kConsentTimeout) {
    consent_expired_ = true;
    events_.push_back(ConsentExpired{*selected_});
  }
}

std::optional<Timestamp> IceLiteAgent::NextTimeout() const {
  if (!selected_ || consent_expired_) return std::nullopt;
  return last_consent_ + kConsentTimeout;
}

bool IceLiteAgent::IsAuthenticated(const TransportAddress& address) const {
  for (const auto& a : authenticated_) {
    if (a == address) return true;
  }
  return false;
}

bool IceLiteAgent::CanSend(Timestamp now) const {
  return selected_ && !consent_expired_ && now - last_consent_ < kConsentTimeout;
}

std::optional<StunTransmit> IceLiteAgent::PollTransmit() {
  if (transmits_.empty()) return std::nullopt;
  StunTransmit t = std::move(transmits_.front());
  transmits_.pop_front();
  return t;
}

std::optional<IceEvent> IceLiteAgent::PollEvent() {
  if (events_.empty()) return std::nullopt;
  IceEvent e = std::move(events_.front());
  events_.pop_front();
  return e;
}

void IceLiteAgent::Restart(IceCredentials local, IceCredentials remote) {
  local_ = std::move(local);
  remote_ = std::move(remote);
  consent_expired_ = false;
  selected_priority_ = 0;  // after a restart the peer's new nomination wins
  // Addresses and transactions proven under the old credentials prove nothing now.
  authenticated_.clear();
  recent_transactions_.clear();
  // Keep the selected address, but the peer must prove itself again with the
  // new credentials: no new check within the consent window ends sending.
}

}  // namespace aegis::ice
