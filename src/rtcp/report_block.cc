#include "rtcp/report_block.h"

#include <algorithm>

namespace aegis::rtcp {

ReportBlock ReportBlock::Read(ByteReader& r) {
  ReportBlock b;
  b.source = Ssrc(r.U32());
  b.fraction_lost = r.U8();
  const uint32_t lost = r.U24();
  b.cumulative_lost = (lost & 0x800000) ? static_cast<int32_t>(lost) - 0x1000000 : static_cast<int32_t>(lost);
  b.extended_highest_sequence = r.U32();
  b.jitter = r.U32();
  b.last_sr = r.U32();
  b.delay_since_last_sr = r.U32();
  return b;
}

void ReportBlock::WriteTo(ByteWriter& w) const {
  w.U32(source.value());
  w.U8(fraction_lost);
  const int32_t lost = std::clamp(cumulative_lost, kMinCumulativeLost, kMaxCumulativeLost);
  w.U24(static_cast<uint32_t>(lost) & 0xffffff);
  w.U32(extended_highest_sequence);
  w.U32(jitter);
  w.U32(last_sr);
  w.U32(delay_since_last_sr);
}

}  // namespace aegis::rtcp
