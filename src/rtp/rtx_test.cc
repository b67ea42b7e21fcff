// RTX packets (RFC 4588 §4) built and unwrapped byte for byte.
#include "rtp/rtx.h"

#include <gtest/gtest.h>

#include "base/hex.h"

namespace aegis::rtp {
namespace {

std::vector<uint8_t> Hex(const char* text) { return *FromHex(text); }

// V=2 P X CC=1, M PT=96, seq 0x1234, ts 0xdeadbeef, SSRC 0x11223344, CSRC
// 0x55667788, one-byte extension block, payload 010203, 3 bytes of padding.
const char* kOriginal = "b1e0 1234 deadbeef 11223344 55667788 bede0001 10ab0000 010203 000003";
// The same on SSRC 0xaabbccdd, PT 97, seq 7, OSN 0x1235 in front of the
// payload; the padding bit cleared and the padding gone.
const char* kRtx = "91e1 0007 deadbeef aabbccdd 55667788 bede0001 10ab0000 1235 010203";

TEST(Rtx, WritesTheOriginalBehindItsSequenceNumber) {
  auto original = Hex(kOriginal);
  auto view = RtpPacketView::Parse(original);
  ASSERT_TRUE(view);
  std::vector<uint8_t> out(RtxSize(*view));
  ASSERT_EQ(WriteRtx(*view, Ssrc(0xaabbccdd), 97, 7, 0x1235, out), out.size());
  EXPECT_EQ(ToHex(out), ToHex(Hex(kRtx)));
}

TEST(Rtx, RecoversTheOriginal) {
  auto rtx = Hex(kRtx);
  auto view = RtpPacketView::Parse(rtx);
  ASSERT_TRUE(view);
  std::vector<uint8_t> out(rtx.size());
  const size_t n = RecoverFromRtx(*view, Ssrc(0x11223344), 96, out);
  ASSERT_EQ(n, rtx.size() - 2);
  out.resize(n);
  EXPECT_EQ(ToHex(out), ToHex(Hex("91e0 1235 deadbeef 11223344 55667788 bede0001 10ab0000 010203")));
}

TEST(Rtx, RefusesPaddingOnlyPacketsAndShortBuffers) {
  // A probe: padding bit set, 4 bytes of padding, no payload at all.
  auto probe = Hex("a061 0008 00000001 aabbccdd 00000004");
  auto view = RtpPacketView::Parse(probe);
  ASSERT_TRUE(view);
  std::vector<uint8_t> out(64);
  EXPECT_EQ(RecoverFromRtx(*view, Ssrc(1), 96, out), 0u);
  // One payload byte is not an OSN either.
  auto one = Hex("8061 0008 00000001 aabbccdd 01");
  EXPECT_EQ(RecoverFromRtx(*RtpPacketView::Parse(one), Ssrc(1), 96, out), 0u);

  auto original = Hex(kOriginal);
  auto original_view = RtpPacketView::Parse(original);
  std::vector<uint8_t> small(RtxSize(*original_view) - 1);
  EXPECT_EQ(WriteRtx(*original_view, Ssrc(1), 97, 1, 1, small), 0u);
  auto rtx = Hex(kRtx);
  std::vector<uint8_t> too_small(rtx.size() - 3);
  EXPECT_EQ(RecoverFromRtx(*RtpPacketView::Parse(rtx), Ssrc(1), 96, too_small), 0u);
}

}  // namespace
}  // namespace aegis::rtp
