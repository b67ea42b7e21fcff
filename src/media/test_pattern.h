// A synthetic camera and microphone for native clients: frames that change
// every time (so an encoder has something to send and a viewer can see it
// move) and a tone (so a listener's audio level shows it arrived).
#pragma once

#include <cstdint>
#include <span>
#include <vector>

namespace aegis::media {

// One I420 picture: Y plane (width x height), then U and V (each
// width/2 x height/2). Width and height are even.
struct I420Frame {
  int width = 0;
  int height = 0;
  std::vector<uint8_t> data;
  std::span<uint8_t> y() { return {data.data(), static_cast<size_t>(width * height)}; }
  std::span<uint8_t> u() { return {data.data() + width * height, static_cast<size_t>(width * height / 4)}; }
  std::span<uint8_t> v() { return {data.data() + width * height * 5 / 4, static_cast<size_t>(width * height / 4)}; }
};

// Diagonal bars that drift and a bright square that crosses the picture,
// one step per frame.
class TestPatternVideo {
 public:
  TestPatternVideo(int width, int height);
  // Frame `index` of the pattern (the same index gives the same picture).
  const I420Frame& Render(uint64_t index);

 private:
  I420Frame frame_;
};

// A sine tone, 48 kHz mono, handed out 20 ms (960 samples) at a time.
class TestToneAudio {
 public:
  static constexpr int kSampleRate = 48000;
  static constexpr int kFrameSamples = 960;

  explicit TestToneAudio(double frequency_hz = 440, double amplitude = 0.25);
  std::span<const int16_t> Next();

 private:
  double step_;
  double amplitude_;
  double phase_ = 0;
  std::vector<int16_t> samples_;
};

}  // namespace aegis::media
