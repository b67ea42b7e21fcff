#include "base/token_bucket.h"

#include <algorithm>

namespace aegis {

RateLimit Sanitize(RateLimit limit) {
  // !(x >= lo) also catches NaN.
  if (!(limit.rate_per_second >= 1e-6)) limit.rate_per_second = 1e-6;
  if (!(limit.rate_per_second <= 1e9)) limit.rate_per_second = 1e9;
  if (!(limit.burst >= 1)) limit.burst = 1;
  if (!(limit.burst <= 1e9)) limit.burst = 1e9;
  return limit;
}

TokenBucket::TokenBucket(RateLimit limit, Timestamp now)
    : limit_(Sanitize(limit)), tokens_(limit_.burst), last_(now) {}

double TokenBucket::Refilled(Timestamp now) const {
  // A clock that steps back refills nothing (and takes nothing away).
  if (now <= last_) return tokens_;
  const double seconds = static_cast<double>((now - last_).us()) / 1e6;
  return std::min(limit_.burst, tokens_ + seconds * limit_.rate_per_second);
}

double TokenBucket::Available(Timestamp now) const { return Refilled(now); }

bool TokenBucket::TryTake(Timestamp now, double cost) {
  tokens_ = Refilled(now);
  last_ = std::max(last_, now);
  if (!(cost >= 0)) return false;  // negative or NaN cost would mint tokens
  if (tokens_ < cost) return false;
  tokens_ -= cost;
  return true;
}

}  // namespace aegis
