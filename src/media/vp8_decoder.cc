#include "media/vp8_decoder.h"

#include <limits>

#include <vpx/vp8dx.h>
#include <vpx/vpx_decoder.h>

#include "base/byte_reader.h"

namespace aegis::media {
namespace {

// RFC 6386 §9.1: a keyframe's 3-byte frame tag (bit 0 clear), start code
// 9d 01 2a, then width and height, 14 bits each little-endian (the top two
// bits are scaling). Whether the picture size is within the limits; a
// keyframe too short to say is refused too. Interframes carry no size.
bool KeyframeSizeAllowed(std::span<const uint8_t> frame) {
  ByteReader r(frame);
  const uint8_t tag = r.U8();
  if (!r.ok() || (tag & 1) != 0) return true;  // an interframe (or empty: libvpx refuses it)
  r.Skip(2);
  const auto start_code = r.Bytes(3);
  const uint8_t w0 = r.U8(), w1 = r.U8(), h0 = r.U8(), h1 = r.U8();
  if (!r.ok() || start_code[0] != 0x9d || start_code[1] != 0x01 || start_code[2] != 0x2a) return false;
  const int width = (w0 | (w1 << 8)) & 0x3fff;
  const int height = (h0 | (h1 << 8)) & 0x3fff;
  return width > 0 && height > 0 && width <= Vp8Decoder::kMaxWidth && height <= Vp8Decoder::kMaxHeight &&
         int64_t{width} * height <= Vp8Decoder::kMaxPixels;
}

}  // namespace

struct Vp8Decoder::Codec {
  vpx_codec_ctx_t ctx{};
  ~Codec() { vpx_codec_destroy(&ctx); }
};

Result<std::unique_ptr<Vp8Decoder>, std::string> Vp8Decoder::Create() {
  auto codec = std::make_unique<Codec>();
  vpx_codec_dec_cfg_t cfg{};
  cfg.threads = 1;
  if (vpx_codec_dec_init(&codec->ctx, vpx_codec_vp8_dx(), &cfg, 0) != VPX_CODEC_OK) {
    return Err{std::string("VP8 decoder: ") + vpx_codec_error(&codec->ctx)};
  }
  return std::unique_ptr<Vp8Decoder>(new Vp8Decoder(std::move(codec)));
}

Vp8Decoder::Vp8Decoder(std::unique_ptr<Codec> codec) : codec_(std::move(codec)) {}

Vp8Decoder::~Vp8Decoder() = default;

bool Vp8Decoder::Decode(std::span<const uint8_t> frame, bool keyframe) {
  if (need_keyframe_ && !keyframe) {
    ++skipped_;
    return false;
  }
  if (frame.empty() || frame.size() > std::numeric_limits<unsigned>::max() || !KeyframeSizeAllowed(frame) ||
      vpx_codec_decode(&codec_->ctx, frame.data(), static_cast<unsigned>(frame.size()), nullptr, 0) != VPX_CODEC_OK) {
    ++errors_;
    need_keyframe_ = true;
    return false;
  }
  need_keyframe_ = false;
  bool picture = false;
  vpx_codec_iter_t iter = nullptr;
  while (const vpx_image_t* image = vpx_codec_get_frame(&codec_->ctx, &iter)) {
    width_ = static_cast<int>(image->d_w);
    height_ = static_cast<int>(image->d_h);
    picture = true;
  }
  if (picture) ++frames_decoded_;
  return picture;
}

}  // namespace aegis::media
