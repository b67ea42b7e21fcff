// What one subscriber connection can take, judged from how its packets'
// one-way delay moves: the delay-based half of Google Congestion Control
// (draft-ietf-rmcat-gcc-02 §5), fed with transport-wide feedback (the
// arrival time of every packet the SFU sent on the connection).
//
// A queue that builds at a bottleneck shows as arrival gaps growing faster
// than send gaps, long before the queue overflows into loss. Packets are
// taken in groups (all sent within 5 ms: a burst is one unit); each pair of
// groups adds its delay variation to an accumulated delay, whose smoothed
// trend over the last 20 groups (a least-squares slope) is compared with an
// adaptive threshold:
//   trend above it (for 10 ms and two groups, and not falling): overuse,
//     the limit drops to 85 % of what the receiver really got (acked rate);
//   below minus it: the queue drains, the limit holds;
//   in between: normal, a limit grows 8 % per second, never above 1.5 times
//     the acked rate, and is lifted at kLiftAboveBps.
// As in LossBasedRate there is no limit until the first overuse: a
// subscriber with room holds nobody back. Sans-IO: times are passed in.
#pragma once

#include <cstddef>
#include <cstdint>
#include <deque>
#include <optional>
#include <span>

#include "base/time.h"

namespace aegis::sfu {

class DelayBasedRate {
 public:
  static constexpr uint64_t kMinBps = 150'000;  // a connection's floor (two videos at their own floor fit)
  static constexpr uint64_t kLiftAboveBps = 30'000'000;
  static constexpr TimeDelta kBurst = TimeDelta::Millis(5);
  static constexpr size_t kTrendWindow = 20;

  enum class Usage { kNormal, kOverusing, kUnderusing };

  // One packet the receiver got: when the SFU sent it (its clock), when it
  // arrived (the receiver's clock; only differences count), its size.
  struct Packet {
    Timestamp sent;
    Timestamp arrived;
    size_t size = 0;
  };

  // The received packets of one feedback, in send order; `now` on the SFU's
  // clock. True when the limit moved (set, lifted, or 3 % away from where
  // it was when this last returned true).
  bool OnFeedback(std::span<const Packet> packets, Timestamp now);

  std::optional<uint64_t> bps() const { return bps_; }
  Usage usage() const { return usage_; }
  // The rate the receiver got over the last kAckedWindow, if measured.
  std::optional<uint64_t> acked_bps() const { return acked_bps_; }

 private:
  static constexpr TimeDelta kAckedWindow = TimeDelta::Millis(500);
  struct Group {
    Timestamp first_sent;
    Timestamp last_sent;
    Timestamp last_arrived;
  };

  void OnPacket(const Packet& packet);
  void OnGroupDelta(const Group& previous, const Group& current);
  void Detect(double trend, double send_delta_ms, Timestamp arrived);
  void UpdateThreshold(double modified_trend, Timestamp arrived);
  void ResetTrend();
  void UpdateAcked(const Packet& packet);
  void UpdateRate(Timestamp now);

  // Grouping.
  std::optional<Group> current_;
  std::optional<Group> previous_;
  // Trend of the accumulated delay.
  std::optional<Timestamp> first_arrival_;
  double accumulated_delay_ms_ = 0;
  double smoothed_delay_ms_ = 0;
  std::deque<std::pair<double, double>> history_;  // (arrival ms since first, smoothed delay ms)
  size_t num_deltas_ = 0;
  double previous_trend_ = 0;
  // Overuse detector and its adaptive threshold (draft §5.4).
  double threshold_ = 12.5;
  std::optional<Timestamp> last_threshold_update_;
  double time_over_using_ms_ = -1;
  int overuse_count_ = 0;
  Usage usage_ = Usage::kNormal;
  // Acked rate: received packets over the last kAckedWindow of arrival time.
  std::deque<std::pair<Timestamp, size_t>> acked_;
  size_t acked_bytes_ = 0;
  std::optional<uint64_t> acked_bps_;
  // The limit.
  std::optional<uint64_t> bps_;
  std::optional<uint64_t> reported_bps_;
  std::optional<Timestamp> last_rate_update_;
  std::optional<Timestamp> last_decrease_;
};

}  // namespace aegis::sfu
