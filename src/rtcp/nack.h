// Generic NACK, RTPFB FMT=1 (RFC 4585 §6.2.1). After the feedback header
// (feedback_header.h) the FCI holds one or more items:
//
//     0                   1                   2                   3
//     0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
//    +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//    |            PID                |             BLP               |
//    +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//
// PID is a lost sequence number; bit i (LSB = 0) of BLP reports PID+i+1 lost.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "base/result.h"
#include "base/strong_id.h"
#include "rtcp/common_header.h"
#include "rtcp/parse_error.h"

namespace aegis::rtcp {

struct NackItem {
  uint16_t pid = 0;
  uint16_t blp = 0;
  bool operator==(const NackItem&) const = default;
};

struct Nack {
  Ssrc sender;
  Ssrc media_source;
  std::vector<NackItem> items;  // at least one

  // Packs lost sequence numbers into items. Give them in ascending order
  // (wrapping at 2^16) for the fewest items; any order is still correct.
  static Nack FromSequenceNumbers(Ssrc sender, Ssrc media_source, std::span<const uint16_t> lost);
  // Every sequence number the items report, in item order (at most 17 per item).
  std::vector<uint16_t> SequenceNumbers() const;
  // The same, appended to `out` (the packet path reuses one vector).
  void AppendSequenceNumbers(std::vector<uint16_t>& out) const;

  static Result<Nack, ParseError> Parse(const CommonHeader& header);
  // False if there are no items or too many; SerializeTo then writes nothing.
  bool CanSerialize() const;
  void SerializeTo(std::vector<uint8_t>& out) const;
  bool operator==(const Nack&) const = default;
};

}  // namespace aegis::rtcp
