// Data channel vocabulary shared by the association and its users: PPIDs
// (RFC 8831 §8), reliability (RFC 8831 §6.1, RFC 8832 §5.1) and the state we
// keep per channel.
#pragma once

#include <cstdint>
#include <string>

#include "sctp/dcep.h"

namespace aegis::sctp {

// SCTP Payload Protocol Identifiers used by WebRTC (RFC 8831 §8). 52 and 54
// (PPID-based fragmentation) are deprecated; we never send them and drop them.
enum class Ppid : uint32_t {
  kDcep = 50,
  kString = 51,
  kBinaryPartial = 52,
  kBinary = 53,
  kStringPartial = 54,
  kStringEmpty = 56,
  kBinaryEmpty = 57,
};

enum class ReliabilityPolicy : uint8_t {
  kReliable,        // retransmit until acknowledged
  kMaxRetransmits,  // PR-SCTP RTX policy (RFC 7496): value = retransmissions
  kMaxLifetime,     // PR-SCTP TTL policy (RFC 3758): value = milliseconds
};

struct ChannelReliability {
  bool ordered = true;
  ReliabilityPolicy policy = ReliabilityPolicy::kReliable;
  uint32_t value = 0;  // ignored (and 0) for kReliable

  bool operator==(const ChannelReliability&) const = default;
};

// The DCEP encoding of a reliability, and back. A reliable channel's
// parameter is ignored on receipt (RFC 8832 §5.1), so it decodes to 0.
inline DcepChannelType ToChannelType(const ChannelReliability& r) {
  const uint8_t unordered = r.ordered ? 0x00 : 0x80;
  uint8_t base = 0x00;
  if (r.policy == ReliabilityPolicy::kMaxRetransmits) base = 0x01;
  if (r.policy == ReliabilityPolicy::kMaxLifetime) base = 0x02;
  return static_cast<DcepChannelType>(base | unordered);
}

inline ChannelReliability FromDcep(DcepChannelType type, uint32_t parameter) {
  const uint8_t raw = static_cast<uint8_t>(type);
  ChannelReliability r;
  r.ordered = (raw & 0x80) == 0;
  switch (raw & 0x7f) {
    case 0x01: r.policy = ReliabilityPolicy::kMaxRetransmits; r.value = parameter; break;
    case 0x02: r.policy = ReliabilityPolicy::kMaxLifetime; r.value = parameter; break;
    default: r.policy = ReliabilityPolicy::kReliable; r.value = 0; break;
  }
  return r;
}

// What the application asks for when it opens a channel.
struct ChannelOptions {
  std::string label;
  std::string protocol;
  ChannelReliability reliability;
  uint16_t priority = 256;  // "normal" in the W3C/RFC 8831 §6.4 mapping
};

enum class ChannelState : uint8_t {
  kOpening,  // we sent DATA_CHANNEL_OPEN and wait for the ACK
  kOpen,
  kClosing,  // our outgoing stream reset is pending or sent
};

struct DataChannel {
  uint16_t stream_id = 0;
  std::string label;
  std::string protocol;
  ChannelReliability reliability;
  uint16_t priority = 0;
  ChannelState state = ChannelState::kOpening;
  bool locally_initiated = false;
  // RFC 8832 §6: until the ACK or any other message arrives on the channel,
  // our user messages go ordered even on an unordered channel.
  bool peer_spoke = false;
  // ChannelOpened was reported (a channel refused by the peer never is).
  bool announced = false;
};

}  // namespace aegis::sctp
