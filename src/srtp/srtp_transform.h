// The SRTP packet transform (RFC 3711 §3.1, RFC 7714 §7–8), stateless: the
// sender and receiver decide the index and keep the state.
//
//   0                   1                   2                   3
//   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
//  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+<+
//  |V=2|P|X|  CC   |M|     PT      |       sequence number         | |
//  |                           timestamp                           | |
//  |           synchronization source (SSRC) identifier            | |
//  |            contributing source (CSRC) identifiers  ....       | |
//  |                   RTP extension (OPTIONAL)                    | |
//  +>+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+ |
//  | |                          payload  ...                         | |
//  | |                               +-------------------------------+ |
//  | |                               | RTP padding   | RTP pad count | |
//  +>+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+<+
//  | :                 authentication tag                            : |
//  | +- - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - -+ |
//  +- Encrypted Portion                       Authenticated Portion ---+
//
// AES-CM: tag = HMAC-SHA1(auth key, authenticated portion || ROC)[0..n).
// AES-GCM: AAD = header, plaintext = payload, tag = the 16-byte GCM tag.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>

#include "base/result.h"
#include "srtp/packet_cipher.h"
#include "srtp/srtp_error.h"

namespace aegis::srtp {

inline constexpr size_t kRtpFixedHeaderSize = 12;
// Largest packet (plain or protected) the layer accepts: an RTP packet in
// one UDP datagram or one RFC 4571 frame can never be larger.
inline constexpr size_t kMaxPacketSize = 65535;

struct ProtectedRtpHeader {
  size_t header_size;
  uint16_t sequence_number;
  uint32_t ssrc;
};

// Reads the cleartext header of a protected packet (`packet` without the
// tag). RtpPacketView cannot be used here: its padding check reads the last
// payload byte, which is still ciphertext. kTooShort below 12 bytes,
// kBadHeader for a version other than 2 or a CSRC list / extension that does
// not fit.
Result<ProtectedRtpHeader, Error> ReadProtectedRtpHeader(std::span<const uint8_t> packet);

// Encrypts packet[header_size..) in place and writes the tag at
// packet.end() (out.size() >= packet.size() + tag_size()).
bool SealRtp(PacketCipher& cipher, std::span<uint8_t> packet, size_t header_size, uint32_t ssrc, uint64_t index,
             std::span<uint8_t> tag_out);

// Verifies `tag` over `packet` and, if it verifies, decrypts in place.
bool OpenRtp(PacketCipher& cipher, std::span<uint8_t> packet, size_t header_size, uint32_t ssrc, uint64_t index,
             std::span<const uint8_t> tag);

}  // namespace aegis::srtp
