#include "load/media_pattern.h"

#include <gtest/gtest.h>

namespace aegis::load {
namespace {

constexpr int64_t kSecond = 1'000'000'000;

TEST(LoadStampTest, RoundTripsInThePayloadTail) {
  std::vector<uint8_t> payload(64, 0x11);
  LoadStamp{7, 123456, 987654321012345}.WriteTail(payload);
  auto s = LoadStamp::ReadTail(payload);
  ASSERT_TRUE(s);
  EXPECT_EQ(s->stream_id, 7u);
  EXPECT_EQ(s->sequence, 123456u);
  EXPECT_EQ(s->send_ns, 987654321012345);
  EXPECT_EQ(payload[0], 0x11);  // only the tail is written
  payload[payload.size() - LoadStamp::kSize] ^= 1;  // magic broken
  EXPECT_FALSE(LoadStamp::ReadTail(payload));
  EXPECT_FALSE(LoadStamp::ReadTail(std::span<const uint8_t>(payload.data(), LoadStamp::kSize - 1)));
}

TEST(MediaPatternTest, TenSecondsHaveTheConfiguredRatesAndBitrate) {
  MediaPatternConfig c;  // 1.2 Mbit/s, 30 fps, keyframe every 2 s, 100-byte audio
  MediaPattern m(c, 0);
  std::vector<MediaPacket> out;
  for (int64_t t = 0; t < 10 * kSecond; t += 1'000'000) m.Poll(t, out);
  size_t audio = 0, video_bytes = 0, frames = 0, keyframes = 0;
  uint32_t audio_seq = 0, video_seq = 0;
  for (const auto& p : out) {
    auto stamp = LoadStamp::ReadTail(p.payload);
    ASSERT_TRUE(stamp);
    if (!p.video) {
      ++audio;
      EXPECT_EQ(p.payload.size(), 100u);
      EXPECT_EQ(p.rtp_timestamp_step, 960u);
      EXPECT_EQ(stamp->stream_id, c.audio_stream_id);
      EXPECT_EQ(stamp->sequence, audio_seq++);
      continue;
    }
    EXPECT_EQ(stamp->stream_id, c.video_stream_id);
    EXPECT_EQ(stamp->sequence, video_seq++);
    EXPECT_LE(p.payload.size(), 1200u);
    video_bytes += p.payload.size();
    const bool first = (p.payload[0] & 0x10) != 0;
    if (first) {
      EXPECT_EQ(p.rtp_timestamp_step, 3000u);
      EXPECT_EQ((p.payload[1] & 0x01) == 0, p.keyframe);  // VP8 P bit
      if (p.keyframe) {
        EXPECT_EQ(p.payload[4], 0x9d);
        EXPECT_EQ(p.payload[5], 0x01);
        EXPECT_EQ(p.payload[6], 0x2a);
        ++keyframes;
      }
    } else {
      EXPECT_EQ(p.rtp_timestamp_step, 0u);
    }
    if (p.end_of_frame) ++frames;
  }
  EXPECT_EQ(audio, 500u);
  EXPECT_EQ(frames, 300u);
  EXPECT_EQ(keyframes, 5u);  // at 0, 2, 4, 6, 8 s
  EXPECT_NEAR(static_cast<double>(video_bytes) * 8 / 10, 1.2e6, 0.02e6);
  EXPECT_GT(m.keyframe_bytes(), 4 * m.delta_frame_bytes());
}

TEST(MediaPatternTest, StampsCarryTheTimeOfThePollAndFramesAreSplitEvenly) {
  MediaPatternConfig c;
  c.audio = false;
  c.pacing_factor = 0;  // the whole frame at once
  c.start_offset_ns = 5'000'000;
  MediaPattern m(c, kSecond);
  std::vector<MediaPacket> out;
  m.Poll(kSecond + 4'999'999, out);
  EXPECT_TRUE(out.empty());  // phase: not yet due
  EXPECT_EQ(m.NextDueNs(), kSecond + 5'000'000);
  m.Poll(kSecond + 6'000'000, out);
  ASSERT_FALSE(out.empty());
  EXPECT_TRUE(out.front().keyframe);
  EXPECT_TRUE(out.back().end_of_frame);
  size_t total = 0, min = SIZE_MAX, max = 0;
  for (const auto& p : out) {
    EXPECT_EQ(LoadStamp::ReadTail(p.payload)->send_ns, kSecond + 6'000'000);
    total += p.payload.size();
    min = std::min(min, p.payload.size());
    max = std::max(max, p.payload.size());
  }
  EXPECT_EQ(total, m.keyframe_bytes());
  EXPECT_EQ(out.size(), (total + 1199) / 1200);
  EXPECT_LE(max - min, 1u);
}

TEST(MediaPatternTest, AStalledCallerSkipsRatherThanBursts) {
  MediaPatternConfig c;
  MediaPattern m(c, 0);
  std::vector<MediaPacket> out;
  m.Poll(0, out);
  out.clear();
  m.Poll(5 * kSecond, out);  // five seconds late
  size_t audio = 0;
  uint32_t last_audio_seq = 0;
  for (const auto& p : out) {
    if (p.video) continue;
    ++audio;
    last_audio_seq = LoadStamp::ReadTail(p.payload)->sequence;
  }
  EXPECT_LE(audio, 51u);          // at most a second's worth
  EXPECT_EQ(last_audio_seq, 250u);  // the skipped ones keep their sequence numbers: they count as lost
}

TEST(MediaPatternTest, ThePacerSpreadsAKeyframeAtTheConfiguredMultipleOfTheBitrate) {
  MediaPatternConfig c;  // 1.2 Mbit/s paced at 2.5x: 3 Mbit/s, a 1,200-byte packet every 3.2 ms
  c.audio = false;
  MediaPattern m(c, 0);
  std::vector<MediaPacket> out;
  std::vector<int64_t> sent_at;
  for (int64_t t = 0; t < 30'000'000; t += 100'000) {  // the keyframe's first 30 ms, polled every 0.1 ms
    const size_t before = out.size();
    m.Poll(t, out);
    for (size_t i = before; i < out.size(); ++i) sent_at.push_back(t);
    if (out.size() == before && !out.empty()) {
      EXPECT_GT(m.NextDueNs(), t);  // nothing held back that was due
    }
  }
  ASSERT_GE(out.size(), 9u);
  EXPECT_TRUE(out.front().keyframe);
  EXPECT_FALSE(out.back().end_of_frame);  // a 5x keyframe takes longer than 30 ms at 3 Mbit/s
  for (size_t i = 0; i < out.size(); ++i) {
    const auto stamp = LoadStamp::ReadTail(out[i].payload);
    ASSERT_TRUE(stamp);
    EXPECT_EQ(stamp->sequence, i);
    EXPECT_EQ(stamp->send_ns, sent_at[i]);  // stamped when it leaves, not when the frame was made
    if (i > 0) {
      const double gap_ms = static_cast<double>(sent_at[i] - sent_at[i - 1]) / 1e6;
      const double expected_ms = static_cast<double>(out[i - 1].payload.size()) * 8 / 3e6 * 1e3;
      EXPECT_NEAR(gap_ms, expected_ms, 0.11) << i;  // to the 0.1 ms poll
    }
  }
  // Ten seconds still carry the bitrate: the pacer delays, it does not drop.
  for (int64_t t = 30'000'000; t < 10 * kSecond; t += 1'000'000) m.Poll(t, out);
  size_t bytes = 0;
  for (const auto& p : out) bytes += p.payload.size();
  EXPECT_NEAR(static_cast<double>(bytes) * 8 / 10, 1.2e6, 0.02e6);
}

TEST(MediaPatternTest, KeyframesAfterTheFirstFollowThePhase) {
  MediaPatternConfig c;  // 30 fps, a keyframe every 2 s: every 60 frames
  c.audio = false;
  c.pacing_factor = 0;
  c.keyframe_phase_frames = 60 * 1000 + 15;  // taken modulo 60: 15
  MediaPattern m(c, 0);
  std::vector<MediaPacket> out;
  std::vector<uint64_t> keyframes;
  for (int64_t t = 0; t < 5 * kSecond; t += 1'000'000) {
    const size_t before = out.size();
    const uint64_t frame = m.frames();
    m.Poll(t, out);
    if (out.size() > before && out[before].keyframe && (out[before].payload[0] & 0x10)) keyframes.push_back(frame);
  }
  EXPECT_EQ(keyframes, (std::vector<uint64_t>{0, 45, 105}));  // (45 + 15) % 60 == 0
}

}  // namespace
}  // namespace aegis::load
