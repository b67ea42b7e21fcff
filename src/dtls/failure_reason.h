// Why a DTLS handshake or connection failed. Every failure the engine reports
// carries one of these, so the transport can log and count it without
// parsing OpenSSL error strings.
#pragma once

#include <string_view>

namespace aegis::dtls {

enum class FailureReason {
  // No handshake within the time budget or the retransmission budget.
  kTimeout,
  // The peer's certificate does not hash to the a=fingerprint from its SDP.
  kFingerprintMismatch,
  // The peer sent a fatal alert.
  kPeerAlert,
  // Anything else OpenSSL refused: bad messages, no shared cipher, ...
  kProtocolError,
  // use_srtp negotiated no profile both sides accept.
  kNoSrtpProfile,
  // The peer sent no certificate.
  kNoCertificate,
};

constexpr std::string_view ToString(FailureReason r) {
  switch (r) {
    case FailureReason::kTimeout: return "timeout";
    case FailureReason::kFingerprintMismatch: return "fingerprint-mismatch";
    case FailureReason::kPeerAlert: return "peer-alert";
    case FailureReason::kProtocolError: return "protocol-error";
    case FailureReason::kNoSrtpProfile: return "no-srtp-profile";
    case FailureReason::kNoCertificate: return "no-certificate";
  }
  return "unknown";
}

}  // namespace aegis::dtls
