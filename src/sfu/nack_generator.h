// Finds the holes in one upstream video stream and says when to ask the
// publisher for them (generic NACK, RFC 4585 §6.2.1). The SFU repairs its
// own upstream loss once for all subscribers, instead of each of them
// asking for what the SFU never received.
//
// A sequence number counts as missing when a later one arrives first. It is
// due at once, then again every retry interval, at most max_retries times
// and while younger than max_age; then it is given up (the subscribers'
// keyframe requests take over). At most max_missing numbers are tracked: a
// bigger hole (a long outage, a restarted source) is not requested at all.
#pragma once

#include <cstddef>
#include <cstdint>
#include <deque>
#include <optional>
#include <vector>

#include "base/time.h"

namespace aegis::sfu {

struct NackLimits {
  TimeDelta retry_interval = TimeDelta::Millis(100);
  int max_retries = 10;
  TimeDelta max_age = TimeDelta::Seconds(1);
  size_t max_missing = 256;
};

class NackGenerator {
 public:
  explicit NackGenerator(NackLimits limits) : limits_(limits) {}

  enum class Arrival { kInOrder, kNewGap, kRecovered, kLateOrDuplicate };
  // Every packet of the stream that passed the router's checks, including
  // those recovered from RTX.
  Arrival OnPacket(uint16_t sequence_number, Timestamp now);
  // Appends the sequence numbers due at `now` (each counts as one request)
  // and forgets those past their retries or age.
  void TakeDue(Timestamp now, std::vector<uint16_t>& out);
  std::optional<Timestamp> NextDue() const;

  size_t missing() const { return missing_.size(); }
  uint64_t given_up() const { return given_up_; }

 private:
  struct Missing {
    uint16_t sequence_number;
    Timestamp detected;
    std::optional<Timestamp> last_requested;
    int requests = 0;
  };

  NackLimits limits_;
  bool started_ = false;
  uint16_t highest_ = 0;
  std::deque<Missing> missing_;  // in sequence order
  uint64_t given_up_ = 0;
};

}  // namespace aegis::sfu
