// SDES, BYE and APP (RFC 3550 §6.5–6.7).
#include <gtest/gtest.h>

#include "rtcp/compound.h"
#include "rtcp/test_util.h"

namespace aegis::rtcp {
namespace {

using testing::ErrorOf;
using testing::Hex;
using testing::ParseOnly;
using testing::Serialize;

TEST(Sdes, ThreeChunksRoundTrip) {
  const auto bytes = Hex(
      "83ca0009"                    // SC=3 PT=202 length=9
      "11111111 010161 0203426f62"  // CNAME "a", NAME "Bob": 12 bytes...
      "00000000"                    // ...so the terminator needs a new word
      "22222222 00000000"           // a chunk without items
      "33333333 08050361626364 00"  // PRIV prefix "abc" value "d", one null
  );
  auto sdes = ParseOnly<Sdes>(bytes);
  ASSERT_TRUE(sdes);
  ASSERT_EQ(sdes->chunks.size(), 3u);
  EXPECT_EQ(sdes->chunks[0].source, Ssrc(0x11111111));
  ASSERT_EQ(sdes->chunks[0].items.size(), 2u);
  EXPECT_EQ(sdes->chunks[0].items[0], (SdesItem{kSdesCname, "a"}));
  EXPECT_EQ(sdes->chunks[0].items[1], (SdesItem{kSdesName, "Bob"}));
  EXPECT_EQ(sdes->chunks[0].Cname(), "a");
  EXPECT_EQ(sdes->chunks[1].source, Ssrc(0x22222222));
  EXPECT_TRUE(sdes->chunks[1].items.empty());
  EXPECT_EQ(sdes->chunks[1].Cname(), std::nullopt);
  ASSERT_EQ(sdes->chunks[2].items.size(), 1u);
  EXPECT_EQ(sdes->chunks[2].items[0], (SdesItem{kSdesPriv, "\x03" "abcd"}));
  EXPECT_EQ(ToHex(Serialize(*sdes)), ToHex(bytes));
}

TEST(Sdes, RejectsMalformed) {
  // SC=2, one chunk present.
  EXPECT_EQ(ErrorOf(Hex("82ca0002 11111111 00000000")), ParseError::kCountExceedsLength);
  // SC=31 in a small packet.
  EXPECT_EQ(ErrorOf(Hex("9fca0002 11111111 00000000")), ParseError::kCountExceedsLength);
  // CNAME length 5 with 2 bytes left.
  EXPECT_EQ(ErrorOf(Hex("81ca0002 11111111 01050000")), ParseError::kBadSdesItem);
  // Item fills the packet: no terminator.
  EXPECT_EQ(ErrorOf(Hex("81ca0002 11111111 01026162")), ParseError::kBadSdesItem);
  // A word after the last chunk.
  EXPECT_EQ(ErrorOf(Hex("81ca0003 11111111 00000000 00000000")), ParseError::kTrailingBytes);
  EXPECT_EQ(ErrorOf(Hex("80ca0001 11111111")), ParseError::kTrailingBytes);
}

TEST(Sdes, CannotSerializeInvalidItems) {
  Sdes sdes;
  sdes.chunks.push_back({Ssrc(1), {{kSdesCname, std::string(255, 'x')}}});
  EXPECT_TRUE(sdes.CanSerialize());
  auto back = ParseOnly<Sdes>(Serialize(sdes));
  ASSERT_TRUE(back);
  EXPECT_EQ(*back, sdes);
  sdes.chunks[0].items[0].value.push_back('x');  // 256 bytes
  EXPECT_FALSE(sdes.CanSerialize());
  EXPECT_TRUE(Serialize(sdes).empty());
  sdes.chunks[0].items[0] = {kSdesEnd, "x"};  // type 0 is the terminator
  EXPECT_FALSE(sdes.CanSerialize());
  sdes.chunks.assign(32, SdesChunk{});
  EXPECT_FALSE(sdes.CanSerialize());
}

TEST(Bye, WithReasonRoundTrip) {
  const auto bytes = Hex("81cb0003 12345678 04627965 21000000");  // "bye!" + 3 nulls
  auto bye = ParseOnly<Bye>(bytes);
  ASSERT_TRUE(bye);
  ASSERT_EQ(bye->sources.size(), 1u);
  EXPECT_EQ(bye->sources[0], Ssrc(0x12345678));
  EXPECT_EQ(bye->reason, "bye!");
  EXPECT_EQ(ToHex(Serialize(*bye)), ToHex(bytes));
}

TEST(Bye, VariantsRoundTrip) {
  for (const char* hex : {
           "82cb0002 11111111 22222222",  // two SSRCs, no reason
           "81cb0002 12345678 03616263",  // reason fills the word exactly
           "81cb0002 12345678 00000000",  // empty reason (present)
       }) {
    SCOPED_TRACE(hex);
    const auto bytes = Hex(hex);
    auto bye = ParseOnly<Bye>(bytes);
    ASSERT_TRUE(bye);
    EXPECT_EQ(ToHex(Serialize(*bye)), ToHex(bytes));
  }
  auto no_reason = ParseOnly<Bye>(Hex("82cb0002 11111111 22222222"));
  EXPECT_EQ(no_reason->reason, std::nullopt);
  auto empty_reason = ParseOnly<Bye>(Hex("81cb0002 12345678 00000000"));
  EXPECT_EQ(empty_reason->reason, "");
}

TEST(Bye, RejectsMalformed) {
  EXPECT_EQ(ErrorOf(Hex("83cb0002 11111111 22222222")), ParseError::kCountExceedsLength);
  EXPECT_EQ(ErrorOf(Hex("81cb0002 12345678 0a616263")), ParseError::kBadByeReason);
  EXPECT_EQ(ErrorOf(Hex("81cb0003 12345678 03616263 00000000")), ParseError::kTrailingBytes);
}

TEST(Bye, CannotSerializeOversizedFields) {
  Bye bye;
  bye.sources.resize(31);
  bye.reason = std::string(255, 'r');
  EXPECT_TRUE(bye.CanSerialize());
  auto back = ParseOnly<Bye>(Serialize(bye));
  ASSERT_TRUE(back);
  EXPECT_EQ(*back, bye);
  bye.reason->push_back('r');
  EXPECT_FALSE(bye.CanSerialize());
  bye.reason.reset();
  bye.sources.resize(32);
  EXPECT_FALSE(bye.CanSerialize());
}

TEST(App, RoundTrip) {
  const auto bytes = Hex("82cc0003 12345678 54455354 01020304");
  auto app = ParseOnly<App>(bytes);
  ASSERT_TRUE(app);
  EXPECT_EQ(app->subtype, 2);
  EXPECT_EQ(app->source, Ssrc(0x12345678));
  EXPECT_EQ(app->name, (std::array<uint8_t, 4>{'T', 'E', 'S', 'T'}));
  EXPECT_EQ(ToHex(app->data), "01020304");
  EXPECT_EQ(ToHex(Serialize(*app)), ToHex(bytes));
}

TEST(App, RejectsMalformed) {
  EXPECT_EQ(ErrorOf(Hex("80cc0001 12345678")), ParseError::kTooShort);
  // Padding count 3 leaves one byte of data.
  EXPECT_EQ(ErrorOf(Hex("a0cc0003 12345678 54455354 00000003")), ParseError::kBadPadding);
}

TEST(App, CannotSerializeRaggedData) {
  App app;
  app.data = {1, 2, 3};
  EXPECT_FALSE(app.CanSerialize());
  app.data.push_back(4);
  app.subtype = 32;
  EXPECT_FALSE(app.CanSerialize());
  app.subtype = 31;
  EXPECT_TRUE(app.CanSerialize());
}

}  // namespace
}  // namespace aegis::rtcp
