#include "base/hex.h"

#include <gtest/gtest.h>

namespace aegis {
namespace {

TEST(Hex, RoundTrips) {
  std::vector<uint8_t> bytes = {0x00, 0x7f, 0xab, 0xff};
  EXPECT_EQ(ToHex(bytes), "007fabff");
  EXPECT_EQ(FromHex("00 7F:AB\nff"), bytes);
}

TEST(Hex, ColonHexIsUpperCaseWithColonsBetweenBytes) {
  const std::vector<uint8_t> bytes = {0x4a, 0xad, 0x09};
  EXPECT_EQ(ToColonHex(bytes), "4A:AD:09");
  EXPECT_EQ(ToColonHex({}), "");
  EXPECT_EQ(FromHex(ToColonHex(bytes)), bytes);
}

TEST(Hex, RejectsBadText) {
  EXPECT_FALSE(FromHex("abc").has_value());
  EXPECT_FALSE(FromHex("a b").has_value());
  EXPECT_FALSE(FromHex("zz").has_value());
}

}  // namespace
}  // namespace aegis
