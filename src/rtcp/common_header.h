// The header every RTCP packet starts with, and compound framing
// (RFC 3550 §6.4.1, §6.1, Appendix A.2):
//
//     0                   1                   2                   3
//     0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
//    +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//    |V=2|P|  count  |      PT       |             length            |
//    +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//
// count is RC (SR/RR), SC (SDES/BYE), subtype (APP) or FMT (RTPFB/PSFB).
// length is the packet size in 32-bit words minus one, header included.
// If P is set, the last byte of the packet counts the padding bytes,
// itself included; only the last packet of a compound may be padded.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "base/byte_reader.h"
#include "base/result.h"
#include "rtcp/parse_error.h"

namespace aegis::rtcp {

inline constexpr uint8_t kVersion = 2;
inline constexpr size_t kHeaderSize = 4;
inline constexpr uint8_t kMaxCount = 31;             // the 5-bit count field
inline constexpr size_t kMaxBodySize = 65535 * 4;   // the 16-bit length field

// Packet types (RFC 3550 §12.1, RFC 4585 §6.1).
inline constexpr uint8_t kTypeSr = 200;
inline constexpr uint8_t kTypeRr = 201;
inline constexpr uint8_t kTypeSdes = 202;
inline constexpr uint8_t kTypeBye = 203;
inline constexpr uint8_t kTypeApp = 204;
inline constexpr uint8_t kTypeRtpfb = 205;
inline constexpr uint8_t kTypePsfb = 206;

struct CommonHeader {
  uint8_t count = 0;
  uint8_t packet_type = 0;
  bool padding = false;
  std::span<const uint8_t> body;     // all bytes after the header, padding included
  std::span<const uint8_t> payload;  // body without the padding
};

// Reads one packet (header and body) from a compound reader and checks its
// framing. `r` must be non-empty.
Result<CommonHeader, ParseError> ReadPacket(ByteReader& r);

// Serialization: BeginPacket writes a header with a placeholder length and
// returns its offset; EndPacket zero-pads the body to a word boundary and
// patches the length. The caller keeps the body within kMaxBodySize.
size_t BeginPacket(std::vector<uint8_t>& out, uint8_t count, uint8_t packet_type);
void EndPacket(std::vector<uint8_t>& out, size_t start);

}  // namespace aegis::rtcp
