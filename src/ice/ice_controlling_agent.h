// The client's ICE agent for talking to an ICE-lite server (the Aegis
// server): a full agent in the controlling role (RFC 8445 §6.1.1) with
// aggressive nomination: every check carries USE-CANDIDATE, so the first
// pair that answers is selected. After that it sends consent checks
// (RFC 7675 §5.1: every 5 s, randomized ±20 %) and reports ConsentExpired
// when none was answered for 30 s.
//
// Only responses that match an outstanding transaction sent to the same
// address, carry a valid MESSAGE-INTEGRITY under the remote password and a
// valid FINGERPRINT count. The server checks return routability (and
// consent) with Binding requests of its own: a request naming
// "<local ufrag>:<remote ufrag>", signed with the local password, with
// FINGERPRINT and ICE-CONTROLLED, is answered as any full agent answers a
// check (RFC 8445 §7.3); anything else is dropped and counted.
#pragma once

#include <cstdint>
#include <deque>
#include <optional>
#include <vector>

#include "base/random.h"
#include "ice/ice_agent.h"
#include "ice/ice_credentials.h"
#include "stun/constants.h"
#include "stun/message.h"

namespace aegis::ice {

struct IceControllingConfig {
  IceCredentials local;
  IceCredentials remote;
  std::vector<TransportAddress> remote_candidates;
  uint32_t priority = 0x6e0001ff;  // a host candidate's priority (RFC 8445 §5.1.2)
  TimeDelta check_interval = TimeDelta::Millis(50);
  TimeDelta consent_interval = TimeDelta::Seconds(5);
};

struct IceControllingStats {
  uint64_t checks_sent = 0;
  uint64_t responses_accepted = 0;
  uint64_t dropped_unparseable = 0;
  uint64_t requests_answered = 0;   // the server's own checks
  uint64_t dropped_unexpected = 0;  // unknown transaction, wrong source, or a request not for us
  uint64_t dropped_bad_integrity = 0;
  uint64_t dropped_error_response = 0;
};

class IceControllingAgent final : public IceAgent {
 public:
  static constexpr TimeDelta kConsentTimeout = TimeDelta::Seconds(30);
  static constexpr size_t kMaxPending = 16;
  static constexpr size_t kMaxQueuedTransmits = 64;

  IceControllingAgent(IceControllingConfig config, RandomSource& rng);

  // Starts checking the remote candidates.
  void Start(Timestamp now);

  // ICE restart (RFC 8445 §9): new credentials on both sides, the same
  // remote candidates. Checks start again at once (every one nominating, so
  // the server selects the address they now leave from, e.g. after this
  // host moved); the selected address keeps carrying media until one of
  // them is answered, and the first to be answered is selected.
  void Restart(IceCredentials local, IceCredentials remote, Timestamp now);

  void HandleStun(std::span<const uint8_t> datagram, const TransportAddress& from, Timestamp now) override;
  void HandleStunMessage(const stun::Message& msg, std::span<const uint8_t> datagram, const TransportAddress& from,
                         Timestamp now) override;
  void HandleTimeout(Timestamp now) override;
  std::optional<Timestamp> NextTimeout() const override;
  std::optional<StunTransmit> PollTransmit() override;
  std::optional<IceEvent> PollEvent() override;
  const std::optional<TransportAddress>& selected() const override { return selected_; }
  bool IsAuthenticated(const TransportAddress& address) const override;
  bool CanSend(Timestamp now) const override;

  const IceControllingStats& stats() const { return stats_; }

 private:
  struct Pending {
    stun::TransactionId id;
    TransportAddress to;
  };
  void SendCheck(const TransportAddress& to, Timestamp now);
  void AnswerRequest(const stun::Message& msg, std::span<const uint8_t> datagram, const TransportAddress& from);
  TimeDelta NextConsentDelay();

  IceControllingConfig config_;
  RandomSource& rng_;
  uint64_t tie_breaker_;
  bool started_ = false;
  bool restarting_ = false;  // checking under new credentials, not yet answered
  size_t next_candidate_ = 0;
  std::optional<Timestamp> next_check_;
  std::optional<TransportAddress> selected_;
  Timestamp last_consent_;
  bool consent_expired_ = false;
  std::deque<Pending> pending_;
  std::deque<StunTransmit> transmits_;
  std::deque<IceEvent> events_;
  IceControllingStats stats_;
};

}  // namespace aegis::ice
