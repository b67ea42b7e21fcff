#include "sfu/rtcp_handler.h"

#include <algorithm>
#include <cmath>
#include <variant>

#include "rtp/rtx.h"

namespace aegis::sfu {

RtcpHandler::RtcpHandler(const RouterConfig& config, SfuStats& stats) : config_(config), stats_(stats) {
  buffer_.reserve(1500);
}

void RtcpHandler::OnRtcp(Room& room, ParticipantId from, std::span<const uint8_t> compound, Timestamp now,
                         Sink& out) {
  Participant* sender = room.FindParticipant(from);
  if (!sender) {
    ++stats_.rtcp_dropped_unknown_participant;
    return;
  }
  auto packets = rtcp::ParseCompound(compound);
  if (!packets) {
    ++stats_.rtcp_dropped_malformed;
    return;
  }
  for (const rtcp::Packet& packet : *packets) {
    if (const auto* pli = std::get_if<rtcp::Pli>(&packet)) {
      OnKeyframeRequest(room, *sender, pli->media_source, now, out);
    } else if (const auto* fir = std::get_if<rtcp::Fir>(&packet)) {
      for (const rtcp::FirEntry& entry : fir->entries) OnKeyframeRequest(room, *sender, entry.ssrc, now, out);
    } else if (const auto* nack = std::get_if<rtcp::Nack>(&packet)) {
      OnNack(room, *sender, *nack, now, out);
    } else if (const auto* sr = std::get_if<rtcp::SenderReport>(&packet)) {
      OnSenderReport(room, *sender, *sr, now, out);
    } else if (const auto* rr = std::get_if<rtcp::ReceiverReport>(&packet)) {
      if (!rr->report_blocks.empty()) ++stats_.receiver_reports_received;
      OnReportBlocks(room, *sender, rr->report_blocks, now, out);
    } else if (const auto* feedback = std::get_if<rtcp::TransportFeedback>(&packet)) {
      OnTransportFeedback(room, *sender, *feedback, now, out);
    }
  }
}

void RtcpHandler::OnKeyframeRequest(Room& room, Participant& from, Ssrc downstream, Timestamp now, Sink& out) {
  ++stats_.keyframe_requests_received;
  auto it = from.downstream_ssrcs.find(downstream);
  Track* track = it == from.downstream_ssrcs.end() ? nullptr : room.FindTrack(it->second);
  if (!track) {
    ++stats_.keyframe_requests_unknown_ssrc;
    return;
  }
  const Subscription* sub = track->FindSubscription(from.id);
  Participant* publisher = room.FindParticipant(track->publisher);
  if (!sub || !publisher) {
    ++stats_.keyframe_requests_unknown_ssrc;
    return;
  }
  if (!track->keyframe_throttle.Allow(now)) {
    ++stats_.keyframe_requests_throttled;
    return;
  }
  ++stats_.keyframe_requests_forwarded;
  Send(publisher->id, publisher->target, rtcp::Pli{publisher->feedback_ssrc, sub->source_ssrc}, out);
}

void RtcpHandler::RequestKeyframes(Room& room, ParticipantId subscriber, Timestamp now, Sink& out) {
  Participant* from = room.FindParticipant(subscriber);
  if (!from) return;
  for (const auto& [downstream, track_id] : from->downstream_ssrcs) {
    const Track* track = room.FindTrack(track_id);
    if (track && track->config.kind == MediaKind::kVideo) OnKeyframeRequest(room, *from, downstream, now, out);
  }
}

void RtcpHandler::OnNack(Room& room, Participant& from, const rtcp::Nack& nack, Timestamp now, Sink& out) {
  auto it = from.downstream_ssrcs.find(nack.media_source);
  Track* track = it == from.downstream_ssrcs.end() ? nullptr : room.FindTrack(it->second);
  Subscription* sub = track ? track->FindSubscription(from.id) : nullptr;
  if (!sub) {
    ++stats_.nacks_unknown_ssrc;
    return;
  }
  ++stats_.nacks_received;
  UpstreamStream* stream = track->FindUpstream(sub->source_ssrc);
  if (!sub->rtx || !stream || !stream->cache) {
    ++stats_.retransmissions_not_negotiated;
    return;
  }
  if (track->muted) return;  // nothing of it may reach anyone
  nack_sequences_.clear();
  nack.AppendSequenceNumbers(nack_sequences_);
  for (uint16_t sequence : nack_sequences_) {
    ++stats_.nack_sequences_received;
    // The subscriber names its own numbers; the cache holds the publisher's.
    auto cached = stream->cache->Find(static_cast<uint16_t>(sequence - sub->sequence_offset), now);
    auto original = cached.empty() ? std::nullopt : rtp::RtpPacketView::Parse(cached);
    if (!original) {
      ++stats_.retransmissions_not_cached;
      continue;
    }
    const size_t size = sub->send_side ? rtp::RtxSizeWithTransportSequence(*original) : rtp::RtxSize(*original);
    if (!sub->rtx->budget.TryTake(now) || !RetransmitFits(*sub, size, now)) {
      ++stats_.retransmissions_rate_limited;
      continue;
    }
    // Into the sink's send slot when it lends one, as for forwarding.
    std::span<uint8_t> target = out.RtpBuffer(size);
    if (target.size() < size) {
      rtx_buffer_.resize(std::max(rtx_buffer_.size(), size));
      target = rtx_buffer_;
    }
    const RtxDownstream& rtx = sub->rtx->stream;
    if (sub->send_side) {
      const rtp::TransportSequence numbered{sub->send_side->extension_id(), sub->send_side->OnSend(size, now)};
      rtp::WriteRtx(*original, rtx.ssrc, rtx.payload_type, sub->rtx->next_sequence++, sequence, numbered, target);
    } else {
      rtp::WriteRtx(*original, rtx.ssrc, rtx.payload_type, sub->rtx->next_sequence++, sequence, target);
    }
    if (sub->timestamp_offset != 0) rtp::RewriteTimestamp(target, original->timestamp() + sub->timestamp_offset);
    ++stats_.retransmissions_sent;
    sub->bytes_sent += size;
    out.SendRtp(from.id, sub->subscriber_target, target.first(size));
  }
}

bool RtcpHandler::RetransmitFits(Subscription& sub, size_t size, Timestamp now) {
  const std::optional<uint64_t> limit = sub.limit_bps();
  if (!limit) return true;
  if (!sub.retransmit_bytes || sub.retransmit_bytes_for_bps != *limit) {
    const double bytes_per_second = kRetransmitShare * static_cast<double>(*limit) / 8;
    sub.retransmit_bytes.emplace(RateLimit{bytes_per_second, std::max(bytes_per_second, 1500.0)}, now);
    sub.retransmit_bytes_for_bps = *limit;
  }
  return sub.retransmit_bytes->TryTake(now, static_cast<double>(size));
}

void RtcpHandler::OnSenderReport(Room& room, Participant& from, const rtcp::SenderReport& sr, Timestamp now,
                                 Sink& out) {
  // Its report blocks are about what it receives from us, as a subscriber.
  if (!sr.report_blocks.empty()) ++stats_.receiver_reports_received;
  OnReportBlocks(room, from, sr.report_blocks, now, out);
  ++stats_.sender_reports_received;
  auto it = from.upstream_ssrcs.find(sr.sender);
  Track* track = it == from.upstream_ssrcs.end() ? nullptr : room.FindTrack(it->second);
  UpstreamStream* stream = track ? track->FindUpstream(sr.sender) : nullptr;
  if (!stream) {
    ++stats_.sender_reports_unknown_ssrc;
    return;
  }
  stream->stats.OnSenderReport(sr.ntp_timestamp, now);
  if (stream->last_sender_report_forwarded &&
      now - *stream->last_sender_report_forwarded < config_.sender_report_min_interval) {
    ++stats_.sender_reports_throttled;
    return;
  }
  stream->last_sender_report_forwarded = now;
  for (const Subscription& sub : track->subscriptions) {
    if (sub.source_ssrc != sr.sender) continue;
    rtcp::SenderReport copy;
    copy.sender = sub.downstream_ssrc;
    copy.ntp_timestamp = sr.ntp_timestamp;
    copy.rtp_timestamp = sr.rtp_timestamp + sub.timestamp_offset;
    copy.packet_count = sr.packet_count;
    copy.octet_count = sr.octet_count;
    ++stats_.sender_reports_forwarded;
    Send(sub.subscriber, sub.subscriber_target, copy, out);
  }
}

// A subscriber's report blocks about the video it receives: its loss moves
// what it can take (LossBasedRate), and the track's publisher is asked
// (REMB) for the lowest rate any of its subscribers can take. Without
// simulcast there is one encoding for everyone, so the publisher sends what
// the weakest path carries (never under LossBasedRate::kMinBps), and the
// others get that too; simulcast would let the weak one take a lower layer
// alone.
void RtcpHandler::OnReportBlocks(Room& room, Participant& from, std::span<const rtcp::ReportBlock> blocks,
                                 Timestamp now, Sink& out) {
  for (const rtcp::ReportBlock& block : blocks) {
    auto it = from.downstream_ssrcs.find(block.source);
    Track* track = it == from.downstream_ssrcs.end() ? nullptr : room.FindTrack(it->second);
    if (!track || track->config.kind != MediaKind::kVideo) continue;
    Subscription* sub = track->FindSubscription(from.id);
    if (!sub) continue;
    const bool window_closed =
        sub->last_report &&
        sub->rate.OnReport(block.fraction_lost, sub->bytes_sent - sub->bytes_at_last_report, now - *sub->last_report);
    sub->last_report = now;
    sub->bytes_at_last_report = sub->bytes_sent;
    // Most reports only add to a window: nothing can have moved.
    if (window_closed) UpdatePublisherRate(room, *track, now, out);
  }
}

// A subscriber's transport feedback: when its connection's delay-based
// estimate moves, each video track it receives gets an equal share of what
// is left after its audio (kAudioAllowanceBps a track), at least
// kMinShareBps, and the publishers
// of those tracks are asked again. Feedback from a participant that
// negotiated none is counted and dropped.
void RtcpHandler::OnTransportFeedback(Room& room, Participant& from, const rtcp::TransportFeedback& feedback,
                                      Timestamp now, Sink& out) {
  if (!from.send_side) {
    ++stats_.transport_feedback_unexpected;
    return;
  }
  ++stats_.transport_feedback_received;
  const uint64_t unknown_before = from.send_side->packets_unknown();
  const bool moved = from.send_side->OnFeedback(feedback, now);
  stats_.transport_feedback_unknown_packets += from.send_side->packets_unknown() - unknown_before;
  if (!moved) return;
  const std::optional<uint64_t> estimate = from.send_side->bps();
  uint64_t audio_tracks = 0;
  video_tracks_.clear();
  for (const auto& [downstream, track_id] : from.downstream_ssrcs) {
    Track* track = room.FindTrack(track_id);
    if (!track) continue;
    if (track->config.kind == MediaKind::kVideo) {
      video_tracks_.push_back(track);
    } else {
      ++audio_tracks;
    }
  }
  if (video_tracks_.empty()) return;
  std::optional<uint64_t> share;
  if (estimate) {
    const uint64_t audio = audio_tracks * kAudioAllowanceBps;
    const uint64_t for_video = *estimate > audio ? *estimate - audio : 0;
    share = std::max<uint64_t>(kMinShareBps, for_video / video_tracks_.size());
  }
  for (Track* track : video_tracks_) {
    Subscription* sub = track->FindSubscription(from.id);
    if (!sub) continue;
    sub->delay_share_bps = share;
    UpdatePublisherRate(room, *track, now, out);
  }
}

// Sent when the lowest limit moved by 3 % or more, or is a second old: not
// once per subscriber report (a large room reports many times a second).
void RtcpHandler::UpdatePublisherRate(Room& room, Track& track, Timestamp now, Sink& out) {
  std::optional<uint64_t> lowest;
  for (const Subscription& s : track.subscriptions) {
    if (auto limit = s.limit_bps()) lowest = std::min(lowest.value_or(UINT64_MAX), *limit);
  }
  if (!lowest && !track.remb_bps) return;  // nobody limited, and nothing asked before
  if (lowest && track.remb_bps && track.remb_sent_at && now - *track.remb_sent_at < TimeDelta::Seconds(1) &&
      std::abs(static_cast<double>(*lowest) - static_cast<double>(*track.remb_bps)) <
          0.03 * static_cast<double>(*track.remb_bps)) {
    return;
  }
  Participant* publisher = room.FindParticipant(track.publisher);
  if (!publisher || track.config.ssrcs.empty()) return;
  // No limit any more: ask for far more than any encoder sends, which lifts
  // the one asked before (a REMB stays in force until the next).
  const uint64_t bps = lowest.value_or(config_.unlimited_remb_bps);
  track.remb_bps = lowest;
  track.remb_sent_at = now;
  rtcp::Remb remb;
  remb.sender = publisher->feedback_ssrc;
  remb.bitrate_bps = bps;
  remb.ssrcs = track.config.ssrcs;
  ++stats_.rembs_sent;
  Send(publisher->id, publisher->target, remb, out);
}

void RtcpHandler::OnTimer(Room& room, Timestamp now, Sink& out) {
  // Keyframe requests that were throttled go out once their interval passed.
  for (auto& [id, track] : room.tracks()) {
    if (!track.keyframe_throttle.TakeDue(now) || track.config.ssrcs.empty()) continue;
    Participant* publisher = room.FindParticipant(track.publisher);
    if (!publisher) continue;
    ++stats_.keyframe_requests_deferred_sent;
    Send(publisher->id, publisher->target, rtcp::Pli{publisher->feedback_ssrc, track.config.ssrcs[0]}, out);
  }
  for (auto& [id, track] : room.tracks()) SendUpstreamNacks(room, track, now, out);
  for (auto& [id, participant] : room.participants()) SendUpstreamFeedback(participant, now, out);
  for (auto& [id, participant] : room.participants()) {
    if (!participant.next_receiver_report || now < *participant.next_receiver_report) continue;
    // Rearmed by the next accepted packet if nothing was heard.
    participant.next_receiver_report.reset();
    if (SendReceiverReports(room, participant, now, out)) {
      participant.next_receiver_report = now + config_.receiver_report_interval;
    }
  }
}

void RtcpHandler::SendUpstreamFeedback(Participant& publisher, Timestamp now, Sink& out) {
  if (!publisher.upstream_feedback) return;
  const auto due = publisher.upstream_feedback->NextDue();
  if (!due || now < *due) return;
  // The media source names one of its streams; browsers read only the sender.
  Ssrc media = Ssrc(0);
  if (!publisher.upstream_ssrcs.empty()) media = publisher.upstream_ssrcs.begin()->first;
  feedback_.clear();
  publisher.upstream_feedback->TakeReports(publisher.feedback_ssrc, media, feedback_);
  for (const rtcp::TransportFeedback& report : feedback_) {
    ++stats_.transport_feedback_sent;
    Send(publisher.id, publisher.target, report, out);
  }
}

void RtcpHandler::SendUpstreamNacks(Room& room, Track& track, Timestamp now, Sink& out) {
  Participant* publisher = nullptr;
  for (UpstreamStream& stream : track.upstream) {
    if (!stream.nacks || stream.nacks->missing() == 0) continue;
    nack_sequences_.clear();
    stream.nacks->TakeDue(now, nack_sequences_);
    if (nack_sequences_.empty()) continue;
    if (!publisher && !(publisher = room.FindParticipant(track.publisher))) return;
    stats_.nack_sequences_requested += nack_sequences_.size();
    ++stats_.nacks_sent;
    Send(publisher->id, publisher->target,
         rtcp::Nack::FromSequenceNumbers(publisher->feedback_ssrc, stream.ssrc, nack_sequences_), out);
  }
}

bool RtcpHandler::SendReceiverReports(Room& room, Participant& publisher, Timestamp now, Sink& out) {
  blocks_.clear();
  for (TrackId id : publisher.published) {
    Track* track = room.FindTrack(id);
    if (!track) continue;
    for (UpstreamStream& stream : track->upstream) {
      if (stream.stats.has_packets_since_report()) blocks_.push_back(stream.stats.MakeReportBlock(stream.ssrc, now));
    }
  }
  // One RR per datagram, at most 31 blocks each (the 5-bit count).
  for (size_t begin = 0; begin < blocks_.size(); begin += rtcp::kMaxCount) {
    const size_t end = std::min(blocks_.size(), begin + rtcp::kMaxCount);
    rtcp::ReceiverReport rr;
    rr.sender = publisher.feedback_ssrc;
    rr.report_blocks.assign(blocks_.begin() + static_cast<std::ptrdiff_t>(begin),
                            blocks_.begin() + static_cast<std::ptrdiff_t>(end));
    ++stats_.receiver_reports_sent;
    Send(publisher.id, publisher.target, rr, out);
  }
  return !blocks_.empty();
}

void RtcpHandler::Send(ParticipantId to, SinkTarget* target, const rtcp::Packet& packet, Sink& out) {
  buffer_.clear();
  if (!rtcp::SerializeCompound(std::span<const rtcp::Packet>(&packet, 1), buffer_)) return;
  ++stats_.rtcp_sent;
  out.SendRtcp(to, target, buffer_);
}

}  // namespace aegis::sfu
