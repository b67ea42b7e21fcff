// The RFC 4571 deframer on arbitrary TCP streams, cut into reads at the
// positions the input's first bytes choose. Checks that every packet handed
// out is within bounds and that the packets (re-framed) are a prefix of the
// stream once empty packets are left out.
#include <cstddef>
#include <cstdint>
#include <cstdlib>

#include "transport/rfc4571.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 1) return 0;
  const size_t chunk = size_t{data[0]} + 1;
  std::span<const uint8_t> stream(data + 1, size - 1);
  constexpr size_t kMax = 1500;
  aegis::transport::Rfc4571Deframer deframer(kMax);
  std::vector<uint8_t> reframed;
  for (size_t i = 0; i < stream.size(); i += chunk) {
    const bool ok = deframer.Push(stream.subspan(i, std::min(chunk, stream.size() - i)), [&](std::span<uint8_t> p) {
      if (p.empty() || p.size() > kMax) std::abort();
      (void)aegis::transport::FrameRfc4571(p, reframed);
    });
    if (!ok) break;
  }
  // Every packet came from the stream in order: re-framed, they are the
  // stream with its empty packets (00 00) removed, up to where it stopped.
  size_t at = 0;
  for (size_t r = 0; r < reframed.size();) {
    while (at + 1 < stream.size() && stream[at] == 0 && stream[at + 1] == 0) at += 2;
    if (at >= stream.size() || stream[at] != reframed[r]) std::abort();
    const size_t len = (size_t{reframed[r]} << 8) | reframed[r + 1];
    for (size_t k = 0; k < len + 2; ++k) {
      if (at + k >= stream.size() || stream[at + k] != reframed[r + k]) std::abort();
    }
    at += len + 2;
    r += len + 2;
  }
  return 0;
}
