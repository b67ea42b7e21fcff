// Why an RTCP compound packet was refused. One code per distinct rule, so
// tests and logs can tell a framing error from a broken packet body. Any
// error rejects the whole compound (RFC 3550 §6.1, Appendix A.2).
#pragma once

#include <string_view>

namespace aegis::rtcp {

enum class ParseError {
  // Compound framing and the common header (RFC 3550 §6.4.1, A.2).
  kEmpty,               // zero-length buffer
  kTruncatedHeader,     // 1–3 bytes left where a header should start
  kBadVersion,          // V != 2
  kLengthPastEnd,       // (length + 1) × 4 runs past the end of the buffer
  kPaddingNotLast,      // P bit on a packet that is not the last one
  kBadPadding,          // padding count 0, larger than the body, or leaving
                        // a body that is not a whole number of words
  // Packet bodies.
  kWrongType,           // a type's Parse given another type's header (never
                        // returned by ParseCompound, which dispatches on type)
  kTooShort,            // body shorter than the type's fixed fields
  kCountExceedsLength,  // RC/SC count needs more bytes than the body has
  kTrailingBytes,       // bytes after the fields where the RFC allows none
  kBadSdesItem,         // item overruns the packet, or no terminator
  kBadByeReason,        // reason length overruns the packet
  kBadNackLength,       // generic NACK with no items
  kBadFirLength,        // FIR entries not 8-byte aligned, or none
  kRembSsrcCountMismatch,  // Num SSRC disagrees with the bytes present
  kRembBitrateOverflow,    // mantissa << exponent does not fit in 64 bits
  kTwccBadStatusCount,     // zero, or more statuses than the chunks cover
  kTwccReservedStatus,     // status symbol 0b11
  kTwccTruncatedDeltas,    // fewer delta bytes than received packets need
};

std::string_view ToString(ParseError e);

}  // namespace aegis::rtcp
