// The WebRTC security policy for a parsed description, separate from syntax:
// what Aegis refuses from (and never sends to) a peer. RFC 8827 §6.5 makes
// DTLS-SRTP mandatory and forbids SDES; RFC 8829 (JSEP) fixes the profiles,
// rtcp-mux, ICE credentials, DTLS fingerprint/setup and mids; RFC 8843 BUNDLE.
//
// Transport attributes (ICE, fingerprint, setup, rtcp-mux) are looked up the
// way JSEP places them: in the section itself, else in its BUNDLE-tag section
// (the first mid of its BUNDLE group), else at session level. A section with
// port 0 outside every BUNDLE group is rejected and needs no transport, but
// whatever it does carry is still checked.
#pragma once

#include <cstddef>
#include <optional>
#include <string_view>

#include "base/result.h"
#include "sdp/session_description.h"

namespace aegis::sdp {

enum class PolicyError {
  kSdesCrypto,                  // a=crypto at any level (SDES keys in signaling)
  kKeyInSdp,                    // k= line or a=key-mgmt: keys do not travel in SDP
  kInsecureProfile,             // proto other than {UDP,TCP}/TLS/RTP/SAVPF or [{UDP,TCP}/]DTLS/SCTP
  kMissingMid,                  // JSEP puts a=mid in every section
  kDuplicateMid,
  kBundleMidUnknown,            // a=group:BUNDLE names a mid no section has
  kMidBundledTwice,             // a mid in two BUNDLE groups, or twice in one
  kMissingFingerprint,
  kFingerprintHashNotAllowed,   // anything but sha-256 / sha-384 / sha-512
  kFingerprintLengthMismatch,   // digest length does not match the hash
  kMissingIceCredentials,       // no ice-ufrag or no ice-pwd
  kIceUfragTooShort,            // under 4 characters (RFC 8839 §5.4)
  kIcePwdTooShort,              // under 22 characters (RFC 8839 §5.4)
  kMissingSetup,
  kInvalidSetup,                // holdconn; or actpass in an answer (RFC 8842 §5.3)
  kMissingRtcpMux,              // an RTP section without rtcp-mux (RFC 8829 §5.2.1, 8834)
};

struct PolicyViolation {
  PolicyError error = PolicyError::kSdesCrypto;
  std::optional<size_t> media_index;  // nullopt: session level
  bool operator==(const PolicyViolation&) const = default;
};

enum class SdpType { kOffer, kAnswer };

// The first violation found, or success. The one-argument form does not know
// whether sd is an offer or an answer and accepts either setup role set.
Result<void, PolicyViolation> ValidateForWebRtc(const SessionDescription& sd);
Result<void, PolicyViolation> ValidateForWebRtc(const SessionDescription& sd, SdpType type);

std::string_view ToString(PolicyError e);

}  // namespace aegis::sdp
