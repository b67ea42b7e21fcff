// The receive side of transport-wide congestion control for one publisher
// connection: the SFU notes when each numbered packet arrived (the
// publisher's transport-wide sequence number, rtp/transport_sequence.h) and
// reports them back every kInterval as transport feedback
// (rtcp/transport_feedback.h), so the publisher's own estimate (a browser's
// GCC) sees the queues on its uplink.
//
// Bounded: at most kMaxPending arrivals wait between two reports (more are
// dropped and counted), and one report covers at most kMaxCovered sequence
// numbers (a larger jump starts the next report at the packets, not at the
// hole). An arrival for a number already reported is ignored (late): the
// publisher has written it off already.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <utility>
#include <vector>

#include "base/strong_id.h"
#include "base/time.h"
#include "rtcp/transport_feedback.h"

namespace aegis::sfu {

class UpstreamFeedback {
 public:
  static constexpr TimeDelta kInterval = TimeDelta::Millis(100);
  static constexpr size_t kMaxPending = 1024;
  static constexpr size_t kMaxCovered = 1024;

  explicit UpstreamFeedback(uint8_t extension_id) : extension_id_(extension_id) {}

  uint8_t extension_id() const { return extension_id_; }
  // A packet carrying transport sequence number `sequence` arrived. True if
  // that made a report due where none was (NextDue moved).
  bool OnPacket(uint16_t sequence, Timestamp arrived);
  // kInterval after the first arrival not yet reported; none if nothing waits.
  std::optional<Timestamp> NextDue() const;
  // The reports for what arrived, appended to `out` (usually one; none if
  // nothing waits). `sender`: the SFU's SSRC toward the publisher.
  void TakeReports(Ssrc sender, Ssrc media_source, std::vector<rtcp::TransportFeedback>& out);

  uint64_t dropped() const { return dropped_; }
  uint64_t late() const { return late_; }

 private:
  // Ends one report at the first packet it cannot hold; returns how many of
  // the sorted pending_ it took.
  size_t BuildReport(Ssrc sender, Ssrc media_source, std::vector<rtcp::TransportFeedback>& out);

  uint8_t extension_id_;
  std::optional<int64_t> last_unwrapped_;  // the 16-bit numbers unwrapped
  std::optional<int64_t> next_base_;       // the first number the next report covers
  std::vector<std::pair<int64_t, Timestamp>> pending_;
  std::vector<rtcp::TransportFeedback::PacketStatus> statuses_;  // reused per report
  uint8_t feedback_count_ = 0;
  uint64_t dropped_ = 0;
  uint64_t late_ = 0;
};

}  // namespace aegis::sfu
