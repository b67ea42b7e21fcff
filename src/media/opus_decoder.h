// Opus decoding through libopus, 48 kHz mono, for a native client to hear
// (and measure) what it received. Packets come from other participants
// through the SFU: untrusted bytes, which libopus parses; a packet it
// refuses is counted.
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "base/result.h"

struct OpusDecoder;  // libopus

namespace aegis::media {

class OpusAudioDecoder {
 public:
  static constexpr int kSampleRate = 48000;
  static constexpr int kMaxFrameSamples = 5760;  // 120 ms, Opus's longest packet

  static Result<std::unique_ptr<OpusAudioDecoder>, std::string> Create();
  ~OpusAudioDecoder();
  OpusAudioDecoder(const OpusAudioDecoder&) = delete;
  OpusAudioDecoder& operator=(const OpusAudioDecoder&) = delete;

  // One packet; true if it gave samples (last_pcm()).
  bool Decode(std::span<const uint8_t> packet);

  std::span<const int16_t> last_pcm() const { return {pcm_.data(), last_samples_}; }
  // The level of the last decoded packet, dBFS (-100 for silence).
  double last_level_dbfs() const;
  uint64_t packets_decoded() const { return packets_decoded_; }
  uint64_t errors() const { return errors_; }

 private:
  explicit OpusAudioDecoder(OpusDecoder* decoder) : decoder_(decoder), pcm_(kMaxFrameSamples) {}
  OpusDecoder* decoder_;
  std::vector<int16_t> pcm_;
  size_t last_samples_ = 0;
  uint64_t packets_decoded_ = 0;
  uint64_t errors_ = 0;
};

}  // namespace aegis::media
