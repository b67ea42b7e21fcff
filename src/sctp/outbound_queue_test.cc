#include "sctp/outbound_queue.h"

#include <gtest/gtest.h>

#include <vector>

namespace aegis::sctp {
namespace {

OutgoingMessage Msg(uint16_t stream, size_t size) {
  OutgoingMessage m;
  m.params.stream_id = stream;
  m.payload.assign(size, static_cast<uint8_t>(stream));
  return m;
}

TEST(OutboundQueue, BoundedInBytesButControlAlwaysFits) {
  OutboundQueue q(100);
  EXPECT_TRUE(q.Push(Msg(1, 60), false));
  EXPECT_TRUE(q.Push(Msg(2, 40), false));  // exactly full
  EXPECT_FALSE(q.Push(Msg(3, 1), false));
  EXPECT_EQ(q.bytes(), 100u);
  EXPECT_EQ(q.size(), 2u);
  EXPECT_FALSE(q.HasStream(3));
  EXPECT_TRUE(q.Push(Msg(3, 1), true));  // a DCEP ACK is never refused
  EXPECT_EQ(q.bytes(), 101u);
  EXPECT_TRUE(q.HasStream(3));
}

TEST(OutboundQueue, FlushIsFifoAndStopsWhenTold) {
  OutboundQueue q(1000);
  for (int s : {1, 2, 1, 3}) ASSERT_TRUE(q.Push(Msg(static_cast<uint16_t>(s), 10), false));
  std::vector<uint16_t> seen;
  size_t budget = 2;
  EXPECT_EQ(q.Flush([&](const OutgoingMessage& m) {
              if (budget == 0) return OutboundQueue::Verdict::kStop;
              --budget;
              seen.push_back(m.params.stream_id);
              return OutboundQueue::Verdict::kTaken;
            }),
            2u);
  EXPECT_EQ(seen, (std::vector<uint16_t>{1, 2}));
  EXPECT_EQ(q.size(), 2u);
  EXPECT_TRUE(q.HasStream(1));
  EXPECT_FALSE(q.HasStream(2));
  // A dropped message leaves the queue but does not count as taken.
  EXPECT_EQ(q.Flush([&](const OutgoingMessage& m) {
              seen.push_back(m.params.stream_id);
              return m.params.stream_id == 3 ? OutboundQueue::Verdict::kDropped : OutboundQueue::Verdict::kTaken;
            }),
            1u);
  EXPECT_EQ(seen, (std::vector<uint16_t>{1, 2, 1, 3}));
  EXPECT_TRUE(q.empty());
  EXPECT_EQ(q.bytes(), 0u);
  EXPECT_FALSE(q.HasStream(1));
}

}  // namespace
}  // namespace aegis::sctp
