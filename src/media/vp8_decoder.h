// VP8 decoding through libvpx, for a native client to show (and count) what
// it received. Frames come from other participants through the SFU:
// untrusted bytes, which libvpx parses (the decoder browsers use); a frame
// it refuses is counted, and the decoder waits for the next keyframe. A
// keyframe that names a picture larger than kMaxWidth x kMaxHeight is
// refused before libvpx sees it (it would allocate for up to 16383x16383).
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string>

#include "base/result.h"

namespace aegis::media {

class Vp8Decoder {
 public:
  static constexpr int kMaxWidth = 4096;
  static constexpr int kMaxHeight = 4096;
  static constexpr int64_t kMaxPixels = 4096 * 2304;

  static Result<std::unique_ptr<Vp8Decoder>, std::string> Create();
  ~Vp8Decoder();
  Vp8Decoder(const Vp8Decoder&) = delete;
  Vp8Decoder& operator=(const Vp8Decoder&) = delete;

  // One whole VP8 frame (RTP payload descriptors removed). True if it gave
  // a picture.
  bool Decode(std::span<const uint8_t> frame, bool keyframe);

  uint64_t frames_decoded() const { return frames_decoded_; }
  uint64_t errors() const { return errors_; }  // refused by libvpx or by the size limit
  uint64_t skipped() const { return skipped_; }  // waiting for a keyframe
  int width() const { return width_; }
  int height() const { return height_; }

 private:
  struct Codec;
  explicit Vp8Decoder(std::unique_ptr<Codec> codec);

  std::unique_ptr<Codec> codec_;
  bool need_keyframe_ = true;
  uint64_t frames_decoded_ = 0;
  uint64_t errors_ = 0;
  uint64_t skipped_ = 0;
  int width_ = 0;
  int height_ = 0;
};

}  // namespace aegis::media
