// The transport sequence block written into forwarded packets and RTX,
// byte for byte.
#include "rtp/transport_sequence.h"

#include <gtest/gtest.h>

#include "base/hex.h"
#include "rtp/rtx.h"

namespace aegis::rtp {
namespace {

std::vector<uint8_t> Hex(const char* text) { return *FromHex(text); }

// V=2 P X CC=1, M PT=96, seq 0x1234, ts 0xdeadbeef, SSRC 0x11223344, CSRC
// 0x55667788, a publisher's two-element block (id 1 "ab", id 4 "0" as a
// mid), payload 010203, 3 bytes of padding.
const char* kPublished = "b1e0 1234 deadbeef 11223344 55667788 bede0002 10ab4030 00000000 010203 000003";

TEST(TransportSequence, ReplacesThePublishersBlockWithOurs) {
  auto in = Hex(kPublished);
  auto view = RtpPacketView::Parse(in);
  ASSERT_TRUE(view);
  std::vector<uint8_t> out(in.size());
  const size_t n = CopyWithTransportSequence(*view, {3, 0xbeef}, out);
  // One word shorter: the publisher's block had two.
  ASSERT_EQ(n, in.size() - 4);
  out.resize(n);
  EXPECT_EQ(ToHex(out), ToHex(Hex("b1e0 1234 deadbeef 11223344 55667788 bede0001 31beef00 010203 000003")));
  auto forwarded = RtpPacketView::Parse(out);
  ASSERT_TRUE(forwarded);
  EXPECT_EQ(ReadTransportSequence(*forwarded, 3), 0xbeef);
  EXPECT_FALSE(forwarded->FindExtension(4));  // the publisher's mid is gone
  EXPECT_EQ(forwarded->padding_size(), 3u);
}

TEST(TransportSequence, AddsABlockToAPacketWithout) {
  auto in = Hex("8060 0001 00000002 00000003 aabbcc");
  auto view = RtpPacketView::Parse(in);
  ASSERT_TRUE(view);
  std::vector<uint8_t> out(64);
  const size_t n = CopyWithTransportSequence(*view, {14, 1}, out);
  ASSERT_EQ(n, in.size() + kTransportSequenceBlockSize);
  out.resize(n);
  EXPECT_EQ(ToHex(out), ToHex(Hex("9060 0001 00000002 00000003 bede0001 e1000100 aabbcc")));
}

TEST(TransportSequence, RefusesShortBuffersAndIdsOutsideTheOneByteForm) {
  auto in = Hex(kPublished);
  auto view = RtpPacketView::Parse(in);
  std::vector<uint8_t> out(in.size() - 5);
  EXPECT_EQ(CopyWithTransportSequence(*view, {3, 1}, out), 0u);
  std::vector<uint8_t> room(128);
  EXPECT_EQ(CopyWithTransportSequence(*view, {0, 1}, room), 0u);
  EXPECT_EQ(CopyWithTransportSequence(*view, {15, 1}, room), 0u);
}

TEST(TransportSequence, RtxCarriesItsOwnNumberInPlaceOfThePublishersBlock) {
  auto in = Hex(kPublished);
  auto view = RtpPacketView::Parse(in);
  std::vector<uint8_t> out(RtxSizeWithTransportSequence(*view));
  ASSERT_EQ(WriteRtx(*view, Ssrc(0xaabbccdd), 97, 7, 0x1235, TransportSequence{3, 0x0102}, out), out.size());
  // Padding bit cleared and padding gone, OSN in front of the payload.
  EXPECT_EQ(ToHex(out), ToHex(Hex("91e1 0007 deadbeef aabbccdd 55667788 bede0001 31010200 1235 010203")));
  std::vector<uint8_t> small(out.size() - 1);
  EXPECT_EQ(WriteRtx(*view, Ssrc(1), 97, 1, 1, TransportSequence{3, 1}, small), 0u);
}

}  // namespace
}  // namespace aegis::rtp
