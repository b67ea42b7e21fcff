#include "transport/rfc4571.h"

#include <gtest/gtest.h>

#include <string>

namespace aegis::transport {
namespace {

std::vector<std::vector<uint8_t>> PushAll(Rfc4571Deframer& d, const std::vector<uint8_t>& bytes, size_t chunk,
                                          bool* ok = nullptr) {
  std::vector<std::vector<uint8_t>> packets;
  bool all_ok = true;
  for (size_t i = 0; i < bytes.size(); i += chunk) {
    const size_t n = std::min(chunk, bytes.size() - i);
    all_ok = d.Push(std::span<const uint8_t>(bytes).subspan(i, n),
                    [&](std::span<uint8_t> p) { packets.emplace_back(p.begin(), p.end()); }) && all_ok;
  }
  if (ok) *ok = all_ok;
  return packets;
}

TEST(Rfc4571, PacketsComeOutWholeHoweverTheStreamIsCut) {
  const std::vector<std::vector<uint8_t>> sent = {{1, 2, 3}, std::vector<uint8_t>(1200, 0xAB), {}, {9}};
  std::vector<uint8_t> stream;
  for (const auto& p : sent) ASSERT_TRUE(FrameRfc4571(p, stream));
  EXPECT_EQ(stream.size(), 3u + 1200u + 1u + 4u * 2u);
  EXPECT_EQ(stream[0], 0);
  EXPECT_EQ(stream[1], 3);
  EXPECT_EQ(stream[5], 1200 >> 8);
  EXPECT_EQ(stream[6], 1200 & 0xFF);
  const std::vector<std::vector<uint8_t>> expected = {sent[0], sent[1], sent[3]};  // the empty one carries nothing
  for (size_t chunk : {size_t{1}, size_t{2}, size_t{3}, size_t{7}, size_t{1000}, stream.size()}) {
    Rfc4571Deframer d(1500);
    bool ok = false;
    EXPECT_EQ(PushAll(d, stream, chunk, &ok), expected) << "chunk " << chunk;
    EXPECT_TRUE(ok);
  }
}

TEST(Rfc4571, AnOversizedPacketEndsTheStream) {
  Rfc4571Deframer d(1500);
  std::vector<uint8_t> stream;
  ASSERT_TRUE(FrameRfc4571(std::vector<uint8_t>(10, 1), stream));
  ASSERT_TRUE(FrameRfc4571(std::vector<uint8_t>(1501, 2), stream));
  ASSERT_TRUE(FrameRfc4571(std::vector<uint8_t>(10, 3), stream));
  bool ok = true;
  const auto packets = PushAll(d, stream, 64, &ok);
  EXPECT_FALSE(ok);
  EXPECT_TRUE(d.failed());
  ASSERT_EQ(packets.size(), 1u);  // the one before; nothing after
  EXPECT_EQ(packets[0], std::vector<uint8_t>(10, 1));
  // The largest packet it takes is exactly max_packet.
  Rfc4571Deframer exact(1500);
  std::vector<uint8_t> fits;
  ASSERT_TRUE(FrameRfc4571(std::vector<uint8_t>(1500, 4), fits));
  EXPECT_EQ(PushAll(exact, fits, 100).size(), 1u);
}

TEST(Rfc4571, FramingRefusesWhatTheLengthCannotSay) {
  std::vector<uint8_t> out;
  EXPECT_TRUE(FrameRfc4571(std::vector<uint8_t>(65535, 0), out));
  EXPECT_EQ(out.size(), 65537u);
  out.clear();
  EXPECT_FALSE(FrameRfc4571(std::vector<uint8_t>(65536, 0), out));
  EXPECT_TRUE(out.empty());
}

}  // namespace
}  // namespace aegis::transport
