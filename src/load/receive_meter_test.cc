#include "load/receive_meter.h"

#include <gtest/gtest.h>

#include "load/media_pattern.h"
#include "rtp/rtp_header.h"

namespace aegis::load {
namespace {

std::vector<uint8_t> Packet(uint32_t stream, uint32_t seq, int64_t send_ns, size_t payload_bytes = 100) {
  std::vector<uint8_t> payload(payload_bytes, 0);
  LoadStamp{stream, seq, send_ns}.WriteTail(payload);
  rtp::RtpHeader h;
  h.payload_type = 96;
  h.sequence_number = static_cast<uint16_t>(seq * 7);  // the server's numbering, not ours
  h.ssrc = Ssrc(1234);
  std::vector<uint8_t> out;
  EXPECT_TRUE(h.SerializeTo(payload, 0, out));
  return out;
}

TEST(LatencyHistogramTest, BucketsAreExactThenWithinOneSixteenth) {
  for (int64_t v = 0; v < 16; ++v) EXPECT_EQ(LatencyHistogram::UpperBound(LatencyHistogram::BucketOf(v)), v);
  for (int64_t v : {16, 17, 100, 999, 1000, 1001, 49'999, 50'000, 1'000'000, 20'000'000}) {
    const int64_t upper = LatencyHistogram::UpperBound(LatencyHistogram::BucketOf(v));
    EXPECT_GE(upper, v);
    EXPECT_LE(upper - v, v / 16) << v;
  }
  // Every bucket's upper bound maps back to it; bounds increase.
  for (size_t b = 0; b < LatencyHistogram::kBuckets; ++b) {
    EXPECT_EQ(LatencyHistogram::BucketOf(LatencyHistogram::UpperBound(b)), b);
    if (b) {
      EXPECT_GT(LatencyHistogram::UpperBound(b), LatencyHistogram::UpperBound(b - 1));
    }
  }
  EXPECT_EQ(LatencyHistogram::BucketOf(int64_t{1} << 40), LatencyHistogram::kBuckets - 1);
  EXPECT_EQ(LatencyHistogram::BucketOf(-5), 0u);
}

TEST(LatencyHistogramTest, Percentiles) {
  LatencyHistogram h;
  EXPECT_EQ(h.Percentile(0.99), 0);
  for (int i = 0; i < 98; ++i) h.Add(1000);
  h.Add(40'000);
  h.Add(40'000);
  EXPECT_EQ(h.count(), 100u);
  EXPECT_EQ(h.Percentile(0.5), LatencyHistogram::UpperBound(LatencyHistogram::BucketOf(1000)));
  EXPECT_EQ(h.Percentile(0.98), LatencyHistogram::UpperBound(LatencyHistogram::BucketOf(1000)));
  EXPECT_EQ(h.Percentile(0.99), LatencyHistogram::UpperBound(LatencyHistogram::BucketOf(40'000)));
  LatencyHistogram later = h;
  later.Add(7);
  later -= h;
  EXPECT_EQ(later.count(), 1u);
  EXPECT_EQ(later.Percentile(1.0), 7);
}

TEST(ReceiveMeterTest, CountsLossReorderingDuplicatesAndLatency) {
  ReceiveMeter m;
  const int64_t ms = 1'000'000;
  // Stream 1: 0..9 with 3 lost, 6 and 5 swapped, 8 twice.
  for (uint32_t seq : {0u, 1u, 2u, 4u, 6u, 5u, 7u, 8u, 8u, 9u}) {
    EXPECT_TRUE(m.OnRtp(Packet(1, seq, seq * ms), seq * ms + 2 * ms));  // 2 ms one way
  }
  // Stream 2 starts late (seq 100) and has one packet at 60 ms.
  EXPECT_TRUE(m.OnRtp(Packet(2, 100, 0), 2 * ms));
  EXPECT_TRUE(m.OnRtp(Packet(2, 101, 0), 60 * ms));
  const StreamTotals& s1 = m.streams().at(1);
  EXPECT_EQ(s1.expected, 10u);
  EXPECT_EQ(s1.received, 9u);
  EXPECT_EQ(s1.lost(), 1u);
  EXPECT_DOUBLE_EQ(s1.loss_percent(), 10.0);
  EXPECT_EQ(s1.reordered, 1u);
  EXPECT_EQ(s1.duplicates, 1u);
  EXPECT_EQ(s1.latency.count(), 9u);
  EXPECT_EQ(s1.latency.Percentile(0.99), LatencyHistogram::UpperBound(LatencyHistogram::BucketOf(2000)));
  const StreamTotals& s2 = m.streams().at(2);
  EXPECT_EQ(s2.expected, 2u);
  EXPECT_EQ(s2.lost(), 0u);
  const StreamTotals sum = m.Sum();
  EXPECT_EQ(sum.expected, 12u);
  EXPECT_EQ(sum.received, 11u);
  EXPECT_EQ(sum.latency.Percentile(1.0), LatencyHistogram::UpperBound(LatencyHistogram::BucketOf(60'000)));
  EXPECT_EQ(sum.bytes, 12 * Packet(1, 0, 0).size());  // every arrival, the duplicate too (receive rate)
}

TEST(ReceiveMeterTest, AWindowIsTheDifferenceOfTwoSnapshots) {
  ReceiveMeter m;
  for (uint32_t seq = 0; seq < 50; ++seq) m.OnRtp(Packet(1, seq, 0), 1'000'000);
  const StreamTotals before = m.Sum();
  for (uint32_t seq = 50; seq < 100; seq += 2) m.OnRtp(Packet(1, seq, 0), 30'000'000);  // every other lost
  const StreamTotals window = m.Sum() - before;
  EXPECT_EQ(window.expected, 49u);  // 50..98
  EXPECT_EQ(window.received, 25u);
  EXPECT_EQ(window.latency.count(), 25u);
  EXPECT_GE(window.latency.Percentile(0.5), 29'000);
}

TEST(ReceiveMeterTest, PacketsWithoutAStampAreNotCounted) {
  ReceiveMeter m;
  std::vector<uint8_t> garbage = {1, 2, 3};
  EXPECT_FALSE(m.OnRtp(garbage, 0));
  auto p = Packet(1, 0, 0);
  p[p.size() - LoadStamp::kSize] = 0;  // magic gone
  EXPECT_FALSE(m.OnRtp(p, 0));
  EXPECT_EQ(m.foreign_packets(), 2u);
  EXPECT_TRUE(m.streams().empty());
}

}  // namespace
}  // namespace aegis::load
