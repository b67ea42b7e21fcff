#include "mls/tls_codec.h"

#include <gtest/gtest.h>

#include "mls/mls_test_util.h"

namespace aegis::mls {
namespace {

using testing::Hex;

TEST(TlsCodecTest, DeserializationVectors) {
  // mlswg/mls-implementations test-vectors/deserialization.json (RFC 9420 §2.1.2).
  const auto vectors = testing::LoadVectors("deserialization.json");
  ASSERT_TRUE(vectors.is_array());
  ASSERT_FALSE(vectors.empty());
  for (const auto& v : vectors) {
    const auto header = Hex(v["vlbytes_header"].get<std::string>());
    const auto length = v["length"].get<uint32_t>();
    TlsReader in(header);
    EXPECT_EQ(in.Varint(), length);
    EXPECT_TRUE(in.ok());
    EXPECT_TRUE(in.empty());
    std::vector<uint8_t> written;
    ByteWriter out(written);
    WriteVarint(out, length);
    EXPECT_EQ(written, header) << length;
  }
}

TEST(TlsCodecTest, RfcExamples) {
  // §2.1.2: 0x9d7f3e7d, 0x7bbd and 0x25.
  for (auto [hex, value] : {std::pair{"9d7f3e7d", 494878333u}, {"7bbd", 15293u}, {"25", 37u}}) {
    const auto bytes = Hex(hex);
    TlsReader in(bytes);
    EXPECT_EQ(in.Varint(), value);
    EXPECT_TRUE(in.ok());
  }
}

TEST(TlsCodecTest, RefusesInvalidPrefixAndNonMinimalLengths) {
  for (const char* hex : {"c0", "ff", "c000000000000000"}) {
    const auto bytes = Hex(hex);
    TlsReader in(bytes);
    (void)in.Varint();
    EXPECT_FALSE(in.ok());
    EXPECT_EQ(in.error(), MlsError::kBadVarint) << hex;
  }
  // Values that fit a shorter encoding: 0 and 63 in two bytes, 64 and
  // 16383 in four.
  for (const char* hex : {"4000", "403f", "80000040", "80003fff"}) {
    const auto bytes = Hex(hex);
    TlsReader in(bytes);
    (void)in.Varint();
    EXPECT_FALSE(in.ok());
    EXPECT_EQ(in.error(), MlsError::kNonMinimalVarint) << hex;
  }
  // The smallest values of each length are fine.
  for (const char* hex : {"4040", "80004000"}) {
    const auto bytes = Hex(hex);
    TlsReader in(bytes);
    (void)in.Varint();
    EXPECT_TRUE(in.ok()) << hex;
  }
}

TEST(TlsCodecTest, VectorsAreBounded) {
  const auto short_vector = Hex("0501020304");  // says 5, has 4
  TlsReader in(short_vector);
  EXPECT_TRUE(in.Vector().empty());
  EXPECT_FALSE(in.ok());
  EXPECT_EQ(in.error(), MlsError::kTruncated);

  const auto truncated_header = Hex("40");
  TlsReader header(truncated_header);
  (void)header.Vector();
  EXPECT_EQ(header.error(), MlsError::kTruncated);

  const auto two = Hex("02aabb01cc");
  TlsReader ok(two);
  EXPECT_EQ(ok.Vector().size(), 2u);
  EXPECT_EQ(ok.Vector().size(), 1u);
  EXPECT_TRUE(ok.empty());
  ok.ExpectEnd();
  EXPECT_TRUE(ok.ok());
}

TEST(TlsCodecTest, FirstErrorIsKept) {
  const auto bytes = Hex("c0");
  TlsReader in(bytes);
  (void)in.Varint();
  (void)in.U32();  // now also past the end
  EXPECT_EQ(in.error(), MlsError::kBadVarint);
}

TEST(TlsCodecTest, ForEachStopsInsideTheVectorAndPropagatesErrors) {
  // A vector of three uint16 values and one byte: the element reader fails.
  const auto bytes = Hex("0700010002000309");
  TlsReader in(bytes);
  std::vector<uint16_t> seen;
  in.ForEach([&](TlsReader& item) { seen.push_back(item.U16()); });
  EXPECT_FALSE(in.ok());
  EXPECT_EQ(in.error(), MlsError::kTruncated);
  EXPECT_EQ(seen.size(), 4u);  // the last read failed

  const auto good = Hex("0400010002ff");
  TlsReader in2(good);
  seen.clear();
  in2.ForEach([&](TlsReader& item) { seen.push_back(item.U16()); });
  EXPECT_TRUE(in2.ok());
  EXPECT_EQ(seen, (std::vector<uint16_t>{1, 2}));
  EXPECT_EQ(in2.U8(), 0xff);
}

}  // namespace
}  // namespace aegis::mls
