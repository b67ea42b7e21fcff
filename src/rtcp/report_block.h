// A reception report block, carried by SR and RR (RFC 3550 §6.4.1):
//
//     0                   1                   2                   3
//     0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
//    +=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+
//    |                 SSRC_1 (SSRC of first source)                 |
//    +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//    | fraction lost |       cumulative number of packets lost       |
//    +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//    |           extended highest sequence number received           |
//    +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//    |                      interarrival jitter                      |
//    +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//    |                         last SR (LSR)                         |
//    +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//    |                   delay since last SR (DLSR)                  |
//    +=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+
#pragma once

#include <cstddef>
#include <cstdint>

#include "base/byte_reader.h"
#include "base/byte_writer.h"
#include "base/strong_id.h"

namespace aegis::rtcp {

struct ReportBlock {
  static constexpr size_t kSize = 24;
  // The 24-bit signed field's range; SerializeTo clamps to it (RFC 3550 A.3).
  static constexpr int32_t kMaxCumulativeLost = 0x7fffff;
  static constexpr int32_t kMinCumulativeLost = -0x800000;

  Ssrc source;
  uint8_t fraction_lost = 0;     // fixed point, /256
  int32_t cumulative_lost = 0;   // signed: duplicates can make it negative
  uint32_t extended_highest_sequence = 0;
  uint32_t jitter = 0;           // RTP timestamp units
  uint32_t last_sr = 0;          // middle 32 bits of the last SR's NTP time
  uint32_t delay_since_last_sr = 0;  // units of 1/65536 s

  // Reads kSize bytes; the caller checks r.ok().
  static ReportBlock Read(ByteReader& r);
  void WriteTo(ByteWriter& w) const;
  bool operator==(const ReportBlock&) const = default;
};

}  // namespace aegis::rtcp
