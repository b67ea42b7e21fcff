#include "sfu/model.h"

namespace aegis::sfu {

Track::Track(TrackId track_id, ParticipantId publisher_id, TrackConfig track_config, TimeDelta keyframe_interval)
    : id(track_id), publisher(publisher_id), config(std::move(track_config)), keyframe_throttle(keyframe_interval) {
  for (uint8_t pt : config.payload_types) allowed_payload_types.set(pt & 0x7f);
  upstream.reserve(config.ssrcs.size());
  for (Ssrc ssrc : config.ssrcs) upstream.push_back(UpstreamStream{ssrc, ReceiveStatistics(config.clock_rate), std::nullopt});
}

UpstreamStream* Track::FindUpstream(Ssrc ssrc) {
  for (UpstreamStream& s : upstream) {
    if (s.ssrc == ssrc) return &s;
  }
  return nullptr;
}

}  // namespace aegis::sfu
