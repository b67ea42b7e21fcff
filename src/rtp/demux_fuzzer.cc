// Demux over arbitrary datagrams: it must never read past the end, and its
// answer must agree with the ranges of RFC 9443 §3 and RFC 5761 §4.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <span>

#include "rtp/demux.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using aegis::rtp::Demux;
  using aegis::rtp::DemuxKind;
  const std::span<const uint8_t> datagram(data, size);
  const DemuxKind kind = Demux(datagram);
  if (size == 0) {
    if (kind != DemuxKind::kDrop) abort();
    return 0;
  }
  const uint8_t b = data[0];
  bool ok = false;
  switch (kind) {
    case DemuxKind::kStun: ok = b <= 3; break;
    case DemuxKind::kDtls: ok = b >= 20 && b <= 63; break;
    case DemuxKind::kTurnChannel: ok = b >= 64 && b <= 79; break;
    case DemuxKind::kRtp: ok = b >= 128 && b <= 191 && size >= 2 && !((data[1] & 0x7f) >= 64 && (data[1] & 0x7f) <= 95); break;
    case DemuxKind::kRtcp: ok = b >= 128 && b <= 191 && size >= 2 && (data[1] & 0x7f) >= 64 && (data[1] & 0x7f) <= 95; break;
    case DemuxKind::kDrop:
      ok = (b >= 4 && b <= 19) || (b >= 80 && b <= 127) || b >= 192 || (b >= 128 && b <= 191 && size < 2);
      break;
  }
  if (!ok) abort();
  return 0;
}
