#include "sfu/room.h"

#include <algorithm>

#include "rtp/rtp_packet.h"
#include "rtp/rtx.h"
#include "rtp/transport_sequence.h"

namespace aegis::sfu {

Result<void, SfuError> Room::AddParticipant(ParticipantId id, const ParticipantOptions& options) {
  if (participants_.contains(id)) return Err{SfuError::kParticipantExists};
  Participant p;
  p.id = id;
  p.feedback_ssrc = options.feedback_ssrc;
  p.target = options.target;
  participants_.emplace(id, std::move(p));
  return {};
}

void Room::RemoveParticipant(ParticipantId id, std::vector<TrackEnded>& events, std::vector<TrackId>& removed_tracks) {
  Participant* p = FindParticipant(id);
  if (!p) return;
  // Its own subscriptions first, so it gets no events for them.
  for (const auto& [ssrc, track_id] : p->downstream_ssrcs) {
    if (Track* t = FindTrack(track_id)) DropSubscription(*t, id);
  }
  p->downstream_ssrcs.clear();
  const std::vector<TrackId> published = p->published;
  for (TrackId track : published) {
    UnpublishTrack(track, events);
    removed_tracks.push_back(track);
  }
  participants_.erase(id);
}

Result<void, SfuError> Room::PublishTrack(ParticipantId publisher, TrackId id, TrackConfig config) {
  Participant* p = FindParticipant(publisher);
  if (!p) return Err{SfuError::kNoSuchParticipant};
  if (config.ssrcs.empty() || config.ssrcs.size() > kMaxSsrcsPerTrack || config.clock_rate == 0 ||
      config.payload_types.empty()) {
    return Err{SfuError::kBadTrackConfig};
  }
  for (uint8_t pt : config.payload_types) {
    if (pt > 127) return Err{SfuError::kBadTrackConfig};
  }
  if (!RtxConfigValid(config)) return Err{SfuError::kBadTrackConfig};
  std::vector<Ssrc> declared = config.ssrcs;
  for (const RtxSsrc& pair : config.rtx_ssrcs) declared.push_back(pair.rtx);
  for (size_t i = 0; i < declared.size(); ++i) {
    if (p->upstream_ssrcs.contains(declared[i])) return Err{SfuError::kSsrcInUse};
    for (size_t j = 0; j < i; ++j) {
      if (declared[j] == declared[i]) return Err{SfuError::kBadTrackConfig};
    }
  }
  for (Ssrc ssrc : declared) {
    p->upstream_ssrcs.emplace(ssrc, id);
    ++declared_ssrcs_[ssrc];
  }
  p->published.push_back(id);
  auto added = tracks_.emplace(std::piecewise_construct, std::forward_as_tuple(id),
                               std::forward_as_tuple(id, publisher, std::move(config), config_));
  added.first->second.publisher_target = p->target;
  return {};
}

bool Room::RtxConfigValid(const TrackConfig& config) {
  if (config.rtx_ssrcs.empty() && config.rtx_payload_types.empty()) return true;
  if (config.kind != MediaKind::kVideo || config.rtx_ssrcs.size() > config.ssrcs.size()) return false;
  auto is_media_pt = [&](uint8_t pt) {
    return std::find(config.payload_types.begin(), config.payload_types.end(), pt) != config.payload_types.end();
  };
  for (size_t i = 0; i < config.rtx_payload_types.size(); ++i) {
    const RtxPayloadType& r = config.rtx_payload_types[i];
    if (r.rtx > 127 || is_media_pt(r.rtx) || !is_media_pt(r.media)) return false;
    for (size_t j = 0; j < i; ++j) {
      if (config.rtx_payload_types[j].rtx == r.rtx) return false;
    }
  }
  for (size_t i = 0; i < config.rtx_ssrcs.size(); ++i) {
    const RtxSsrc& r = config.rtx_ssrcs[i];
    if (std::find(config.ssrcs.begin(), config.ssrcs.end(), r.media) == config.ssrcs.end()) return false;
    for (size_t j = 0; j < i; ++j) {
      if (config.rtx_ssrcs[j].media == r.media) return false;  // one RTX stream per media stream
    }
  }
  return true;  // RTX SSRCs unique and apart from the media ones: checked with them
}

void Room::UnpublishTrack(TrackId id, std::vector<TrackEnded>& events) {
  Track* t = FindTrack(id);
  if (!t) return;
  for (const Subscription& sub : t->subscriptions) {
    if (Participant* s = FindParticipant(sub.subscriber)) {
      s->downstream_ssrcs.erase(sub.downstream_ssrc);
      RememberEnded(*s, sub);
    }
    events.push_back(TrackEnded{sub.subscriber, id, t->publisher, sub.downstream_ssrc, sub.subscriber_target});
  }
  if (Participant* p = FindParticipant(t->publisher)) {
    auto forget = [&](Ssrc ssrc) {
      p->upstream_ssrcs.erase(ssrc);
      if (auto it = declared_ssrcs_.find(ssrc); it != declared_ssrcs_.end() && --it->second == 0) {
        declared_ssrcs_.erase(it);
      }
    };
    for (Ssrc ssrc : t->config.ssrcs) forget(ssrc);
    for (const RtxSsrc& pair : t->config.rtx_ssrcs) forget(pair.rtx);
    std::erase(p->published, id);
  }
  tracks_.erase(id);
}

Result<void, SfuError> Room::AddSubscription(ParticipantId subscriber, TrackId track, Ssrc downstream_ssrc,
                                             std::span<const PayloadTypeMapping> payload_types,
                                             const SubscriptionOptions& options) {
  Participant* s = FindParticipant(subscriber);
  if (!s) return Err{SfuError::kNoSuchParticipant};
  Track* t = FindTrack(track);
  if (!t) return Err{SfuError::kNoSuchTrack};
  if (t->publisher == subscriber && !options.allow_self) {
    ++stats_.subscriptions_refused_self;
    return Err{SfuError::kSelfSubscription};
  }
  if (t->FindSubscription(subscriber)) return Err{SfuError::kDuplicateSubscription};
  // Its RTCP from us comes from feedback_ssrc: media must not share it.
  if (s->downstream_ssrcs.contains(downstream_ssrc) || downstream_ssrc == s->feedback_ssrc) {
    return Err{SfuError::kDownstreamSsrcInUse};
  }
  if (options.rtx) {
    const Ssrc rtx = options.rtx->ssrc;
    if (t->config.kind != MediaKind::kVideo || options.rtx->payload_type > 127) return Err{SfuError::kBadPayloadTypeMap};
    if (rtx == downstream_ssrc || rtx == s->feedback_ssrc || s->downstream_ssrcs.contains(rtx)) {
      return Err{SfuError::kDownstreamSsrcInUse};
    }
  }

  Subscription sub;
  sub.subscriber = subscriber;
  sub.subscriber_target = s->target;
  sub.send_side = s->send_side.get();
  sub.downstream_ssrc = downstream_ssrc;
  sub.source_ssrc = t->config.ssrcs.front();
  std::bitset<128> seen;
  for (const PayloadTypeMapping& m : payload_types) {
    if (m.upstream > 127 || m.downstream > 127 || !t->allowed_payload_types.test(m.upstream) || seen.test(m.upstream)) {
      return Err{SfuError::kBadPayloadTypeMap};
    }
    seen.set(m.upstream);
    sub.payload_types.Set(m.upstream, m.downstream);
  }
  if (seen.none()) return Err{SfuError::kBadPayloadTypeMap};
  if (auto ended = s->ended_downstream.find(downstream_ssrc); ended != s->ended_downstream.end()) {
    sub.continue_after = ended->second;
    s->ended_downstream.erase(ended);
  }
  if (options.rtx) {
    uint16_t first = options.rtx->first_sequence;
    if (auto ended = s->ended_rtx.find(options.rtx->ssrc); ended != s->ended_rtx.end()) {
      first = ended->second;  // the SSRC's numbers go on, as for media
      s->ended_rtx.erase(ended);
    }
    sub.rtx.emplace(RetransmissionStream{*options.rtx, first, TokenBucket(config_.retransmission_rate, Timestamp())});
  }
  s->downstream_ssrcs.emplace(downstream_ssrc, track);
  t->subscriptions.push_back(std::move(sub));
  return {};
}

Result<void, SfuError> Room::RemoveSubscription(ParticipantId subscriber, TrackId track) {
  Participant* s = FindParticipant(subscriber);
  Track* t = FindTrack(track);
  if (!s || !t) return Err{SfuError::kNoSuchSubscription};
  auto it = std::find_if(t->subscriptions.begin(), t->subscriptions.end(),
                         [&](const Subscription& sub) { return sub.subscriber == subscriber; });
  if (it == t->subscriptions.end()) return Err{SfuError::kNoSuchSubscription};
  s->downstream_ssrcs.erase(it->downstream_ssrc);
  RememberEnded(*s, *it);
  t->subscriptions.erase(it);
  return {};
}

Result<void, SfuError> Room::SetTransportFeedback(ParticipantId subscriber, std::optional<uint8_t> extension_id) {
  Participant* s = FindParticipant(subscriber);
  if (!s) return Err{SfuError::kNoSuchParticipant};
  if (s->send_side && extension_id && s->send_side->extension_id() == *extension_id) return {};
  s->send_side = extension_id ? std::make_unique<SendSideEstimate>(*extension_id) : nullptr;
  for (auto& [id, track] : tracks_) {
    if (Subscription* sub = track.FindSubscription(subscriber)) {
      sub->send_side = s->send_side.get();
      sub->delay_share_bps.reset();
    }
  }
  return {};
}

Result<void, SfuError> Room::SetUpstreamTransportFeedback(ParticipantId publisher,
                                                          std::optional<uint8_t> extension_id) {
  Participant* p = FindParticipant(publisher);
  if (!p) return Err{SfuError::kNoSuchParticipant};
  if (p->upstream_feedback && extension_id && p->upstream_feedback->extension_id() == *extension_id) return {};
  p->upstream_feedback = extension_id ? std::make_unique<UpstreamFeedback>(*extension_id) : nullptr;
  return {};
}

void Room::RememberEnded(Participant& subscriber, const Subscription& sub) {
  if (sub.sent_any) subscriber.ended_downstream[sub.downstream_ssrc] = {sub.last_sequence, sub.last_timestamp};
  if (sub.rtx && sub.rtx->next_sequence != sub.rtx->stream.first_sequence) {
    subscriber.ended_rtx[sub.rtx->stream.ssrc] = sub.rtx->next_sequence;
  }
}

void Room::DropSubscription(Track& track, ParticipantId subscriber) {
  std::erase_if(track.subscriptions, [&](const Subscription& sub) { return sub.subscriber == subscriber; });
}

void Room::OnRtp(ParticipantId from, std::span<const uint8_t> packet, Timestamp now, Sink& out,
                 std::vector<uint8_t>& scratch, Timestamp arrived) {
  Participant* sender = FindParticipant(from);
  if (!sender) {
    ++stats_.rtp_dropped_unknown_participant;
    return;
  }
  // Header and extensions only: the payload may be end-to-end encrypted.
  auto view = rtp::RtpPacketView::Parse(packet);
  if (!view) {
    ++stats_.rtp_dropped_malformed;
    return;
  }
  const Ssrc ssrc = view->ssrc();
  auto declared = sender->upstream_ssrcs.find(ssrc);
  if (declared == sender->upstream_ssrcs.end()) {
    // Not the sender's, so any declaration is someone else's.
    if (declared_ssrcs_.contains(ssrc)) {
      ++stats_.rtp_dropped_spoofed_ssrc;
    } else {
      ++stats_.rtp_dropped_unannounced_ssrc;
    }
    return;
  }
  Track* track = FindTrack(declared->second);
  if (!track) return;  // unreachable: the maps are kept in step
  // Every packet of its own counts for the publisher's estimate, RTX too.
  if (sender->upstream_feedback) {
    if (auto number = rtp::ReadTransportSequence(*view, sender->upstream_feedback->extension_id())) {
      if (sender->upstream_feedback->OnPacket(*number, arrived)) deadline_added_ = true;
    }
  }
  if (!track->config.rtx_ssrcs.empty()) {
    if (UpstreamStream* stream = track->FindByRtxSsrc(ssrc)) {
      return OnRetransmission(*sender, *track, *stream, *view, now, out, scratch);
    }
  }
  if (!track->allowed_payload_types.test(view->payload_type())) {
    ++stats_.rtp_dropped_payload_type;
    return;
  }
  OnMedia(*sender, *track, *view, now, out, scratch);
}

// The publisher's RTX packet: unwrapped into the packet it repeats, which
// then goes the way of any media packet (late, but filling the hole the
// subscribers also have).
void Room::OnRetransmission(Participant& sender, Track& track, UpstreamStream& stream, const rtp::RtpPacketView& rtx,
                            Timestamp now, Sink& out, std::vector<uint8_t>& scratch) {
  const uint8_t media_pt = track.rtx_payload_types.Get(rtx.payload_type());
  if (media_pt == PayloadTypeMap::kUnmapped) {
    ++stats_.rtp_dropped_payload_type;
    return;
  }
  recovered_.resize(std::max(recovered_.size(), rtx.size()));
  const size_t size = rtp::RecoverFromRtx(rtx, stream.ssrc, media_pt, recovered_);
  if (size == 0) {
    ++stats_.rtx_dropped_padding;  // a bandwidth probe: nothing to forward
    return;
  }
  auto original = rtp::RtpPacketView::Parse(std::span<const uint8_t>(recovered_).first(size));
  if (!original) {
    ++stats_.rtp_dropped_malformed;
    return;
  }
  if (stream.cache && stream.cache->Contains(original->sequence_number())) {
    ++stats_.rtx_dropped_duplicate;  // already here: subscribers' SRTP would refuse it again
    return;
  }
  ++stats_.rtx_received;
  OnMedia(sender, track, *original, now, out, scratch);
}

void Room::OnMedia(Participant& sender, Track& track, const rtp::RtpPacketView& view, Timestamp now, Sink& out,
                   std::vector<uint8_t>& scratch) {
  const Ssrc ssrc = view.ssrc();
  const uint8_t pt = view.payload_type();
  std::span<const uint8_t> packet = view.bytes();
  ++stats_.rtp_accepted;
  if (UpstreamStream* stream = track.FindUpstream(ssrc)) {
    stream->stats.OnPacket(view.sequence_number(), view.timestamp(), now);
    if (stream->nacks) {
      switch (stream->nacks->OnPacket(view.sequence_number(), now)) {
        case NackGenerator::Arrival::kNewGap: deadline_added_ = true; break;
        case NackGenerator::Arrival::kRecovered: ++stats_.upstream_packets_recovered; break;
        default: break;
      }
    }
    if (stream->cache && !stream->cache->Store(view.sequence_number(), packet, now)) ++stats_.rtp_not_cached_too_large;
  }
  if (!sender.next_receiver_report) {
    sender.next_receiver_report = now + config_.receiver_report_interval;
    deadline_added_ = true;
  }
  if (track.muted) {
    ++stats_.rtp_dropped_muted;
    return;
  }

  for (Subscription& sub : track.subscriptions) {
    if (sub.source_ssrc != ssrc) continue;  // another simulcast layer
    const uint8_t downstream_pt = sub.payload_types.Get(pt);
    if (downstream_pt == PayloadTypeMap::kUnmapped) {
      ++stats_.rtp_unmapped_payload_type;
      continue;
    }
    // The one copy per subscriber: into the sink's buffer when it lends one
    // (then protected in place there), else into the reused scratch (within
    // capacity after the first packets: no allocation). A subscriber that
    // takes transport-wide feedback gets our numbered block in place of the
    // publisher's extensions (rtp/transport_sequence.h).
    const size_t size = sub.send_side ? rtp::SizeWithTransportSequence(view) : packet.size();
    std::span<uint8_t> copy = out.RtpBuffer(size);
    if (copy.size() < size) {
      scratch.resize(std::max(scratch.size(), size));
      copy = scratch;
    }
    copy = copy.first(size);
    if (sub.send_side) {
      rtp::CopyWithTransportSequence(view, {sub.send_side->extension_id(), sub.send_side->OnSend(size, now)}, copy);
    } else {
      std::copy(packet.begin(), packet.end(), copy.begin());
    }
    if (sub.continue_after) {
      // Continue the numbers of the SSRC's previous stream: the next
      // sequence number, a timestamp a little later (3000 ticks: a 30 fps
      // frame at 90 kHz, 62.5 ms of 48 kHz audio).
      sub.sequence_offset = static_cast<uint16_t>(sub.continue_after->first + 1 - view.sequence_number());
      sub.timestamp_offset = sub.continue_after->second + 3000 - view.timestamp();
      sub.continue_after.reset();
    }
    rtp::RewriteSsrc(copy, sub.downstream_ssrc);
    rtp::RewritePayloadType(copy, downstream_pt);
    // Layer-switch offsets (0 until simulcast switching exists).
    if (sub.sequence_offset != 0) {
      rtp::RewriteSequenceNumber(copy, static_cast<uint16_t>(view.sequence_number() + sub.sequence_offset));
    }
    if (sub.timestamp_offset != 0) rtp::RewriteTimestamp(copy, view.timestamp() + sub.timestamp_offset);
    // A late packet (recovered by RTX) does not move where the stream ends.
    const auto sequence = static_cast<uint16_t>(view.sequence_number() + sub.sequence_offset);
    if (!sub.sent_any || static_cast<int16_t>(static_cast<uint16_t>(sequence - sub.last_sequence)) > 0) {
      sub.last_sequence = sequence;
      sub.last_timestamp = view.timestamp() + sub.timestamp_offset;
    }
    sub.sent_any = true;
    sub.bytes_sent += copy.size();
    ++stats_.rtp_forwarded;
    out.SendRtp(sub.subscriber, sub.subscriber_target, copy);
  }
}

Participant* Room::FindParticipant(ParticipantId id) {
  auto it = participants_.find(id);
  return it == participants_.end() ? nullptr : &it->second;
}

Track* Room::FindTrack(TrackId id) {
  auto it = tracks_.find(id);
  return it == tracks_.end() ? nullptr : &it->second;
}

const Track* Room::FindTrack(TrackId id) const {
  auto it = tracks_.find(id);
  return it == tracks_.end() ? nullptr : &it->second;
}

std::optional<Timestamp> Room::NextTimeout() const {
  std::optional<Timestamp> next;
  for (const auto& [id, p] : participants_) {
    if (p.next_receiver_report && (!next || *p.next_receiver_report < *next)) next = p.next_receiver_report;
    const auto feedback_due = p.upstream_feedback ? p.upstream_feedback->NextDue() : std::nullopt;
    if (feedback_due && (!next || *feedback_due < *next)) next = feedback_due;
  }
  for (const auto& [id, track] : tracks_) {
    auto due = track.keyframe_throttle.DueAt();
    if (due && (!next || *due < *next)) next = due;
    for (const UpstreamStream& stream : track.upstream) {
      auto nack_due = stream.nacks ? stream.nacks->NextDue() : std::nullopt;
      if (nack_due && (!next || *nack_due < *next)) next = nack_due;
    }
  }
  return next;
}

}  // namespace aegis::sfu
