// Test and fuzz builds only: takes usrsctp's two hidden inputs away from
// the system so runs in simulated time replay exactly and behave as they
// would in real time.
//
// - Randomness: usrsctp draws verification tags, initial TSNs and cookie
//   secrets through read_random(); a seeded sequence replaces it.
// - Wall clock: besides the timer wheel we drive (sctp_stack.h), usrsctp
//   calls gettimeofday() for RTT samples, cookie lifetime, and to decide
//   which chunks are old enough to retransmit when T3-rtx fires. In real
//   time that clock moves with ours; in a simulation it would stand still,
//   and T3 would back off without ever retransmitting. While a simulated
//   clock is set, gettimeofday() returns it.
//
// Both work by interposition: usrsctp calls read_random() and gettimeofday()
// through the PLT, so definitions in the executable win over the shared
// libraries' (dynamic linking only, which is how pkg-config links usrsctp).
// This file is never linked into aegis_sctp or a shipped binary.
#pragma once

#include <cstdint>

#include "base/time.h"

namespace aegis::sctp::testing {

// Restarts usrsctp's random sequence. Call before SctpStack is built.
void SeedUsrsctpRandom(uint64_t seed);
// How often usrsctp asked for randomness: proves the interposition works.
uint64_t UsrsctpRandomCalls();

// While `clock` is set, gettimeofday() in this process returns a fixed
// epoch plus clock->Now(); nullptr restores the real clock.
void SetSimulatedWallClock(const Clock* clock);
uint64_t SimulatedWallClockReads();

}  // namespace aegis::sctp::testing
