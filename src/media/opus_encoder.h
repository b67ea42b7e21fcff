// Opus encoding through libopus: 48 kHz mono, 20 ms frames, as WebRTC's
// "opus/48000/2" payload carries (a mono stream is valid there).
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "base/result.h"

struct OpusEncoder;  // libopus

namespace aegis::media {

class OpusAudioEncoder {
 public:
  static constexpr int kSampleRate = 48000;
  static constexpr int kFrameSamples = 960;  // 20 ms

  static Result<std::unique_ptr<OpusAudioEncoder>, std::string> Create(int bitrate_bps = 32000);
  ~OpusAudioEncoder();
  OpusAudioEncoder(const OpusAudioEncoder&) = delete;
  OpusAudioEncoder& operator=(const OpusAudioEncoder&) = delete;

  // One 20 ms frame of PCM (kFrameSamples samples) to one Opus packet.
  Result<std::vector<uint8_t>, std::string> Encode(std::span<const int16_t> pcm);

 private:
  explicit OpusAudioEncoder(OpusEncoder* encoder) : encoder_(encoder) {}
  OpusEncoder* encoder_;
};

}  // namespace aegis::media
