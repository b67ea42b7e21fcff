// Compound framing: the common header checks of RFC 3550 §6.4.1 / A.2, the
// compound as a whole, unknown packets, and SerializeCompound.
#include "rtcp/compound.h"

#include <gtest/gtest.h>

#include "rtcp/test_util.h"

namespace aegis::rtcp {
namespace {

using testing::ErrorOf;
using testing::Hex;

// SR with one report block, then SDES with a CNAME, built by hand from the
// RFC 3550 §6.4.1 and §6.5 diagrams.
constexpr std::string_view kSrSdes =
    "81c8000c"                  // V=2 P=0 RC=1 PT=200 length=12
    "12345678"                  // SSRC of sender
    "e54f1b2a80000000"          // NTP timestamp
    "0001e240"                  // RTP timestamp
    "00000064"                  // sender's packet count 100
    "00003e80"                  // sender's octet count 16000
    "9abcdef0"                  // report block: SSRC_1
    "40000005"                  // fraction lost 64/256, cumulative lost 5
    "0001002a"                  // extended highest sequence number
    "00000010"                  // jitter
    "1b2a8000"                  // LSR
    "00018000"                  // DLSR 1.5 s
    "81ca0005"                  // V=2 SC=1 PT=202 length=5
    "12345678"                  // chunk SSRC
    "010a6162636465666768696a"  // CNAME, 10 bytes "abcdefghij"
    "00000000";                 // terminator and padding to the word

TEST(Compound, SrAndSdesRoundTrip) {
  const auto bytes = Hex(kSrSdes);
  auto parsed = ParseCompound(bytes);
  ASSERT_TRUE(parsed.ok()) << ToString(parsed.error());
  ASSERT_EQ(parsed->size(), 2u);

  const auto& sr = std::get<SenderReport>((*parsed)[0]);
  EXPECT_EQ(sr.sender, Ssrc(0x12345678));
  EXPECT_EQ(sr.ntp_timestamp, 0xe54f1b2a80000000u);
  EXPECT_EQ(sr.rtp_timestamp, 123456u);
  EXPECT_EQ(sr.packet_count, 100u);
  EXPECT_EQ(sr.octet_count, 16000u);
  ASSERT_EQ(sr.report_blocks.size(), 1u);
  const ReportBlock& b = sr.report_blocks[0];
  EXPECT_EQ(b.source, Ssrc(0x9abcdef0));
  EXPECT_EQ(b.fraction_lost, 64);
  EXPECT_EQ(b.cumulative_lost, 5);
  EXPECT_EQ(b.extended_highest_sequence, 0x1002au);
  EXPECT_EQ(b.jitter, 16u);
  EXPECT_EQ(b.last_sr, 0x1b2a8000u);
  EXPECT_EQ(b.delay_since_last_sr, 0x18000u);
  EXPECT_TRUE(sr.profile_extension.empty());

  const auto& sdes = std::get<Sdes>((*parsed)[1]);
  ASSERT_EQ(sdes.chunks.size(), 1u);
  EXPECT_EQ(sdes.chunks[0].source, Ssrc(0x12345678));
  EXPECT_EQ(sdes.chunks[0].Cname(), "abcdefghij");

  std::vector<uint8_t> out;
  ASSERT_TRUE(SerializeCompound(*parsed, out));
  EXPECT_EQ(ToHex(out), ToHex(bytes));
}

TEST(Compound, BuildsFromPacketList) {
  SenderReport sr;
  sr.sender = Ssrc(0x12345678);
  sr.ntp_timestamp = 0xe54f1b2a80000000u;
  sr.rtp_timestamp = 123456;
  sr.packet_count = 100;
  sr.octet_count = 16000;
  sr.report_blocks.push_back({Ssrc(0x9abcdef0), 64, 5, 0x1002a, 16, 0x1b2a8000, 0x18000});
  Sdes sdes;
  sdes.chunks.push_back({Ssrc(0x12345678), {{kSdesCname, "abcdefghij"}}});
  const std::vector<Packet> packets = {sr, sdes};
  std::vector<uint8_t> out = {0xaa};  // appends after existing content
  ASSERT_TRUE(SerializeCompound(packets, out));
  EXPECT_EQ(ToHex(out), "aa" + std::string(kSrSdes));
}

TEST(Compound, RejectsEmptyBuffer) { EXPECT_EQ(ErrorOf({}), ParseError::kEmpty); }

TEST(Compound, RejectsTruncatedHeader) {
  EXPECT_EQ(ErrorOf(Hex("80c900")), ParseError::kTruncatedHeader);
  EXPECT_EQ(ErrorOf(Hex("80")), ParseError::kTruncatedHeader);
  // A valid RR followed by two stray bytes.
  EXPECT_EQ(ErrorOf(Hex("80c90001 12345678 80c9")), ParseError::kTruncatedHeader);
}

TEST(Compound, RejectsVersionOtherThanTwo) {
  EXPECT_EQ(ErrorOf(Hex("40c90001 12345678")), ParseError::kBadVersion);  // V=1
  EXPECT_EQ(ErrorOf(Hex("00c90001 12345678")), ParseError::kBadVersion);  // V=0
  EXPECT_EQ(ErrorOf(Hex("c0c90001 12345678")), ParseError::kBadVersion);  // V=3
  // In the second packet too.
  EXPECT_EQ(ErrorOf(Hex("80c90001 12345678 40c90001 12345678")), ParseError::kBadVersion);
}

TEST(Compound, RejectsLengthPastEnd) {
  EXPECT_EQ(ErrorOf(Hex("80c90002 12345678")), ParseError::kLengthPastEnd);
  EXPECT_EQ(ErrorOf(Hex("80c9ffff 12345678")), ParseError::kLengthPastEnd);
  // Truncated SR: the length says 52 bytes, 40 are present.
  auto sr = Hex(kSrSdes);
  sr.resize(40);
  EXPECT_EQ(ErrorOf(sr), ParseError::kLengthPastEnd);
  // The second packet's length runs past the end.
  EXPECT_EQ(ErrorOf(Hex("80c90001 12345678 80cb0002 12345678")), ParseError::kLengthPastEnd);
  // An unknown type's length is checked as well.
  EXPECT_EQ(ErrorOf(Hex("80cf0003 12345678")), ParseError::kLengthPastEnd);
}

TEST(Compound, Rfc7714Sec17PlaintextHasLengthPastEnd) {
  // The plaintext SRTCP packet of RFC 7714 §17.1 is 52 bytes, but its length
  // field (13) declares 56: as RTCP it is malformed, and is refused.
  const auto bytes = Hex(
      "81c8000d4d6172734e5450314e545032525450200000042a0000e930"
      "4c756e61deadbeefdeadbeefdeadbeefdeadbeefdeadbeef");
  ASSERT_EQ(bytes.size(), 52u);
  EXPECT_EQ(ErrorOf(bytes), ParseError::kLengthPastEnd);
}

TEST(Compound, AcceptsPaddingOnLastPacketOnly) {
  // RR with RC=0 and 4 bytes of padding (count 4).
  auto parsed = ParseCompound(Hex("a0c90002 12345678 00000004"));
  ASSERT_TRUE(parsed.ok()) << ToString(parsed.error());
  const auto& rr = std::get<ReceiverReport>((*parsed)[0]);
  EXPECT_EQ(rr.sender, Ssrc(0x12345678));
  EXPECT_TRUE(rr.report_blocks.empty());
  EXPECT_TRUE(rr.profile_extension.empty());
  // After a first packet, padding on the last one is fine too.
  EXPECT_TRUE(ParseCompound(Hex("80c90001 11111111 a0c90002 12345678 00000004")).ok());
  // Padding on the first of two packets is not.
  EXPECT_EQ(ErrorOf(Hex("a0c90002 12345678 00000004 80c90001 12345678")), ParseError::kPaddingNotLast);
}

TEST(Compound, RejectsBadPaddingCount) {
  EXPECT_EQ(ErrorOf(Hex("a0c90002 12345678 00000000")), ParseError::kBadPadding);  // count 0
  EXPECT_EQ(ErrorOf(Hex("a0c90002 12345678 00000009")), ParseError::kBadPadding);  // 9 > body of 8
  EXPECT_EQ(ErrorOf(Hex("a0cf0000")), ParseError::kBadPadding);                    // P with no body at all
  // Count 3 leaves a body that is not whole words (RFC 3550: a multiple of four).
  EXPECT_EQ(ErrorOf(Hex("a0c90002 12345678 00000003")), ParseError::kBadPadding);
  // Padding may swallow the whole body of an unknown packet (count 8 of 8).
  EXPECT_TRUE(ParseCompound(Hex("a0cf0002 00000000 00000008")).ok());
}

TEST(Compound, ErrorInLaterPacketRejectsWholeCompound) {
  // Valid RR, then a BYE whose SC says 2 but holds one SSRC.
  EXPECT_EQ(ErrorOf(Hex("80c90001 12345678 82cb0001 12345678")), ParseError::kCountExceedsLength);
}

TEST(Compound, ZeroLengthPackets) {
  // Header-only packets: known types that need a body are too short...
  EXPECT_EQ(ErrorOf(Hex("80c80000")), ParseError::kTooShort);  // SR
  EXPECT_EQ(ErrorOf(Hex("80c90000")), ParseError::kTooShort);  // RR
  EXPECT_EQ(ErrorOf(Hex("81cd0000")), ParseError::kTooShort);  // NACK
  EXPECT_EQ(ErrorOf(Hex("81ce0000")), ParseError::kTooShort);  // PLI
  // ...while an empty BYE/SDES (count 0) and an unknown type are valid.
  auto parsed = ParseCompound(Hex("80cb0000 80ca0000 80cf0000"));
  ASSERT_TRUE(parsed.ok()) << ToString(parsed.error());
  ASSERT_EQ(parsed->size(), 3u);
  EXPECT_TRUE(std::get<Bye>((*parsed)[0]).sources.empty());
  EXPECT_TRUE(std::get<Sdes>((*parsed)[1]).chunks.empty());
  EXPECT_TRUE(std::get<UnknownPacket>((*parsed)[2]).body.empty());
}

TEST(Compound, KeepsUnknownPacketsRaw) {
  // XR (207), a TMMBR (RTPFB FMT 3), a non-REMB AFB (PSFB FMT 15) and a
  // reserved type 195, between two known packets.
  const auto bytes = Hex(
      "80c90001 12345678"
      "80cf0002 12345678 01020304"
      "83cd0004 11111111 00000000 22222222 04000001"
      "8fce0003 11111111 00000000 41424344"
      "85c30000"
      "81cb0001 12345678");
  auto parsed = ParseCompound(bytes);
  ASSERT_TRUE(parsed.ok()) << ToString(parsed.error());
  ASSERT_EQ(parsed->size(), 6u);
  EXPECT_TRUE(std::holds_alternative<ReceiverReport>((*parsed)[0]));
  const auto& xr = std::get<UnknownPacket>((*parsed)[1]);
  EXPECT_EQ(xr.packet_type, 207);
  EXPECT_EQ(xr.count, 0);
  EXPECT_FALSE(xr.padding);
  EXPECT_EQ(ToHex(xr.body), "1234567801020304");
  const auto& tmmbr = std::get<UnknownPacket>((*parsed)[2]);
  EXPECT_EQ(tmmbr.packet_type, kTypeRtpfb);
  EXPECT_EQ(tmmbr.count, 3);
  EXPECT_EQ(std::get<UnknownPacket>((*parsed)[3]).count, 15);
  EXPECT_EQ(std::get<UnknownPacket>((*parsed)[4]).packet_type, 195);
  EXPECT_EQ(std::get<UnknownPacket>((*parsed)[4]).count, 5);
  EXPECT_TRUE(std::holds_alternative<Bye>((*parsed)[5]));

  std::vector<uint8_t> out;
  ASSERT_TRUE(SerializeCompound(*parsed, out));
  EXPECT_EQ(ToHex(out), ToHex(bytes));
}

TEST(Compound, UnknownPaddedPacketRoundTripsWhenLast) {
  const auto bytes = Hex("80c90001 12345678 a0cf0002 12345678 00000004");
  auto parsed = ParseCompound(bytes);
  ASSERT_TRUE(parsed.ok());
  const auto& unknown = std::get<UnknownPacket>((*parsed)[1]);
  EXPECT_TRUE(unknown.padding);
  std::vector<uint8_t> out;
  ASSERT_TRUE(SerializeCompound(*parsed, out));
  EXPECT_EQ(ToHex(out), ToHex(bytes));
  // Moved to the front, the padded packet would make an invalid compound.
  const std::vector<Packet> reordered = {(*parsed)[1], (*parsed)[0]};
  out.clear();
  EXPECT_FALSE(SerializeCompound(reordered, out));
  EXPECT_TRUE(out.empty());
  // A padding count the body cannot hold is refused as well.
  UnknownPacket bad = unknown;
  bad.body = {0, 0, 0, 5};
  EXPECT_FALSE(bad.CanSerialize());
  bad.body = {0, 0, 0, 0};
  EXPECT_FALSE(bad.CanSerialize());
  bad.body = {0, 0, 0, 4};
  EXPECT_TRUE(bad.CanSerialize());
}

TEST(Compound, SerializeRefusesWhatCannotBeEncoded) {
  std::vector<uint8_t> out;
  EXPECT_FALSE(SerializeCompound({}, out));
  ReceiverReport rr;
  rr.report_blocks.resize(32);  // RC is 5 bits
  const std::vector<Packet> packets = {Pli{}, rr};
  EXPECT_FALSE(SerializeCompound(packets, out));
  EXPECT_TRUE(out.empty());  // nothing written, not even the valid PLI
}

TEST(Compound, ErrorNamesAreDistinct) {
  EXPECT_EQ(ToString(ParseError::kEmpty), "empty buffer");
  EXPECT_NE(ToString(ParseError::kTwccBadStatusCount), ToString(ParseError::kTwccTruncatedDeltas));
}

}  // namespace
}  // namespace aegis::rtcp
