#include "media/opus_decoder.h"

#include <opus.h>

#include <cmath>
#include <limits>

namespace aegis::media {

Result<std::unique_ptr<OpusAudioDecoder>, std::string> OpusAudioDecoder::Create() {
  int error = OPUS_OK;
  OpusDecoder* decoder = opus_decoder_create(kSampleRate, 1, &error);
  if (error != OPUS_OK || !decoder) return Err{std::string("Opus decoder: ") + opus_strerror(error)};
  return std::unique_ptr<OpusAudioDecoder>(new OpusAudioDecoder(decoder));
}

OpusAudioDecoder::~OpusAudioDecoder() { opus_decoder_destroy(decoder_); }

bool OpusAudioDecoder::Decode(std::span<const uint8_t> packet) {
  // An empty packet would ask libopus for loss concealment, not decoding.
  if (packet.empty() || packet.size() > static_cast<size_t>(std::numeric_limits<opus_int32>::max())) {
    ++errors_;
    return false;
  }
  const int n = opus_decode(decoder_, packet.data(), static_cast<opus_int32>(packet.size()), pcm_.data(),
                            kMaxFrameSamples, 0);
  if (n <= 0) {
    ++errors_;
    last_samples_ = 0;
    return false;
  }
  last_samples_ = static_cast<size_t>(n);
  ++packets_decoded_;
  return true;
}

double OpusAudioDecoder::last_level_dbfs() const {
  if (last_samples_ == 0) return -100;
  double sum = 0;
  for (size_t i = 0; i < last_samples_; ++i) sum += static_cast<double>(pcm_[i]) * pcm_[i];
  const double rms = std::sqrt(sum / static_cast<double>(last_samples_)) / 32768.0;
  return rms > 1e-5 ? 20 * std::log10(rms) : -100;
}

}  // namespace aegis::media
