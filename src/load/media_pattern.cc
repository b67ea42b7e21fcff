#include "load/media_pattern.h"

#include <algorithm>

#include "base/big_endian.h"
#include "base/byte_reader.h"

namespace aegis::load {
namespace {

constexpr int64_t kMaxLateNs = 1'000'000'000;
constexpr uint16_t kWidth = 1280;
constexpr uint16_t kHeight = 720;
constexpr size_t kDescriptorBytes = 1;  // RFC 7741: X=0, S, PID=0
// VP8 payload header of a keyframe's first packet (RFC 6386 §9.1): 3 bytes,
// start code and dimensions (a delta frame's is the first 3 of these).
constexpr size_t kKeyHeaderBytes = 10;

}  // namespace

void LoadStamp::WriteTail(std::span<uint8_t> payload) const {
  uint8_t* p = payload.data() + payload.size() - kSize;
  StoreBE32(p, kMagic);
  StoreBE32(p + 4, stream_id);
  StoreBE32(p + 8, sequence);
  StoreBE64(p + 12, static_cast<uint64_t>(send_ns));
}

std::optional<LoadStamp> LoadStamp::ReadTail(std::span<const uint8_t> payload) {
  if (payload.size() < kSize) return std::nullopt;
  ByteReader r(payload.subspan(payload.size() - kSize));
  if (r.U32() != kMagic) return std::nullopt;
  LoadStamp s;
  s.stream_id = r.U32();
  s.sequence = r.U32();
  s.send_ns = static_cast<int64_t>(r.U64());
  if (!r.ok()) return std::nullopt;
  return s;
}

MediaPattern::MediaPattern(MediaPatternConfig config, int64_t start_ns) : config_(config) {
  config_.video_fps = std::clamp(config_.video_fps, 1, 120);
  config_.audio_payload_bytes = std::max(config_.audio_payload_bytes, LoadStamp::kSize);
  const size_t min_packet = kDescriptorBytes + kKeyHeaderBytes + LoadStamp::kSize;
  config_.max_packet_bytes = std::max(config_.max_packet_bytes, 2 * min_packet);  // every split holds a header and a stamp
  config_.keyframe_size_factor = std::max(config_.keyframe_size_factor, 1);
  frame_interval_ns_ = 1'000'000'000 / config_.video_fps;
  frames_per_keyframe_ = std::max<int64_t>(1, config_.keyframe_interval_ms * config_.video_fps / 1000);
  // average = (K + (n-1) D) / n with K = f D  =>  D = n * average / (f + n - 1)
  const int64_t average = std::max<int64_t>(0, config_.video_bitrate_bps) / 8 / config_.video_fps;
  const int64_t n = frames_per_keyframe_;
  const int64_t delta = n * average / (config_.keyframe_size_factor + n - 1);
  delta_bytes_ = std::max<size_t>(static_cast<size_t>(delta), min_packet);
  keyframe_bytes_ = std::max<size_t>(delta_bytes_ * static_cast<size_t>(config_.keyframe_size_factor), min_packet);
  next_audio_ns_ = start_ns + config_.start_offset_ns;
  next_video_ns_ = start_ns + config_.start_offset_ns;
}

int64_t MediaPattern::NextDueNs() const {
  int64_t video = next_video_ns_;
  if (!paced_.empty()) video = std::min(video, next_release_ns_);
  if (config_.audio && config_.video) return std::min(next_audio_ns_, video);
  return config_.audio ? next_audio_ns_ : video;
}

void MediaPattern::Poll(int64_t now_ns, std::vector<MediaPacket>& out) {
  // Skip, not burst, what a stalled caller missed by more than a second.
  if (config_.audio && now_ns - next_audio_ns_ > kMaxLateNs) {
    const int64_t missed = (now_ns - next_audio_ns_) / kAudioIntervalNs;
    next_audio_ns_ += missed * kAudioIntervalNs;
    audio_seq_ += static_cast<uint32_t>(missed);  // the receiver counts them as lost
  }
  if (config_.video && now_ns - next_video_ns_ > kMaxLateNs) {
    next_video_ns_ += (now_ns - next_video_ns_) / frame_interval_ns_ * frame_interval_ns_;
  }
  while (config_.audio && next_audio_ns_ <= now_ns) {
    EmitAudio(now_ns, out);
    next_audio_ns_ += kAudioIntervalNs;
  }
  while (config_.video && next_video_ns_ <= now_ns) {
    EmitFrame(now_ns);
    next_video_ns_ += frame_interval_ns_;
  }
  ReleasePaced(now_ns, out);
}

void MediaPattern::ReleasePaced(int64_t now_ns, std::vector<MediaPacket>& out) {
  const bool pacing = config_.pacing_factor > 0 && config_.video_bitrate_bps > 0;
  const double ns_per_byte = pacing ? 8e9 / (static_cast<double>(config_.video_bitrate_bps) * config_.pacing_factor) : 0;
  while (!paced_.empty() && next_release_ns_ <= now_ns) {
    MediaPacket p = std::move(paced_.front());
    paced_.pop_front();
    LoadStamp{config_.video_stream_id, video_seq_++, now_ns}.WriteTail(p.payload);
    next_release_ns_ += static_cast<int64_t>(ns_per_byte * static_cast<double>(p.payload.size()));
    out.push_back(std::move(p));
  }
}

void MediaPattern::EmitAudio(int64_t now_ns, std::vector<MediaPacket>& out) {
  MediaPacket p;
  p.rtp_timestamp_step = kAudioStep;
  p.payload.assign(config_.audio_payload_bytes, 0xA5);
  p.payload[0] = 0x78;  // an Opus TOC byte: CELT FB 20 ms, one frame
  LoadStamp{config_.audio_stream_id, audio_seq_++, now_ns}.WriteTail(p.payload);
  out.push_back(std::move(p));
}

void MediaPattern::EmitFrame(int64_t now_ns) {
  // The pacer starts on a frame when it is made, unless it is still busy
  // with earlier ones.
  if (paced_.empty()) next_release_ns_ = std::max(next_release_ns_, now_ns);
  // The first frame is a keyframe, as an encoder's is; the later ones follow
  // the phase, so publishers that started together do not send theirs together.
  const auto period = static_cast<uint64_t>(frames_per_keyframe_);
  const bool key = frame_index_ == 0 || (frame_index_ + config_.keyframe_phase_frames % period) % period == 0;
  const size_t frame_bytes = key ? keyframe_bytes_ : delta_bytes_;
  const size_t count = (frame_bytes + config_.max_packet_bytes - 1) / config_.max_packet_bytes;
  size_t left = frame_bytes;
  for (size_t i = 0; i < count; ++i) {
    const size_t size = left / (count - i);  // even split
    left -= size;
    MediaPacket p;
    p.video = true;
    p.keyframe = key;
    p.end_of_frame = i + 1 == count;
    p.rtp_timestamp_step = i == 0 ? static_cast<uint32_t>(90'000 / config_.video_fps) : 0;
    p.payload.assign(size, 0x5A);
    p.payload[0] = i == 0 ? 0x10 : 0x00;  // S bit on the first packet, partition 0
    if (i == 0) {
      // size0..2 (3 bits) show_frame (1) version (3) P (1), then first partition size.
      p.payload[1] = key ? 0x10 : 0x11;
      p.payload[2] = 0x00;
      p.payload[3] = 0x01;
      if (key) {
        p.payload[4] = 0x9d;
        p.payload[5] = 0x01;
        p.payload[6] = 0x2a;
        p.payload[7] = kWidth & 0xff;
        p.payload[8] = kWidth >> 8;
        p.payload[9] = kHeight & 0xff;
        p.payload[10] = kHeight >> 8;
      }
    }
    paced_.push_back(std::move(p));  // stamped when released
  }
  ++frame_index_;
}

}  // namespace aegis::load
