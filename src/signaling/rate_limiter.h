// Keyed token-bucket rate limits for signaling (the bucket itself is
// base/token_bucket.h).
//
// KeyedRateLimiter: one bucket per key (a client IP, an identity), at most
// `max_keys` of them. When full, the least recently used bucket is evicted;
// that is the bucket idle longest and so the one most likely already full
// again, so evicting it usually forgets nothing. An attacker who cycles
// through more than max_keys addresses can reset his own buckets, but
// memory stays bounded; per-connection buckets and the abuse tracker still
// apply to each of those connections.
#pragma once

#include <cstddef>
#include <list>
#include <string>
#include <string_view>
#include <unordered_map>

#include "base/time.h"
#include "base/token_bucket.h"

namespace aegis::signaling {

using aegis::RateLimit;
using aegis::TokenBucket;

class KeyedRateLimiter {
 public:
  KeyedRateLimiter(RateLimit limit, size_t max_keys);

  bool TryTake(std::string_view key, Timestamp now, double cost = 1);

  size_t tracked_keys() const { return map_.size(); }
  size_t evictions() const { return evictions_; }
  bool IsTracked(std::string_view key) const { return map_.contains(std::string(key)); }

 private:
  struct Entry {
    std::string key;
    TokenBucket bucket;
  };

  RateLimit limit_;
  size_t max_keys_;
  size_t evictions_ = 0;
  std::list<Entry> lru_;  // front = most recently used
  std::unordered_map<std::string, std::list<Entry>::iterator> map_;
};

}  // namespace aegis::signaling
