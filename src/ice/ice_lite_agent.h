// The server's ICE agent: ICE-lite (RFC 8445 §2.5, §7.3) with consent
// freshness (RFC 7675). Sans-IO: it is handed STUN datagrams with their
// source address and the time, and hands back responses and events.
//
// What it guarantees to the transport above it:
// - a Binding request is answered only if USERNAME is "<local>:<remote>",
//   MESSAGE-INTEGRITY verifies with the local password and FINGERPRINT is
//   present and right; anything else is dropped silently and counted (no
//   error responses: they would help an attacker probe, and reflect traffic);
// - selected() is an address that passed such a check carrying USE-CANDIDATE
//   (the controlling peer nominated it): the only address the transport may
//   send DTLS and media to;
// - CanSend(now) turns false when no authenticated check arrived from the
//   selected address for 30 s (RFC 7675 §5.1), and ConsentExpired is
//   reported once (the transport then fails the connection);
// - a valid check captured and replayed is never fresh consent: from
//   another address it is dropped, from the same address answered only;
//   and a nomination of another address needs a higher priority or a
//   selected address that has gone silent.
#pragma once

#include <cstdint>
#include <deque>
#include <optional>
#include <span>
#include <variant>
#include <vector>

#include "base/time.h"
#include "ice/ice_agent.h"
#include "ice/ice_credentials.h"
#include "stun/constants.h"
#include "stun/transport_address.h"

namespace aegis::ice {

// Why checks were dropped: every bad input is counted, never silent.
struct IceStats {
  uint64_t checks_answered = 0;
  uint64_t dropped_unparseable = 0;
  uint64_t dropped_not_binding_request = 0;
  uint64_t dropped_bad_username = 0;
  uint64_t dropped_bad_integrity = 0;
  uint64_t dropped_bad_fingerprint = 0;
  uint64_t dropped_role_conflict = 0;
  uint64_t dropped_replayed = 0;
};

class IceLiteAgent final : public IceAgent {
 public:
  static constexpr TimeDelta kConsentTimeout = TimeDelta::Seconds(30);
  static constexpr size_t kMaxQueuedTransmits = 64;
  // Transaction ids are remembered this long (a STUN transaction's
  // retransmissions span under 40 s, RFC 8489 §6.2.1; browsers send a check
  // every few seconds, so the cap is not reached by a live peer).
  static constexpr TimeDelta kTransactionMemory = TimeDelta::Seconds(300);
  static constexpr size_t kRememberedTransactions = 512;
  // A nomination of another address with no higher priority is accepted
  // only once the selected address has sent no fresh check this long.
  static constexpr TimeDelta kSwitchAfterSilence = TimeDelta::Seconds(5);
  static constexpr size_t kRememberedAddresses = 8;

  // `remote` may have empty fields until the remote description is known;
  // checks are then matched on the local ufrag only.
  IceLiteAgent(IceCredentials local, IceCredentials remote);

  // A datagram whose first byte said STUN (RFC 7983), from `from`.
  void HandleStun(std::span<const uint8_t> datagram, const TransportAddress& from, Timestamp now) override;
  void HandleTimeout(Timestamp now) override;
  std::optional<Timestamp> NextTimeout() const override;
  std::optional<StunTransmit> PollTransmit() override;
  std::optional<IceEvent> PollEvent() override;

  // ICE restart (RFC 8445 §9): new credentials on both sides. The selected
  // address keeps working until consent on it lapses or a new one is chosen.
  void Restart(IceCredentials local, IceCredentials remote);

  const std::optional<TransportAddress>& selected() const override { return selected_; }
  // True if a check from `address` passed authentication recently (one of
  // the last kRememberedAddresses such addresses). The transport accepts
  // DTLS from these before nomination, but sends only to selected().
  bool IsAuthenticated(const TransportAddress& address) const override;
  bool CanSend(Timestamp now) const override;
  const IceCredentials& local_credentials() const { return local_; }
  const IceStats& stats() const { return stats_; }

 private:
  bool UsernameMatches(const std::string& username) const;
  // Whether this transaction id is new, the peer's retransmission, or a
  // captured check replayed from another (spoofed) source address.
  enum class Seen { kNew, kRetransmission, kFromElsewhere };
  Seen Remember(const stun::TransactionId& id, const TransportAddress& from, Timestamp now);
  void Respond(const stun::TransactionId& transaction_id, const TransportAddress& to);

  IceCredentials local_;
  IceCredentials remote_;
  std::optional<TransportAddress> selected_;
  uint32_t selected_priority_ = 0;
  Timestamp last_consent_;
  bool consent_expired_ = false;
  struct SeenTransaction {
    stun::TransactionId id;
    TransportAddress from;
    Timestamp at;
  };
  std::deque<SeenTransaction> recent_transactions_;
  Timestamp last_heard_from_selected_;
  std::deque<TransportAddress> authenticated_;
  std::deque<StunTransmit> transmits_;
  std::deque<IceEvent> events_;
  IceStats stats_;
};

}  // namespace aegis::ice
