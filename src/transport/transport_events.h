// What a PeerTransport reports through PollEvent(). Media does not travel as
// events: HandleDatagram() hands plain RTP/RTCP back in the caller's buffer,
// so the forwarding path never allocates.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "dtls/failure_reason.h"
#include "srtp/profile.h"
#include "stun/transport_address.h"

namespace aegis::transport {

// ICE nominated an authenticated address; DTLS now runs to it.
struct IceConnected {
  stun::TransportAddress remote;
};

// DTLS finished, the peer's certificate matched its SDP fingerprint, and the
// SRTP contexts are keyed: media may flow.
struct Connected {
  srtp::Profile profile;
};

enum class FailureCause {
  kDtls,            // see dtls_reason
  kConsentExpired,  // RFC 7675: no authenticated check for 30 s
  kBadSrtpKeys,     // DTLS gave keys the SRTP layer refused (should not happen)
  kSctp,            // the data-channel association failed or could not start
  kIceTimeout,      // no address was nominated within the connect deadline
};
constexpr std::string_view ToString(FailureCause c) {
  switch (c) {
    case FailureCause::kDtls: return "dtls";
    case FailureCause::kConsentExpired: return "consent-expired";
    case FailureCause::kBadSrtpKeys: return "bad-srtp-keys";
    case FailureCause::kSctp: return "sctp";
    case FailureCause::kIceTimeout: return "ice-timeout";
  }
  return "unknown";
}

struct Failed {
  FailureCause cause;
  dtls::FailureReason dtls_reason = dtls::FailureReason::kProtocolError;  // when cause == kDtls
};

// The peer sent close_notify or Close() was called; keys are wiped.
struct Closed {};

// Data channels (RFC 8831), when the transport carries SCTP. Channels can
// be opened once the SCTP association is up.
struct DataChannelsReady {};
struct DataChannelOpened {
  uint16_t stream_id = 0;
  std::string label;
  std::string protocol;
  bool locally_initiated = false;
};
struct DataChannelMessage {
  uint16_t stream_id = 0;
  bool binary = false;
  std::vector<uint8_t> data;
};
struct DataChannelClosed {
  uint16_t stream_id = 0;
};

using TransportEvent =
    std::variant<IceConnected, Connected, Failed, Closed, DataChannelsReady, DataChannelOpened, DataChannelMessage,
                 DataChannelClosed>;

}  // namespace aegis::transport
