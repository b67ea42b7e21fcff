// What a native client does with other participants' media: VP8 frames and
// Opus packets as they arrive through the SFU, into the decoders
// (media/vp8_decoder.h, media/opus_decoder.h), which must refuse what they
// cannot decode and never crash, hang or leak.
//
// Input: a first byte choosing the decoder (even: VP8, odd: Opus) and
// whether a VP8 frame is marked a keyframe (bit 1), then frames separated
// by the 4-byte marker "AGFR" (each fed in turn to one decoder instance,
// so state carried between frames is exercised).
#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>

#include "media/opus_decoder.h"
#include "media/vp8_decoder.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 1) return 0;
  const uint8_t mode = data[0];
  std::string_view rest(reinterpret_cast<const char*>(data + 1), size - 1);
  auto vp8 = aegis::media::Vp8Decoder::Create();
  auto opus = aegis::media::OpusAudioDecoder::Create();
  if (!vp8.ok() || !opus.ok()) __builtin_trap();
  for (int frames = 0; frames < 16 && !rest.empty(); ++frames) {
    const size_t cut = rest.find("AGFR");
    const std::string_view frame = rest.substr(0, cut);
    rest = cut == std::string_view::npos ? std::string_view() : rest.substr(cut + 4);
    const std::span<const uint8_t> bytes(reinterpret_cast<const uint8_t*>(frame.data()), frame.size());
    if (mode % 2 == 0) {
      const uint64_t before = (*vp8)->frames_decoded() + (*vp8)->errors() + (*vp8)->skipped();
      const bool picture = (*vp8)->Decode(bytes, (mode & 2) != 0 || frames == 0);
      // Every call is accounted for once: a picture, an error, a skip, or
      // (rarely) a frame libvpx took without a picture.
      const uint64_t after = (*vp8)->frames_decoded() + (*vp8)->errors() + (*vp8)->skipped();
      if (after > before + 1 || (picture && (*vp8)->width() <= 0)) __builtin_trap();
    } else {
      const bool decoded = (*opus)->Decode(bytes);
      if (decoded && ((*opus)->last_pcm().empty() ||
                      (*opus)->last_pcm().size() > aegis::media::OpusAudioDecoder::kMaxFrameSamples)) {
        __builtin_trap();
      }
    }
  }
  return 0;
}
