// SFrame header encoding: round trips at every length boundary, and the
// parser's refusals (truncation, non-minimal encodings). The RFC's 289
// header vectors are in sframe_vectors_test.cc.
#include <gtest/gtest.h>

#include "base/hex.h"
#include "sframe/sframe_header.h"
#include "sframe/sframe_test_util.h"

namespace aegis::sframe {
namespace {

using testing::Hex;

// 0..8, then 2^k - 1, 2^k, 2^k + 1 for every byte boundary, and the maximum.
std::vector<uint64_t> BoundaryValues() {
  std::vector<uint64_t> v = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, UINT64_MAX, UINT64_MAX - 1};
  for (int bits = 8; bits < 64; bits += 8) {
    uint64_t p = uint64_t{1} << bits;
    v.insert(v.end(), {p - 1, p, p + 1});
  }
  return v;
}

TEST(SframeHeader, RoundTripAtEveryLengthBoundary) {
  for (uint64_t kid : BoundaryValues()) {
    for (uint64_t ctr : BoundaryValues()) {
      SframeHeader h{kid, ctr};
      std::vector<uint8_t> bytes;
      h.SerializeTo(bytes);
      ASSERT_EQ(bytes.size(), h.size());
      ASSERT_LE(bytes.size(), SframeHeader::kMaxSize);
      bytes.push_back(0xee);  // ciphertext after the header is not read
      auto parsed = SframeHeader::Parse(bytes);
      ASSERT_TRUE(parsed.ok()) << kid << " " << ctr;
      EXPECT_EQ(*parsed, h);
    }
  }
}

TEST(SframeHeader, SizesFollowTheValue) {
  EXPECT_EQ((SframeHeader{7, 7}.size()), 1u);
  EXPECT_EQ((SframeHeader{8, 7}.size()), 2u);
  EXPECT_EQ((SframeHeader{7, 255}.size()), 2u);
  EXPECT_EQ((SframeHeader{256, 255}.size()), 4u);
  EXPECT_EQ((SframeHeader{UINT64_MAX, UINT64_MAX}.size()), 17u);
}

TEST(SframeHeader, TruncatedHeaderIsTooShort) {
  std::vector<uint8_t> full;
  SframeHeader{0x0123456789abcdef, 0xfedcba98}.SerializeTo(full);
  ASSERT_EQ(full.size(), 1u + 8 + 4);
  for (size_t n = 0; n < full.size(); ++n) {
    auto r = SframeHeader::Parse(std::span(full).first(n));
    ASSERT_FALSE(r.ok()) << n;
    EXPECT_EQ(r.error(), Error::kTooShort) << n;
  }
  EXPECT_TRUE(SframeHeader::Parse(full).ok());
}

TEST(SframeHeader, NonMinimalEncodingsAreRefused) {
  const char* cases[] = {
      "8005",                // KID 5 in one extra byte: belongs in the config byte
      "8007",                // KID 7, same
      "0800",                // CTR 0 in one extra byte
      "0807",                // CTR 7, same
      "9000ff",              // KID 255 in two bytes
      "0900ff",              // CTR 255 in two bytes
      "0a000100",            // CTR 256 in three bytes
      "f00000000000000008",  // KID 8 in eight bytes
      "0f0000000000000001",  // CTR 1 in eight bytes
      "f00001000000000000",  // KID 2^48 in eight bytes (fits in seven)
  };
  for (const char* c : cases) {
    auto r = SframeHeader::Parse(Hex(c));
    ASSERT_FALSE(r.ok()) << c;
    EXPECT_EQ(r.error(), Error::kNonMinimalHeader) << c;
  }
  // The smallest extended values are minimal: KID 8 and CTR 0xff, one byte each.
  auto ok = SframeHeader::Parse(Hex("8808ff"));
  ASSERT_TRUE(ok.ok());
  EXPECT_EQ(*ok, (SframeHeader{8, 0xff}));
}

// Whatever follows any config byte, a header either fails to parse or is the
// one canonical encoding of what it decodes to.
TEST(SframeHeader, EveryAcceptedHeaderIsCanonical) {
  const uint8_t fills[] = {0x00, 0x01, 0x07, 0x08, 0x80, 0xff};
  size_t accepted = 0, refused = 0;
  for (int config = 0; config < 256; ++config) {
    for (uint8_t lead : fills) {
      for (uint8_t fill : fills) {
        std::vector<uint8_t> bytes(SframeHeader::kMaxSize, fill);
        bytes[0] = static_cast<uint8_t>(config);
        bytes[1] = lead;
        if (config & 0x80) bytes[2 + (config >> 4 & 7)] = lead;  // first CTR byte
        auto r = SframeHeader::Parse(bytes);
        if (!r.ok()) {
          EXPECT_EQ(r.error(), Error::kNonMinimalHeader);
          ++refused;
          continue;
        }
        ++accepted;
        std::vector<uint8_t> again;
        r->SerializeTo(again);
        ASSERT_EQ(ToHex(again), ToHex(std::span(bytes).first(r->size()))) << config;
      }
    }
  }
  EXPECT_GT(accepted, 0u);
  EXPECT_GT(refused, 0u);
}

}  // namespace
}  // namespace aegis::sframe
