// What one load subscriber receives, per stream (the LoadStamp's stream id):
// packets expected (from the stamps' sequence range) and received, loss,
// reordering, duplicates, bytes and one-way latency in a fixed-bucket
// histogram. Counters only grow, so a measurement window is the difference
// of two snapshots (StreamTotals::operator-), and a room or a run is a sum.
#pragma once

#include <array>
#include <cstdint>
#include <map>
#include <span>

namespace aegis::load {

// Log-linear buckets over microseconds: exact below 16 µs, then 16 buckets
// per power of two (at most 1/16 = 6.25 % wide) up to 2^25 µs (~33 s); more
// goes into the last bucket. Percentiles report a bucket's upper bound.
class LatencyHistogram {
 public:
  static constexpr int kSubBits = 4;
  static constexpr int kMaxExponent = 25;
  static constexpr size_t kBuckets = (1u << kSubBits) * (kMaxExponent - kSubBits + 1);

  void Add(int64_t micros);
  uint64_t count() const { return count_; }
  // The q-quantile (0 < q <= 1) in µs: the upper bound of the bucket that
  // holds it; 0 when empty.
  int64_t Percentile(double q) const;

  static size_t BucketOf(int64_t micros);
  static int64_t UpperBound(size_t bucket);

  LatencyHistogram& operator+=(const LatencyHistogram& o);
  LatencyHistogram& operator-=(const LatencyHistogram& o);  // o must be an earlier snapshot of this one

 private:
  std::array<uint64_t, kBuckets> buckets_{};
  uint64_t count_ = 0;
};

struct StreamTotals {
  uint64_t expected = 0;   // highest - lowest sequence seen + 1
  uint64_t received = 0;   // distinct packets
  uint64_t reordered = 0;  // arrived after a higher sequence number
  uint64_t duplicates = 0;
  uint64_t bytes = 0;      // RTP packet bytes
  LatencyHistogram latency;

  uint64_t lost() const { return expected > received ? expected - received : 0; }
  double loss_percent() const { return expected ? 100.0 * static_cast<double>(lost()) / static_cast<double>(expected) : 0; }
  StreamTotals& operator+=(const StreamTotals& o);
  StreamTotals operator-(const StreamTotals& earlier) const;
};

class ReceiveMeter {
 public:
  // One received RTP packet (plain, after SRTP) and when it arrived, on the
  // same monotonic clock as the stamps' send_ns. False (and not counted) if
  // it does not parse or carries no LoadStamp.
  bool OnRtp(std::span<const uint8_t> rtp, int64_t arrival_ns);

  const std::map<uint32_t, StreamTotals>& streams() const { return totals_; }
  StreamTotals Sum() const;
  uint64_t foreign_packets() const { return foreign_; }

 private:
  static constexpr size_t kWindow = 256;  // duplicate detection reach
  struct Track {
    bool started = false;
    uint32_t lowest = 0;
    uint32_t highest = 0;
    std::array<uint32_t, kWindow> seen;  // seen[seq % kWindow] == seq
  };
  std::map<uint32_t, Track> tracks_;
  std::map<uint32_t, StreamTotals> totals_;
  uint64_t foreign_ = 0;
};

}  // namespace aegis::load
