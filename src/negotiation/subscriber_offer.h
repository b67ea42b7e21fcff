// The server as offerer, for a subscriber PeerConnection: the server sends
// forwarded tracks to a browser on their own connection, so it writes the
// offer (JSEP, RFC 8829 §5.2) and checks the browser's answer (§5.10).
//
// The offer is unified plan and max-bundle: one sendonly m-section per
// forwarded track, all in one BUNDLE group, ICE-lite with the server's host
// candidates, a=setup:actpass (browsers answer active, leaving the server the
// DTLS server role that picks the SRTP profile). Codecs are fixed: Opus for
// audio, VP8 for video, with the payload types below; video also offers RTX
// (RFC 4588, apt=VP8) on its own SSRC, paired by a=ssrc-group:FID, which
// carries the SFU's retransmissions of packets the browser NACKs. One RTP
// header extension is offered, the transport-wide sequence number with
// transport-cc feedback (rtp/transport_sequence.h): the SFU numbers what it
// sends and judges the path from the browser's arrival times. Forwarded
// packets carry that element alone (a client that did not take it gets the
// publisher's elements, under ids negotiated with nobody here). There is no
// mid extension, so the browser demultiplexes by SSRC, and every active
// section announces its SSRC.
//
// An ended track keeps its section as a=inactive (no msid, no SSRC), so mids
// stay stable and the BUNDLE tag never goes away.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "base/result.h"
#include "dtls/dtls_endpoint.h"
#include "dtls/fingerprint.h"
#include "ice/ice_credentials.h"
#include "negotiation/answer.h"
#include "sdp/session_description.h"

namespace aegis::negotiation {

// Payload types the server offers downstream (the answerer must use the offerer's PTs).
inline constexpr uint8_t kSubscriberOpusPayloadType = 111;
inline constexpr uint8_t kSubscriberVp8PayloadType = 96;
inline constexpr uint8_t kSubscriberRtxPayloadType = 97;
// The transport-wide sequence number's id in every section (one BUNDLE: one id).
inline constexpr uint8_t kSubscriberTransportSequenceId = 3;

// Older Chrome releases refuse a mid over 16 characters (webrtc's kMidMaxSize, later raised to 32).
inline constexpr size_t kMaxSubscriberMidLength = 16;
inline constexpr size_t kMaxSubscriberSections = 64;

// One m-section of the subscriber connection: one forwarded track.
struct OfferedTrack {
  std::string mid;            // stable for the connection's lifetime, e.g. "0","1",...
  sdp::MediaKind kind = sdp::MediaKind::kAudio;  // audio or video only
  uint32_t ssrc = 0;          // the downstream SSRC the server sends this track on (non-zero)
  std::string stream_id;      // a=msid stream id: the publisher's participant id
  std::string track_id;       // a=msid track id: the SFU track id
  bool active = true;         // false: the track ended; section kept as a=inactive so BUNDLE stays alive
  uint32_t rtx_ssrc = 0;      // video: its retransmissions' SSRC (0: none); audio: 0
};

// The offer for the subscriber connection; `version` is the o= line's
// session version (increment on every re-offer). Sections appear in `tracks`
// order and the first one is the BUNDLE tag. Every track, active or not,
// must have: a mid of 1..16 characters [A-Za-z0-9_-], unique; kind audio or
// video; a non-zero SSRC, unique (RTX SSRCs too, and none on audio); stream and track ids of 1..64 characters
// [A-Za-z0-9_-]. Errors:
//   kBadConfig        a track breaks one of those rules, or there is none, or
//                     `local` cannot make a valid WebRTC offer (`policy` says why);
//   kTooManySections  more than kMaxSubscriberSections tracks.
Result<sdp::SessionDescription, NegotiationError> BuildSubscriberOffer(const LocalParameters& local, uint64_t version,
                                                                      std::span<const OfferedTrack> tracks);

struct SubscriberAnswer {
  ice::IceCredentials remote_ice;
  dtls::Fingerprint remote_fingerprint;
  dtls::DtlsRole local_dtls_role = dtls::DtlsRole::kServer;
  // Sections the browser rejected (port 0, outside BUNDLE), e.g. after the
  // application stopped their transceiver: nothing reaches it on these.
  std::vector<std::string> rejected_mids;
  // Accepted video sections whose answer dropped the RTX payload type we
  // offered: nothing is retransmitted on them.
  std::vector<std::string> without_rtx_mids;
  // The transport-wide sequence number's id if the answer kept the
  // extension as offered (and transport-cc feedback with it).
  std::optional<uint8_t> transport_sequence_id;
};

// Checks the browser's answer against the offer we sent (the description
// BuildSubscriberOffer returned). Errors:
//   kPolicy          sdp::ValidateForWebRtc(answer, kAnswer) fails, which
//                    includes a missing fingerprint or ICE credentials and
//                    a=setup:actpass or no a=setup at all;
//   kAnswerMismatch  not the same sections (count, mids, order, kinds,
//                    protocols), or a payload type or codec we did not offer;
//   kNoBundle        no single BUNDLE group starting with our tag (so also a
//                    rejected tag), or an accepted section outside it;
//   kBadFingerprint  no fingerprint the DTLS layer can use on the tag;
//   kBadDirection    an answer that would send media to the server
//                    (sendrecv/sendonly), or not inactive for an inactive offer.
Result<SubscriberAnswer, NegotiationError> AcceptSubscriberAnswer(const sdp::SessionDescription& offer,
                                                                 const sdp::SessionDescription& answer);

}  // namespace aegis::negotiation
