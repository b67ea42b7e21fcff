#include "base/utf8.h"

#include <gtest/gtest.h>

#include <string_view>

namespace aegis {
namespace {

bool Valid(std::string_view s) { return IsValidUtf8(s); }

// The ill-formed prefix NextUtf8 reports, for a decoder to replace.
Utf8Step Step(std::string_view s) { return NextUtf8({reinterpret_cast<const uint8_t*>(s.data()), s.size()}); }

TEST(Utf8, AcceptsWellFormed) {
  EXPECT_TRUE(Valid(""));
  EXPECT_TRUE(Valid("chat"));
  EXPECT_TRUE(Valid("\xc2\x80"));                 // U+0080
  EXPECT_TRUE(Valid("\xdf\xbf"));                 // U+07FF
  EXPECT_TRUE(Valid("\xe0\xa0\x80"));             // U+0800
  EXPECT_TRUE(Valid("\xed\x9f\xbf"));             // U+D7FF, just below the surrogates
  EXPECT_TRUE(Valid("\xee\x80\x80"));             // U+E000
  EXPECT_TRUE(Valid("\xef\xbf\xbf"));             // U+FFFF
  EXPECT_TRUE(Valid("\xf0\x90\x80\x80"));         // U+10000
  EXPECT_TRUE(Valid("\xf4\x8f\xbf\xbf"));         // U+10FFFF
  EXPECT_TRUE(Valid("k\xc3\xa4" "fer\xf0\x9f\x98\x80"));
  EXPECT_TRUE(Valid(std::string_view("\0", 1)));  // NUL is a valid code point
}

TEST(Utf8, RejectsMalformed) {
  EXPECT_FALSE(Valid("\x80"));              // lone continuation
  EXPECT_FALSE(Valid("\xc3\x28"));          // fixture invalid_utf8_label
  EXPECT_FALSE(Valid("\xc3"));              // truncated
  EXPECT_FALSE(Valid("\xe2\x82"));          // truncated
  EXPECT_FALSE(Valid("\xf0\x9f\x98"));      // truncated
  EXPECT_FALSE(Valid("\xc0\xaf"));          // overlong '/'
  EXPECT_FALSE(Valid("\xc1\xbf"));          // overlong
  EXPECT_FALSE(Valid("\xe0\x9f\xbf"));      // overlong U+07FF
  EXPECT_FALSE(Valid("\xf0\x8f\xbf\xbf"));  // overlong U+FFFF
  EXPECT_FALSE(Valid("\xed\xa0\x80"));      // U+D800 surrogate
  EXPECT_FALSE(Valid("\xed\xbf\xbf"));      // U+DFFF surrogate
  EXPECT_FALSE(Valid("\xf4\x90\x80\x80"));  // U+110000
  EXPECT_FALSE(Valid("\xf5\x80\x80\x80"));
  EXPECT_FALSE(Valid("\xff"));
  EXPECT_FALSE(Valid("ok\xe2\x28\xa1"));    // bad second byte after valid text
  EXPECT_FALSE(Valid("\xf0\x9f\x98\x28"));  // bad last byte
}

TEST(Utf8, NextStepsOverOneCharacterOrOneMaximalIllFormedPrefix) {
  EXPECT_EQ(Step("a").length, 1u);
  EXPECT_TRUE(Step("\xe2\x82\xac!").valid);   // U+20AC, then '!'
  EXPECT_EQ(Step("\xe2\x82\xac!").length, 3u);
  EXPECT_FALSE(Step("\xe2\x82(").valid);       // a good start cut short: both bytes are one U+FFFD
  EXPECT_EQ(Step("\xe2\x82(").length, 2u);
  EXPECT_EQ(Step("\xe2\x82").length, 2u);      // truncated at the end: one U+FFFD too
  EXPECT_EQ(Step("\xe0\x80\x80").length, 1u); // no well-formed sequence starts E0 80: each byte is one
  EXPECT_EQ(Step("\xc3").length, 1u);
  EXPECT_EQ(Step("\x80\x80").length, 1u);
  EXPECT_EQ(Step("\xf0\x9f\x98(").length, 3u);
}

}  // namespace
}  // namespace aegis
