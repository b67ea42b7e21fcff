#include "signaling/rate_limiter.h"

#include <algorithm>

namespace aegis::signaling {

KeyedRateLimiter::KeyedRateLimiter(RateLimit limit, size_t max_keys)
    : limit_(Sanitize(limit)), max_keys_(std::max<size_t>(max_keys, 1)) {}

bool KeyedRateLimiter::TryTake(std::string_view key, Timestamp now, double cost) {
  std::string k(key);
  auto it = map_.find(k);
  if (it != map_.end()) {
    lru_.splice(lru_.begin(), lru_, it->second);
    return it->second->bucket.TryTake(now, cost);
  }
  if (map_.size() >= max_keys_) {
    map_.erase(lru_.back().key);
    lru_.pop_back();
    ++evictions_;
  }
  lru_.push_front(Entry{k, TokenBucket(limit_, now)});
  map_.emplace(std::move(k), lru_.begin());
  return lru_.front().bucket.TryTake(now, cost);
}

}  // namespace aegis::signaling
