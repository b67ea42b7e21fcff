// Test-only access to sender state: included by tests and
// fuzzers only, never by production code. Lets a test start at a vector's
// CTR or reach CTR 2^64 - 1 without 2^64 frames.
#pragma once

#include <cstdint>

#include "sframe/sframe_sender.h"

namespace aegis::sframe {

class SframeTestPeer {
 public:
  // The next CTR `sender` uses under `kid` (which must have a key).
  static bool SetNextCounter(SframeSender& sender, uint64_t kid, uint64_t ctr) {
    auto* key = sender.keys_.Find(kid);
    if (!key) return false;
    key->next_ctr = ctr;
    key->exhausted = false;
    return true;
  }
};

}  // namespace aegis::sframe
