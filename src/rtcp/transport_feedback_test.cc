// Transport-wide congestion control feedback
// (draft-holmer-rmcat-transport-wide-cc-extensions-01 §3.1).
#include "rtcp/transport_feedback.h"

#include <gtest/gtest.h>

#include "rtcp/compound.h"
#include "rtcp/test_util.h"

namespace aegis::rtcp {
namespace {

using testing::ErrorOf;
using testing::Hex;
using testing::ParseOnly;
using testing::Serialize;
using Status = TransportFeedback::PacketStatus;

// 41 packets from sequence 100, built by hand:
//   100–119  run length chunk, 20 × "small delta":      0 01 0000000010100 = 2014
//   120–133  1-bit vector 0 1 1 0 0 1 1 1 1 0 1 1 1 1:  1 0 01100111101111 = 99ef
//   134–140  2-bit vector L S N L S N S:                1 1 10010010010001 = e491
// then 20 + 10 small deltas, and for 134–140: -4 (large), 255, 1000 (large), 0, 7.
// (120 is lost so that the run ends at 119: the greedy encoder extends a run
// while it can, and this must be the canonical encoding to round-trip.)
constexpr std::string_view kTwcc =
    "8fcd000f"          // FMT=15 PT=205 length=15
    "11223344 55667788"  // sender, media source
    "0064 0029"          // base sequence 100, status count 41
    "012345 07"          // reference time 0x012345, feedback count 7
    "2014 99ef e491"     // chunks
    "04010101010101010101010101010101010101 01"  // deltas 100–119
    "0a141e28323c46505a64"                       // deltas of the ten received in 120–133
    "fffc ff 03e8 00 07"                         // deltas 134, 135, 137, 138, 140
    "00";                                        // zero padding to the word

std::vector<Status> ExpectedStatuses() {
  std::vector<Status> s;
  for (uint16_t seq = 100; seq < 120; ++seq) s.push_back({seq, true, seq == 100 ? int16_t{4} : int16_t{1}});
  const int bits[14] = {0, 1, 1, 0, 0, 1, 1, 1, 1, 0, 1, 1, 1, 1};
  int16_t delta = 10;
  for (uint16_t i = 0; i < 14; ++i) {
    if (bits[i]) {
      s.push_back({static_cast<uint16_t>(120 + i), true, delta});
      delta = static_cast<int16_t>(delta + 10);
    } else {
      s.push_back({static_cast<uint16_t>(120 + i), false, 0});
    }
  }
  s.push_back({134, true, -4});
  s.push_back({135, true, 255});
  s.push_back({136, false, 0});
  s.push_back({137, true, 1000});
  s.push_back({138, true, 0});
  s.push_back({139, false, 0});
  s.push_back({140, true, 7});
  return s;
}

TEST(TransportFeedback, BothChunkKindsAndLargeDeltaRoundTrip) {
  const auto bytes = Hex(kTwcc);
  ASSERT_EQ(bytes.size(), 64u);
  auto fb = ParseOnly<TransportFeedback>(bytes);
  ASSERT_TRUE(fb);
  EXPECT_EQ(fb->sender, Ssrc(0x11223344));
  EXPECT_EQ(fb->media_source, Ssrc(0x55667788));
  EXPECT_EQ(fb->base_sequence, 100);
  EXPECT_EQ(fb->status_count, 41);
  EXPECT_EQ(fb->reference_time, 0x012345);
  EXPECT_EQ(fb->feedback_count, 7);
  EXPECT_EQ(fb->received.size(), 20u + 10 + 5);
  EXPECT_EQ(fb->Packets(), ExpectedStatuses());
  EXPECT_EQ(ToHex(Serialize(*fb)), ToHex(bytes));
}

TEST(TransportFeedback, BuildsFromStatusList) {
  const auto statuses = ExpectedStatuses();
  auto fb = TransportFeedback::FromPackets(Ssrc(0x11223344), Ssrc(0x55667788), 0x012345, 7, statuses);
  ASSERT_TRUE(fb);
  EXPECT_EQ(ToHex(Serialize(*fb)), ToHex(Hex(kTwcc)));
}

TEST(TransportFeedback, FromPacketsRefusesBadLists) {
  EXPECT_FALSE(TransportFeedback::FromPackets(Ssrc(1), Ssrc(2), 0, 0, {}));
  const std::vector<Status> gap = {{10, true, 1}, {12, true, 1}};
  EXPECT_FALSE(TransportFeedback::FromPackets(Ssrc(1), Ssrc(2), 0, 0, gap));
  const std::vector<Status> one = {{10, true, 1}};
  EXPECT_FALSE(TransportFeedback::FromPackets(Ssrc(1), Ssrc(2), 1 << 23, 0, one));  // reference time too big
  EXPECT_TRUE(TransportFeedback::FromPackets(Ssrc(1), Ssrc(2), -(1 << 23), 0, one));
  std::vector<Status> too_many(65536);
  for (size_t i = 0; i < too_many.size(); ++i) too_many[i].sequence_number = static_cast<uint16_t>(i);
  EXPECT_FALSE(TransportFeedback::FromPackets(Ssrc(1), Ssrc(2), 0, 0, too_many));
}

TEST(TransportFeedback, NegativeReferenceTimeAndSequenceWrap) {
  // Base 65535, 3 packets (65535, 0, 1) as a 2-bit vector: S N S, reference -2.
  const auto bytes = Hex("8fcd0005 00000001 00000002 ffff 0003 fffffe 00 d100 0506");
  auto fb = ParseOnly<TransportFeedback>(bytes);
  ASSERT_TRUE(fb);
  EXPECT_EQ(fb->reference_time, -2);
  const std::vector<Status> expected = {{65535, true, 5}, {0, false, 0}, {1, true, 6}};
  EXPECT_EQ(fb->Packets(), expected);
  EXPECT_EQ(ToHex(Serialize(*fb)), ToHex(bytes));
}

TEST(TransportFeedback, MaximumStatusCountCostsNoMemory) {
  // 65535 packets, none received: eight runs of 8191 and one of 7, then
  // padding. Parsing keeps nothing per lost packet.
  const auto bytes = Hex(
      "8fcd0009 00000001 00000002 0000 ffff 000000 00"
      "1fff 1fff 1fff 1fff 1fff 1fff 1fff 1fff 0007 0000");
  auto fb = ParseOnly<TransportFeedback>(bytes);
  ASSERT_TRUE(fb);
  EXPECT_EQ(fb->status_count, 65535);
  EXPECT_TRUE(fb->received.empty());
  EXPECT_EQ(fb->Packets().size(), 65535u);
  EXPECT_EQ(ToHex(Serialize(*fb)), ToHex(bytes));
}

TEST(TransportFeedback, AcceptsOtherEncodingsOfTheSameStatuses) {
  // 3 packets S S N as a 1-bit vector, and the last chunk's run longer than
  // the remaining count: both legal, re-encoded canonically.
  auto fb = ParseOnly<TransportFeedback>(Hex("8fcd0005 00000001 00000002 0000 0003 000000 00 b000 0102"));
  ASSERT_TRUE(fb);
  const std::vector<Status> expected = {{0, true, 1}, {1, true, 2}, {2, false, 0}};
  EXPECT_EQ(fb->Packets(), expected);
  auto again = ParseOnly<TransportFeedback>(Serialize(*fb));
  ASSERT_TRUE(again);
  EXPECT_EQ(*again, *fb);
  // A run of 100 "small" packets for a count of 2.
  fb = ParseOnly<TransportFeedback>(Hex("8fcd0005 00000001 00000002 0000 0002 000000 00 2064 0102"));
  ASSERT_TRUE(fb);
  EXPECT_EQ(fb->received.size(), 2u);
  // A large delta whose value would fit a small one.
  fb = ParseOnly<TransportFeedback>(Hex("8fcd0005 00000001 00000002 0000 0001 000000 00 4001 0005"));
  ASSERT_TRUE(fb);
  ASSERT_EQ(fb->received.size(), 1u);
  EXPECT_EQ(fb->received[0].delta_ticks, 5);
}

TEST(TransportFeedback, RejectsInconsistentStatusCount) {
  // Count 0.
  EXPECT_EQ(ErrorOf(Hex("8fcd0004 00000001 00000002 0000 0000 000000 00")), ParseError::kTwccBadStatusCount);
  // Count 65535 with one 14-status chunk: the chunks run out.
  EXPECT_EQ(ErrorOf(Hex("8fcd0005 00000001 00000002 0000 ffff 000000 00 8000 0000")),
            ParseError::kTwccBadStatusCount);
  // Count 20 but the only chunk (a run of 14 lost) and its padding cover 14.
  EXPECT_EQ(ErrorOf(Hex("8fcd0005 00000001 00000002 0000 0014 000000 00 000e 0000")),
            ParseError::kTwccBadStatusCount);
  // No chunk at all.
  EXPECT_EQ(ErrorOf(Hex("8fcd0004 00000001 00000002 0000 0001 000000 00")), ParseError::kTwccBadStatusCount);
}

TEST(TransportFeedback, RejectsTruncatedDeltas) {
  // Three small-delta packets, two delta bytes.
  EXPECT_EQ(ErrorOf(Hex("8fcd0005 00000001 00000002 0000 0003 000000 00 2003 0102")),
            ParseError::kTwccTruncatedDeltas);
  // A large delta with only one byte left.
  EXPECT_EQ(ErrorOf(Hex("8fcd0005 00000001 00000002 0000 0002 000000 00 4002 0001")),
            ParseError::kTwccTruncatedDeltas);
  // A run of 8191 received packets in a tiny packet fails fast.
  EXPECT_EQ(ErrorOf(Hex("8fcd0005 00000001 00000002 0000 1fff 000000 00 3fff 0000")),
            ParseError::kTwccTruncatedDeltas);
}

TEST(TransportFeedback, RejectsReservedSymbol) {
  EXPECT_EQ(ErrorOf(Hex("8fcd0005 00000001 00000002 0000 0001 000000 00 6001 0000")),
            ParseError::kTwccReservedStatus);  // run length with S=11
  EXPECT_EQ(ErrorOf(Hex("8fcd0005 00000001 00000002 0000 0002 000000 00 dc00 0100")),
            ParseError::kTwccReservedStatus);  // 2-bit vector, second symbol 11
  // A reserved symbol past the status count is filler and ignored.
  EXPECT_TRUE(ParseCompound(Hex("8fcd0005 00000001 00000002 0000 0001 000000 00 d300 0100")).ok());
}

TEST(TransportFeedback, RejectsTrailingAndShort) {
  EXPECT_EQ(ErrorOf(Hex("8fcd0006 00000001 00000002 0000 0001 000000 00 2001 0500 00000000")),
            ParseError::kTrailingBytes);
  EXPECT_EQ(ErrorOf(Hex("8fcd0003 00000001 00000002 0000 0001")), ParseError::kTooShort);
}

TEST(TransportFeedback, CannotSerializeInconsistentFields) {
  TransportFeedback fb;
  EXPECT_FALSE(fb.CanSerialize());  // status count 0
  fb.base_sequence = 65530;
  fb.status_count = 10;
  fb.received = {{65531, 1}, {2, 300}};  // offsets 1 and 8
  EXPECT_TRUE(fb.CanSerialize());
  auto back = ParseOnly<TransportFeedback>(Serialize(fb));
  ASSERT_TRUE(back);
  EXPECT_EQ(*back, fb);
  fb.received = {{2, 1}, {65531, 1}};  // out of order
  EXPECT_FALSE(fb.CanSerialize());
  fb.received = {{65531, 1}, {65531, 1}};  // repeated
  EXPECT_FALSE(fb.CanSerialize());
  fb.received = {{4, 1}};  // offset 10, past the count
  EXPECT_FALSE(fb.CanSerialize());
  EXPECT_TRUE(Serialize(fb).empty());
  fb.received.clear();
  fb.reference_time = -(1 << 23) - 1;
  EXPECT_FALSE(fb.CanSerialize());
}

TEST(TransportFeedback, EncoderCarriesOverAfterTwoBitChunk) {
  // Ten small, then a large: ten identical symbols are a run, and the large
  // starts a new group.
  std::vector<Status> s;
  for (uint16_t i = 0; i < 10; ++i) s.push_back({i, true, 1});
  s.push_back({10, true, 1000});
  auto fb = TransportFeedback::FromPackets(Ssrc(1), Ssrc(2), 0, 0, s);
  ASSERT_TRUE(fb);
  auto bytes = Serialize(*fb);
  EXPECT_EQ(ToHex(std::span(bytes).subspan(20, 4)), "200a4001");  // run of 10 S, run of 1 L
  // S N S N S N S N S L: mixed, no run; the large forces a 2-bit vector of
  // the first seven, the other three carry into the last chunk.
  s.clear();
  for (uint16_t i = 0; i < 9; ++i) s.push_back({i, i % 2 == 0, static_cast<int16_t>(i % 2 == 0 ? 1 : 0)});
  s.push_back({9, true, -1});
  fb = TransportFeedback::FromPackets(Ssrc(1), Ssrc(2), 0, 0, s);
  ASSERT_TRUE(fb);
  bytes = Serialize(*fb);
  // 01 00 01 00 01 00 01 -> d111; then N S L -> 00 01 10 -> c600.
  EXPECT_EQ(ToHex(std::span(bytes).subspan(20, 4)), "d111c600");
  auto back = ParseOnly<TransportFeedback>(bytes);
  ASSERT_TRUE(back);
  EXPECT_EQ(back->Packets(), s);

  // L S N S N S N S: once a group holds a large delta it cannot grow past
  // seven (a 1-bit vector has no symbol for it): 2-bit vector, then a run of one S.
  s.clear();
  s.push_back({0, true, 300});
  for (uint16_t i = 1; i < 8; ++i) s.push_back({i, i % 2 == 1, static_cast<int16_t>(i % 2 == 1 ? 2 : 0)});
  fb = TransportFeedback::FromPackets(Ssrc(1), Ssrc(2), 0, 0, s);
  ASSERT_TRUE(fb);
  bytes = Serialize(*fb);
  // 10 01 00 01 00 01 00 -> e444; then a run of one 01 -> 2001.
  EXPECT_EQ(ToHex(std::span(bytes).subspan(20, 4)), "e4442001");
  back = ParseOnly<TransportFeedback>(bytes);
  ASSERT_TRUE(back);
  EXPECT_EQ(back->Packets(), s);
}

}  // namespace
}  // namespace aegis::rtcp
