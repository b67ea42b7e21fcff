// First-byte demultiplexing of datagrams arriving on one 5-tuple
// (RFC 7983 §7 as updated by RFC 9443 §3), and the RTP/RTCP split for
// rtcp-mux (RFC 5761 §4):
//
//                  +----------------+
//                  |        [0..3] -+--> STUN
//                  |       [4..15] -+--> drop
//                  |      [16..19] -+--> ZRTP: drop (not used by WebRTC)
//      packet -->  |      [20..63] -+--> DTLS
//                  |      [64..79] -+--> TURN ChannelData
//                  |     [80..127] -+--> QUIC: drop (we do not use QUIC)
//                  |    [128..191] -+--> RTP or RTCP, by the second byte
//                  |    [192..255] -+--> QUIC: drop
//                  +----------------+
//
// RFC 9443 says 64..79 is TURN only when the datagram comes from a TURN
// server we use, QUIC otherwise. This function sees bytes only, so it
// answers kTurnChannel and the transport drops it unless the source is its
// TURN server.
#pragma once

#include <cstdint>
#include <span>

namespace aegis::rtp {

enum class DemuxKind : uint8_t {
  kDrop,
  kStun,
  kDtls,
  kTurnChannel,
  kRtp,
  kRtcp,
};

// True if the second byte of an RTP/RTCP datagram marks RTCP: its low seven
// bits are 64..95, i.e. the byte is an RTCP packet type 192..223 (SR 200 to
// PSFB 206 and XR 207 among them). RTP payload types 64..95 must not be used
// with rtcp-mux (RFC 5761 §4), so such a byte is never valid RTP either way.
bool IsRtcpSecondByte(uint8_t second_byte);

// Classifies a datagram. Empty datagrams are dropped without reading a byte;
// an RTP/RTCP first byte without a second byte is dropped too. Assumes
// rtcp-mux, which WebRTC requires (RFC 8829 §4.1.1 "require" policy).
DemuxKind Demux(std::span<const uint8_t> datagram);

}  // namespace aegis::rtp
