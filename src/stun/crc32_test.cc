#include "stun/crc32.h"

#include <gtest/gtest.h>

#include <string_view>

#include "stun/test_util.h"

namespace aegis::stun {
namespace {

using testing::Text;

TEST(Crc32, CheckValue) {
  // The standard CRC-32 check value (CRC catalogue, "CRC-32/ISO-HDLC").
  EXPECT_EQ(Crc32(Text("123456789")), 0xCBF43926u);
  EXPECT_EQ(Crc32({}), 0u);
  EXPECT_EQ(Crc32(Text("The quick brown fox jumps over the lazy dog")), 0x414FA339u);
}

TEST(Crc32, IncrementalEqualsOneShot) {
  const std::string_view s = "The quick brown fox jumps over the lazy dog";
  for (size_t cut = 0; cut <= s.size(); ++cut) {
    const uint32_t part = Crc32Update(Crc32(Text(s.substr(0, cut))), Text(s.substr(cut)));
    EXPECT_EQ(part, Crc32(Text(s))) << cut;
  }
}

}  // namespace
}  // namespace aegis::stun
