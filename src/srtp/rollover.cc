#include "srtp/rollover.h"

namespace aegis::srtp {

Result<uint64_t, Error> EstimateSrtpIndex(uint64_t highest, uint16_t seq) {
  const uint64_t roc = highest >> 16;
  const uint32_t s_l = static_cast<uint32_t>(highest & 0xffff);
  if (s_l < 32768) {
    if (seq > s_l && seq - s_l > 32768) {
      if (roc == 0) return Err{Error::kTooOld};  // would precede the first packet
      return ((roc - 1) << 16) | seq;
    }
  } else if (s_l - 32768 > seq) {
    if (roc == kMaxSrtpIndex >> 16) return Err{Error::kIndexExhausted};
    return ((roc + 1) << 16) | seq;
  }
  return (roc << 16) | seq;
}

}  // namespace aegis::srtp
