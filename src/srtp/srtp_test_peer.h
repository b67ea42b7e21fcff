// Test-only access to sender/receiver state: included by
// tests and fuzzers only, never by production code. Lets a test reach
// states that take 2^31 packets to reach honestly (SRTCP index exhaustion,
// ROC near 2^32) or start at a vector's index.
#pragma once

#include <cstdint>

#include "srtp/rollover.h"
#include "srtp/srtcp.h"
#include "srtp/srtp_receiver.h"
#include "srtp/srtp_sender.h"

namespace aegis::srtp {

class SrtpTestPeer {
  template <typename T>
  static auto& Stream(T& side, uint32_t ssrc) {
    if (auto* s = side.streams_.Find(ssrc)) return *s;
    return *side.streams_.Insert(ssrc, {});
  }

 public:
  // The next SRTCP index `sender` uses for `ssrc`.
  static void SetNextRtcpIndex(SrtpSender& sender, uint32_t ssrc, uint32_t next) {
    Stream(sender, ssrc).next_rtcp_index = next;
  }
  // Pretends `sender` already sent SRTP index `index` for `ssrc`.
  static void SetSentRtpIndex(SrtpSender& sender, uint32_t ssrc, uint64_t index) {
    Stream(sender, ssrc).rtp.Update(index);
  }
  // Pretends `receiver` already accepted SRTP index `index` for `ssrc`.
  static void SetReceivedRtpIndex(SrtpReceiver& receiver, uint32_t ssrc, uint64_t index) {
    Stream(receiver, ssrc).rtp.Update(index);
  }
  static uint64_t HighestReceivedRtpIndex(SrtpReceiver& receiver, uint32_t ssrc) {
    return Stream(receiver, ssrc).rtp.highest();
  }
};

}  // namespace aegis::srtp
