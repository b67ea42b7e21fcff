#include <gtest/gtest.h>

#include <cmath>

#include "media/opus_decoder.h"
#include "media/opus_encoder.h"
#include "media/test_pattern.h"
#include "media/vp8_decoder.h"
#include "media/vp8_encoder.h"
#include "media/vp8_packetizer.h"

namespace aegis::media {
namespace {

std::vector<uint8_t> Bytes(size_t n) {
  std::vector<uint8_t> v(n);
  for (size_t i = 0; i < n; ++i) v[i] = static_cast<uint8_t>(i * 31 + 7);
  return v;
}

// Payloads back into the frame, checking each descriptor on the way.
std::vector<uint8_t> Unpacketize(const std::vector<std::vector<uint8_t>>& payloads) {
  std::vector<uint8_t> frame;
  for (size_t i = 0; i < payloads.size(); ++i) {
    EXPECT_GE(payloads[i].size(), 2u);
    EXPECT_EQ(payloads[i][0], i == 0 ? 0x10 : 0x00) << i;
    frame.insert(frame.end(), payloads[i].begin() + 1, payloads[i].end());
  }
  return frame;
}

TEST(PacketizeVp8, SplitsIntoEvenPayloadsUnderTheLimit) {
  const auto frame = Bytes(2500);
  const auto payloads = PacketizeVp8(frame, 1100);
  ASSERT_EQ(payloads.size(), 3u);  // 1099 bytes of frame per packet: 3 needed
  for (const auto& p : payloads) {
    EXPECT_LE(p.size(), 1100u);
    EXPECT_GE(p.size(), 1 + 2500 / 3);  // even: 834, 833, 833
  }
  EXPECT_EQ(Unpacketize(payloads), frame);
}

TEST(PacketizeVp8, EdgeSizes) {
  EXPECT_TRUE(PacketizeVp8({}, 1100).empty());
  EXPECT_TRUE(PacketizeVp8(Bytes(10), 1).empty());
  const auto one = PacketizeVp8(Bytes(1), 2);
  ASSERT_EQ(one.size(), 1u);
  EXPECT_EQ(one[0], (std::vector<uint8_t>{0x10, 7}));
  const auto exact = Bytes(2198);  // exactly two full packets
  const auto two = PacketizeVp8(exact, 1100);
  ASSERT_EQ(two.size(), 2u);
  EXPECT_EQ(two[0].size(), 1100u);
  EXPECT_EQ(two[1].size(), 1100u);
  EXPECT_EQ(Unpacketize(two), exact);
}

TEST(TestPatternVideo, MovesEveryFrameAndRepeatsPerIndex) {
  TestPatternVideo pattern(64, 48);
  const auto first = pattern.Render(0).data;
  const auto second = pattern.Render(1).data;
  EXPECT_EQ(first.size(), 64u * 48 * 3 / 2);
  EXPECT_NE(first, second);
  EXPECT_EQ(pattern.Render(0).data, first);
}

TEST(Vp8, EncodedPacketizedAndDecodedBack) {
  auto encoder = Vp8Encoder::Create({.width = 320, .height = 240, .fps = 30, .target_kbps = 300, .keyframe_interval = 90});
  ASSERT_TRUE(encoder.ok()) << encoder.error();
  auto decoder = Vp8Decoder::Create();
  ASSERT_TRUE(decoder.ok()) << decoder.error();
  TestPatternVideo pattern(320, 240);
  int encoded = 0;
  int keyframes = 0;
  for (uint64_t i = 0; i < 30; ++i) {
    if (i == 20) (*encoder)->RequestKeyframe();
    auto frame = (*encoder)->Encode(pattern.Render(i));
    ASSERT_TRUE(frame.ok()) << frame.error();
    if (frame->data.empty()) continue;  // dropped by rate control
    ++encoded;
    if (i == 0 || i == 20) {
      EXPECT_TRUE(frame->keyframe) << i;
    }
    keyframes += frame->keyframe;
    const auto received = Unpacketize(PacketizeVp8(frame->data));
    ASSERT_EQ(received, frame->data);
    EXPECT_TRUE((*decoder)->Decode(received, frame->keyframe)) << i;
  }
  EXPECT_GE(encoded, 25);
  EXPECT_EQ(keyframes, 2);
  EXPECT_EQ((*decoder)->frames_decoded(), static_cast<uint64_t>(encoded));
  EXPECT_EQ((*decoder)->errors(), 0u);
  EXPECT_EQ((*decoder)->width(), 320);
  EXPECT_EQ((*decoder)->height(), 240);
}

// Untrusted frames: garbage is an error (counted) and the decoder then waits
// for a keyframe; a delta frame before any keyframe is skipped.
TEST(Vp8Decoder, RefusesGarbageAndWaitsForAKeyframe) {
  auto decoder = Vp8Decoder::Create();
  ASSERT_TRUE(decoder.ok());
  EXPECT_FALSE((*decoder)->Decode(Bytes(300), /*keyframe=*/false));
  EXPECT_EQ((*decoder)->skipped(), 1u);
  EXPECT_FALSE((*decoder)->Decode(Bytes(300), /*keyframe=*/true));
  EXPECT_FALSE((*decoder)->Decode({}, /*keyframe=*/true));
  EXPECT_EQ((*decoder)->errors(), 2u);
  EXPECT_EQ((*decoder)->frames_decoded(), 0u);
}

// A keyframe whose header names a picture larger than any camera sends is
// refused before libvpx would allocate for it; the same frame with its true
// size decodes.
TEST(Vp8Decoder, RefusesOversizedKeyframes) {
  auto encoder = Vp8Encoder::Create({.width = 64, .height = 48, .fps = 30, .target_kbps = 100});
  ASSERT_TRUE(encoder.ok());
  TestPatternVideo pattern(64, 48);
  auto key = (*encoder)->Encode(pattern.Render(0));
  ASSERT_TRUE(key.ok() && key->keyframe && key->data.size() > 10);
  ASSERT_EQ(key->data[3], 0x9d);  // the start code, then 64 (width) and 48 (height)
  ASSERT_EQ(key->data[6] | (key->data[7] << 8), 64);
  auto decoder = Vp8Decoder::Create();
  ASSERT_TRUE(decoder.ok());
  for (const auto& [w, h] : {std::pair{16383, 16383}, std::pair{4097, 16}, std::pair{4096, 4096}, std::pair{0, 48}}) {
    auto huge = key->data;
    huge[6] = static_cast<uint8_t>(w);
    huge[7] = static_cast<uint8_t>(w >> 8);
    huge[8] = static_cast<uint8_t>(h);
    huge[9] = static_cast<uint8_t>(h >> 8);
    EXPECT_FALSE((*decoder)->Decode(huge, true)) << w << "x" << h;
  }
  EXPECT_EQ((*decoder)->errors(), 4u);
  const std::vector<uint8_t> truncated(key->data.begin(), key->data.begin() + 8);
  EXPECT_FALSE((*decoder)->Decode(truncated, true));
  EXPECT_EQ((*decoder)->errors(), 5u);
  EXPECT_TRUE((*decoder)->Decode(key->data, true));
  EXPECT_EQ((*decoder)->width(), 64);
}

TEST(Vp8Encoder, RefusesOddSizes) {
  EXPECT_FALSE(Vp8Encoder::Create({.width = 321, .height = 240}).ok());
  EXPECT_FALSE(Vp8Encoder::Create({.width = 320, .height = 240, .fps = 0}).ok());
}

double Rms(std::span<const int16_t> s) {
  double sum = 0;
  for (int16_t v : s) sum += static_cast<double>(v) * v;
  return std::sqrt(sum / static_cast<double>(s.size()));
}

// The tone survives Opus: the decoder gives back about the level that went
// in (after the codec's first frames): a 0.25 sine is -15 dBFS.
TEST(Opus, ToneEncodesAndDecodesAtItsLevel) {
  auto encoder = OpusAudioEncoder::Create(32000);
  ASSERT_TRUE(encoder.ok()) << encoder.error();
  auto decoder = OpusAudioDecoder::Create();
  ASSERT_TRUE(decoder.ok()) << decoder.error();
  TestToneAudio tone(440, 0.25);
  double in_rms = 0, out_rms = 0;
  for (int i = 0; i < 50; ++i) {
    const auto pcm = tone.Next();
    auto packet = (*encoder)->Encode(pcm);
    ASSERT_TRUE(packet.ok()) << packet.error();
    ASSERT_GT(packet->size(), 0u);
    ASSERT_LE(packet->size(), 1275u);
    ASSERT_TRUE((*decoder)->Decode(*packet));
    ASSERT_EQ((*decoder)->last_pcm().size(), 960u);
    if (i >= 10) {
      in_rms += Rms(pcm);
      out_rms += Rms((*decoder)->last_pcm());
    }
  }
  EXPECT_NEAR(out_rms / in_rms, 1.0, 0.2);
  EXPECT_NEAR((*decoder)->last_level_dbfs(), 20 * std::log10(0.25 / std::sqrt(2.0)), 2.0);
  EXPECT_EQ((*decoder)->packets_decoded(), 50u);
  EXPECT_FALSE((*encoder)->Encode(std::vector<int16_t>(480)).ok());
}

// Untrusted packets: what libopus refuses is counted, never decoded.
TEST(OpusAudioDecoder, RefusesMalformedPackets) {
  auto decoder = OpusAudioDecoder::Create();
  ASSERT_TRUE(decoder.ok());
  EXPECT_FALSE((*decoder)->Decode({}));
  // TOC code 3 (arbitrary frame count) with a frame count byte of 0: invalid.
  const std::vector<uint8_t> bad = {0x03, 0x00};
  EXPECT_FALSE((*decoder)->Decode(bad));
  EXPECT_EQ((*decoder)->errors(), 2u);
  EXPECT_EQ((*decoder)->packets_decoded(), 0u);
  EXPECT_EQ((*decoder)->last_level_dbfs(), -100);
}

}  // namespace
}  // namespace aegis::media
