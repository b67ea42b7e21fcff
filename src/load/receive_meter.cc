#include "load/receive_meter.h"

#include <bit>
#include <cmath>

#include "load/media_pattern.h"
#include "rtp/rtp_packet.h"

namespace aegis::load {

size_t LatencyHistogram::BucketOf(int64_t micros) {
  constexpr uint64_t kSub = 1u << kSubBits;
  if (micros < static_cast<int64_t>(kSub)) return micros < 0 ? 0 : static_cast<size_t>(micros);
  const uint64_t v = static_cast<uint64_t>(micros);
  const int e = static_cast<int>(std::bit_width(v)) - 1;  // floor(log2 v) >= kSubBits
  if (e >= kMaxExponent) return kBuckets - 1;
  const uint64_t sub = (v >> (e - kSubBits)) - kSub;
  return static_cast<size_t>((e - kSubBits + 1) * static_cast<int>(kSub) + static_cast<int>(sub));
}

int64_t LatencyHistogram::UpperBound(size_t bucket) {
  constexpr size_t kSub = 1u << kSubBits;
  if (bucket < kSub) return static_cast<int64_t>(bucket);
  const int e = static_cast<int>(bucket / kSub) + kSubBits - 1;
  const uint64_t sub = bucket % kSub;
  return static_cast<int64_t>(((kSub + sub + 1) << (e - kSubBits)) - 1);
}

void LatencyHistogram::Add(int64_t micros) {
  ++buckets_[BucketOf(micros)];
  ++count_;
}

int64_t LatencyHistogram::Percentile(double q) const {
  if (count_ == 0) return 0;
  // The smallest bucket whose cumulative count reaches ceil(q * count).
  const double want = std::ceil(q * static_cast<double>(count_));
  const uint64_t rank = want < 1 ? 1 : static_cast<uint64_t>(want);
  uint64_t seen = 0;
  for (size_t b = 0; b < kBuckets; ++b) {
    seen += buckets_[b];
    if (seen >= rank) return UpperBound(b);
  }
  return UpperBound(kBuckets - 1);
}

LatencyHistogram& LatencyHistogram::operator+=(const LatencyHistogram& o) {
  for (size_t b = 0; b < kBuckets; ++b) buckets_[b] += o.buckets_[b];
  count_ += o.count_;
  return *this;
}

LatencyHistogram& LatencyHistogram::operator-=(const LatencyHistogram& o) {
  for (size_t b = 0; b < kBuckets; ++b) buckets_[b] -= o.buckets_[b];
  count_ -= o.count_;
  return *this;
}

StreamTotals& StreamTotals::operator+=(const StreamTotals& o) {
  expected += o.expected;
  received += o.received;
  reordered += o.reordered;
  duplicates += o.duplicates;
  bytes += o.bytes;
  latency += o.latency;
  return *this;
}

StreamTotals StreamTotals::operator-(const StreamTotals& earlier) const {
  StreamTotals d = *this;
  d.expected -= earlier.expected;
  d.received -= earlier.received;
  d.reordered -= earlier.reordered;
  d.duplicates -= earlier.duplicates;
  d.bytes -= earlier.bytes;
  d.latency -= earlier.latency;
  return d;
}

bool ReceiveMeter::OnRtp(std::span<const uint8_t> rtp, int64_t arrival_ns) {
  auto view = rtp::RtpPacketView::Parse(rtp);
  std::optional<LoadStamp> stamp;
  if (view) stamp = LoadStamp::ReadTail(view->payload());
  if (!stamp) {
    ++foreign_;
    return false;
  }
  Track& t = tracks_[stamp->stream_id];
  StreamTotals& s = totals_[stamp->stream_id];
  const uint32_t seq = stamp->sequence;
  s.bytes += rtp.size();
  if (!t.started) {
    t.started = true;
    t.lowest = t.highest = seq;
    // Slot i holds i + 1: no sequence number that maps to slot i.
    for (size_t i = 0; i < kWindow; ++i) t.seen[i] = static_cast<uint32_t>(i + 1);
  } else if (t.seen[seq % kWindow] == seq) {
    ++s.duplicates;
    return true;
  } else if (seq > t.highest) {
    t.highest = seq;
  } else {
    ++s.reordered;
    if (seq < t.lowest) t.lowest = seq;
  }
  t.seen[seq % kWindow] = seq;
  ++s.received;
  s.expected = uint64_t{t.highest} - t.lowest + 1;
  s.latency.Add((arrival_ns - stamp->send_ns) / 1000);
  return true;
}

StreamTotals ReceiveMeter::Sum() const {
  StreamTotals sum;
  for (const auto& [id, s] : totals_) sum += s;
  return sum;
}

}  // namespace aegis::load
