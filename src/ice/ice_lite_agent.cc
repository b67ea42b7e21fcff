#include "ice/ice_lite_agent.h"

#include <algorithm>

#include "stun/integrity.h"
#include "stun/message_builder.h"

namespace aegis::ice {

namespace {

const stun::MessageType kBindingRequest{stun::method::kBinding, stun::MessageClass::kRequest};

// When the n-th transmission (0-based) of a verification is due, from its
// start: 0, RTO, 3 RTO, 7 RTO (RFC 8489 §6.2.1: the RTO doubles each time).
TimeDelta VerifyOffset(int n) { return IceLiteAgent::kVerifyRto * ((int64_t{1} << n) - 1); }

}  // namespace

IceLiteAgent::IceLiteAgent(IceCredentials local, IceCredentials remote, RandomSource& rng)
    : local_(std::move(local)), remote_(std::move(remote)), rng_(rng), tie_breaker_(rng.U64()) {}

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
  HandleStunMessage(*parsed, datagram, from, now);
}

void IceLiteAgent::HandleStunMessage(const stun::Message& msg, std::span<const uint8_t> datagram,
                                     const TransportAddress& from, Timestamp now) {
  if (msg.type.method == stun::method::kBinding && (msg.type.cls == stun::MessageClass::kSuccessResponse ||
                                                    msg.type.cls == stun::MessageClass::kErrorResponse)) {
    HandleResponse(msg, datagram, from, now);
  } else if (msg.type == kBindingRequest) {
    HandleRequest(msg, datagram, from, now);
  } else {
    ++stats_.dropped_not_binding_request;
  }
}

void IceLiteAgent::HandleRequest(const stun::Message& msg, std::span<const uint8_t> datagram,
                                 const TransportAddress& from, Timestamp now) {
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
  // (same address: answer it) or a captured check replayed from elsewhere
  // (drop: no answer reflected to a spoofed source).
  const Seen seen = Remember(msg.transaction_id, from, now);
  if (seen == Seen::kFromElsewhere) {
    ++stats_.dropped_replayed;
    return;
  }
  Respond(msg.transaction_id, from);
  ++stats_.checks_answered;
  RememberAddress(from);

  // The check proves its sender knows the password, not that it sits at
  // `from`: it only starts the server's own check there, and the answer to
  // that is what selects the address. While nothing is selected any check
  // does (the first address to answer wins, without waiting for the peer's
  // nomination: browsers nominate a pair only a ping interval after it
  // worked, and aioice nominates once); after that only a nomination
  // (USE-CANDIDATE) of another address does. Nothing here refreshes consent.
  if (consent_expired_ || selected_ == from) return;
  const bool nominates = msg.Has<stun::UseCandidate>();
  if (!selected_ || nominates) StartVerification(from, nominates, now);
}

void IceLiteAgent::HandleResponse(const stun::Message& msg, std::span<const uint8_t> datagram,
                                  const TransportAddress& from, Timestamp now) {
  auto match = [&](const Transaction& t) { return t.id == msg.transaction_id && t.to == from; };
  auto verification = std::find_if(verifications_.begin(), verifications_.end(), match);
  auto consent = std::find_if(consent_checks_.begin(), consent_checks_.end(), match);
  if (verification == verifications_.end() && consent == consent_checks_.end()) {
    ++stats_.dropped_unexpected_response;
    return;
  }
  // The peer signs its answers with its own password (RFC 8445 §7.2.2). A
  // forged answer leaves the transaction as it was.
  if (stun::VerifyMessageIntegrity(datagram, stun::ShortTermKey(remote_.pwd)) != stun::IntegrityStatus::kOk ||
      stun::VerifyFingerprint(datagram) != stun::IntegrityStatus::kOk) {
    ++stats_.dropped_bad_response;
    return;
  }
  const bool verified = verification != verifications_.end();
  const bool nominated = verified && verification->nominated;
  if (verified) {
    verifications_.erase(verification);
  } else {
    consent_checks_.erase(consent);
  }
  if (msg.type.cls == stun::MessageClass::kErrorResponse) {
    ++stats_.dropped_error_response;
    return;
  }
  ++stats_.responses_accepted;
  RememberAddress(from);
  // RFC 7675 §5.1: consent expired is not re-established by late answers.
  if (consent_expired_) return;
  if (verified) {
    ++stats_.verifications_succeeded;
    // The first address to answer is selected; later only a nominated one.
    if (selected_ != from && (!selected_ || nominated)) Select(from, now);
  }
  if (selected_ == from) last_consent_ = now;
}

void IceLiteAgent::Select(const TransportAddress& address, Timestamp now) {
  selected_ = address;
  last_consent_ = now;
  consent_checks_.clear();  // they went to the old address
  next_consent_check_ = now + NextConsentDelay();
  events_.push_back(SelectedAddressChanged{address});
}

IceLiteAgent::Seen IceLiteAgent::Remember(const stun::TransactionId& id, const TransportAddress& from,
                                          Timestamp now) {
  while (!recent_transactions_.empty() && now - recent_transactions_.front().at > kReplayMemory) {
    recent_transactions_.pop_front();
  }
  for (const auto& t : recent_transactions_) {
    if (t.id == id) return t.from == from ? Seen::kRetransmission : Seen::kFromElsewhere;
  }
  if (recent_transactions_.size() == kRememberedTransactions) recent_transactions_.pop_front();
  recent_transactions_.push_back({id, from, now});
  return Seen::kNew;
}

