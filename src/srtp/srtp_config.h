// Settings shared by SrtpSender and SrtpReceiver.
#pragma once

#include <cstddef>

namespace aegis::srtp {

struct SrtpConfig {
  // SSRCs tracked at once per sender or receiver; a packet for one more SSRC
  // gets kTooManySsrcs. Bounds memory whatever SSRCs a peer invents.
  size_t max_ssrcs = 64;
};

}  // namespace aegis::srtp
