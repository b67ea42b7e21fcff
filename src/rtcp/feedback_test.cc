// Generic NACK, PLI (RFC 4585), FIR (RFC 5104) and REMB
// (draft-alvestrand-rmcat-remb).
#include <gtest/gtest.h>

#include <limits>

#include "rtcp/compound.h"
#include "rtcp/test_util.h"

namespace aegis::rtcp {
namespace {

using testing::ErrorOf;
using testing::Hex;
using testing::ParseOnly;
using testing::Serialize;

// PID 1000, BLP 0x8005: bits 0, 2 and 15 report 1001, 1003 and 1016.
constexpr std::string_view kNack = "81cd0003 11111111 22222222 03e88005";

TEST(Nack, PidAndBlpRoundTrip) {
  const auto bytes = Hex(kNack);
  auto nack = ParseOnly<Nack>(bytes);
  ASSERT_TRUE(nack);
  EXPECT_EQ(nack->sender, Ssrc(0x11111111));
  EXPECT_EQ(nack->media_source, Ssrc(0x22222222));
  ASSERT_EQ(nack->items.size(), 1u);
  EXPECT_EQ(nack->items[0], (NackItem{1000, 0x8005}));
  EXPECT_EQ(nack->SequenceNumbers(), (std::vector<uint16_t>{1000, 1001, 1003, 1016}));
  EXPECT_EQ(ToHex(Serialize(*nack)), ToHex(bytes));
}

TEST(Nack, BuildsFromSequenceNumbers) {
  const std::vector<uint16_t> lost = {1000, 1001, 1003, 1016};
  EXPECT_EQ(ToHex(Serialize(Nack::FromSequenceNumbers(Ssrc(0x11111111), Ssrc(0x22222222), lost))),
            ToHex(Hex(kNack)));
}

TEST(Nack, BuildsAcrossWrapAndSplitsItems) {
  const std::vector<uint16_t> lost = {65534, 65535, 0, 1, 40};
  Nack nack = Nack::FromSequenceNumbers(Ssrc(1), Ssrc(2), lost);
  ASSERT_EQ(nack.items.size(), 2u);
  EXPECT_EQ(nack.items[0], (NackItem{65534, 0x0007}));
  EXPECT_EQ(nack.items[1], (NackItem{40, 0}));
  EXPECT_EQ(nack.SequenceNumbers(), lost);
  auto back = ParseOnly<Nack>(Serialize(nack));
  ASSERT_TRUE(back);
  EXPECT_EQ(*back, nack);

  // 16 past the PID is the last BLP bit; 17 starts a new item.
  nack = Nack::FromSequenceNumbers(Ssrc(1), Ssrc(2), std::vector<uint16_t>{0, 16, 17});
  ASSERT_EQ(nack.items.size(), 2u);
  EXPECT_EQ(nack.items[0], (NackItem{0, 0x8000}));
  EXPECT_EQ(nack.items[1], (NackItem{17, 0}));

  // Out of order and repeated: still correct, just not minimal.
  nack = Nack::FromSequenceNumbers(Ssrc(1), Ssrc(2), std::vector<uint16_t>{5, 5, 3});
  EXPECT_EQ(nack.SequenceNumbers(), (std::vector<uint16_t>{5, 3}));
}

TEST(Nack, RejectsMalformed) {
  EXPECT_EQ(ErrorOf(Hex("81cd0002 11111111 22222222")), ParseError::kBadNackLength);  // no items
  EXPECT_EQ(ErrorOf(Hex("81cd0001 11111111")), ParseError::kTooShort);
  // Padding count 2 leaves a 2-byte item.
  EXPECT_EQ(ErrorOf(Hex("a1cd0004 11111111 22222222 03e88005 00000002")), ParseError::kBadPadding);
  Nack empty;
  EXPECT_FALSE(empty.CanSerialize());
  EXPECT_TRUE(Serialize(empty).empty());
}

TEST(Pli, RoundTrip) {
  const auto bytes = Hex("81ce0002 11111111 22222222");
  auto pli = ParseOnly<Pli>(bytes);
  ASSERT_TRUE(pli);
  EXPECT_EQ(pli->sender, Ssrc(0x11111111));
  EXPECT_EQ(pli->media_source, Ssrc(0x22222222));
  EXPECT_EQ(ToHex(Serialize(*pli)), ToHex(bytes));
}

TEST(Pli, RejectsMalformed) {
  EXPECT_EQ(ErrorOf(Hex("81ce0003 11111111 22222222 00000000")), ParseError::kTrailingBytes);
  EXPECT_EQ(ErrorOf(Hex("81ce0001 11111111")), ParseError::kTooShort);
}

TEST(Fir, EntriesRoundTrip) {
  const auto bytes = Hex("84ce0006 11111111 00000000 9abcdef0 05000000 0badf00d ff000000");
  auto fir = ParseOnly<Fir>(bytes);
  ASSERT_TRUE(fir);
  EXPECT_EQ(fir->sender, Ssrc(0x11111111));
  EXPECT_EQ(fir->media_source, Ssrc(0));
  ASSERT_EQ(fir->entries.size(), 2u);
  EXPECT_EQ(fir->entries[0], (FirEntry{Ssrc(0x9abcdef0), 5}));
  EXPECT_EQ(fir->entries[1], (FirEntry{Ssrc(0x0badf00d), 255}));
  EXPECT_EQ(ToHex(Serialize(*fir)), ToHex(bytes));
}

TEST(Fir, ReservedBitsIgnoredAndWrittenAsZero) {
  auto fir = ParseOnly<Fir>(Hex("84ce0004 11111111 00000000 9abcdef0 05abcdef"));
  ASSERT_TRUE(fir);
  EXPECT_EQ(fir->entries[0].sequence_number, 5);
  EXPECT_EQ(ToHex(Serialize(*fir)), "84ce000411111111000000009abcdef005000000");
}

TEST(Fir, RejectsMisalignedOrEmptyEntries) {
  EXPECT_EQ(ErrorOf(Hex("84ce0005 11111111 00000000 9abcdef0 05000000 12345678")), ParseError::kBadFirLength);
  EXPECT_EQ(ErrorOf(Hex("84ce0003 11111111 00000000 9abcdef0")), ParseError::kBadFirLength);
  EXPECT_EQ(ErrorOf(Hex("84ce0002 11111111 00000000")), ParseError::kBadFirLength);
  EXPECT_EQ(ErrorOf(Hex("84ce0001 11111111")), ParseError::kTooShort);
  Fir empty;
  EXPECT_FALSE(empty.CanSerialize());
}

// 1,000,000 bit/s = 250000 × 2^2: exponent 2, mantissa 0x3d090.
constexpr std::string_view kRemb = "8fce0005 11111111 00000000 52454d42 010bd090 9abcdef0";

TEST(Remb, KnownBitrateRoundTrip) {
  const auto bytes = Hex(kRemb);
  auto remb = ParseOnly<Remb>(bytes);
  ASSERT_TRUE(remb);
  EXPECT_EQ(remb->sender, Ssrc(0x11111111));
  EXPECT_EQ(remb->bitrate_bps, 1'000'000u);
  EXPECT_EQ(remb->ssrcs, (std::vector<Ssrc>{Ssrc(0x9abcdef0)}));
  EXPECT_EQ(ToHex(Serialize(*remb)), ToHex(bytes));

  Remb built{Ssrc(0x11111111), Ssrc(0), 1'000'000, {Ssrc(0x9abcdef0)}};
  EXPECT_EQ(ToHex(Serialize(built)), ToHex(bytes));
  // Not representable in 18 bits: rounded down.
  built.bitrate_bps = 1'000'003;
  EXPECT_EQ(ToHex(Serialize(built)), ToHex(bytes));
}

TEST(Remb, ExtremeBitrates) {
  Remb remb;
  remb.bitrate_bps = std::numeric_limits<uint64_t>::max();
  auto back = ParseOnly<Remb>(Serialize(remb));
  ASSERT_TRUE(back);
  EXPECT_EQ(back->bitrate_bps, uint64_t{0x3ffff} << 46);
  // A non-canonical encoding (mantissa 2, exponent 10) reads as 2048 and is
  // re-encoded with exponent 0.
  auto odd = ParseOnly<Remb>(Hex("8fce0004 11111111 00000000 52454d42 00280002"));
  ASSERT_TRUE(odd);
  EXPECT_EQ(odd->bitrate_bps, 2048u);
  EXPECT_TRUE(odd->ssrcs.empty());
  EXPECT_EQ(ToHex(Serialize(*odd)), "8fce00041111111100000000" "52454d42" "00000800");
  // 1 × 2^63 still fits in 64 bits; 2^17 × 2^47 does not.
  auto top = ParseOnly<Remb>(Hex("8fce0004 11111111 00000000 52454d42 00fc0001"));
  ASSERT_TRUE(top);
  EXPECT_EQ(top->bitrate_bps, uint64_t{1} << 63);
  auto near = ParseOnly<Remb>(Hex("8fce0004 11111111 00000000 52454d42 00bdffff"));
  ASSERT_TRUE(near);
  EXPECT_EQ(near->bitrate_bps, uint64_t{0x1ffff} << 47);
}

TEST(Remb, RejectsMalformed) {
  EXPECT_EQ(ErrorOf(Hex("8fce0005 11111111 00000000 52454d42 020bd090 9abcdef0")),
            ParseError::kRembSsrcCountMismatch);  // says 2, holds 1
  EXPECT_EQ(ErrorOf(Hex("8fce0005 11111111 00000000 52454d42 000bd090 9abcdef0")),
            ParseError::kRembSsrcCountMismatch);  // says 0, holds 1
  EXPECT_EQ(ErrorOf(Hex("8fce0005 11111111 00000000 52454d42 ff0bd090 9abcdef0")),
            ParseError::kRembSsrcCountMismatch);  // says 255
  EXPECT_EQ(ErrorOf(Hex("8fce0004 11111111 00000000 52454d42 00fc0002")), ParseError::kRembBitrateOverflow);
  EXPECT_EQ(ErrorOf(Hex("8fce0004 11111111 00000000 52454d42 00be0000")), ParseError::kRembBitrateOverflow);
  EXPECT_EQ(ErrorOf(Hex("8fce0003 11111111 00000000 52454d42")), ParseError::kTooShort);
  Remb remb;
  remb.ssrcs.resize(256);
  EXPECT_FALSE(remb.CanSerialize());
}

}  // namespace
}  // namespace aegis::rtcp
