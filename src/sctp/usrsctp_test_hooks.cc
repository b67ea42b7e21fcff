#include "sctp/usrsctp_test_hooks.h"

#include <sys/time.h>
#include <time.h>

#include <cstddef>

namespace aegis::sctp::testing {
namespace {

uint64_t g_random_state = 0x5eed;
uint64_t g_random_calls = 0;
const Clock* g_clock = nullptr;
uint64_t g_clock_reads = 0;
// 2023-11-14T22:13:20Z: any fixed, plausible wall-clock origin.
constexpr int64_t kEpochSeconds = 1'700'000'000;

uint64_t NextRandom() {  // splitmix64
  uint64_t z = (g_random_state += 0x9e3779b97f4a7c15ULL);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

}  // namespace

void SeedUsrsctpRandom(uint64_t seed) { g_random_state = seed; }
uint64_t UsrsctpRandomCalls() { return g_random_calls; }
void SetSimulatedWallClock(const Clock* clock) { g_clock = clock; }
uint64_t SimulatedWallClockReads() { return g_clock_reads; }

}  // namespace aegis::sctp::testing

namespace t = aegis::sctp::testing;

// Replaces usrsctp's read_random() (user_environment.c).
extern "C" void read_random(void* buffer, size_t size) {
  auto* out = static_cast<unsigned char*>(buffer);
  ++t::g_random_calls;
  for (size_t i = 0; i < size; i += 8) {
    const uint64_t v = t::NextRandom();
    for (size_t j = 0; j < 8 && i + j < size; ++j) out[i + j] = static_cast<unsigned char>(v >> (8 * j));
  }
}

// Replaces libc's gettimeofday() for every caller in the process; without a
// simulated clock it answers from CLOCK_REALTIME as libc would.
extern "C" int gettimeofday(struct timeval* __restrict tv, void* __restrict /*tz*/) noexcept {
  if (t::g_clock != nullptr) {
    ++t::g_clock_reads;
    const int64_t us = t::g_clock->Now().us();
    tv->tv_sec = static_cast<time_t>(t::kEpochSeconds + us / 1'000'000);
    tv->tv_usec = static_cast<suseconds_t>(us % 1'000'000);
    return 0;
  }
  timespec ts;
  clock_gettime(CLOCK_REALTIME, &ts);
  tv->tv_sec = ts.tv_sec;
  tv->tv_usec = static_cast<suseconds_t>(ts.tv_nsec / 1000);
  return 0;
}
