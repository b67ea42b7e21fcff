// Where the router puts what it sends. The spans point into a buffer the
// router owns and reuses: the Sink copies them (typically into the
// recipient's send buffer, where SRTP protects in place) before returning.
//
// The Sink must not call back into the Router: a model change from inside a
// callback is refused with SfuError::kReentrant, and a packet or timer call
// is ignored and counted (SfuStats::reentrant_calls_refused).
#pragma once

#include <cstdint>
#include <span>

#include "sfu/ids.h"

namespace aegis::sfu {

class Sink {
 public:
  virtual ~Sink() = default;
  // A plain RTP packet for `to` (protect, then send on its transport).
  virtual void SendRtp(ParticipantId to, std::span<const uint8_t> packet) = 0;
  // A plain compound RTCP packet for `to`.
  virtual void SendRtcp(ParticipantId to, std::span<const uint8_t> packet) = 0;
};

}  // namespace aegis::sfu
