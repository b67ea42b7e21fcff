// The common part of RTP and payload-specific feedback (RFC 4585 §6.1):
//
//     0                   1                   2                   3
//     0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
//    +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//    |V=2|P|   FMT   |       PT      |          length               |
//    +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//    |                  SSRC of packet sender                        |
//    +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//    |                  SSRC of media source                         |
//    +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//    :            Feedback Control Information (FCI)                 :
//
// PT is 205 (RTPFB, transport layer) or 206 (PSFB, payload specific).
#pragma once

#include <cstddef>
#include <cstdint>

namespace aegis::rtcp {

inline constexpr size_t kFeedbackHeaderSize = 8;  // the two SSRCs

// FMT values this layer parses; any other FMT is kept as an UnknownPacket.
inline constexpr uint8_t kFmtNack = 1;                // RTPFB, RFC 4585 §6.2.1
inline constexpr uint8_t kFmtTransportFeedback = 15;  // RTPFB, draft-holmer-rmcat-transport-wide-cc-extensions-01
inline constexpr uint8_t kFmtPli = 1;                 // PSFB, RFC 4585 §6.3.1
inline constexpr uint8_t kFmtFir = 4;                 // PSFB, RFC 5104 §4.3.1
inline constexpr uint8_t kFmtAfb = 15;                // PSFB application layer; REMB is one

}  // namespace aegis::rtcp
