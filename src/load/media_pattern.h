// The media a load publisher sends, sans-IO (time passed in): Opus-like
// audio (one packet per 20 ms) and VP8-like video at a bitrate and frame rate
// with a larger keyframe every keyframe_interval, each frame split into
// packets of at most max_packet_bytes. Not decodable media, but shaped like
// it: every video packet starts with an RFC 7741 payload descriptor (S bit on
// a frame's first packet, partition 0) and a frame's first packet carries a
// VP8 payload header (RFC 6386 §9.1: P bit 0 and the start code on a
// keyframe), so a server that looks at keyframes sees real ones.
//
// Every payload ends in a LoadStamp (20 bytes): magic, stream id, a
// per-stream sequence number and the send time in nanoseconds of the load
// process's monotonic clock, so a subscriber in the same process measures
// loss, reordering and one-way latency without trusting RTP fields the
// server rewrites.
#pragma once

#include <cstddef>
#include <cstdint>
#include <deque>
#include <optional>
#include <span>
#include <vector>

namespace aegis::load {

struct LoadStamp {
  static constexpr uint32_t kMagic = 0x41474C44;  // "AGLD"
  static constexpr size_t kSize = 20;
  uint32_t stream_id = 0;
  uint32_t sequence = 0;
  int64_t send_ns = 0;

  // Writes the stamp into the last kSize bytes of `payload` (size >= kSize).
  void WriteTail(std::span<uint8_t> payload) const;
  // The stamp in the last kSize bytes, or nullopt without the magic.
  static std::optional<LoadStamp> ReadTail(std::span<const uint8_t> payload);
};

struct MediaPatternConfig {
  bool audio = true;
  bool video = true;
  uint32_t audio_stream_id = 0;
  uint32_t video_stream_id = 1;
  size_t audio_payload_bytes = 100;
  int64_t video_bitrate_bps = 1'200'000;
  int video_fps = 30;
  int64_t keyframe_interval_ms = 2000;
  // A keyframe is this many times the size of a delta frame; the delta size
  // follows so that the average is still the bitrate.
  int keyframe_size_factor = 5;
  size_t max_packet_bytes = 1200;  // RTP payload bytes per video packet
  // Video packets leave at this multiple of the bitrate, as WebRTC's pacer
  // sends them (its default factor is 2.5), so a keyframe is spread over
  // tens of milliseconds instead of arriving as one burst. 0: each frame's
  // packets all at once.
  double pacing_factor = 2.5;
  int64_t start_offset_ns = 0;     // phase, so publishers do not send in step
  // Keyframes after the first come when (frame + this) is a multiple of the
  // keyframe interval in frames: publishers that connected together do not
  // all send their periodic keyframes in the same frame interval, as
  // publishers that joined at different times would not.
  uint64_t keyframe_phase_frames = 0;
};

struct MediaPacket {
  bool video = false;
  bool end_of_frame = false;   // video: the frame's last packet (RTP marker)
  bool keyframe = false;       // video: part of a keyframe
  uint32_t rtp_timestamp_step = 0;  // 960 per audio packet; 90 kHz ticks on a frame's first packet, else 0
  std::vector<uint8_t> payload;
};

class MediaPattern {
 public:
  static constexpr int64_t kAudioIntervalNs = 20'000'000;
  static constexpr uint32_t kAudioStep = 960;  // 20 ms at 48 kHz

  MediaPattern(MediaPatternConfig config, int64_t start_ns);

  // Appends every packet due at or before now_ns (stamped with now_ns), in
  // send order: audio when due, video as the pacer releases it. After a long
  // gap it skips what is more than one second late rather than sending it
  // in one burst.
  void Poll(int64_t now_ns, std::vector<MediaPacket>& out);
  // When the next packet is due.
  int64_t NextDueNs() const;

  // Frame sizes in bytes of RTP payload (descriptor and header included).
  size_t keyframe_bytes() const { return keyframe_bytes_; }
  size_t delta_frame_bytes() const { return delta_bytes_; }
  uint64_t frames() const { return frame_index_; }

 private:
  void EmitAudio(int64_t now_ns, std::vector<MediaPacket>& out);
  void EmitFrame(int64_t now_ns);  // into paced_
  void ReleasePaced(int64_t now_ns, std::vector<MediaPacket>& out);

  MediaPatternConfig config_;
  int64_t frame_interval_ns_;
  int64_t frames_per_keyframe_;
  size_t keyframe_bytes_ = 0;
  size_t delta_bytes_ = 0;
  int64_t next_audio_ns_;
  int64_t next_video_ns_;
  uint64_t frame_index_ = 0;
  uint32_t audio_seq_ = 0;
  uint32_t video_seq_ = 0;
  std::deque<MediaPacket> paced_;  // video packets the pacer has not released yet
  int64_t next_release_ns_ = 0;    // when the pacer releases the next one
};

}  // namespace aegis::load
