#include "signaling/abuse_tracker.h"

#include <algorithm>

namespace aegis::signaling {

AbuseTracker::AbuseTracker(AbuseLimit limit) : limit_(limit) {
  limit_.max_errors = std::max<size_t>(limit_.max_errors, 1);
}

AbuseVerdict AbuseTracker::RecordError(Timestamp now) {
  ++total_;
  if (closed_) return AbuseVerdict::kClose;
  // Errors at or before now - window have aged out.
  while (!recent_.empty() && now - recent_.front() >= limit_.window) recent_.pop_front();
  recent_.push_back(now);
  if (recent_.size() >= limit_.max_errors) {
    closed_ = true;
    recent_.clear();
    return AbuseVerdict::kClose;
  }
  return AbuseVerdict::kContinue;
}

}  // namespace aegis::signaling
