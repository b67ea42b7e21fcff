// The server's ICE agent: ICE-lite (RFC 8445 §2.5, §7.3) plus the server's
// own checks for return routability (RFC 8445 §7.2.5) and consent freshness
// (RFC 7675). Sans-IO: it is handed STUN datagrams with their source address
// and the time, and hands back responses, its own checks and events; its
// transaction ids and tie-breaker come from the injected RandomSource.
//
// What it guarantees to the transport above it:
// - a Binding request is answered only if USERNAME is "<local>:<remote>",
//   MESSAGE-INTEGRITY verifies with the local password, FINGERPRINT is
//   present and right and the sender is controlling; anything else is
//   dropped silently and counted (no error responses: they would help an
//   attacker probe, and reflect traffic);
// - selected() is an address that answered the server's own Binding request
//   ("<remote>:<local>", signed with the remote password, ICE-CONTROLLED)
//   with a success response carrying that request's transaction id, signed
//   with the remote password, from that very address. A check proves only
//   that its sender knows the password (its source address may be spoofed),
//   so it selects nothing by itself: it makes the agent send such a request
//   to its source, and only the answer moves selected(). While nothing is
//   selected any valid check starts one (the first address to answer is
//   selected); after that only a check nominating its address
//   (USE-CANDIDATE) does;
// - CanSend(now) turns false 30 s after the last such answer from the
//   selected address (RFC 7675 §5.1): the agent sends a consent check there
//   every 4-6 s. Checks the peer sends never refresh consent, fresh or
//   replayed: they prove nothing about the address receiving. ConsentExpired
//   is reported once (the transport then fails the connection);
// - the server's own checks are bounded: at most kMaxPendingVerifications
//   addresses are verified at a time, one per address, each request sent at
//   most kVerifyTransmissions times within kVerifyTimeout; consent checks
//   are sent once each (RFC 7675), at most kMaxConsentTransactions
//   remembered;
// - a check's transaction id seen before from another address (within
//   kReplayMemory, at most kRememberedTransactions ids) is a replay: dropped
//   unanswered.
#pragma once

#include <cstdint>
#include <deque>
#include <optional>
#include <span>
#include <variant>
#include <vector>

#include "base/random.h"
#include "base/time.h"
#include "ice/ice_agent.h"
#include "ice/ice_credentials.h"
#include "stun/constants.h"
#include "stun/message.h"
#include "stun/transport_address.h"

namespace aegis::ice {

// Why datagrams were dropped, and what the agent's own checks did: every bad
// input is counted, never silent.
struct IceStats {
  uint64_t checks_answered = 0;
  uint64_t dropped_unparseable = 0;
  uint64_t dropped_not_binding_request = 0;  // indications, other methods
  uint64_t dropped_bad_username = 0;
  uint64_t dropped_bad_integrity = 0;
  uint64_t dropped_bad_fingerprint = 0;
  uint64_t dropped_role_conflict = 0;
  uint64_t dropped_replayed = 0;
  // The agent's own checks and the answers to them.
  uint64_t requests_sent = 0;  // transmissions, retransmissions included
  uint64_t verifications_started = 0;
  uint64_t verifications_succeeded = 0;
  uint64_t verifications_timed_out = 0;
  uint64_t verifications_refused_busy = 0;  // kMaxPendingVerifications already in flight
  uint64_t responses_accepted = 0;
  uint64_t dropped_unexpected_response = 0;  // no such transaction, or not from where it went
  uint64_t dropped_bad_response = 0;         // integrity or fingerprint wrong
  uint64_t dropped_error_response = 0;
};

class IceLiteAgent final : public IceAgent {
 public:
  static constexpr TimeDelta kConsentTimeout = TimeDelta::Seconds(30);
  // RFC 7675 §5.1: a consent check every 5 s, randomized to 4-6 s.
  static constexpr TimeDelta kConsentInterval = TimeDelta::Seconds(5);
  static constexpr size_t kMaxConsentTransactions = 8;
  static constexpr size_t kMaxQueuedTransmits = 64;
  // Checks' transaction ids are remembered this long: the consent lifetime
  // and a margin (a STUN transaction's own retransmissions end well before).
  static constexpr TimeDelta kReplayMemory = kConsentTimeout + TimeDelta::Seconds(10);
  static constexpr size_t kRememberedTransactions = 256;
  static constexpr size_t kRememberedAddresses = 8;
  // Return-routability checks: a few in flight, retransmitted at 0, 250,
  // 750 and 1750 ms (RFC 8489 §6.2.1 with a short RTO), abandoned at 2.75 s.
  static constexpr size_t kMaxPendingVerifications = 4;
  static constexpr int kVerifyTransmissions = 4;
  static constexpr TimeDelta kVerifyRto = TimeDelta::Millis(250);
  static constexpr TimeDelta kVerifyTimeout = TimeDelta::Millis(2750);
  // PRIORITY of the server's checks: a peer-reflexive candidate (type
  // preference 110, RFC 8445 §5.1.2.1) on component 1.
  static constexpr uint32_t kCheckPriority = (110u << 24) | (65535u << 8) | 255u;

