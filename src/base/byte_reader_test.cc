#include "base/byte_reader.h"

#include <gtest/gtest.h>

#include "base/byte_writer.h"

namespace aegis {
namespace {

TEST(ByteReader, ReadsBigEndianFields) {
  const uint8_t data[] = {1, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08, 0x09, 0x0a};
  ByteReader r(data);
  EXPECT_EQ(r.U8(), 1);
  EXPECT_EQ(r.U16(), 0x0203);
  EXPECT_EQ(r.U24(), 0x040506u);
  EXPECT_EQ(r.U32(), 0x0708090au);
  EXPECT_TRUE(r.ok());
  EXPECT_TRUE(r.empty());
}

TEST(ByteReader, FailureIsStickyAndReturnsZero) {
  const uint8_t data[] = {0xff, 0xff, 0xff};
  ByteReader r(data);
  EXPECT_EQ(r.U32(), 0u);
  EXPECT_FALSE(r.ok());
  // Even a read that would fit now fails: the parser must not continue.
  EXPECT_EQ(r.U8(), 0);
  EXPECT_TRUE(r.Bytes(1).empty());
  EXPECT_EQ(r.remaining(), 0u);
}

TEST(ByteReader, BytesNeverLeavesTheSpan) {
  const uint8_t data[] = {1, 2, 3};
  ByteReader r(data);
  EXPECT_EQ(r.Bytes(2).size(), 2u);
  EXPECT_TRUE(r.Bytes(SIZE_MAX).empty());  // no overflow in the bounds check
  EXPECT_FALSE(r.ok());
}

TEST(ByteReader, SubReaderIsBounded) {
  const uint8_t data[] = {1, 2, 3, 4, 5};
  ByteReader r(data);
  ByteReader sub = r.Sub(2);
  EXPECT_EQ(sub.U16(), 0x0102);
  EXPECT_EQ(sub.U8(), 0);
  EXPECT_FALSE(sub.ok());
  EXPECT_TRUE(r.ok());
  EXPECT_EQ(r.U8(), 3);
  ByteReader too_long = r.Sub(10);
  EXPECT_FALSE(too_long.ok());
  EXPECT_FALSE(r.ok());
}

TEST(ByteWriter, WritesAndPatches) {
  std::vector<uint8_t> out;
  ByteWriter w(out);
  w.U8(0xaa);
  w.U16(0);
  w.U32(0x01020304);
  w.PadTo(4);
  w.PatchU16(1, 0xbeef);
  EXPECT_EQ(out, (std::vector<uint8_t>{0xaa, 0xbe, 0xef, 1, 2, 3, 4, 0}));
}

}  // namespace
}  // namespace aegis
