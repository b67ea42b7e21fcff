#include "sfu/delay_based_rate.h"

#include <algorithm>
#include <cmath>

namespace aegis::sfu {
namespace {

constexpr double kSmoothing = 0.9;
constexpr double kThresholdGain = 4;
constexpr double kDecreaseFactor = 0.85;
constexpr double kIncreasePerSecond = 1.08;
// A receiver clock jump or a long silence: the groups no longer compare.
constexpr double kMaxArrivalDeltaMs = 3000;

double Ms(TimeDelta d) { return static_cast<double>(d.us()) / 1000.0; }

// Least-squares slope of y over x.
double Slope(const std::deque<std::pair<double, double>>& points) {
  double sum_x = 0, sum_y = 0;
  for (const auto& [x, y] : points) {
    sum_x += x;
    sum_y += y;
  }
  const double mean_x = sum_x / static_cast<double>(points.size());
  const double mean_y = sum_y / static_cast<double>(points.size());
  double numerator = 0, denominator = 0;
  for (const auto& [x, y] : points) {
    numerator += (x - mean_x) * (y - mean_y);
    denominator += (x - mean_x) * (x - mean_x);
  }
  return denominator == 0 ? 0 : numerator / denominator;
}

}  // namespace

bool DelayBasedRate::OnFeedback(std::span<const Packet> packets, Timestamp now) {
  for (const Packet& packet : packets) {
    OnPacket(packet);
    UpdateAcked(packet);
  }
  UpdateRate(now);
  // Against what was last said, not the last feedback: growth of 8 % a
  // second comes in steps under 1 % at a browser's feedback rate.
  const bool moved = reported_bps_.has_value() != bps_.has_value() ||
                     (bps_ && std::abs(static_cast<double>(*bps_) - static_cast<double>(*reported_bps_)) >=
                                  0.03 * static_cast<double>(*reported_bps_));
  if (moved) reported_bps_ = bps_;
  return moved;
}

void DelayBasedRate::OnPacket(const Packet& packet) {
  if (!current_) {
    current_ = Group{packet.sent, packet.sent, packet.arrived};
    return;
  }
  if (packet.sent < current_->first_sent) return;  // sent before this group: out of order
  if (packet.sent - current_->first_sent <= kBurst) {
    current_->last_sent = std::max(current_->last_sent, packet.sent);
    current_->last_arrived = std::max(current_->last_arrived, packet.arrived);
    return;
  }
  if (previous_) OnGroupDelta(*previous_, *current_);
  previous_ = current_;
  current_ = Group{packet.sent, packet.sent, packet.arrived};
}

void DelayBasedRate::OnGroupDelta(const Group& previous, const Group& current) {
  const double send_delta_ms = Ms(current.last_sent - previous.last_sent);
  const double arrival_delta_ms = Ms(current.last_arrived - previous.last_arrived);
  if (arrival_delta_ms < 0 || arrival_delta_ms > kMaxArrivalDeltaMs) {
    ResetTrend();
    return;
  }
  if (!first_arrival_) first_arrival_ = current.last_arrived;
  num_deltas_ = std::min<size_t>(num_deltas_ + 1, 1000);
  accumulated_delay_ms_ += arrival_delta_ms - send_delta_ms;
  smoothed_delay_ms_ = kSmoothing * smoothed_delay_ms_ + (1 - kSmoothing) * accumulated_delay_ms_;
  history_.emplace_back(Ms(current.last_arrived - *first_arrival_), smoothed_delay_ms_);
  if (history_.size() > kTrendWindow) history_.pop_front();
  const double trend = history_.size() == kTrendWindow ? Slope(history_) : previous_trend_;
  Detect(trend, send_delta_ms, current.last_arrived);
}

// draft-ietf-rmcat-gcc-02 §5.4, with the trend scaled as libwebrtc's
// trendline estimator does (by the number of deltas seen, up to 60).
void DelayBasedRate::Detect(double trend, double send_delta_ms, Timestamp arrived) {
  const double modified = static_cast<double>(std::min<size_t>(num_deltas_, 60)) * trend * kThresholdGain;
  if (modified > threshold_) {
    time_over_using_ms_ = time_over_using_ms_ < 0 ? send_delta_ms / 2 : time_over_using_ms_ + send_delta_ms;
    ++overuse_count_;
    if (time_over_using_ms_ > 10 && overuse_count_ > 1 && trend >= previous_trend_) {
      time_over_using_ms_ = 0;
      overuse_count_ = 0;
      usage_ = Usage::kOverusing;
    }
  } else if (modified < -threshold_) {
    time_over_using_ms_ = -1;
    overuse_count_ = 0;
    usage_ = Usage::kUnderusing;
  } else {
    time_over_using_ms_ = -1;
    overuse_count_ = 0;
    usage_ = Usage::kNormal;
  }
  previous_trend_ = trend;
  UpdateThreshold(modified, arrived);
}

// The threshold follows the trend slowly (fast downwards), so that a path
// with steady jitter does not read as overuse, nor a real queue as normal.
void DelayBasedRate::UpdateThreshold(double modified, Timestamp arrived) {
  if (!last_threshold_update_) last_threshold_update_ = arrived;
  const double magnitude = std::abs(modified);
  if (magnitude > threshold_ + 15) {  // a spike: not a reason to move
    last_threshold_update_ = arrived;
    return;
  }
  const double k = magnitude < threshold_ ? 0.039 : 0.0087;
  const double elapsed_ms = std::clamp(Ms(arrived - *last_threshold_update_), 0.0, 100.0);
  threshold_ = std::clamp(threshold_ + k * (magnitude - threshold_) * elapsed_ms, 6.0, 600.0);
  last_threshold_update_ = arrived;
}

void DelayBasedRate::ResetTrend() {
  first_arrival_.reset();
  accumulated_delay_ms_ = 0;
  smoothed_delay_ms_ = 0;
  history_.clear();
  num_deltas_ = 0;
  previous_trend_ = 0;
  time_over_using_ms_ = -1;
  overuse_count_ = 0;
  usage_ = Usage::kNormal;
}

void DelayBasedRate::UpdateAcked(const Packet& packet) {
  if (!acked_.empty() && packet.arrived < acked_.back().first) return;  // keep the window in arrival order
  acked_.emplace_back(packet.arrived, packet.size);
  acked_bytes_ += packet.size;
  while (packet.arrived - acked_.front().first > kAckedWindow) {
    acked_bytes_ -= acked_.front().second;
    acked_.pop_front();
  }
  // Measured once the window has filled: less would overstate a burst.
  const TimeDelta span = packet.arrived - acked_.front().first;
  if (span.us() * 2 >= kAckedWindow.us() && acked_.size() > 1) {
    const size_t bytes = acked_bytes_ - acked_.front().second;  // the first packet opens the span
    acked_bps_ = static_cast<uint64_t>(static_cast<double>(bytes) * 8e6 / static_cast<double>(span.us()));
  }
}

void DelayBasedRate::UpdateRate(Timestamp now) {
  const double elapsed_s =
      last_rate_update_ ? std::clamp(static_cast<double>((now - *last_rate_update_).us()) / 1e6, 0.0, 1.0) : 0.0;
  last_rate_update_ = now;
  switch (usage_) {
    case Usage::kOverusing: {
      // Once per overuse episode and round trip, not per feedback about it.
      if (last_decrease_ && now - *last_decrease_ < TimeDelta::Millis(300)) return;
      if (!acked_bps_ && !bps_) return;  // nothing measured to cut from yet
      double target = kDecreaseFactor * static_cast<double>(acked_bps_.value_or(*bps_));
      if (bps_) target = std::min(target, static_cast<double>(*bps_));
      bps_ = std::max<uint64_t>(kMinBps, static_cast<uint64_t>(target));
      last_decrease_ = now;
      return;
    }
    case Usage::kUnderusing:
      return;  // the queue drains: hold
    case Usage::kNormal: {
      if (!bps_) return;
      double grown = static_cast<double>(*bps_) * std::pow(kIncreasePerSecond, elapsed_s);
      if (acked_bps_) grown = std::min(grown, 1.5 * static_cast<double>(*acked_bps_) + 10'000);
      if (grown >= static_cast<double>(kLiftAboveBps)) {
        bps_.reset();
      } else {
        bps_ = std::max<uint64_t>(kMinBps, std::max(*bps_, static_cast<uint64_t>(grown)));
      }
      return;
    }
  }
}

}  // namespace aegis::sfu
