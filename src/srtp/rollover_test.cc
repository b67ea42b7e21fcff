#include "srtp/rollover.h"

#include <gtest/gtest.h>

namespace aegis::srtp {
namespace {

uint64_t Index(uint32_t roc, uint16_t seq) { return (uint64_t{roc} << 16) | seq; }

uint64_t Estimate(uint64_t highest, uint16_t seq) {
  auto r = EstimateSrtpIndex(highest, seq);
  EXPECT_TRUE(r.ok());
  return r.ok() ? *r : ~uint64_t{0};
}

TEST(Rollover, SameRoc) {
  EXPECT_EQ(Estimate(Index(5, 1000), 1001), Index(5, 1001));
  EXPECT_EQ(Estimate(Index(5, 1000), 900), Index(5, 900));
  EXPECT_EQ(Estimate(Index(5, 40000), 40001), Index(5, 40001));
  EXPECT_EQ(Estimate(Index(5, 40000), 7233), Index(5, 7233));  // s_l - 32768 = 7232 is not > 7233
}

TEST(Rollover, WrapForward) {
  EXPECT_EQ(Estimate(Index(0, 65535), 0), Index(1, 0));
  EXPECT_EQ(Estimate(Index(0, 65500), 10), Index(1, 10));
  EXPECT_EQ(Estimate(Index(7, 40000), 7231), Index(8, 7231));
}

TEST(Rollover, LateFromPreviousRoc) {
  EXPECT_EQ(Estimate(Index(1, 3), 65534), Index(0, 65534));
  EXPECT_EQ(Estimate(Index(9, 100), 32869), Index(8, 32869));  // 32869 - 100 = 32769 > 32768
  EXPECT_EQ(Estimate(Index(9, 100), 32868), Index(9, 32868));  // exactly 32768: same ROC
}

TEST(Rollover, Limits) {
  // ROC 0 has no previous ROC: such a packet would precede the stream.
  auto before = EstimateSrtpIndex(Index(0, 10), 65530);
  ASSERT_FALSE(before.ok());
  EXPECT_EQ(before.error(), Error::kTooOld);
  // ROC 2^32 - 1 cannot advance: index 2^48 is past the key's lifetime.
  auto past = EstimateSrtpIndex(Index(0xffffffff, 65000), 5);
  ASSERT_FALSE(past.ok());
  EXPECT_EQ(past.error(), Error::kIndexExhausted);
  EXPECT_EQ(Estimate(Index(0xffffffff, 65000), 65535), kMaxSrtpIndex);
  EXPECT_EQ(RocOf(Index(0xdeadbeef, 7)), 0xdeadbeefu);
}

}  // namespace
}  // namespace aegis::srtp
