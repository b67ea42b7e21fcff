// Handshake retransmission schedule on the injected clock (RFC 6347 §4.2.4):
// the first retransmission of a flight comes `initial` after it was sent, each
// next one after twice the previous wait, capped at `max`; a flight gets at
// most `max_retransmissions`, and the whole handshake at most
// `handshake_timeout`, after which it fails with FailureReason::kTimeout.
#pragma once

#include <optional>

#include "base/time.h"

namespace aegis::dtls {

struct RetransmitPolicy {
  TimeDelta initial = TimeDelta::Millis(200);
  TimeDelta max = TimeDelta::Seconds(4);
  int max_retransmissions = 10;
  TimeDelta handshake_timeout = TimeDelta::Seconds(30);
};

class RetransmitTimer {
 public:
  explicit RetransmitTimer(const RetransmitPolicy& policy) : policy_(policy) {}

  // A new flight was sent at `now`: restart with the initial wait.
  void Start(Timestamp now);
  // The flight was answered; nothing to retransmit.
  void Stop();

  bool running() const { return deadline_.has_value(); }
  std::optional<Timestamp> deadline() const { return deadline_; }
  bool Expired(Timestamp now) const { return deadline_ && now >= *deadline_; }

  // Called when Expired(now): schedules the next deadline with a doubled wait
  // and returns true if the flight may be retransmitted now; false once the
  // flight has used up its retransmissions (the timer then stops).
  bool OnExpired(Timestamp now);

  // Retransmissions of the current flight so far.
  int retransmissions() const { return retransmissions_; }

 private:
  RetransmitPolicy policy_;
  std::optional<Timestamp> deadline_;
  TimeDelta wait_;
  int retransmissions_ = 0;
};

}  // namespace aegis::dtls
