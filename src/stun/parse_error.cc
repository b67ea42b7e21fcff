#include "stun/parse_error.h"

namespace aegis::stun {

std::string_view ToString(ParseError e) {
  switch (e) {
    case ParseError::kTruncatedHeader: return "truncated header";
    case ParseError::kTooLarge: return "message too large";
    case ParseError::kBadLeadingBits: return "leading bits not zero";
    case ParseError::kBadMagicCookie: return "bad magic cookie";
    case ParseError::kMisalignedLength: return "length not a multiple of 4";
    case ParseError::kLengthMismatch: return "length does not match data";
    case ParseError::kAttributeOverrun: return "attribute runs past end";
    case ParseError::kTooManyAttributes: return "too many attributes";
    case ParseError::kDataAfterFingerprint: return "data after FINGERPRINT";
    case ParseError::kBadAttributeLength: return "bad attribute length";
    case ParseError::kBadIntegrityLength: return "bad MESSAGE-INTEGRITY length";
    case ParseError::kBadFingerprintLength: return "bad FINGERPRINT length";
    case ParseError::kBadAddressFamily: return "bad address family";
    case ParseError::kBadAddressLength: return "bad address length";
    case ParseError::kTextTooLong: return "text attribute too long";
    case ParseError::kBadErrorCode: return "bad ERROR-CODE";
  }
  return "unknown";
}

}  // namespace aegis::stun
