#include "sctp/reassembler.h"

#include <gtest/gtest.h>

#include <vector>

namespace aegis::sctp {
namespace {

std::vector<uint8_t> Fill(size_t n, uint8_t v) { return std::vector<uint8_t>(n, v); }

TEST(Reassembler, WholeMessageInOnePiece) {
  Reassembler r(100);
  const auto m = r.Append(3, 51, true, Fill(10, 7), true);
  ASSERT_TRUE(m.has_value());
  EXPECT_EQ(m->stream_id, 3);
  EXPECT_EQ(m->ppid, 51u);
  EXPECT_TRUE(m->unordered);
  EXPECT_EQ(m->data, Fill(10, 7));
  EXPECT_EQ(r.buffered_bytes(), 0u);
}

TEST(Reassembler, JoinsPiecesUntilEndOfRecord) {
  Reassembler r(100);
  EXPECT_FALSE(r.Append(1, 53, false, Fill(40, 1), false).has_value());
  EXPECT_EQ(r.buffered_bytes(), 40u);
  EXPECT_FALSE(r.Append(1, 53, false, Fill(40, 2), false).has_value());
  const auto m = r.Append(1, 53, false, Fill(20, 3), true);
  ASSERT_TRUE(m.has_value());
  std::vector<uint8_t> want = Fill(40, 1);
  for (auto v : {Fill(40, 2), Fill(20, 3)}) want.insert(want.end(), v.begin(), v.end());
  EXPECT_EQ(m->data, want);  // exactly at the limit is accepted
  EXPECT_EQ(r.oversize_dropped(), 0u);
}

TEST(Reassembler, OversizeIsDroppedAndCountedThenNextMessageWorks) {
  Reassembler r(100);
  EXPECT_FALSE(r.Append(1, 53, false, Fill(60, 1), false).has_value());
  EXPECT_FALSE(r.Append(1, 53, false, Fill(60, 1), false).has_value());
  EXPECT_EQ(r.buffered_bytes(), 0u);  // released as soon as it went over
  EXPECT_FALSE(r.Append(1, 53, false, Fill(60, 1), false).has_value());
  EXPECT_FALSE(r.Append(1, 53, false, Fill(1, 1), true).has_value());
  EXPECT_EQ(r.oversize_dropped(), 1u);
  const auto m = r.Append(1, 51, false, Fill(5, 9), true);
  ASSERT_TRUE(m.has_value());
  EXPECT_EQ(m->data, Fill(5, 9));
  // A single piece over the limit.
  EXPECT_FALSE(r.Append(2, 53, false, Fill(101, 1), true).has_value());
  EXPECT_EQ(r.oversize_dropped(), 2u);
}

TEST(Reassembler, AbortAndStreamSwitchDiscardThePartialMessage) {
  Reassembler r(100);
  EXPECT_FALSE(r.Append(1, 53, false, Fill(10, 1), false).has_value());
  r.Abort();
  EXPECT_EQ(r.interrupted(), 1u);
  auto m = r.Append(1, 53, false, Fill(3, 2), true);
  ASSERT_TRUE(m.has_value());
  EXPECT_EQ(m->data, Fill(3, 2));

  EXPECT_FALSE(r.Append(1, 53, false, Fill(10, 1), false).has_value());
  m = r.Append(4, 51, false, Fill(2, 5), true);  // another stream's message
  ASSERT_TRUE(m.has_value());
  EXPECT_EQ(m->stream_id, 4);
  EXPECT_EQ(m->data, Fill(2, 5));
  EXPECT_EQ(r.interrupted(), 2u);
}

}  // namespace
}  // namespace aegis::sctp
