#include "auth/base64url.h"

#include <gtest/gtest.h>

#include "base/random.h"

namespace aegis::auth {
namespace {

std::vector<uint8_t> V(std::string_view s) { return {s.begin(), s.end()}; }

// RFC 4648 §10 test vectors, with the '=' padding removed (RFC 7515 §2).
TEST(Base64Url, Rfc4648VectorsWithoutPadding) {
  const std::pair<std::string_view, std::string_view> cases[] = {
      {"", ""},         {"f", "Zg"},         {"fo", "Zm8"},         {"foo", "Zm9v"},
      {"foob", "Zm9vYg"}, {"fooba", "Zm9vYmE"}, {"foobar", "Zm9vYmFy"},
  };
  for (auto [plain, encoded] : cases) {
    EXPECT_EQ(Base64UrlEncode(plain), encoded);
    auto decoded = Base64UrlDecode(encoded);
    ASSERT_TRUE(decoded) << encoded;
    EXPECT_EQ(*decoded, V(plain));
  }
}

TEST(Base64Url, UsesTheUrlAlphabet) {
  // 0xFB 0xFF 0xBF -> "+/+/" in base64, "-_-_" in base64url.
  const uint8_t bytes[] = {0xFB, 0xFF, 0xBF};
  EXPECT_EQ(Base64UrlEncode(bytes), "-_-_");
  EXPECT_EQ(*Base64UrlDecode("-_-_"), std::vector<uint8_t>(std::begin(bytes), std::end(bytes)));
  EXPECT_FALSE(Base64UrlDecode("+/+/"));  // the standard alphabet is refused
}

TEST(Base64Url, RefusesPadding) {
  EXPECT_FALSE(Base64UrlDecode("Zg=="));
  EXPECT_FALSE(Base64UrlDecode("Zg="));
  EXPECT_FALSE(Base64UrlDecode("Zm8="));
  EXPECT_FALSE(Base64UrlDecode("===="));
  EXPECT_FALSE(Base64UrlDecode("Zm9v===="));
}

TEST(Base64Url, RefusesInvalidCharacters) {
  for (std::string_view s : std::vector<std::string_view>{"Zm9v ", " Zm9v", "Zm\n9v", "Zm9v\r\n", "Zm.v", "Zm9*", std::string_view("Zm\0v", 4),
                             "Zm9\xC3\xA9"}) {
    EXPECT_FALSE(Base64UrlDecode(s)) << s;
  }
}

TEST(Base64Url, RefusesImpossibleLength) {
  EXPECT_FALSE(Base64UrlDecode("Z"));
  EXPECT_FALSE(Base64UrlDecode("Zm9vY"));
}

TEST(Base64Url, RefusesNonCanonicalTrailingBits) {
  // "Zg" is 'f' (0x66); "Zh".."Zv" carry the same byte with non-zero unused bits.
  EXPECT_TRUE(Base64UrlDecode("Zg"));
  for (std::string_view s : std::vector<std::string_view>{"Zh", "Zi", "Zj", "Zk", "Zv"}) EXPECT_FALSE(Base64UrlDecode(s)) << s;
  // Two bytes: the last character has two unused bits.
  EXPECT_TRUE(Base64UrlDecode("Zm8"));
  for (std::string_view s : std::vector<std::string_view>{"Zm9", "Zm-", "Zm_"}) EXPECT_FALSE(Base64UrlDecode(s)) << s;
}

TEST(Base64Url, RoundTripsEveryLengthAndByte) {
  SeededRandom random(7);
  for (size_t n = 0; n <= 70; ++n) {
    std::vector<uint8_t> bytes(n);
    random.Fill(bytes);
    std::string text = Base64UrlEncode(bytes);
    EXPECT_EQ(text.size(), (4 * n + 2) / 3);
    EXPECT_EQ(text.find('='), std::string::npos);
    auto back = Base64UrlDecode(text);
    ASSERT_TRUE(back);
    EXPECT_EQ(*back, bytes);
  }
  std::vector<uint8_t> all(256);
  for (size_t i = 0; i < all.size(); ++i) all[i] = static_cast<uint8_t>(i);
  EXPECT_EQ(*Base64UrlDecode(Base64UrlEncode(all)), all);
}

}  // namespace
}  // namespace aegis::auth
