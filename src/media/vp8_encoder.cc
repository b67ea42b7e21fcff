#include "media/vp8_encoder.h"

#include <vpx/vp8cx.h>
#include <vpx/vpx_encoder.h>

namespace aegis::media {

struct Vp8Encoder::Codec {
  vpx_codec_ctx_t ctx{};
  ~Codec() { vpx_codec_destroy(&ctx); }
};

Result<std::unique_ptr<Vp8Encoder>, std::string> Vp8Encoder::Create(const Vp8EncoderConfig& config) {
  if (config.width <= 0 || config.height <= 0 || config.width % 2 || config.height % 2 || config.fps <= 0 ||
      config.target_kbps <= 0) {
    return Err{std::string("VP8: width and height must be even and positive, fps and bitrate positive")};
  }
  vpx_codec_enc_cfg_t cfg;
  if (vpx_codec_enc_config_default(vpx_codec_vp8_cx(), &cfg, 0) != VPX_CODEC_OK) {
    return Err{std::string("VP8: no default encoder configuration")};
  }
  cfg.g_w = static_cast<unsigned>(config.width);
  cfg.g_h = static_cast<unsigned>(config.height);
  cfg.g_timebase = {1, config.fps};
  cfg.g_threads = 1;
  cfg.g_lag_in_frames = 0;
  cfg.g_pass = VPX_RC_ONE_PASS;
  cfg.g_error_resilient = VPX_ERROR_RESILIENT_DEFAULT;
  cfg.rc_end_usage = VPX_CBR;
  cfg.rc_target_bitrate = static_cast<unsigned>(config.target_kbps);
  cfg.rc_dropframe_thresh = 30;  // drop a frame rather than overshoot
  cfg.kf_mode = VPX_KF_AUTO;
  cfg.kf_max_dist = static_cast<unsigned>(config.keyframe_interval);
  auto codec = std::make_unique<Codec>();
  if (vpx_codec_enc_init(&codec->ctx, vpx_codec_vp8_cx(), &cfg, 0) != VPX_CODEC_OK) {
    return Err{std::string("VP8: ") + vpx_codec_error(&codec->ctx)};
  }
  // Real-time speed (libvpx's range for it is 4-16; higher is faster).
  vpx_codec_control(&codec->ctx, VP8E_SET_CPUUSED, 8);
  return std::unique_ptr<Vp8Encoder>(new Vp8Encoder(std::move(codec), config));
}

Vp8Encoder::Vp8Encoder(std::unique_ptr<Codec> codec, Vp8EncoderConfig config)
    : codec_(std::move(codec)), config_(config) {}

Vp8Encoder::~Vp8Encoder() = default;

Result<EncodedFrame, std::string> Vp8Encoder::Encode(const I420Frame& frame) {
  if (frame.width != config_.width || frame.height != config_.height) {
    return Err{std::string("VP8: the frame is not the configured size")};
  }
  vpx_image_t image;
  if (!vpx_img_wrap(&image, VPX_IMG_FMT_I420, static_cast<unsigned>(frame.width), static_cast<unsigned>(frame.height),
                    1, const_cast<uint8_t*>(frame.data.data()))) {  // libvpx only reads the picture
    return Err{std::string("VP8: cannot wrap the frame")};
  }
  const vpx_enc_frame_flags_t flags = keyframe_requested_ ? VPX_EFLAG_FORCE_KF : 0;
  keyframe_requested_ = false;
  if (vpx_codec_encode(&codec_->ctx, &image, pts_++, 1, flags, VPX_DL_REALTIME) != VPX_CODEC_OK) {
    return Err{std::string("VP8: ") + vpx_codec_error(&codec_->ctx)};
  }
  EncodedFrame out;
  vpx_codec_iter_t iter = nullptr;
  while (const vpx_codec_cx_pkt_t* packet = vpx_codec_get_cx_data(&codec_->ctx, &iter)) {
    if (packet->kind != VPX_CODEC_CX_FRAME_PKT) continue;
    const auto* bytes = static_cast<const uint8_t*>(packet->data.frame.buf);
    out.data.insert(out.data.end(), bytes, bytes + packet->data.frame.sz);
    out.keyframe = out.keyframe || (packet->data.frame.flags & VPX_FRAME_IS_KEY) != 0;
  }
  return out;
}

}  // namespace aegis::media
