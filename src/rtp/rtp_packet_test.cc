#include "rtp/rtp_packet.h"

#include <gtest/gtest.h>

#include "base/hex.h"
#include "rtp/rtp_header.h"

namespace aegis::rtp {
namespace {

std::vector<uint8_t> Hex(const char* text) { return *FromHex(text); }

// V=2 P X CC=1, M PT=96, seq 0x1234, ts 0xdeadbeef, SSRC 0x11223344,
// CSRC 0x55667788, one-byte extension block (id 1 = 0xab, 2 padding bytes),
// payload 010203, 3 bytes of padding.
const char* kFullPacket =
    "b1e0 1234 deadbeef 11223344 55667788 bede0001 10ab0000 010203 000003";

TEST(RtpPacketView, ParsesEveryHeaderField) {
  auto bytes = Hex(kFullPacket);
  auto view = RtpPacketView::Parse(bytes);
  ASSERT_TRUE(view.has_value());
  EXPECT_TRUE(view->marker());
  EXPECT_EQ(view->payload_type(), 96);
  EXPECT_EQ(view->sequence_number(), 0x1234);
  EXPECT_EQ(view->timestamp(), 0xdeadbeefu);
  EXPECT_EQ(view->ssrc(), Ssrc(0x11223344));
  ASSERT_EQ(view->csrc_count(), 1u);
  EXPECT_EQ(view->csrc(0), 0x55667788u);
  EXPECT_EQ(view->extension_profile(), kOneByteExtensionProfile);
  EXPECT_EQ(view->header_size(), 24u);
  EXPECT_EQ(view->padding_size(), 3u);
  EXPECT_EQ(ToHex(view->payload()), "010203");
  auto ext = view->FindExtension(1);
  ASSERT_TRUE(ext.has_value());
  EXPECT_EQ(ToHex(*ext), "ab");
  EXPECT_FALSE(view->FindExtension(2).has_value());
}

TEST(RtpPacketView, SerializesBackToTheSameBytes) {
  auto bytes = Hex(kFullPacket);
  auto view = RtpPacketView::Parse(bytes);
  ASSERT_TRUE(view.has_value());
  std::vector<uint8_t> out;
  ASSERT_TRUE(RtpHeader::FromView(*view).SerializeTo(view->payload(), 3, out));
  EXPECT_EQ(ToHex(out), ToHex(bytes));
}

TEST(RtpPacketView, TwoByteExtensionsRoundTrip) {
  RtpHeader h;
  h.payload_type = 111;
  h.sequence_number = 65535;
  h.ssrc = Ssrc(7);
  h.extensions = {{1, {}}, {20, std::vector<uint8_t>(17, 0x5a)}};  // empty value and id > 14 need 2-byte form
  std::vector<uint8_t> payload = {9, 9};
  std::vector<uint8_t> out;
  ASSERT_TRUE(h.SerializeTo(payload, 0, out));
  auto view = RtpPacketView::Parse(out);
  ASSERT_TRUE(view.has_value());
  EXPECT_EQ(view->extension_profile(), kTwoByteExtensionProfile);
  EXPECT_EQ(RtpHeader::FromView(*view), h);
  EXPECT_EQ(view->FindExtension(20)->size(), 17u);
  EXPECT_EQ(view->FindExtension(1)->size(), 0u);
}

TEST(RtpPacketView, OneByteIdFifteenStopsProcessing) {
  // Elements: id 1 (1 byte), then id 15, then what would be id 2.
  auto bytes = Hex("9000 0001 00000000 00000001 bede0001 1001f020");
  auto view = RtpPacketView::Parse(bytes);
  ASSERT_TRUE(view.has_value());
  EXPECT_TRUE(view->FindExtension(1).has_value());
  EXPECT_FALSE(view->FindExtension(2).has_value());
}

TEST(RtpPacketView, OpaqueExtensionProfilesAreKeptButNotInterpreted) {
  auto bytes = Hex("9000 0001 00000000 00000001 abcd0001 11223344 ff");
  auto view = RtpPacketView::Parse(bytes);
  ASSERT_TRUE(view.has_value());
  EXPECT_FALSE(view->has_rfc8285_extensions());
  EXPECT_TRUE(view->Extensions().empty());
  EXPECT_EQ(view->header_size(), 20u);
  EXPECT_EQ(view->payload_size(), 1u);
}

TEST(RtpPacketView, RejectsMalformedPackets) {
  const char* bad[] = {
      "",                                          // empty
      "8000 0001 00000000 000000",                 // shorter than the fixed header
      "4000 0001 00000000 00000001",               // version 1
      "8200 0001 00000000 00000001 00000001",      // CC=2 but one CSRC
      "9000 0001 00000000 00000001 bede",          // extension header cut
      "9000 0001 00000000 00000001 bede0002 10ab0000",  // extension length past the end
      "9000 0001 00000000 00000001 bede0001 1fab0000",  // element value (16 bytes) past the block
      "9000 0001 00000000 00000001 10000001 01050000",  // two-byte element past the block
      "a000 0001 00000000 00000001",               // padding bit, no room for the count
      "a000 0001 00000000 00000001 0102 00",       // padding count 0
      "a000 0001 00000000 00000001 0102 05",       // padding count larger than payload
  };
  for (const char* text : bad) {
    SCOPED_TRACE(text);
    auto bytes = Hex(text);
    EXPECT_FALSE(RtpPacketView::Parse(bytes).has_value());
  }
}

TEST(RtpPacketView, AllPaddingIsAValidEmptyPayload) {
  auto bytes = Hex("a000 0001 00000000 00000001 000004");
  bytes.insert(bytes.begin() + 12, 0);  // 4 padding bytes in all
  auto view = RtpPacketView::Parse(bytes);
  ASSERT_TRUE(view.has_value());
  EXPECT_EQ(view->payload_size(), 0u);
  EXPECT_EQ(view->padding_size(), 4u);
}

TEST(RtpRewrite, ChangesOnlyTheFieldAsked) {
  auto bytes = Hex(kFullPacket);
  auto original = bytes;
  RewriteSsrc(bytes, Ssrc(0xcafebabe));
  RewriteSequenceNumber(bytes, 0xfffe);
  RewriteTimestamp(bytes, 42);
  RewritePayloadType(bytes, 100);
  auto view = RtpPacketView::Parse(bytes);
  ASSERT_TRUE(view.has_value());
  EXPECT_EQ(view->ssrc(), Ssrc(0xcafebabe));
  EXPECT_EQ(view->sequence_number(), 0xfffe);
  EXPECT_EQ(view->timestamp(), 42u);
  EXPECT_EQ(view->payload_type(), 100);
  EXPECT_TRUE(view->marker());  // PT rewrite keeps the marker bit
  RewriteMarker(bytes, false);
  EXPECT_FALSE(RtpPacketView::Parse(bytes)->marker());
  // Everything after the fixed header is untouched.
  EXPECT_TRUE(std::equal(bytes.begin() + 12, bytes.end(), original.begin() + 12));
}

TEST(RtpHeader, RefusesUnrepresentableHeaders) {
  std::vector<uint8_t> out;
  RtpHeader h;
  h.csrcs.assign(16, 1);
  EXPECT_FALSE(h.SerializeTo({}, 0, out));
  RtpHeader zero_id;
  zero_id.extensions = {{0, {1}}};
  EXPECT_FALSE(zero_id.SerializeTo({}, 0, out));
  EXPECT_TRUE(out.empty());
}

}  // namespace
}  // namespace aegis::rtp
