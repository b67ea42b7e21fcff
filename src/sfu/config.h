// Tunables of the router, and the events it reports to its owner.
#pragma once

#include "base/strong_id.h"
#include "base/time.h"
#include "base/token_bucket.h"
#include "sfu/nack_generator.h"
#include "sfu/ids.h"
#include "sfu/sink.h"

namespace aegis::sfu {

struct RouterConfig {
  // At most one keyframe request to a publisher per track per interval.
  TimeDelta keyframe_min_interval = TimeDelta::Seconds(1);
  // How often each publisher gets a receiver report about its streams.
  TimeDelta receiver_report_interval = TimeDelta::Seconds(1);
  // The REMB that lifts an earlier limit on a publisher (far above any
  // encoder's rate: its own estimate decides again).
  uint64_t unlimited_remb_bps = 30'000'000;
  // At most one SR per upstream stream per interval is fanned out: one
  // datagram can hold ~50 SRs, each copied to every subscriber, and a
  // publisher must not be able to amplify that way. Browsers send about
  // one per second.
  TimeDelta sender_report_min_interval = TimeDelta::Millis(100);
  // Retransmission to subscribers (NACK → RTX): how long a video packet
  // stays servable in its track's cache, and how many retransmissions each
  // subscription may take (per second, burst): one NACK can name hundreds
  // of packets, and must not turn into that many packets. 5 % loss of a
  // 2.5 Mbit/s stream is about 13 retransmissions per second.
  TimeDelta retransmission_max_age = TimeDelta::Seconds(1);
  RateLimit retransmission_rate{200, 100};
  // NACKs to publishers for the holes in their video streams.
  NackLimits upstream_nack;
};

struct ParticipantOptions {
  // The SSRC the SFU uses as sender of the RTCP it sends this participant
  // (RR, PLI): the server's own SSRC on that connection.
  Ssrc feedback_ssrc = Ssrc(1);
  // Handed to the Sink with every RTP packet for this participant.
  SinkTarget* target = nullptr;
};

// A subscriber lost a track (its publisher unpublished or left): the server
// signals "track unpublished" and renegotiates.
struct TrackEnded {
  ParticipantId subscriber;
  TrackId track;
  ParticipantId publisher;
  Ssrc downstream_ssrc;
  SinkTarget* subscriber_target = nullptr;  // the subscriber's ParticipantOptions::target
  bool operator==(const TrackEnded&) const = default;
};

}  // namespace aegis::sfu
