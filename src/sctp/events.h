// What an SctpAssociation reports through PollEvent(), its errors and its
// counters. Every dropped or refused input is counted, never silent.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "sctp/data_channel.h"

namespace aegis::sctp {

// The association is established (COMMUNICATION_UP); channels may open.
struct Connected {};

// A channel is usable: the peer ACKed our OPEN (locally_initiated), or we
// accepted the peer's OPEN and sent the ACK.
struct ChannelOpened {
  uint16_t stream_id = 0;
  std::string label;
  std::string protocol;
  ChannelReliability reliability;
  uint16_t priority = 0;
  bool locally_initiated = false;
};

// One complete user message. Strings are delivered as their UTF-8 bytes,
// unvalidated; empty messages (PPID 56/57) arrive with empty data.
struct Message {
  uint16_t stream_id = 0;
  bool binary = false;
  std::vector<uint8_t> data;
};

// Both directions of the stream were reset (RFC 8831 §6.7), or the peer
// refused our OPEN; the stream id may be reused.
struct ChannelClosed {
  uint16_t stream_id = 0;
};

// The association ended gracefully (SHUTDOWN completed).
struct Closed {};

enum class FailureReason : uint8_t {
  kCannotStart,     // the handshake gave up (INIT/COOKIE retransmissions)
  kConnectionLost,  // peer ABORT or too many retransmissions
  kSocketError,     // usrsctp refused a socket operation
};
struct Failed {
  FailureReason reason = FailureReason::kConnectionLost;
};

using SctpEvent = std::variant<Connected, ChannelOpened, Message, ChannelClosed, Closed, Failed>;

enum class SctpError : uint8_t {
  kNotConnected,
  kAlreadyStarted,
  kNoSuchChannel,
  kChannelClosing,
  kMessageTooLarge,    // above the peer's a=max-message-size or our send buffer
  kQueueFull,          // the bounded outbound queue has no room
  kNoStreamAvailable,  // every stream id of our parity is in use
  kInvalidLabel,       // label/protocol over 65535 bytes or not UTF-8
  kSendFailed,         // usrsctp refused the message (association going down)
};
std::string_view ToString(SctpError error);

struct SctpStats {
  uint64_t packets_received = 0;
  uint64_t packets_sent = 0;
  uint64_t packets_dropped_malformed = 0;  // shorter than the SCTP common header or oversized
  uint64_t packets_dropped_wrong_port = 0;
  uint64_t packets_dropped_not_running = 0;  // before Connect() or after Closed/Failed
  uint64_t packets_dropped_transmit_full = 0;  // not polled in time; SCTP retransmits them
  uint64_t messages_received = 0;
  uint64_t messages_sent = 0;
  uint64_t inbound_oversize_dropped = 0;   // above our a=max-message-size
  uint64_t outbound_oversize_refused = 0;
  uint64_t outbound_queue_full_refused = 0;
  uint64_t outbound_send_errors = 0;       // usrsctp refused a queued message
  uint64_t messages_abandoned = 0;         // PR-SCTP gave up (SEND_FAILED)
  uint64_t partial_deliveries_aborted = 0;
  uint64_t dcep_rejected = 0;              // malformed OPEN, bad parity, used stream, unordered DCEP
  uint64_t dcep_unexpected_ack = 0;
  uint64_t dcep_wrong_parity_accepted = 0;  // OPENs on the peer's wrong parity, taken when lenient
  uint64_t messages_on_unknown_stream = 0;
  uint64_t messages_unknown_ppid = 0;
  uint64_t streams_reset = 0;              // both directions reset: the id is free again
  uint64_t events_paused = 0;              // times reading stopped because events were not polled
};

}  // namespace aegis::sctp
