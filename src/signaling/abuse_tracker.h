// Counts protocol errors on one connection and decides when to close it,
// sans-IO (time is passed in). A client that sends N refused messages
// within `window` is misbehaving or hostile; closing it bounds the parse
// and reply work it can cause. Memory is O(max_errors) timestamps.
#pragma once

#include <cstddef>
#include <deque>

#include "base/time.h"

namespace aegis::signaling {

struct AbuseLimit {
  size_t max_errors = 10;                     // errors within the window that close
  TimeDelta window = TimeDelta::Seconds(60);
};

enum class AbuseVerdict { kContinue, kClose };

class AbuseTracker {
 public:
  explicit AbuseTracker(AbuseLimit limit);

  // Records one error at `now`. Once kClose is returned it is returned for
  // every later call as well: the connection is to be closed.
  AbuseVerdict RecordError(Timestamp now);

  bool should_close() const { return closed_; }
  size_t total_errors() const { return total_; }

 private:
  AbuseLimit limit_;
  std::deque<Timestamp> recent_;  // at most max_errors, oldest first
  size_t total_ = 0;
  bool closed_ = false;
};

}  // namespace aegis::signaling
