// Where the router puts what it sends. The spans point into a buffer the
// router owns and reuses, or into one the Sink lent (RtpBuffer): the Sink
// is done with them before returning (typically SRTP protects them in place
// in the recipient's send slot).
//
// The Sink must not call back into the Router: a model change from inside a
// callback is refused with SfuError::kReentrant, and a packet or timer call
// is ignored and counted (SfuStats::reentrant_calls_refused).
#pragma once

#include <cstdint>
#include <span>

#include "sfu/ids.h"

namespace aegis::sfu {

// What the Sink's owner attached to a participant (ParticipantOptions::
// target), handed back with every packet for it: the owner reaches its own
// record of the recipient without a lookup. The router never looks inside.
class SinkTarget {
 protected:
  ~SinkTarget() = default;
};

class Sink {
 public:
  virtual ~Sink() = default;
  // A plain RTP packet for `to` (protect, then send on its transport).
  // `target`: the recipient's ParticipantOptions::target (may be null).
  virtual void SendRtp(ParticipantId to, SinkTarget* target, std::span<const uint8_t> packet) = 0;
  // Where the router may write the next RTP packet (at least `size` bytes
  // and room for SRTP after them), e.g. the recipient's send slot: a
  // SendRtp whose packet lies there needs no further copy. Empty: the
  // router writes in its own buffer.
  virtual std::span<uint8_t> RtpBuffer(size_t size) {
    (void)size;
    return {};
  }
  // A plain compound RTCP packet for `to`; `target` as for SendRtp.
  virtual void SendRtcp(ParticipantId to, SinkTarget* target, std::span<const uint8_t> packet) = 0;
};

}  // namespace aegis::sfu
