// What one subscriber can take of one video track, judged from the loss its
// receiver reports show: the loss-based half of Google Congestion Control
// (draft-ietf-rmcat-gcc-02 §6). Sans-IO; the router feeds it each report
// block for the subscription with the bytes it sent meanwhile.
//
// Browsers report every ~200 ms, and video is bursty at that scale (a
// keyframe, then nothing), so reports are pooled into windows of at least
// kWindow: the loss over the window, and what was sent in it.
//
// No limit until a window shows real loss: a subscriber with room never
// holds anyone back. Over 10 % lost, the limit becomes what was really sent
// in the window, cut by half the loss (so 30 % lost cuts 15 %); between 2
// and 10 % it holds; under 2 % it grows 8 % per window, and it is lifted
// once it reaches kLiftAboveBps.
#pragma once

#include <cstdint>
#include <optional>

#include "base/time.h"

namespace aegis::sfu {

class LossBasedRate {
 public:
  static constexpr uint64_t kMinBps = 100'000;  // below this a call is not worth the others' quality
  static constexpr uint64_t kLiftAboveBps = 8'000'000;
  static constexpr TimeDelta kWindow = TimeDelta::Seconds(1);

  // `fraction_lost` as RTCP carries it (/256), over a report interval in
  // which `bytes_sent` (media and retransmissions) went to the subscriber.
  // True when it closed a window (only then can the limit have moved).
  bool OnReport(uint8_t fraction_lost, uint64_t bytes_sent, TimeDelta interval);

  // The limit, or none (no loss seen, or lifted).
  std::optional<uint64_t> bps() const { return bps_; }

 private:
  void OnWindow(double loss, double sent_bps);

  std::optional<uint64_t> bps_;
  // The window being pooled: its length, bytes sent, and loss weighted by time.
  int64_t window_us_ = 0;
  uint64_t window_bytes_ = 0;
  double window_loss_us_ = 0;
};

}  // namespace aegis::sfu
