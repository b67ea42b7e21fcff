#include "sfu/upstream_feedback.h"

#include <algorithm>
#include <limits>

namespace aegis::sfu {
namespace {

constexpr int64_t kTickUs = rtcp::TransportFeedback::kDeltaTickUs;
constexpr int64_t kReferenceUs = rtcp::TransportFeedback::kReferenceTimeTickUs;

// Floor division (arrival times may be negative on a test's clock).
int64_t FloorDiv(int64_t a, int64_t b) { return a / b - ((a % b != 0) && ((a < 0) != (b < 0))); }

}  // namespace

bool UpstreamFeedback::OnPacket(uint16_t sequence, Timestamp arrived) {
  const int64_t unwrapped =
      last_unwrapped_ ? *last_unwrapped_ + static_cast<int16_t>(static_cast<uint16_t>(sequence - *last_unwrapped_))
                      : sequence;
  last_unwrapped_ = std::max(last_unwrapped_.value_or(unwrapped), unwrapped);
  if (next_base_ && unwrapped < *next_base_) {
    ++late_;
    return false;
  }
  if (pending_.size() >= kMaxPending) {
    ++dropped_;
    return false;
  }
  pending_.emplace_back(unwrapped, arrived);
  return pending_.size() == 1;
}

std::optional<Timestamp> UpstreamFeedback::NextDue() const {
  if (pending_.empty()) return std::nullopt;
  return pending_.front().second + kInterval;
}

void UpstreamFeedback::TakeReports(Ssrc sender, Ssrc media_source, std::vector<rtcp::TransportFeedback>& out) {
  std::sort(pending_.begin(), pending_.end());
  // One arrival per number (a duplicate keeps the first).
  pending_.erase(std::unique(pending_.begin(), pending_.end(),
                             [](const auto& a, const auto& b) { return a.first == b.first; }),
                 pending_.end());
  while (!pending_.empty()) {
    // A report always holds its first packet (within 64 ms of its reference
    // time, within kMaxCovered of its base); 0 would be a bug, not a loop.
    const size_t n = BuildReport(sender, media_source, out);
    if (n == 0) {
      pending_.clear();
      break;
    }
    pending_.erase(pending_.begin(), pending_.begin() + static_cast<std::ptrdiff_t>(n));
  }
}

size_t UpstreamFeedback::BuildReport(Ssrc sender, Ssrc media_source, std::vector<rtcp::TransportFeedback>& out) {
  const int64_t first = pending_.front().first;
  // From where the last report ended, so the holes in between read as lost;
  // from the first packet if that is further than one report can cover.
  const int64_t base = next_base_ && first - *next_base_ < static_cast<int64_t>(kMaxCovered) ? *next_base_ : first;
  const int64_t reference = FloorDiv(pending_.front().second.us(), kReferenceUs);
  int64_t previous_us = reference * kReferenceUs;
  statuses_.clear();
  int64_t expected = base;
  size_t taken = 0;
  for (const auto& [number, arrived] : pending_) {
    if (number - base >= static_cast<int64_t>(kMaxCovered)) break;
    const int64_t ticks = FloorDiv(arrived.us() - previous_us, kTickUs);
    if (ticks < std::numeric_limits<int16_t>::min() || ticks > std::numeric_limits<int16_t>::max()) break;
    for (; expected < number; ++expected) statuses_.push_back({static_cast<uint16_t>(expected), false, 0});
    statuses_.push_back({static_cast<uint16_t>(number), true, static_cast<int16_t>(ticks)});
    previous_us += ticks * kTickUs;
    ++expected;
    ++taken;
  }
  // 24 bits, signed as the parser reads them.
  int32_t reference_field = static_cast<int32_t>(reference & 0xffffff);
  if (reference_field >= (1 << 23)) reference_field -= 1 << 24;
  auto report = rtcp::TransportFeedback::FromPackets(sender, media_source, reference_field, feedback_count_, statuses_);
  if (!report) return 0;  // unreachable: the list is consecutive and in bounds
  ++feedback_count_;
  out.push_back(std::move(*report));
  next_base_ = expected;
  return taken;
}

}  // namespace aegis::sfu
