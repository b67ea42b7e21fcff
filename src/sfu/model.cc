#include "sfu/model.h"

#include <algorithm>

namespace aegis::sfu {

Track::Track(TrackId track_id, ParticipantId publisher_id, TrackConfig track_config, const RouterConfig& router_config)
    : id(track_id),
      publisher(publisher_id),
      config(std::move(track_config)),
      keyframe_throttle(router_config.keyframe_min_interval) {
  for (uint8_t pt : config.payload_types) allowed_payload_types.set(pt & 0x7f);
  for (const RtxPayloadType& rtx : config.rtx_payload_types) rtx_payload_types.Set(rtx.rtx, rtx.media);
  upstream.reserve(config.ssrcs.size());
  for (Ssrc ssrc : config.ssrcs) {
    UpstreamStream& stream = upstream.emplace_back(ssrc, config.clock_rate);
    for (const RtxSsrc& pair : config.rtx_ssrcs) {
      if (pair.media == ssrc) stream.rtx_ssrc = pair.rtx;
    }
    if (config.kind == MediaKind::kVideo) {
      stream.cache = std::make_unique<PacketCache>(router_config.retransmission_max_age);
      stream.nacks = std::make_unique<NackGenerator>(router_config.upstream_nack);
    }
  }
}

UpstreamStream* Track::FindUpstream(Ssrc ssrc) {
  for (UpstreamStream& s : upstream) {
    if (s.ssrc == ssrc) return &s;
  }
  return nullptr;
}

Subscription* Track::FindSubscription(ParticipantId subscriber) {
  for (Subscription& s : subscriptions) {
    if (s.subscriber == subscriber) return &s;
  }
  return nullptr;
}

std::optional<uint64_t> Subscription::limit_bps() const {
  if (!rate.bps()) return delay_share_bps;
  if (!delay_share_bps) return rate.bps();
  return std::min(*rate.bps(), *delay_share_bps);
}

UpstreamStream* Track::FindByRtxSsrc(Ssrc rtx_ssrc) {
  for (UpstreamStream& s : upstream) {
    if (s.rtx_ssrc == rtx_ssrc) return &s;
  }
  return nullptr;
}

}  // namespace aegis::sfu
