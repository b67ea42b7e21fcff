// Per-SSRC receive statistics of one upstream stream, for the receiver
// reports the SFU sends to publishers (RFC 3550 §6.4.1, Appendix A):
//  - A.1: extended highest sequence number with wrap-around cycles and the
//    MAX_DROPOUT/MAX_MISORDER rules; a large jump is believed only when the
//    next packet follows it (the source restarted). No probation: an SFU
//    forwards from the first packet, and the publisher is authenticated.
//  - A.3: expected, cumulative lost and fraction lost since the last report.
//  - A.8: interarrival jitter in the stream's RTP clock units, kept ×16 in
//    integer form (J += |D| - J/16).
// Also remembers the last SR of the stream for LSR/DLSR.
#pragma once

#include <cstdint>
#include <optional>

#include "base/strong_id.h"
#include "base/time.h"
#include "rtcp/report_block.h"

namespace aegis::sfu {

class ReceiveStatistics {
 public:
  explicit ReceiveStatistics(uint32_t clock_rate) : clock_rate_(clock_rate) {}

  // Every packet of the stream that passed the router's checks.
  void OnPacket(uint16_t sequence_number, uint32_t rtp_timestamp, Timestamp arrival);
  // A sender report for this stream arrived at `arrival`.
  void OnSenderReport(uint64_t ntp_timestamp, Timestamp arrival);

  bool has_packets() const { return started_; }
  // Whether packets arrived since the last MakeReportBlock (RFC 3550 §6.4:
  // a report covers the sources heard since the previous one).
  bool has_packets_since_report() const { return packets_since_report_; }
  uint64_t packets_received() const { return received_; }
  uint32_t extended_highest_sequence() const { return cycles_ + max_seq_; }
  int64_t expected() const;
  int64_t cumulative_lost() const { return expected() - static_cast<int64_t>(received_); }
  uint32_t jitter() const { return jitter_q4_ >> 4; }

  // The report block for `source`; starts a new fraction-lost interval.
  rtcp::ReportBlock MakeReportBlock(Ssrc source, Timestamp now);

 private:
  void InitSequence(uint16_t seq);
  bool UpdateSequence(uint16_t seq);
  void UpdateJitter(uint32_t rtp_timestamp, Timestamp arrival);
  uint32_t ToRtpUnits(Timestamp t) const;

  uint32_t clock_rate_;
  bool started_ = false;
  uint16_t max_seq_ = 0;
  uint32_t cycles_ = 0;     // count of wraps, shifted left 16
  uint32_t base_seq_ = 0;
  uint32_t bad_seq_ = 0;    // RTP_SEQ_MOD + 1 when unset
  uint64_t received_ = 0;
  bool packets_since_report_ = false;
  int64_t expected_prior_ = 0;
  uint64_t received_prior_ = 0;

  bool have_transit_ = false;
  uint32_t last_transit_ = 0;
  uint32_t jitter_q4_ = 0;  // jitter × 16

  uint32_t last_sr_ = 0;    // middle 32 bits of the NTP timestamp
  std::optional<Timestamp> last_sr_arrival_;
};

}  // namespace aegis::sfu
