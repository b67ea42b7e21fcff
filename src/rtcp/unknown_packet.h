// A packet this layer does not interpret: an unknown packet type, or an
// RTPFB/PSFB format other than NACK, TWCC, PLI, FIR and REMB. RFC 3550
// receivers skip such packets; we keep them raw so they can be logged or
// passed on. Their framing (version, length, padding) is still checked.
//
//     0                   1                   2                   3
//     0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
//    +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//    |V=2|P|  count  |      PT       |             length            |
//    +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//    :            body (length words, padding included)              :
#pragma once

#include <cstdint>
#include <vector>

#include "base/byte_writer.h"
#include "rtcp/common_header.h"

namespace aegis::rtcp {

struct UnknownPacket {
  uint8_t count = 0;  // 5 bits
  uint8_t packet_type = 0;
  bool padding = false;       // the body's last byte counts padding; only on a last packet
  std::vector<uint8_t> body;  // as received: whole words, padding included

  static UnknownPacket FromHeader(const CommonHeader& header) {
    return UnknownPacket{header.count, header.packet_type, header.padding,
                         std::vector<uint8_t>(header.body.begin(), header.body.end())};
  }
  // False if a field or length cannot be encoded, or the padding count is
  // invalid; SerializeTo then writes nothing.
  bool CanSerialize() const {
    if (count > kMaxCount || body.size() % 4 != 0 || body.size() > kMaxBodySize) return false;
    return !padding || (!body.empty() && body.back() != 0 && body.back() <= body.size());
  }
  void SerializeTo(std::vector<uint8_t>& out) const {
    if (!CanSerialize()) return;
    const size_t start = BeginPacket(out, count, packet_type);
    if (padding) out[start] |= 0x20;
    ByteWriter(out).Bytes(body);
    EndPacket(out, start);
  }
  bool operator==(const UnknownPacket&) const = default;
};

}  // namespace aegis::rtcp