  // `remote` may have empty fields until the remote description is known;
  // checks are then matched on the local ufrag only, and nothing can be
  // selected (the agent cannot sign its own checks). `rng` must outlive the
  // agent.
  IceLiteAgent(IceCredentials local, IceCredentials remote, RandomSource& rng);

  // A datagram whose first byte said STUN (RFC 7983), from `from`.
  void HandleStun(std::span<const uint8_t> datagram, const TransportAddress& from, Timestamp now) override;
  void HandleStunMessage(const stun::Message& msg, std::span<const uint8_t> datagram, const TransportAddress& from,
                         Timestamp now) override;
  void HandleTimeout(Timestamp now) override;
  std::optional<Timestamp> NextTimeout() const override;
  std::optional<StunTransmit> PollTransmit() override;
  std::optional<IceEvent> PollEvent() override;

  // ICE restart (RFC 8445 §9): new credentials on both sides. The selected
  // address keeps working while it answers consent checks (now signed with
  // the new credentials), until a new one is chosen.
  void Restart(IceCredentials local, IceCredentials remote);

  const std::optional<TransportAddress>& selected() const override { return selected_; }
  // True if `address` recently sent a check that passed authentication, or
  // answered one of the agent's own (one of the last kRememberedAddresses
  // such addresses). The transport accepts DTLS from these before
  // nomination, but sends only to selected().
  bool IsAuthenticated(const TransportAddress& address) const override;
  bool CanSend(Timestamp now) const override;
  const IceCredentials& local_credentials() const { return local_; }
  const IceStats& stats() const { return stats_; }
  // What the agent holds, for tests that bound it under floods.
  size_t pending_verifications() const { return verifications_.size(); }
  size_t remembered_transactions() const { return recent_transactions_.size(); }

 private:
  struct Transaction {
    stun::TransactionId id;
    TransportAddress to;
    std::vector<uint8_t> request;  // verifications: for retransmission
    Timestamp started;
    int transmissions = 0;
    bool nominated = false;  // verifications: started by USE-CANDIDATE
  };
  // Whether this transaction id is new, the peer's retransmission, or a
  // captured check replayed from another (spoofed) source address.
  enum class Seen { kNew, kRetransmission, kFromElsewhere };

  bool UsernameMatches(const std::string& username) const;
  void HandleRequest(const stun::Message& msg, std::span<const uint8_t> datagram, const TransportAddress& from,
                     Timestamp now);
  void HandleResponse(const stun::Message& msg, std::span<const uint8_t> datagram, const TransportAddress& from,
                      Timestamp now);
  Seen Remember(const stun::TransactionId& id, const TransportAddress& from, Timestamp now);
  void RememberAddress(const TransportAddress& address);
  void Respond(const stun::TransactionId& transaction_id, const TransportAddress& to);
  // A signed Binding request of the agent's own to `to`; false if it
  // cannot sign one (no remote credentials yet).
  bool NewRequest(const TransportAddress& to, Timestamp now, Transaction& out);
  void Send(const TransportAddress& to, const std::vector<uint8_t>& bytes);
  void StartVerification(const TransportAddress& to, bool nominated, Timestamp now);
  void Select(const TransportAddress& address, Timestamp now);
  TimeDelta NextConsentDelay();

  IceCredentials local_;
  IceCredentials remote_;
  RandomSource& rng_;
  uint64_t tie_breaker_;
  std::optional<TransportAddress> selected_;
  Timestamp last_consent_;
  bool consent_expired_ = false;
  std::optional<Timestamp> next_consent_check_;
  struct SeenTransaction {
    stun::TransactionId id;
    TransportAddress from;
    Timestamp at;
  };
  std::deque<SeenTransaction> recent_transactions_;
  std::deque<TransportAddress> authenticated_;
  std::deque<Transaction> verifications_;
  std::deque<Transaction> consent_checks_;
  std::deque<StunTransmit> transmits_;
  std::deque<IceEvent> events_;
  IceStats stats_;
};

}  // namespace aegis::ice
