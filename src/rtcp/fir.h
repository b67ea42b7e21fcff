// Full intra request, PSFB FMT=4 (RFC 5104 §4.3.1). After the feedback
// header (feedback_header.h; its media source SSRC SHALL be 0) the FCI holds
// one or more entries:
//
//     0                   1                   2                   3
//     0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
//    +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//    |                              SSRC                             |
//    +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//    | Seq nr.       |    Reserved                                   |
//    +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//
// Reserved is written as 0 and ignored on receipt.
#pragma once

#include <cstdint>
#include <vector>

#include "base/result.h"
#include "base/strong_id.h"
#include "rtcp/common_header.h"
#include "rtcp/parse_error.h"

namespace aegis::rtcp {

struct FirEntry {
  Ssrc ssrc;                    // the media sender asked for a decoder refresh
  uint8_t sequence_number = 0;  // +1 per new request, repeats keep it
  bool operator==(const FirEntry&) const = default;
};

struct Fir {
  Ssrc sender;
  Ssrc media_source;  // unused by FIR, 0 when we send
  std::vector<FirEntry> entries;  // at least one

  static Result<Fir, ParseError> Parse(const CommonHeader& header);
  // False if there are no entries or too many; SerializeTo then writes nothing.
  bool CanSerialize() const;
  void SerializeTo(std::vector<uint8_t>& out) const;
  bool operator==(const Fir&) const = default;
};

}  // namespace aegis::rtcp
