#include "sfu/upstream_feedback.h"

#include <gtest/gtest.h>

#include "rtcp/compound.h"

namespace aegis::sfu {
namespace {

const Ssrc kSender(0xfeed), kMedia(0x1111);

// What a report says arrived when: (sequence, µs after the first arrival).
std::vector<std::pair<uint16_t, int64_t>> Arrivals(const rtcp::TransportFeedback& f, int64_t first_us) {
  std::vector<std::pair<uint16_t, int64_t>> out;
  int64_t at = static_cast<int64_t>(f.reference_time) * rtcp::TransportFeedback::kReferenceTimeTickUs;
  for (const auto& p : f.received) {
    at += p.delta_ticks * rtcp::TransportFeedback::kDeltaTickUs;
    out.emplace_back(p.sequence_number, at - first_us);
  }
  return out;
}

// Serialized and parsed again: what the publisher would read.
rtcp::TransportFeedback OverTheWire(const rtcp::TransportFeedback& f) {
  std::vector<uint8_t> bytes;
  f.SerializeTo(bytes);
  auto packets = rtcp::ParseCompound(bytes);
  EXPECT_TRUE(packets.ok() && packets->size() == 1);
  const auto* parsed = packets.ok() && packets->size() == 1 ? std::get_if<rtcp::TransportFeedback>(&(*packets)[0]) : nullptr;
  EXPECT_NE(parsed, nullptr);
  return parsed ? *parsed : rtcp::TransportFeedback{};
}

TEST(UpstreamFeedback, ReportsArrivalsAndTheHolesBetweenThem) {
  UpstreamFeedback feedback(3);
  const Timestamp t0 = Timestamp::Millis(10'000);
  EXPECT_FALSE(feedback.NextDue());
  EXPECT_TRUE(feedback.OnPacket(5, t0));  // the first pending arrival makes a report due
  EXPECT_EQ(feedback.NextDue(), t0 + UpstreamFeedback::kInterval);
  EXPECT_FALSE(feedback.OnPacket(8, t0 + TimeDelta::Millis(20)));  // out of order
  EXPECT_FALSE(feedback.OnPacket(6, t0 + TimeDelta::Millis(5)));
  std::vector<rtcp::TransportFeedback> reports;
  feedback.TakeReports(kSender, kMedia, reports);
  ASSERT_EQ(reports.size(), 1u);
  const auto report = OverTheWire(reports[0]);
  EXPECT_EQ(report.sender, kSender);
  EXPECT_EQ(report.media_source, kMedia);
  EXPECT_EQ(report.base_sequence, 5);
  EXPECT_EQ(report.status_count, 4);  // 5, 6, 7 (lost), 8
  EXPECT_EQ(report.feedback_count, 0);
  const auto arrivals = Arrivals(report, t0.us());
  ASSERT_EQ(arrivals.size(), 3u);
  EXPECT_EQ(arrivals[0].first, 5);
  EXPECT_EQ(arrivals[1].first, 6);
  EXPECT_EQ(arrivals[2].first, 8);
  // Arrival times survive to the 250 µs tick.
  EXPECT_NEAR(static_cast<double>(arrivals[0].second), 0, 250);
  EXPECT_NEAR(static_cast<double>(arrivals[1].second), 5'000, 250);
  EXPECT_NEAR(static_cast<double>(arrivals[2].second), 20'000, 250);
  EXPECT_FALSE(feedback.NextDue());

  // The next report starts where this one ended (9 lost), and 7 arriving
  // now is too late to say.
  feedback.OnPacket(7, t0 + TimeDelta::Millis(120));
  feedback.OnPacket(10, t0 + TimeDelta::Millis(130));
  EXPECT_EQ(feedback.late(), 1u);
  reports.clear();
  feedback.TakeReports(kSender, kMedia, reports);
  ASSERT_EQ(reports.size(), 1u);
  EXPECT_EQ(reports[0].base_sequence, 9);
  EXPECT_EQ(reports[0].status_count, 2);
  EXPECT_EQ(reports[0].feedback_count, 1);
  ASSERT_EQ(reports[0].received.size(), 1u);
  EXPECT_EQ(reports[0].received[0].sequence_number, 10);
}

TEST(UpstreamFeedback, SequenceNumbersWrap) {
  UpstreamFeedback feedback(3);
  const Timestamp t0 = Timestamp::Millis(1'000);
  feedback.OnPacket(65534, t0);
  feedback.OnPacket(65535, t0 + TimeDelta::Millis(1));
  feedback.OnPacket(0, t0 + TimeDelta::Millis(2));
  feedback.OnPacket(1, t0 + TimeDelta::Millis(3));
  std::vector<rtcp::TransportFeedback> reports;
  feedback.TakeReports(kSender, kMedia, reports);
  ASSERT_EQ(reports.size(), 1u);
  EXPECT_EQ(reports[0].base_sequence, 65534);
  EXPECT_EQ(reports[0].status_count, 4);
  EXPECT_EQ(reports[0].received.size(), 4u);
}

TEST(UpstreamFeedback, ALongGapInTimeOrNumbersSplitsTheReport) {
  UpstreamFeedback feedback(3);
  const Timestamp t0 = Timestamp::Millis(1'000);
  feedback.OnPacket(1, t0);
  feedback.OnPacket(2, t0 + TimeDelta::Seconds(9));  // past a 16-bit delta of 250 µs ticks (8.19 s)
  feedback.OnPacket(3000, t0 + TimeDelta::Seconds(9));  // past what one report covers
  std::vector<rtcp::TransportFeedback> reports;
  feedback.TakeReports(kSender, kMedia, reports);
  ASSERT_EQ(reports.size(), 3u);
  EXPECT_EQ(reports[0].base_sequence, 1);
  EXPECT_EQ(reports[1].base_sequence, 2);
  EXPECT_EQ(reports[2].base_sequence, 3000);  // not 3, with 2,997 "lost" before it
  EXPECT_EQ(reports[2].status_count, 1);
  for (const auto& r : reports) EXPECT_TRUE(r.CanSerialize());
}

TEST(UpstreamFeedback, PendingArrivalsAreBounded) {
  UpstreamFeedback feedback(3);
  for (uint32_t i = 0; i < UpstreamFeedback::kMaxPending + 100; ++i) {
    feedback.OnPacket(static_cast<uint16_t>(i), Timestamp::Millis(1'000) + TimeDelta::Micros(i));
  }
  EXPECT_EQ(feedback.dropped(), 100u);
  std::vector<rtcp::TransportFeedback> reports;
  feedback.TakeReports(kSender, kMedia, reports);
  size_t received = 0;
  for (const auto& r : reports) received += r.received.size();
  EXPECT_EQ(received, UpstreamFeedback::kMaxPending);
}

}  // namespace
}  // namespace aegis::sfu
