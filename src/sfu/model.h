// The SFU's model inside one room: participants publish tracks (the SSRCs
// and payload types they negotiated) and subscribe to other participants'
// tracks under a downstream SSRC and payload types chosen for them.
//
// Plain data; Room keeps it consistent. Lookups on the packet path go
// through small hash maps keyed by the sender's own SSRCs, so one
// participant's packets can never be looked up among another's streams.
#pragma once

#include <array>
#include <bitset>
#include <memory>
#include <cstdint>
#include <optional>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "base/strong_id.h"
#include "base/time.h"
#include "base/token_bucket.h"
#include "sfu/config.h"
#include "sfu/ids.h"
#include "sfu/keyframe_throttle.h"
#include "sfu/loss_based_rate.h"
#include "sfu/nack_generator.h"
#include "sfu/packet_cache.h"
#include "sfu/receive_statistics.h"
#include "sfu/send_side_estimate.h"
#include "sfu/upstream_feedback.h"
#include "sfu/sink.h"

namespace aegis::sfu {

enum class MediaKind { kAudio, kVideo };

// RTX (RFC 4588) a publisher negotiated: the retransmission SSRC paired
// with a media SSRC (a=ssrc-group:FID), and the RTX payload type of a media
// payload type (a=fmtp:<rtx> apt=<media>).
struct RtxSsrc {
  Ssrc media;
  Ssrc rtx;
};
struct RtxPayloadType {
  uint8_t rtx = 0;
  uint8_t media = 0;
};

// What negotiation agreed for one published track.
struct TrackConfig {
  MediaKind kind = MediaKind::kAudio;
  std::string mid;
  // The publisher's SSRCs for this track (e.g. one per simulcast layer).
  // Subscribers receive ssrcs[0] until layer selection exists.
  std::vector<Ssrc> ssrcs;
  std::vector<uint8_t> payload_types;  // allowed upstream PTs, 0–127
  uint32_t clock_rate = 0;             // RTP clock, for jitter (48000 Opus, 90000 video)
  // Video only. Each media SSRC in `ssrcs`, each media PT in
  // `payload_types`; RTX SSRCs and PTs distinct from every media one.
  std::vector<RtxSsrc> rtx_ssrcs = {};
  std::vector<RtxPayloadType> rtx_payload_types = {};
};

inline constexpr size_t kMaxSsrcsPerTrack = 8;

struct PayloadTypeMapping {
  uint8_t upstream = 0;
  uint8_t downstream = 0;
};

// upstream PT → the PT this subscriber negotiated; a fixed table so the
// packet path does no lookup work or allocation.
class PayloadTypeMap {
 public:
  static constexpr uint8_t kUnmapped = 0xff;
  PayloadTypeMap() { table_.fill(kUnmapped); }
  void Set(uint8_t upstream, uint8_t downstream) { table_[upstream & 0x7f] = downstream; }
  uint8_t Get(uint8_t upstream) const { return table_[upstream & 0x7f]; }

 private:
  std::array<uint8_t, 128> table_;
};

// Where a subscriber takes retransmissions of a video track: its own SSRC
// and payload type (what the subscriber's SDP paired with the media ones).
struct RtxDownstream {
  Ssrc ssrc;
  uint8_t payload_type = 0;
  uint16_t first_sequence = 0;  // random, like any RTP stream's (RFC 3550 §5.1)
};

struct SubscriptionOptions {
  // Loopback (a participant receiving its own track), e.g. for a self-view
  // test. Off by default: nobody receives its own media unless asked.
  bool allow_self = false;
  // Answer this subscriber's NACKs with RTX (video tracks only).
  std::optional<RtxDownstream> rtx = std::nullopt;
};

struct RetransmissionStream {
  RtxDownstream stream;
  uint16_t next_sequence = 0;
  TokenBucket budget;  // RouterConfig::retransmission_rate
};

struct Subscription {
  ParticipantId subscriber;
  SinkTarget* subscriber_target = nullptr;  // its ParticipantOptions::target
  Ssrc downstream_ssrc;
  PayloadTypeMap payload_types;
  // The upstream SSRC currently sent to this subscriber.
  Ssrc source_ssrc;
  // Hook for simulcast layer switching: when source_ssrc changes, these
  // keep the subscriber's sequence numbers and timestamps continuous. Both
  // are 0 today, so numbers pass through unchanged.
  uint16_t sequence_offset = 0;
  uint32_t timestamp_offset = 0;
  // What was last sent on downstream_ssrc (rewritten numbers), and, for a
  // downstream SSRC another subscription used before, where its numbers
  // must continue: set the offsets at this subscription's first packet, so
  // the subscriber sees one continuous stream (its SRTP replay window and
  // jitter buffer would drop a jump back).
  bool sent_any = false;
  uint16_t last_sequence = 0;
  uint32_t last_timestamp = 0;
  std::optional<std::pair<uint16_t, uint32_t>> continue_after;
  std::optional<RetransmissionStream> rtx;
  // Congestion (video): bytes sent to it (media and retransmissions), and
  // what its receiver reports say it can take (loss_based_rate.h).
  uint64_t bytes_sent = 0;
  uint64_t bytes_at_last_report = 0;
  std::optional<Timestamp> last_report;
  LossBasedRate rate;
  // Its share of the subscriber connection's delay-based estimate
  // (send_side_estimate.h), when that is limited.
  std::optional<uint64_t> delay_share_bps;
  // The subscriber's estimate (owned by its Participant, which outlives the
  // subscription; kept in step by Room::SetTransportFeedback): numbers
  // every packet sent here. Null when the subscriber did not negotiate it.
  SendSideEstimate* send_side = nullptr;
  // While limited: retransmissions get at most kRetransmitShare of the
  // limit (bytes), so repairing loss does not deepen the congestion that
  // caused it. Remade when the limit moves.
  std::optional<TokenBucket> retransmit_bytes;
  uint64_t retransmit_bytes_for_bps = 0;

