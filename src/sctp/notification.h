// The usrsctp notifications an association acts on, decoded from the bytes
// usrsctp_recvv() returns with MSG_NOTIFICATION. These are usrsctp's own
// host-order structs, not wire data, but they are still read with memcpy
// after a length check rather than by casting the buffer.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <variant>
#include <vector>

namespace aegis::sctp {

struct AssocChangeNotice {
  enum class State : uint8_t { kCommUp, kCommLost, kRestart, kShutdownComplete, kCannotStart, kOther };
  State state = State::kOther;
  uint16_t inbound_streams = 0;
  uint16_t outbound_streams = 0;
};

struct StreamResetNotice {
  bool incoming = false;  // the peer reset its outgoing streams (our incoming)
  bool outgoing = false;  // our outgoing reset was performed
  bool failed = false;    // denied or failed: the streams were not reset
  std::vector<uint16_t> stream_ids;
};

struct SendFailedNotice {};          // a PR-SCTP message was abandoned
struct PartialDeliveryAbortedNotice {};  // the partly delivered message will never complete
struct PeerShutdownNotice {};        // the peer sent SHUTDOWN
struct OtherNotice {
  uint16_t type = 0;
};

using Notification = std::variant<AssocChangeNotice, StreamResetNotice, SendFailedNotice,
                                  PartialDeliveryAbortedNotice, PeerShutdownNotice, OtherNotice>;

// nullopt if the bytes are too short for the notification they claim to be.
std::optional<Notification> ParseNotification(std::span<const uint8_t> bytes);

}  // namespace aegis::sctp
