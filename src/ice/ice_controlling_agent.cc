#include "ice/ice_controlling_agent.h"

#include <algorithm>

#include "stun/integrity.h"
#include "stun/message.h"
#include "stun/message_builder.h"

namespace aegis::ice {

IceControllingAgent::IceControllingAgent(IceControllingConfig config, RandomSource& rng)
    : config_(std::move(config)), rng_(rng), tie_breaker_(rng.U64()) {}

void IceControllingAgent::Start(Timestamp now) {
  started_ = true;
  next_check_ = now;
  HandleTimeout(now);
}

void IceControllingAgent::Restart(IceCredentials local, IceCredentials remote, Timestamp now) {
  config_.local = std::move(local);
  config_.remote = std::move(remote);
  pending_.clear();  // answers to checks under the old credentials prove nothing now
  if (!started_) return;
  consent_expired_ = false;
  restarting_ = true;
  next_check_ = now;
  HandleTimeout(now);
}

void IceControllingAgent::SendCheck(const TransportAddress& to, Timestamp now) {
  (void)now;
  Pending p;
  rng_.Fill(p.id);
  p.to = to;
  if (pending_.size() == kMaxPending) pending_.pop_front();
  pending_.push_back(p);

  stun::MessageBuilder b({stun::method::kBinding, stun::MessageClass::kRequest}, p.id);
  // RFC 8445 §7.2.2: "<receiver ufrag>:<sender ufrag>".
  b.Add(stun::Username{config_.remote.ufrag + ":" + config_.local.ufrag});
  b.Add(stun::Priority{config_.priority});
  b.Add(stun::IceControlling{tie_breaker_});
  b.Add(stun::UseCandidate{});
  b.AddMessageIntegrity(stun::ShortTermKey(config_.remote.pwd));
  b.AddFingerprint();
  transmits_.push_back({to, std::move(b).Take()});
  ++stats_.checks_sent;
}

void IceControllingAgent::HandleStun(std::span<const uint8_t> datagram, const TransportAddress& from,
                                     Timestamp now) {
  auto parsed = stun::Message::Parse(datagram);
  if (!parsed.ok()) {
    ++stats_.dropped_unparseable;
    return;
  }
  HandleStunMessage(*parsed, datagram, from, now);
}

void IceControllingAgent::HandleStunMessage(const stun::Message& msg, std::span<const uint8_t> datagram,
                                            const TransportAddress& from, Timestamp now) {
  if (msg.type == stun::MessageType{stun::method::kBinding, stun::MessageClass::kRequest}) {
    AnswerRequest(msg, datagram, from);
    return;
  }
  auto it = std::find_if(pending_.begin(), pending_.end(),
                         [&](const Pending& p) { return p.id == msg.transaction_id && p.to == from; });
  if (msg.type.method != stun::method::kBinding || it == pending_.end() ||
      (msg.type.cls != stun::MessageClass::kSuccessResponse && msg.type.cls != stun::MessageClass::kErrorResponse)) {
    ++stats_.dropped_unexpected;
    return;
  }
  // A response is signed with the responder's password, which is ours to know
  // as the remote password (RFC 8445 §7.2.2).
  if (stun::VerifyMessageIntegrity(datagram, stun::ShortTermKey(config_.remote.pwd)) != stun::IntegrityStatus::kOk ||
      stun::VerifyFingerprint(datagram) != stun::IntegrityStatus::kOk) {
    ++stats_.dropped_bad_integrity;
    return;
  }
  pending_.erase(it);
  if (msg.type.cls == stun::MessageClass::kErrorResponse) {
    ++stats_.dropped_error_response;
    return;
  }
  ++stats_.responses_accepted;
  if ((!selected_ || restarting_) && !consent_expired_) {
    restarting_ = false;
    if (selected_ != from) {
      selected_ = from;
      events_.push_back(SelectedAddressChanged{from});
    }
    next_check_ = now + NextConsentDelay();
  }
  if (selected_ == from) last_consent_ = now;
}

void IceControllingAgent::AnswerRequest(const stun::Message& msg, std::span<const uint8_t> datagram,
                                        const TransportAddress& from) {
  const auto* username = msg.Get<stun::Username>();
  if (!username || username->value != config_.local.ufrag + ":" + config_.remote.ufrag ||
      !msg.Has<stun::IceControlled>() || msg.Has<stun::IceControlling>()) {
    ++stats_.dropped_unexpected;
    return;
  }
  if (stun::VerifyMessageIntegrity(datagram, stun::ShortTermKey(config_.local.pwd)) != stun::IntegrityStatus::kOk ||
      stun::VerifyFingerprint(datagram) != stun::IntegrityStatus::kOk) {
    ++stats_.dropped_bad_integrity;
    return;
  }
  if (transmits_.size() >= kMaxQueuedTransmits) return;  // the shell is not draining: shed load
  stun::MessageBuilder b({stun::method::kBinding, stun::MessageClass::kSuccessResponse}, msg.transaction_id);
  b.Add(stun::XorMappedAddress{from});
  b.AddMessageIntegrity(stun::ShortTermKey(config_.local.pwd));
  b.AddFingerprint();
  transmits_.push_back({from, std::move(b).Take()});
  ++stats_.requests_answered;
}

TimeDelta IceControllingAgent::NextConsentDelay() {
  // Uniform in [0.8, 1.2] × interval, so that checks of many peers do not align.
  int64_t base = config_.consent_interval.us();
  int64_t jitter = static_cast<int64_t>(rng_.U32() % 1001) - 500;  // -500..500 per mille of 40 %
  return TimeDelta::Micros(base + base * 2 * jitter / 5000);
}

void IceControllingAgent::HandleTimeout(Timestamp now) {
  if (!started_) return;
  if (selected_ && !consent_expired_ && now - last_consent_ >= kConsentTimeout) {
    consent_expired_ = true;
    next_check_.reset();
    events_.push_back(ConsentExpired{*selected_});
    return;
  }
  if (!next_check_ || now < *next_check_) return;
  if (selected_ && !restarting_) {
    if (!consent_expired_) {
      SendCheck(*selected_, now);
      next_check_ = now + NextConsentDelay();
    }
    return;
  }
  if (config_.remote_candidates.empty()) return;
  SendCheck(config_.remote_candidates[next_candidate_ % config_.remote_candidates.size()], now);
  ++next_candidate_;
  next_check_ = now + config_.check_interval;
}

std::optional<Timestamp> IceControllingAgent::NextTimeout() const {
  if (!started_ || consent_expired_) return std::nullopt;
  std::optional<Timestamp> t = next_check_;
  if (selected_) {
    Timestamp expiry = last_consent_ + kConsentTimeout;
    t = t ? std::min(*t, expiry) : expiry;
  }
  return t;
}

std::optional<StunTransmit> IceControllingAgent::PollTransmit() {
  if (transmits_.empty()) return std::nullopt;
  StunTransmit t = std::move(transmits_.front());
  transmits_.pop_front();
  return t;
}

std::optional<IceEvent> IceControllingAgent::PollEvent() {
  if (events_.empty()) return std::nullopt;
  IceEvent e = std::move(events_.front());
  events_.pop_front();
  return e;
}

bool IceControllingAgent::IsAuthenticated(const TransportAddress& address) const { return selected_ == address; }

bool IceControllingAgent::CanSend(Timestamp now) const {
  return selected_ && !consent_expired_ && now - last_consent_ < kConsentTimeout;
}

}  // namespace aegis::ice
