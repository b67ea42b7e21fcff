// The SRTCP packet transform (RFC 3711 §3.4, RFC 7714 §9), stateless.
//
// AES-CM + HMAC-SHA1 (RFC 3711 §3.4):
//   0                   1                   2                   3
//   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
//  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+<+
//  |V=2|P|    RC   |   PT=SR or RR   |             length          | |
//  |                         SSRC of sender                        | |
//  +>+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+ |
//  | |                   sender info / report blocks ...             | |
//  | |               (more RTCP packets of the compound)             | |
//  +>+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+ |
//  | |E|                         SRTCP index                         | |
//  | +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+<+
//  | :                     authentication tag                        : |
//  +- Encrypted Portion (if E)                 Authenticated Portion --+
//
// AES-GCM (RFC 7714 §9): the tag comes BEFORE the E|index word.
//   E=1: header(8) | ciphertext | tag(16) | E|index   AAD = header(8) || E|index
//   E=0: packet    |              tag(16) | E|index   AAD = packet || E|index
//
// The 31-bit SRTCP index never wraps: 0x7fffffff is the last usable index
// under a key.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>

#include "base/result.h"
#include "srtp/packet_cipher.h"
#include "srtp/srtp_error.h"

namespace aegis::srtp {

inline constexpr size_t kRtcpHeaderSize = 8;
inline constexpr size_t kSrtcpIndexSize = 4;
inline constexpr uint32_t kMaxSrtcpIndex = 0x7fffffff;
inline constexpr uint32_t kSrtcpEFlag = 0x80000000;

// The sender SSRC of the RTCP packet in `rtcp` (without SRTCP trailer),
// read from its first 8 bytes. kTooShort below 8 bytes; kBadHeader for a
// version other than 2.
Result<uint32_t, Error> ReadRtcpSenderSsrc(std::span<const uint8_t> rtcp);

// Protects `rtcp` in place with E=1, writing the trailer (tag and E|index,
// in the profile's order) into `trailer_out` (tag_size() + 4 bytes right
// after `rtcp`).
bool SealRtcp(PacketCipher& cipher, std::span<uint8_t> rtcp, uint32_t ssrc, uint32_t index,
              std::span<uint8_t> trailer_out);

// Where the E|index word and the tag sit in a protected packet.
struct SrtcpTrailer {
  size_t rtcp_size;  // bytes before the trailer
  uint32_t e_and_index;
  bool encrypted() const { return (e_and_index & kSrtcpEFlag) != 0; }
  uint32_t index() const { return e_and_index & kMaxSrtcpIndex; }
};
// `packet` must be at least kRtcpHeaderSize + tag + 4 bytes.
SrtcpTrailer ReadSrtcpTrailer(const PacketCipher& cipher, std::span<const uint8_t> packet);

// Verifies and (if E) decrypts `packet` in place.
bool OpenRtcp(PacketCipher& cipher, std::span<uint8_t> packet, uint32_t ssrc, const SrtcpTrailer& trailer);

}  // namespace aegis::srtp
