#include "media/test_pattern.h"

#include <cmath>
#include <numbers>

namespace aegis::media {

TestPatternVideo::TestPatternVideo(int width, int height) {
  frame_.width = width;
  frame_.height = height;
  frame_.data.resize(static_cast<size_t>(width * height * 3 / 2));
}

const I420Frame& TestPatternVideo::Render(uint64_t index) {
  const int w = frame_.width;
  const int h = frame_.height;
  const int shift = static_cast<int>(index % 64) * 2;
  auto y = frame_.y();
  for (int row = 0; row < h; ++row) {
    for (int col = 0; col < w; ++col) {
      y[static_cast<size_t>(row * w + col)] = ((row + col + shift) / 16) % 2 ? 180 : 70;
    }
  }
  // The square: a quarter of the height, crossing left to right in 4 s at 30 fps.
  const int side = h / 4;
  const int left = static_cast<int>(index % 120) * (w - side) / 119;
  const int top = (h - side) / 2;
  for (int row = top; row < top + side; ++row) {
    for (int col = left; col < left + side; ++col) y[static_cast<size_t>(row * w + col)] = 235;
  }
  // A tint that cycles slowly, so the chroma planes carry something too.
  auto u = frame_.u();
  auto v = frame_.v();
  const auto tint = static_cast<uint8_t>(96 + (index % 128) / 2);
  std::fill(u.begin(), u.end(), tint);
  std::fill(v.begin(), v.end(), static_cast<uint8_t>(255 - tint));
  return frame_;
}

TestToneAudio::TestToneAudio(double frequency_hz, double amplitude)
    : step_(2 * std::numbers::pi * frequency_hz / kSampleRate), amplitude_(amplitude), samples_(kFrameSamples) {}

std::span<const int16_t> TestToneAudio::Next() {
  for (auto& s : samples_) {
    s = static_cast<int16_t>(std::lround(amplitude_ * 32767 * std::sin(phase_)));
    phase_ = std::fmod(phase_ + step_, 2 * std::numbers::pi);
  }
  return samples_;
}

}  // namespace aegis::media
