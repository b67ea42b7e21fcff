#include "rtp/demux.h"

namespace aegis::rtp {
namespace {

// 128..191 answers kRtp here; Demux splits off RTCP by the second byte.
DemuxKind ClassifyFirstByte(uint8_t b) {
  if (b <= 3) return DemuxKind::kStun;
  if (b >= 20 && b <= 63) return DemuxKind::kDtls;
  if (b >= 64 && b <= 79) return DemuxKind::kTurnChannel;
  if (b >= 128 && b <= 191) return DemuxKind::kRtp;
  return DemuxKind::kDrop;  // 4..19 (incl. ZRTP 16..19), 80..127, 192..255
}

}  // namespace

bool IsRtcpSecondByte(uint8_t second_byte) {
  const uint8_t pt = second_byte & 0x7f;
  return pt >= 64 && pt <= 95;
}

DemuxKind Demux(std::span<const uint8_t> datagram) {
  if (datagram.empty()) return DemuxKind::kDrop;
  const DemuxKind kind = ClassifyFirstByte(datagram[0]);
  if (kind != DemuxKind::kRtp) return kind;
  if (datagram.size() < 2) return DemuxKind::kDrop;
  return IsRtcpSecondByte(datagram[1]) ? DemuxKind::kRtcp : DemuxKind::kRtp;
}

}  // namespace aegis::rtp
