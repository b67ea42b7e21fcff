// RTCP through the SFU, for one room at a time:
//  - from a subscriber: PLI, and each FIR entry, naming one of its
//    downstream SSRCs becomes a PLI to that track's publisher for the
//    upstream SSRC, throttled per track (KeyframeThrottle: one per interval;
//    a request that comes too soon is held and sent by OnTimer); a NACK for
//    a downstream SSRC is answered from the track's packet cache with RTX
//    packets on the subscription's RTX SSRC, within its retransmission
//    budget (never the original SSRC again: that would reuse an SRTP index);
//    RR blocks are counted.
//  - from a publisher: an SR for one of its declared SSRCs is recorded
//    (LSR/DLSR) and sent to each subscriber of that stream with the sender
//    SSRC rewritten to the subscriber's downstream SSRC; sender info kept,
//    report blocks and profile extensions (about the publisher's own
//    reception) left out; at most one per stream per
//    sender_report_min_interval is fanned out.
//  - OnTimer: a publisher that numbers its packets (transport-wide) gets
//    its arrivals reported every 100 ms (upstream_feedback.h);
//    the holes in publishers' video streams that are due go to
//    them as NACKs (nack_generator.h); every receiver_report_interval a
//    publisher gets an RR with a
//    block per upstream SSRC heard since the previous RR
//    (receive_statistics.h); a publisher gone quiet gets none until it
//    sends again.
//  - Transport-wide feedback from a subscriber moves its connection's
//    delay-based estimate (send_side_estimate.h); each video track it
//    receives gets a share, and its publisher is asked for the lowest
//    limit over the track's subscribers, as for loss.
// Anything else (SDES, BYE, APP, REMB) is not forwarded.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "base/time.h"
#include "rtcp/compound.h"
#include "sfu/config.h"
#include "sfu/room.h"
#include "sfu/sfu_stats.h"
#include "sfu/sink.h"

namespace aegis::sfu {

class RtcpHandler {
 public:
  RtcpHandler(const RouterConfig& config, SfuStats& stats);

  void OnRtcp(Room& room, ParticipantId from, std::span<const uint8_t> compound, Timestamp now, Sink& out);
  void OnTimer(Room& room, Timestamp now, Sink& out);
  // A keyframe request on behalf of `subscriber` for every video track it
  // receives (its connection just came up), under the same throttle.
  void RequestKeyframes(Room& room, ParticipantId subscriber, Timestamp now, Sink& out);

 private:
  void OnKeyframeRequest(Room& room, Participant& from, Ssrc downstream, Timestamp now, Sink& out);
  void OnNack(Room& room, Participant& from, const rtcp::Nack& nack, Timestamp now, Sink& out);
  void SendUpstreamNacks(Room& room, Track& track, Timestamp now, Sink& out);
  // The arrivals it reported are due (upstream_feedback.h).
  void SendUpstreamFeedback(Participant& publisher, Timestamp now, Sink& out);
  void OnSenderReport(Room& room, Participant& from, const rtcp::SenderReport& sr, Timestamp now, Sink& out);
  void OnReportBlocks(Room& room, Participant& from, std::span<const rtcp::ReportBlock> blocks, Timestamp now,
                      Sink& out);
  void OnTransportFeedback(Room& room, Participant& from, const rtcp::TransportFeedback& feedback, Timestamp now,
                           Sink& out);
  void UpdatePublisherRate(Room& room, Track& track, Timestamp now, Sink& out);
  // Whether a retransmission of `size` bytes fits the subscription's share
  // (none while it is not limited).
  static bool RetransmitFits(Subscription& sub, size_t size, Timestamp now);
  static constexpr double kRetransmitShare = 0.15;
  // What a subscriber's share of its estimate keeps back per audio track
  // (Opus in a call: 30-40 kbit/s with headers).
  static constexpr uint64_t kAudioAllowanceBps = 40'000;
  // A video track's least share: a small picture at a few frames a second
  // (libwebrtc's own floor for video is 30 kbit/s). Lower than the loss
  // floor, since the estimate measured the path: two videos and two audio
  // tracks then fit a 250 kbit/s link.
  static constexpr uint64_t kMinShareBps = 50'000;
  // False if no stream was heard since the last report (nothing sent).
  bool SendReceiverReports(Room& room, Participant& publisher, Timestamp now, Sink& out);
  void Send(ParticipantId to, SinkTarget* target, const rtcp::Packet& packet, Sink& out);

  const RouterConfig& config_;
  SfuStats& stats_;
  std::vector<uint8_t> buffer_;  // reused for every packet sent
  std::vector<rtcp::ReportBlock> blocks_;
  std::vector<uint16_t> nack_sequences_;
  std::vector<Track*> video_tracks_;  // reused per transport feedback
  std::vector<rtcp::TransportFeedback> feedback_;  // reused per report to a publisher
  std::vector<uint8_t> rtx_buffer_;  // when the sink lends no send slot
};

}  // namespace aegis::sfu
