#include "media/opus_encoder.h"

#include <opus.h>

namespace aegis::media {

Result<std::unique_ptr<OpusAudioEncoder>, std::string> OpusAudioEncoder::Create(int bitrate_bps) {
  int error = OPUS_OK;
  OpusEncoder* encoder = opus_encoder_create(kSampleRate, 1, OPUS_APPLICATION_VOIP, &error);
  if (error != OPUS_OK || !encoder) return Err{std::string("Opus: ") + opus_strerror(error)};
  if (opus_encoder_ctl(encoder, OPUS_SET_BITRATE(bitrate_bps)) != OPUS_OK) {
    opus_encoder_destroy(encoder);
    return Err{std::string("Opus: bitrate ") + std::to_string(bitrate_bps) + " refused"};
  }
  return std::unique_ptr<OpusAudioEncoder>(new OpusAudioEncoder(encoder));
}

OpusAudioEncoder::~OpusAudioEncoder() { opus_encoder_destroy(encoder_); }

Result<std::vector<uint8_t>, std::string> OpusAudioEncoder::Encode(std::span<const int16_t> pcm) {
  if (pcm.size() != kFrameSamples) return Err{std::string("Opus: a frame is 960 samples (20 ms at 48 kHz)")};
  std::vector<uint8_t> packet(1275);  // the largest Opus frame (RFC 6716 §3.2.1)
  const opus_int32 n = opus_encode(encoder_, pcm.data(), kFrameSamples, packet.data(),
                                   static_cast<opus_int32>(packet.size()));
  if (n < 0) return Err{std::string("Opus: ") + opus_strerror(n)};
  packet.resize(static_cast<size_t>(n));
  return packet;
}

}  // namespace aegis::media
