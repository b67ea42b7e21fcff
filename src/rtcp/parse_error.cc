#include "rtcp/parse_error.h"

namespace aegis::rtcp {

std::string_view ToString(ParseError e) {
  switch (e) {
    case ParseError::kEmpty: return "empty buffer";
    case ParseError::kTruncatedHeader: return "truncated common header";
    case ParseError::kBadVersion: return "version is not 2";
    case ParseError::kLengthPastEnd: return "length runs past end of buffer";
    case ParseError::kPaddingNotLast: return "padding on a packet that is not last";
    case ParseError::kBadPadding: return "bad padding count";
    case ParseError::kWrongType: return "wrong packet type for parser";
    case ParseError::kTooShort: return "packet body too short";
    case ParseError::kCountExceedsLength: return "count exceeds packet length";
    case ParseError::kTrailingBytes: return "unexpected trailing bytes";
    case ParseError::kBadSdesItem: return "bad SDES item";
    case ParseError::kBadByeReason: return "bad BYE reason";
    case ParseError::kBadNackLength: return "generic NACK without items";
    case ParseError::kBadFirLength: return "bad FIR length";
    case ParseError::kRembSsrcCountMismatch: return "REMB SSRC count mismatch";
    case ParseError::kRembBitrateOverflow: return "REMB bitrate overflows";
    case ParseError::kTwccBadStatusCount: return "TWCC status count inconsistent";
    case ParseError::kTwccReservedStatus: return "TWCC reserved status symbol";
    case ParseError::kTwccTruncatedDeltas: return "TWCC receive deltas truncated";
  }
  return "unknown";
}

}  // namespace aegis::rtcp
