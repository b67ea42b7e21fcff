// The send side of transport-wide congestion control for one subscriber
// connection: numbers every packet the SFU sends it (the transport-wide
// sequence number, rtp/transport_sequence.h), remembers when each left and
// its size, and turns the subscriber's transport feedback (arrival times
// against those numbers) into the packets DelayBasedRate judges.
//
// The history is a fixed ring (kHistory packets, a few seconds at the rates
// a browser receives): memory per subscriber does not grow with what
// feedback claims. Feedback about a number the ring no longer holds, about
// one never sent, or about a packet already reported, is ignored (counted).
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <vector>

#include "base/time.h"
#include "rtcp/transport_feedback.h"
#include "sfu/delay_based_rate.h"

namespace aegis::sfu {

// From one feedback's reference time to the next (24 bits, 64 ms ticks):
// the shortest way round, so a wrap is a step of a tick, not 12 days back.
int64_t ReferenceTimeStepUs(int32_t from, int32_t to);

class SendSideEstimate {
 public:
  static constexpr size_t kHistory = 4096;  // a power of two, under 2^16
  static constexpr TimeDelta kMaxAge = TimeDelta::Seconds(5);

  explicit SendSideEstimate(uint8_t extension_id) : extension_id_(extension_id) {}

  uint8_t extension_id() const { return extension_id_; }
  // The number for the next packet, which leaves now with `size` bytes.
  uint16_t OnSend(size_t size, Timestamp now);
  // True when the limit moved (DelayBasedRate::OnFeedback).
  bool OnFeedback(const rtcp::TransportFeedback& feedback, Timestamp now);

  std::optional<uint64_t> bps() const { return rate_.bps(); }
  const DelayBasedRate& rate() const { return rate_; }
  uint64_t packets_reported() const { return packets_reported_; }
  uint64_t packets_unknown() const { return packets_unknown_; }

 private:
  struct Sent {
    Timestamp at;
    uint16_t sequence = 0;
    uint16_t size = 0;
    bool valid = false;     // sent and not yet reported
  };

  uint8_t extension_id_;
  uint16_t next_sequence_ = 0;
  std::array<Sent, kHistory> sent_{};
  // The receiver's reference time (24 bits, 64 ms ticks) unwrapped across feedback.
  std::optional<int32_t> last_reference_;
  int64_t reference_us_ = 0;
  std::vector<DelayBasedRate::Packet> packets_;  // reused per feedback
  DelayBasedRate rate_;
  uint64_t packets_reported_ = 0;
  uint64_t packets_unknown_ = 0;
};

}  // namespace aegis::sfu
