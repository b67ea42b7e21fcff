// Counters of what the router did with its input. Every drop has its own
// counter so a security event (spoofed SSRC, unnegotiated PT) is visible and
// can be told apart from plain garbage.
#pragma once

#include <cstdint>

namespace aegis::sfu {

struct SfuStats {
  // RTP from publishers.
  uint64_t rtp_received = 0;
  uint64_t rtp_accepted = 0;                // passed every check
  uint64_t rtp_forwarded = 0;               // copies handed to the Sink
  uint64_t rtp_dropped_unknown_participant = 0;
  uint64_t rtp_dropped_malformed = 0;
  uint64_t rtp_dropped_spoofed_ssrc = 0;    // another participant's declared SSRC
  uint64_t rtp_dropped_unannounced_ssrc = 0;  // nobody in the room declared it
  uint64_t rtp_dropped_payload_type = 0;    // PT not negotiated for the track
  uint64_t rtp_unmapped_payload_type = 0;   // a subscriber has no mapping for it: not sent to that one
  uint64_t rtp_dropped_muted = 0;           // the track is muted by a room admin
  uint64_t rtp_not_cached_too_large = 0;    // forwarded, but over PacketCache::kMaxPacketSize

  // Loss repair toward publishers: their RTX packets, our NACKs.
  uint64_t rtx_received = 0;                // unwrapped and forwarded like media
  uint64_t rtx_dropped_padding = 0;         // no original inside (a bandwidth probe)
  uint64_t rtx_dropped_duplicate = 0;       // the original is already here
  uint64_t nacks_sent = 0;                  // NACK packets to publishers
  uint64_t nack_sequences_requested = 0;    // sequence numbers in them, retries included
  uint64_t upstream_packets_recovered = 0;  // a missing packet that arrived after all

  // RTCP from anyone.
  uint64_t rtcp_received = 0;
  uint64_t rtcp_dropped_unknown_participant = 0;
  uint64_t rtcp_dropped_malformed = 0;
  uint64_t rtcp_sent = 0;                   // RTCP datagrams handed to the Sink

  // Feedback from subscribers about their downstream SSRCs.
  uint64_t keyframe_requests_received = 0;  // PLI, and FIR entries
  uint64_t keyframe_requests_unknown_ssrc = 0;  // not one of the sender's downstream SSRCs
  uint64_t keyframe_requests_forwarded = 0;     // PLIs sent to publishers
  uint64_t keyframe_requests_throttled = 0;     // too soon: held, sent when the interval passes
  uint64_t keyframe_requests_deferred_sent = 0;  // held requests sent by OnTimer (one per track per interval)
  uint64_t nacks_received = 0;              // NACK packets about a downstream SSRC
  uint64_t nacks_unknown_ssrc = 0;
  uint64_t nack_sequences_received = 0;     // sequence numbers they name
  uint64_t retransmissions_sent = 0;        // RTX packets from the cache
  uint64_t retransmissions_not_cached = 0;  // named packet not (or no longer) in the cache
  uint64_t retransmissions_rate_limited = 0;  // over the subscription's RouterConfig::retransmission_rate
  uint64_t retransmissions_not_negotiated = 0;  // NACKs from a subscriber without RTX for that track
  uint64_t receiver_reports_received = 0;   // RR packets and SR report blocks from subscribers

  // Reports from publishers.
  uint64_t sender_reports_received = 0;
  uint64_t sender_reports_unknown_ssrc = 0;  // not one of the sender's declared SSRCs: dropped
  uint64_t sender_reports_forwarded = 0;     // rewritten copies sent to subscribers
  uint64_t sender_reports_throttled = 0;     // recorded but not fanned out (too soon after the last)
  uint64_t receiver_reports_sent = 0;        // RR packets the SFU generated
  uint64_t rembs_sent = 0;                   // bitrate limits asked of publishers (congestion, loss_based_rate.h)
  uint64_t transport_feedback_sent = 0;       // arrivals reported to publishers (upstream_feedback.h)
  uint64_t transport_feedback_received = 0;   // from subscribers that negotiated it (send_side_estimate.h)
  uint64_t transport_feedback_unexpected = 0; // from a participant that did not: dropped
  uint64_t transport_feedback_unknown_packets = 0;  // reported packets not (or no longer) in the send history

  // Model changes refused.
  uint64_t subscriptions_refused_cross_room = 0;
  uint64_t subscriptions_refused_self = 0;
  // OnRtp/OnRtcp/OnTimer called from inside a Sink callback: ignored (the
  // output buffer is in use).
  uint64_t reentrant_calls_refused = 0;
};

}  // namespace aegis::sfu
