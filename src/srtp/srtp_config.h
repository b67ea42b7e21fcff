// Settings shared by SrtpSender and SrtpReceiver.
#pragma once

#include <cstddef>

namespace aegis::srtp {

struct SrtpConfig {
  // SSRCs tracked at once per sender or receiver; a packet for one more SSRC
  // gets kTooManySsrcs. Bounds memory whatever SSRCs a peer invents (128
  // bytes of replay window each). A subscriber connection carries up to 64
  // sections, each video one with an RTX SSRC, plus the RTCP sender's.
  size_t max_ssrcs = 160;
};

}  // namespace aegis::srtp
