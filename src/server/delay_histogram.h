// How long the server holds a datagram: from its arrival at a media
// worker's socket (the kernel's receive timestamp, SO_TIMESTAMPNS) to the
// sendmmsg that hands each datagram it caused (forwarded media, replies)
// back to the kernel. Fixed buckets, Prometheus style (cumulative when
// written: aegis_forward_delay_seconds in server/metrics.cc), counted on the
// worker's thread only.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>

namespace aegis::server {

struct DelayHistogram {
  // Upper bounds, in nanoseconds; finer around the 1 ms the SFU should stay under.
  static constexpr std::array<int64_t, 15> kBoundsNs = {
      50'000,    100'000,   200'000,   300'000,    500'000,    750'000,    1'000'000,  1'500'000,
      2'000'000, 3'000'000, 5'000'000, 10'000'000, 25'000'000, 50'000'000, 100'000'000};

  void Observe(int64_t ns) {
    size_t i = 0;
    while (i < kBoundsNs.size() && ns > kBoundsNs[i]) ++i;
    ++counts[i];
    ++count;
    sum_ns += ns > 0 ? static_cast<uint64_t>(ns) : 0;
  }

  // Per bucket, not cumulative; the last counts what is above every bound.
  std::array<uint64_t, kBoundsNs.size() + 1> counts{};
  uint64_t count = 0;
  uint64_t sum_ns = 0;
};

}  // namespace aegis::server
