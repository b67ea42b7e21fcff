// Answering a WebRTC offer as the server (JSEP answerer, RFC 8829 §5.3),
// for one BUNDLEd transport:
// - the offer must pass sdp::ValidateForWebRtc (no SDES, DTLS fingerprints,
//   rtcp-mux, ICE credentials);
// - audio keeps only Opus and video only VP8 (what the SFU forwards), and
//   for video the RTX payload types (RFC 4588) whose apt is a kept VP8 one;
//   a section with neither, or of another kind, is rejected with port 0;
// - data channels (UDP/DTLS/SCTP) are accepted;
// - the answer is ICE-lite with the server's host candidates, and takes the
//   DTLS server role (a=setup:passive), so that it picks the SRTP profile
//   (AEAD_AES_128_GCM first), unless the offer is passive itself.
// It returns the answer and what the transport needs from the offer.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "base/random.h"
#include "base/result.h"
#include "dtls/dtls_endpoint.h"
#include "dtls/fingerprint.h"
#include "ice/ice_credentials.h"
#include "sdp/session_description.h"
#include "sdp/webrtc_policy.h"
#include "stun/transport_address.h"

namespace aegis::negotiation {

struct LocalParameters {
  ice::IceCredentials ice;
  dtls::Fingerprint fingerprint;
  std::vector<stun::TransportAddress> candidates;  // host candidates, in preference order
  uint64_t session_id = 0;
  std::string cname = "aegis";
};

struct RtxPayloadTypePair {
  uint8_t rtx = 0;
  uint8_t media = 0;  // its apt
  bool operator==(const RtxPayloadTypePair&) const = default;
};
struct RtxSsrcPair {  // a=ssrc-group:FID <media> <rtx>
  uint32_t media = 0;
  uint32_t rtx = 0;
  bool operator==(const RtxSsrcPair&) const = default;
};

// One accepted audio or video section.
struct AcceptedMedia {
  std::string mid;
  sdp::MediaKind kind = sdp::MediaKind::kAudio;
  std::vector<uint8_t> payload_types;    // accepted media PTs (no RTX), offer order
  std::vector<RtxPayloadTypePair> rtx_payload_types;  // accepted RTX PTs
  std::vector<uint32_t> remote_ssrcs;    // the offer's a=ssrc lines, without the RTX SSRCs
  std::vector<RtxSsrcPair> remote_rtx_ssrcs;  // the offer's FID groups over those SSRCs
  uint32_t local_ssrc = 0;               // what the server sends on, announced in the answer
  uint32_t local_rtx_ssrc = 0;           // its retransmissions, if RTX was accepted and the server sends
  std::optional<uint8_t> mid_extension;  // RFC 8843 mid header extension id
  // The transport-wide sequence number's id, when AnswerOptions asked for it
  // and the offer had it (with its transport-cc feedback kept).
  std::optional<uint8_t> transport_sequence_extension;
  sdp::Direction direction = sdp::Direction::kSendRecv;  // the answer's direction
};

struct Answer {
  sdp::SessionDescription sdp;
  ice::IceCredentials remote_ice;
  dtls::Fingerprint remote_fingerprint;
  dtls::DtlsRole local_dtls_role = dtls::DtlsRole::kServer;
  std::vector<AcceptedMedia> media;
  std::optional<uint16_t> remote_sctp_port;  // set if a data channel section was accepted
  uint64_t remote_max_message_size = 65536;
};

enum class NegotiationErrorCode {
  kPolicy,            // see policy
  kNoUsableSection,   // nothing in the offer can be accepted
  kNoBundle,          // sections are not BUNDLEd into one transport
  kBadFingerprint,    // a fingerprint the DTLS layer cannot use
  kTooManySections,
  kBadConfig,         // the server's own input (tracks, local parameters) cannot make a valid offer
  kAnswerMismatch,    // the answer's sections, mids, kinds or payload types do not match our offer
  kBadDirection,      // the answer's direction contradicts what we offered
};

struct NegotiationError {
  NegotiationErrorCode code;
  std::optional<sdp::PolicyViolation> policy;
};

struct AnswerOptions {
  // Keep the offer's transport-wide sequence number and transport-cc
  // feedback: the answerer promises to report arrivals (an SFU's publisher
  // connection does; an endpoint that sends no feedback must not).
  bool transport_feedback = false;
};

Result<Answer, NegotiationError> AnswerOffer(const sdp::SessionDescription& offer, const LocalParameters& local,
                                             RandomSource& rng, AnswerOptions options = {});

}  // namespace aegis::negotiation
