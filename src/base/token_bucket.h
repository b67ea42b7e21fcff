// A token bucket, sans-IO (time is passed in): `burst` tokens at most,
// refilled at `rate_per_second`; each admitted event takes one token (or
// `cost`). Signaling limits requests with it, the SFU retransmissions.
#pragma once

#include "base/time.h"

namespace aegis {

struct RateLimit {
  double rate_per_second = 10;  // steady refill; > 0
  double burst = 20;            // bucket size; >= 1
};

// Non-finite or out-of-range settings clamped to the nearest sane value.
RateLimit Sanitize(RateLimit limit);

class TokenBucket {
 public:
  // The bucket starts full at `now`.
  TokenBucket(RateLimit limit, Timestamp now);

  // Takes `cost` tokens and returns true if there are enough; otherwise
  // takes nothing and returns false.
  bool TryTake(Timestamp now, double cost = 1);

  // Tokens available at `now` (for tests and metrics).
  double Available(Timestamp now) const;

 private:
  double Refilled(Timestamp now) const;

  RateLimit limit_;
  double tokens_;
  Timestamp last_;
};

}  // namespace aegis
