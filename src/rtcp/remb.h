// Receiver estimated maximum bitrate, PSFB FMT=15 (application layer
// feedback) with the identifier 'REMB' (draft-alvestrand-rmcat-remb-03 §2.2):
//
//     0                   1                   2                   3
//     0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
//    +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//    |V=2|P| FMT=15  |   PT=206      |             length            |
//    +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//    |                  SSRC of packet sender                        |
//    +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//    |                  SSRC of media source (0)                     |
//    +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//    |  Unique identifier 'R' 'E' 'M' 'B'                            |
//    +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//    |  Num SSRC     | BR Exp    |  BR Mantissa                      |
//    +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//    |   SSRC feedback                                               |
//    +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//    |  ...                                                          |
//
// Bitrate in bits/s = mantissa (18 bits) × 2^exp (6 bits).
#pragma once

#include <cstdint>
#include <vector>

#include "base/result.h"
#include "base/strong_id.h"
#include "rtcp/common_header.h"
#include "rtcp/parse_error.h"

namespace aegis::rtcp {

struct Remb {
  Ssrc sender;
  Ssrc media_source;
  uint64_t bitrate_bps = 0;  // sent rounded down to 18 significant bits
  std::vector<Ssrc> ssrcs;   // at most 255

  // True for a PSFB/AFB packet carrying the 'REMB' identifier. Other AFB
  // packets are not REMB and stay unknown.
  static bool Matches(const CommonHeader& header);
  static Result<Remb, ParseError> Parse(const CommonHeader& header);
  // False if there are more than 255 SSRCs; SerializeTo then writes nothing.
  bool CanSerialize() const;
  void SerializeTo(std::vector<uint8_t>& out) const;
  bool operator==(const Remb&) const = default;
};

}  // namespace aegis::rtcp
