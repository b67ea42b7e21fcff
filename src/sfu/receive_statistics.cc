#include "sfu/receive_statistics.h"

#include <algorithm>

namespace aegis::sfu {
namespace {

constexpr uint32_t kSeqMod = 1u << 16;
constexpr uint32_t kMaxDropout = 3000;
constexpr uint32_t kMaxMisorder = 100;

}  // namespace

void ReceiveStatistics::InitSequence(uint16_t seq) {
  base_seq_ = seq;
  max_seq_ = seq;
  bad_seq_ = kSeqMod + 1;
  cycles_ = 0;
  received_ = 0;
  received_prior_ = 0;
  expected_prior_ = 0;
}

// RFC 3550 A.1 update_seq without the probation phase.
bool ReceiveStatistics::UpdateSequence(uint16_t seq) {
  const uint16_t udelta = static_cast<uint16_t>(seq - max_seq_);
  if (udelta < kMaxDropout) {
    if (seq < max_seq_) cycles_ += kSeqMod;  // in order, with permissible gap: wrapped
    max_seq_ = seq;
  } else if (udelta <= kSeqMod - kMaxMisorder) {
    // A very large jump. Two sequential packets mean the source restarted.
    if (seq == bad_seq_) {
      InitSequence(seq);
    } else {
      bad_seq_ = (uint32_t{seq} + 1) & (kSeqMod - 1);
      return false;
    }
  }
  // else: duplicate or reordered packet; counted as received.
  ++received_;
  return true;
}

uint32_t ReceiveStatistics::ToRtpUnits(Timestamp t) const {
  // Split seconds and remainder so the product cannot overflow; only the
  // value modulo 2^32 matters (transit times are differenced).
  const int64_t us = t.us();
  const int64_t seconds = us / 1'000'000;
  const int64_t rest = us % 1'000'000;
  const uint64_t units = static_cast<uint64_t>(seconds) * clock_rate_ +
                         static_cast<uint64_t>(rest * static_cast<int64_t>(clock_rate_) / 1'000'000);
  return static_cast<uint32_t>(units);
}

// RFC 3550 A.8, integer form.
void ReceiveStatistics::UpdateJitter(uint32_t rtp_timestamp, Timestamp arrival) {
  const uint32_t transit = ToRtpUnits(arrival) - rtp_timestamp;
  if (have_transit_) {
    const int32_t d = static_cast<int32_t>(transit - last_transit_);
    // |d| as unsigned, so INT32_MIN cannot overflow.
    const uint32_t abs_d = d < 0 ? 0u - static_cast<uint32_t>(d) : static_cast<uint32_t>(d);
    // J(i) = J(i-1) + (|D| - J(i-1))/16, with J kept ×16. 64-bit so a hostile
    // timestamp cannot wrap it.
    const int64_t next = int64_t{jitter_q4_} + int64_t{abs_d} - ((int64_t{jitter_q4_} + 8) >> 4);
    jitter_q4_ = static_cast<uint32_t>(std::clamp<int64_t>(next, 0, UINT32_MAX));
  }
  last_transit_ = transit;
  have_transit_ = true;
}

void ReceiveStatistics::OnPacket(uint16_t sequence_number, uint32_t rtp_timestamp, Timestamp arrival) {
  packets_since_report_ = true;
  if (!started_) {
    InitSequence(sequence_number);
    started_ = true;
    ++received_;
  } else if (!UpdateSequence(sequence_number)) {
    return;  // an unconfirmed jump: ignore for statistics
  }
  UpdateJitter(rtp_timestamp, arrival);
}

void ReceiveStatistics::OnSenderReport(uint64_t ntp_timestamp, Timestamp arrival) {
  last_sr_ = static_cast<uint32_t>(ntp_timestamp >> 16);
  last_sr_arrival_ = arrival;
}

int64_t ReceiveStatistics::expected() const {
  if (!started_) return 0;
  return int64_t{extended_highest_sequence()} - int64_t{base_seq_} + 1;
}

rtcp::ReportBlock ReceiveStatistics::MakeReportBlock(Ssrc source, Timestamp now) {
  packets_since_report_ = false;
  rtcp::ReportBlock block;
  block.source = source;
  const int64_t expected_now = expected();
  const int64_t lost = cumulative_lost();
  block.cumulative_lost = static_cast<int32_t>(
      std::clamp<int64_t>(lost, rtcp::ReportBlock::kMinCumulativeLost, rtcp::ReportBlock::kMaxCumulativeLost));
  block.extended_highest_sequence = extended_highest_sequence();
  block.jitter = jitter();

  // RFC 3550 A.3: fraction lost over the interval since the previous report.
  const int64_t expected_interval = expected_now - expected_prior_;
  const int64_t received_interval = static_cast<int64_t>(received_ - received_prior_);
  const int64_t lost_interval = expected_interval - received_interval;
  expected_prior_ = expected_now;
  received_prior_ = received_;
  if (expected_interval > 0 && lost_interval > 0) {
    block.fraction_lost = static_cast<uint8_t>(std::min<int64_t>((lost_interval << 8) / expected_interval, 255));
  }

  if (last_sr_arrival_) {
    block.last_sr = last_sr_;
    // Delay since that SR in units of 1/65536 s; the field holds < 65536 s,
    // so clamp before multiplying.
    const int64_t max_delay_us = int64_t{65535} * 1'000'000;
    const int64_t delay_us = std::clamp<int64_t>((now - *last_sr_arrival_).us(), 0, max_delay_us);
    block.delay_since_last_sr = static_cast<uint32_t>(delay_us * 65536 / 1'000'000);
  }
  return block;
}

}  // namespace aegis::sfu
