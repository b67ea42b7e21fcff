// The interface a transport needs from an ICE agent, whichever role it
// plays: the server's ICE-lite agent (controlled) or the native client's
// full agent (controlling). Both are sans-IO.
#pragma once

#include <deque>
#include <optional>
#include <span>
#include <variant>
#include <vector>

#include "base/time.h"
#include "stun/message.h"
#include "stun/transport_address.h"

namespace aegis::ice {

using stun::TransportAddress;

struct SelectedAddressChanged {
  TransportAddress address;
};
struct ConsentExpired {
  TransportAddress address;
};
using IceEvent = std::variant<SelectedAddressChanged, ConsentExpired>;

struct StunTransmit {
  TransportAddress to;
  std::vector<uint8_t> bytes;
};

class IceAgent {
 public:
  virtual ~IceAgent() = default;

  // A datagram whose first byte said STUN (RFC 7983), from `from`.
  virtual void HandleStun(std::span<const uint8_t> datagram, const TransportAddress& from, Timestamp now) = 0;
  // The same, already parsed by the caller (who classified the datagram):
  // `datagram` is what `message` was parsed from (integrity is checked over it).
  virtual void HandleStunMessage(const stun::Message& message, std::span<const uint8_t> datagram,
                                 const TransportAddress& from, Timestamp now) = 0;
  virtual void HandleTimeout(Timestamp now) = 0;
  virtual std::optional<Timestamp> NextTimeout() const = 0;
  virtual std::optional<StunTransmit> PollTransmit() = 0;
  virtual std::optional<IceEvent> PollEvent() = 0;

  // The nominated, authenticated remote address: the only one to send to.
  virtual const std::optional<TransportAddress>& selected() const = 0;
  // True if `address` recently proved it knows the ICE password.
  virtual bool IsAuthenticated(const TransportAddress& address) const = 0;
  // False once consent lapsed (RFC 7675) or before anything was selected.
  virtual bool CanSend(Timestamp now) const = 0;
};

}  // namespace aegis::ice
