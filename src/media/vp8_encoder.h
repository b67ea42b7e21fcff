// VP8 encoding through libvpx, set up as a real-time sender does: one pass,
// constant bitrate, no lag, error resilient, a keyframe at least every
// `keyframe_interval` frames and whenever one is asked for (a PLI).
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "base/result.h"
#include "media/test_pattern.h"

namespace aegis::media {

struct Vp8EncoderConfig {
  int width = 320;
  int height = 240;
  int fps = 30;
  int target_kbps = 300;
  int keyframe_interval = 90;  // frames
};

struct EncodedFrame {
  std::vector<uint8_t> data;
  bool keyframe = false;
};

class Vp8Encoder {
 public:
  // libvpx's error text if the encoder cannot be set up.
  static Result<std::unique_ptr<Vp8Encoder>, std::string> Create(const Vp8EncoderConfig& config);
  ~Vp8Encoder();
  Vp8Encoder(const Vp8Encoder&) = delete;
  Vp8Encoder& operator=(const Vp8Encoder&) = delete;

  // The next frame's encoding is a keyframe.
  void RequestKeyframe() { keyframe_requested_ = true; }
  // Encodes `frame` (the configured size) as the next picture. An empty
  // result means the rate control dropped it; an error is libvpx's text.
  Result<EncodedFrame, std::string> Encode(const I420Frame& frame);

 private:
  struct Codec;
  explicit Vp8Encoder(std::unique_ptr<Codec> codec, Vp8EncoderConfig config);

  std::unique_ptr<Codec> codec_;
  Vp8EncoderConfig config_;
  int64_t pts_ = 0;
  bool keyframe_requested_ = false;
};

}  // namespace aegis::media