  // What it can take: the lower of its loss-based limit and its delay share.
  std::optional<uint64_t> limit_bps() const;
};

// Per upstream SSRC of a track: what the SFU measured receiving it, and
// for video the loss repair: the cache that answers subscribers' NACKs and
// the holes to request from the publisher.
struct UpstreamStream {
  UpstreamStream(Ssrc stream_ssrc, uint32_t clock_rate) : ssrc(stream_ssrc), stats(clock_rate) {}

  Ssrc ssrc;
  ReceiveStatistics stats;
  std::optional<Timestamp> last_sender_report_forwarded;
  std::optional<Ssrc> rtx_ssrc;           // the publisher's retransmissions of this stream
  std::unique_ptr<PacketCache> cache;     // video only
  std::unique_ptr<NackGenerator> nacks;   // video only
};

struct Track {
  Track(TrackId track_id, ParticipantId publisher_id, TrackConfig track_config, const RouterConfig& router_config);

  TrackId id;
  ParticipantId publisher;
  SinkTarget* publisher_target = nullptr;  // the publisher's ParticipantOptions::target
  TrackConfig config;
  std::bitset<128> allowed_payload_types;
  PayloadTypeMap rtx_payload_types;      // the publisher's RTX PT → its media PT
  std::vector<UpstreamStream> upstream;  // one per config.ssrcs entry, same order
  std::vector<Subscription> subscriptions;
  KeyframeThrottle keyframe_throttle;
  // The bitrate last asked of the publisher (REMB): the lowest limit over
  // the subscriptions; none while no subscriber is limited.
  std::optional<uint64_t> remb_bps;
  std::optional<Timestamp> remb_sent_at;
  bool muted = false;  // by a room admin: accepted (statistics, reports) but forwarded to nobody

  UpstreamStream* FindUpstream(Ssrc ssrc);
  // The stream whose retransmissions come on `rtx_ssrc`.
  UpstreamStream* FindByRtxSsrc(Ssrc rtx_ssrc);
  // `subscriber`'s subscription to this track, or null.
  Subscription* FindSubscription(ParticipantId subscriber);
};

struct Participant {
  ParticipantId id;
  Ssrc feedback_ssrc;  // sender SSRC of the RTCP the SFU sends to this participant
  SinkTarget* target = nullptr;  // ParticipantOptions::target
  std::vector<TrackId> published;
  std::unordered_map<Ssrc, TrackId> upstream_ssrcs;    // declared SSRCs (media and RTX) → own track
  std::unordered_map<Ssrc, TrackId> downstream_ssrcs;  // SSRCs it receives on → subscribed track
  // Downstream SSRCs whose subscription ended after sending: the last
  // (sequence number, timestamp) sent, for a later subscription on the same
  // SSRC (a WHEP viewer's refilled section). Bounded by the SSRCs it was
  // given (one per section).
  std::unordered_map<Ssrc, std::pair<uint16_t, uint32_t>> ended_downstream;
  // The same for RTX SSRCs: the next sequence number to use.
  std::unordered_map<Ssrc, uint16_t> ended_rtx;
  std::optional<Timestamp> next_receiver_report;       // set by its first accepted packet
  // Transport-wide congestion control on its subscriber connection, when
  // negotiated (Router::SetTransportFeedback).
  std::unique_ptr<SendSideEstimate> send_side;
  // The same on its publisher connection, the other way: what it sends is
  // numbered by it, and the SFU reports arrivals (Router::SetUpstreamTransportFeedback).
  std::unique_ptr<UpstreamFeedback> upstream_feedback;
};

}  // namespace aegis::sfu
