// SR, RR and report blocks (RFC 3550 §6.4).
#include <gtest/gtest.h>

#include "rtcp/compound.h"
#include "rtcp/test_util.h"

namespace aegis::rtcp {
namespace {

using testing::ErrorOf;
using testing::Hex;
using testing::ParseOnly;
using testing::Serialize;

TEST(ReceiverReport, TwoBlocksRoundTrip) {
  const auto bytes = Hex(
      "82c9000d"                                          // RC=2 PT=201 length=13
      "cafebabe"                                          // SSRC of packet sender
      "11111111 fffffffe 00020000 00000100 00000000 00000000"  // lost -2 (24-bit)
      "22222222 00800000 0000ffff 00000001 aabbccdd 00000400");  // lost -2^23
  auto rr = ParseOnly<ReceiverReport>(bytes);
  ASSERT_TRUE(rr);
  EXPECT_EQ(rr->sender, Ssrc(0xcafebabe));
  ASSERT_EQ(rr->report_blocks.size(), 2u);
  EXPECT_EQ(rr->report_blocks[0].source, Ssrc(0x11111111));
  EXPECT_EQ(rr->report_blocks[0].fraction_lost, 0xff);
  EXPECT_EQ(rr->report_blocks[0].cumulative_lost, -2);
  EXPECT_EQ(rr->report_blocks[0].extended_highest_sequence, 0x20000u);
  EXPECT_EQ(rr->report_blocks[0].jitter, 256u);
  EXPECT_EQ(rr->report_blocks[1].cumulative_lost, ReportBlock::kMinCumulativeLost);
  EXPECT_EQ(rr->report_blocks[1].last_sr, 0xaabbccddu);
  EXPECT_EQ(rr->report_blocks[1].delay_since_last_sr, 0x400u);
  EXPECT_EQ(ToHex(Serialize(*rr)), ToHex(bytes));
}

TEST(ReceiverReport, EmptyReportRoundTrip) {
  const auto bytes = Hex("80c90001 12345678");
  auto rr = ParseOnly<ReceiverReport>(bytes);
  ASSERT_TRUE(rr);
  EXPECT_EQ(rr->sender, Ssrc(0x12345678));
  EXPECT_EQ(ToHex(Serialize(*rr)), ToHex(bytes));
}

TEST(ReceiverReport, CumulativeLostIsClampedOnSerialize) {
  ReceiverReport rr;
  rr.report_blocks.push_back({});
  rr.report_blocks[0].cumulative_lost = 0x1234567;  // too big for 24 bits
  EXPECT_EQ(ToHex(Serialize(rr)), "81c90007" "00000000" "00000000" "00" "7fffff" "00000000000000000000000000000000");
  rr.report_blocks[0].cumulative_lost = -0x1234567;
  auto back = ParseOnly<ReceiverReport>(Serialize(rr));
  ASSERT_TRUE(back);
  EXPECT_EQ(back->report_blocks[0].cumulative_lost, ReportBlock::kMinCumulativeLost);
}

TEST(ReceiverReport, RejectsCountBeyondBytes) {
  EXPECT_EQ(ErrorOf(Hex("81c90001 12345678")), ParseError::kCountExceedsLength);
  // RC=31 (the 5-bit maximum) with one block present.
  EXPECT_EQ(ErrorOf(Hex("9fc90007 12345678 000000000000000000000000000000000000000000000000")),
            ParseError::kCountExceedsLength);
  EXPECT_EQ(ErrorOf(Hex("80c90000")), ParseError::kTooShort);
}

TEST(SenderReport, ProfileExtensionRoundTrip) {
  const auto bytes = Hex(
      "80c80008"          // RC=0 length=8
      "12345678"          // SSRC
      "0000000100000002"  // NTP
      "00000003 00000004 00000005"
      "deadbeef cafef00d");  // two words of profile-specific extension
  auto sr = ParseOnly<SenderReport>(bytes);
  ASSERT_TRUE(sr);
  EXPECT_EQ(sr->ntp_timestamp, 0x100000002u);
  EXPECT_EQ(sr->rtp_timestamp, 3u);
  EXPECT_EQ(sr->packet_count, 4u);
  EXPECT_EQ(sr->octet_count, 5u);
  EXPECT_TRUE(sr->report_blocks.empty());
  EXPECT_EQ(ToHex(sr->profile_extension), "deadbeefcafef00d");
  EXPECT_EQ(ToHex(Serialize(*sr)), ToHex(bytes));
}

TEST(SenderReport, RejectsMalformed) {
  // 20 bytes of sender info instead of 24.
  EXPECT_EQ(ErrorOf(Hex("80c80005 12345678 00000001 00000002 00000003 00000004")), ParseError::kTooShort);
  // RC=1 with no report block.
  EXPECT_EQ(ErrorOf(Hex("81c80006 12345678 0000000100000002 00000003 00000004 00000005")),
            ParseError::kCountExceedsLength);
  // RC=2 with one block.
  EXPECT_EQ(ErrorOf(Hex("82c8000c 12345678 0000000100000002 00000003 00000004 00000005"
                        "000000000000000000000000000000000000000000000000")),
            ParseError::kCountExceedsLength);
  // Padding count 2 leaves a 2-byte "extension".
  EXPECT_EQ(ErrorOf(Hex("a0c80007 12345678 0000000100000002 00000003 00000004 00000005 00000002")),
            ParseError::kBadPadding);
}

TEST(SenderReport, CannotSerializeTooManyBlocksOrRaggedExtension) {
  SenderReport sr;
  sr.report_blocks.resize(31);
  EXPECT_TRUE(sr.CanSerialize());
  auto bytes = Serialize(sr);
  EXPECT_EQ(bytes.size(), 28u + 31 * 24);
  EXPECT_EQ(bytes[0], 0x9f);  // RC=31
  sr.report_blocks.resize(32);
  EXPECT_FALSE(sr.CanSerialize());
  EXPECT_TRUE(Serialize(sr).empty());
  sr.report_blocks.clear();
  sr.profile_extension = {1, 2, 3};
  EXPECT_FALSE(sr.CanSerialize());
}

TEST(SenderReport, ParseRefusesOtherTypes) {
  CommonHeader h;
  h.packet_type = kTypeRr;
  EXPECT_EQ(SenderReport::Parse(h).error(), ParseError::kWrongType);
}

}  // namespace
}  // namespace aegis::rtcp
