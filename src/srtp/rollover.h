// SRTP packet index estimation (RFC 3711 §3.3.1, Appendix A).
//
// The 48-bit index is ROC || SEQ; only SEQ travels in the packet. Given the
// highest index seen so far (ROC and s_l), a new SEQ is placed in whichever
// of ROC-1, ROC, ROC+1 puts it closest to s_l:
//
//   if s_l < 32768:  v = (SEQ - s_l > 32768) ? ROC-1 : ROC
//   else:            v = (s_l - 32768 > SEQ) ? ROC+1 : ROC
//   index = v·65536 + SEQ
#pragma once

#include <cstdint>

#include "base/result.h"
#include "srtp/srtp_error.h"

namespace aegis::srtp {

inline constexpr uint64_t kMaxSrtpIndex = (uint64_t{1} << 48) - 1;

inline uint32_t RocOf(uint64_t index) { return static_cast<uint32_t>(index >> 16); }

// The index of `seq` relative to `highest`. kTooOld if it would fall before
// index 0 (ROC-1 with ROC = 0), kIndexExhausted if past 2^48 - 1.
Result<uint64_t, Error> EstimateSrtpIndex(uint64_t highest, uint16_t seq);

}  // namespace aegis::srtp
