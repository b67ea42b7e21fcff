// Why a STUN message was refused. One code per distinct rule so that tests,
// logs and the ICE layer can tell "not STUN at all" from "STUN but broken".
#pragma once

#include <string_view>

namespace aegis::stun {

enum class ParseError {
  // Header (RFC 8489 §5).
  kTruncatedHeader,     // fewer than 20 bytes
  kTooLarge,            // over kMaxMessageSize
  kBadLeadingBits,      // the two most significant bits are not 0
  kBadMagicCookie,      // not 0x2112A442
  kMisalignedLength,    // header length not a multiple of 4
  kLengthMismatch,      // header length != bytes after the header
  // Attribute framing (§14).
  kAttributeOverrun,    // an attribute (or its padding) runs past the end
  kTooManyAttributes,   // more than kMaxAttributes
  kDataAfterFingerprint,  // FINGERPRINT must be the last attribute (§14.7)
  // Attribute values.
  kBadAttributeLength,  // fixed-size attribute with the wrong length
  kBadIntegrityLength,  // MESSAGE-INTEGRITY(-SHA256) of the wrong length
  kBadFingerprintLength,
  kBadAddressFamily,    // (XOR-)MAPPED-ADDRESS family not 1 or 2
  kBadAddressLength,    // address length does not match its family
  kTextTooLong,         // USERNAME/REALM/NONCE/SOFTWARE/reason over 763 bytes
  kBadErrorCode,        // class not 3..6 or number not 0..99
};

std::string_view ToString(ParseError e);

}  // namespace aegis::stun
