// RTX, the RTP retransmission payload format (RFC 4588 §4): a lost packet
// is sent again on its own SSRC and payload type, with its own sequence
// numbers, and its payload starts with the original sequence number (OSN):
//
//   | RTP header of the original: CSRCs, extensions, timestamp, marker kept;
//   |   SSRC, PT, sequence number the retransmission stream's own         |
//   | OSN (16 bits) | original payload ...                                 |
//
// Sent on its own SSRC, a retransmission never reuses an SRTP index. Both
// directions drop the original's padding (it carries nothing).
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>

#include "base/strong_id.h"
#include "rtp/rtp_packet.h"
#include "rtp/transport_sequence.h"

namespace aegis::rtp {

inline constexpr size_t kRtxOsnSize = 2;

inline size_t RtxSize(const RtpPacketView& original) {
  return original.header_size() + kRtxOsnSize + original.payload_size();
}

// The retransmission of `original` into `out`, announcing `original_sequence`
// as its OSN (the number the receiver saw, which an SFU may have rewritten).
// Returns the size written, 0 if `out` is shorter than RtxSize(original).
size_t WriteRtx(const RtpPacketView& original, Ssrc rtx_ssrc, uint8_t rtx_payload_type, uint16_t rtx_sequence,
                uint16_t original_sequence, std::span<uint8_t> out);

// The same for a receiver that negotiated transport-wide sequence numbers:
// the original's extension block replaced by `transport` (transport_sequence.h).
inline size_t RtxSizeWithTransportSequence(const RtpPacketView& original) {
  return HeaderSizeWithTransportSequence(original) + kRtxOsnSize + original.payload_size();
}
size_t WriteRtx(const RtpPacketView& original, Ssrc rtx_ssrc, uint8_t rtx_payload_type, uint16_t rtx_sequence,
                uint16_t original_sequence, TransportSequence transport, std::span<uint8_t> out);

// The original packet carried by `rtx` into `out`: `media_ssrc` and
// `media_payload_type` (the apt), the OSN as sequence number. Returns the
// size written; 0 if the payload has no OSN (a padding-only packet, which
// senders use for bandwidth probing) or `out` is too short.
size_t RecoverFromRtx(const RtpPacketView& rtx, Ssrc media_ssrc, uint8_t media_payload_type, std::span<uint8_t> out);

}  // namespace aegis::rtp
