#include "sfu/loss_based_rate.h"

#include <algorithm>

namespace aegis::sfu {

bool LossBasedRate::OnReport(uint8_t fraction_lost, uint64_t bytes_sent, TimeDelta interval) {
  if (interval.us() <= 0) return false;
  window_us_ += interval.us();
  window_bytes_ += bytes_sent;
  window_loss_us_ += (fraction_lost / 256.0) * static_cast<double>(interval.us());
  if (window_us_ < kWindow.us()) return false;
  const double loss = window_loss_us_ / static_cast<double>(window_us_);
  const double sent_bps = static_cast<double>(window_bytes_) * 8e6 / static_cast<double>(window_us_);
  window_us_ = 0;
  window_bytes_ = 0;
  window_loss_us_ = 0;
  OnWindow(loss, sent_bps);
  return true;
}

void LossBasedRate::OnWindow(double loss, double sent_bps) {
  if (loss > 0.10) {
    // What got through is at most what was sent; the limit starts from the
    // lower of that and itself.
    const double base = bps_ ? std::min(static_cast<double>(*bps_), sent_bps) : sent_bps;
    bps_ = std::max<uint64_t>(kMinBps, static_cast<uint64_t>(base * (1.0 - 0.5 * loss)));
  } else if (loss < 0.02 && bps_) {
    const auto grown = static_cast<uint64_t>(static_cast<double>(*bps_) * 1.08);
    if (grown >= kLiftAboveBps) {
      bps_.reset();  // the limit no longer binds anything
    } else {
      bps_ = grown;
    }
  }
}

}  // namespace aegis::sfu