void IceLiteAgent::RememberAddress(const TransportAddress& address) {
  if (IsAuthenticated(address)) return;
  if (authenticated_.size() == kRememberedAddresses) authenticated_.pop_front();
  authenticated_.push_back(address);
}

void IceLiteAgent::Send(const TransportAddress& to, const std::vector<uint8_t>& bytes) {
  if (transmits_.size() >= kMaxQueuedTransmits) return;  // the shell is not draining: shed load
  transmits_.push_back({to, bytes});
}

void IceLiteAgent::Respond(const stun::TransactionId& transaction_id, const TransportAddress& to) {
  stun::MessageBuilder b({stun::method::kBinding, stun::MessageClass::kSuccessResponse}, transaction_id);
  b.Add(stun::XorMappedAddress{to});
  b.AddMessageIntegrity(stun::ShortTermKey(local_.pwd));
  b.AddFingerprint();
  Send(to, b.bytes());
}

bool IceLiteAgent::NewRequest(const TransportAddress& to, Timestamp now, Transaction& out) {
  if (remote_.ufrag.empty() || remote_.pwd.empty()) return false;
  rng_.Fill(out.id);
  out.to = to;
  out.started = now;
  out.transmissions = 0;
  // RFC 8445 §7.2.2 and §7.1.1: "<receiver ufrag>:<sender ufrag>", the
  // receiver's password, our role and tie-breaker, a PRIORITY.
  stun::MessageBuilder b(kBindingRequest, out.id);
  b.Add(stun::Username{remote_.ufrag + ":" + local_.ufrag});
  b.Add(stun::Priority{kCheckPriority});
  b.Add(stun::IceControlled{tie_breaker_});
  b.AddMessageIntegrity(stun::ShortTermKey(remote_.pwd));
  b.AddFingerprint();
  out.request = std::move(b).Take();
  return true;
}

void IceLiteAgent::StartVerification(const TransportAddress& to, bool nominated, Timestamp now) {
  for (auto& v : verifications_) {
    if (v.to == to) {  // one at a time per address
      v.nominated = v.nominated || nominated;
      return;
    }
  }
  if (verifications_.size() >= kMaxPendingVerifications) {
    ++stats_.verifications_refused_busy;
    return;
  }
  Transaction t;
  if (!NewRequest(to, now, t)) return;
  t.nominated = nominated;
  ++stats_.verifications_started;
  ++stats_.requests_sent;
  t.transmissions = 1;
  Send(to, t.request);
  verifications_.push_back(std::move(t));
}

TimeDelta IceLiteAgent::NextConsentDelay() {
  // Uniform in [0.8, 1.2] × interval (RFC 7675 §5.1), so that the checks of
  // many connections do not align.
  const int64_t base = kConsentInterval.us();
  const int64_t jitter = static_cast<int64_t>(rng_.U32() % 1001) - 500;  // -500..500 per mille of 40 %
  return TimeDelta::Micros(base + base * 2 * jitter / 5000);
}

void IceLiteAgent::HandleTimeout(Timestamp now) {
  // Verifications: retransmit on schedule, give up at kVerifyTimeout.
  for (auto it = verifications_.begin(); it != verifications_.end();) {
    if (now - it->started >= kVerifyTimeout) {
      ++stats_.verifications_timed_out;
      it = verifications_.erase(it);
      continue;
    }
    if (it->transmissions < kVerifyTransmissions && now - it->started >= VerifyOffset(it->transmissions)) {
      ++it->transmissions;
      ++stats_.requests_sent;
      Send(it->to, it->request);
    }
    ++it;
  }
  if (!selected_ || consent_expired_) return;
  if (now - last_consent_ >= kConsentTimeout) {
    consent_expired_ = true;
    next_consent_check_.reset();
    consent_checks_.clear();  // RFC 7675 §5.1: discarded when consent expires
    verifications_.clear();
    events_.push_back(ConsentExpired{*selected_});
    return;
  }
  if (next_consent_check_ && now >= *next_consent_check_) {
    // Sent once each (RFC 7675 §5.1); an answer to any recent one counts.
    Transaction t;
    if (NewRequest(*selected_, now, t)) {
      if (consent_checks_.size() == kMaxConsentTransactions) consent_checks_.pop_front();
      ++stats_.requests_sent;
      t.transmissions = 1;
      Send(t.to, t.request);
      t.request.clear();
      consent_checks_.push_back(std::move(t));
    }
    next_consent_check_ = now + NextConsentDelay();
  }
}

std::optional<Timestamp> IceLiteAgent::NextTimeout() const {
  std::optional<Timestamp> next;
  auto consider = [&](Timestamp t) {
    if (!next || t < *next) next = t;
  };
  for (const auto& v : verifications_) {
    consider(v.transmissions < kVerifyTransmissions ? v.started + VerifyOffset(v.transmissions)
                                                    : v.started + kVerifyTimeout);
  }
  if (selected_ && !consent_expired_) {
    consider(last_consent_ + kConsentTimeout);
    if (next_consent_check_) consider(*next_consent_check_);
  }
  return next;
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
  // Addresses, transactions and checks under the old credentials prove
  // nothing now. The selected address stays while it answers consent checks
  // signed with the new ones (RFC 7675 §5.1 on restarts).
  authenticated_.clear();
  recent_transactions_.clear();
  verifications_.clear();
  consent_checks_.clear();
}

}  // namespace aegis::ice
