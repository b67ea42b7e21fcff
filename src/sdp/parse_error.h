// Why an SDP text was refused, and on which line. One code per distinct rule
// so tests and logs can tell a framing problem from a bad attribute value.
#pragma once

#include <cstddef>
#include <string_view>

namespace aegis::sdp {

enum class ParseError {
  // Whole-text bounds.
  kTooLarge,              // over kMaxSdpSize bytes
  kTooManyLines,          // over kMaxLines
  kLineTooLong,           // a line over kMaxLineLength
  // Line framing (RFC 8866 §5).
  kMalformedLine,         // not "<letter>=<value>", or an empty line
  kBadCharacter,          // NUL, or CR not followed by LF
  kUnknownLineType,       // a type letter SDP does not define: the whole text is refused (§5)
  kUnexpectedLine,        // a known type in the wrong place (e.g. t= inside a media section)
  kDuplicateLine,         // a line that may appear once appeared twice
  // Required session lines.
  kMissingVersion,        // first line is not v=
  kBadVersion,            // v= other than 0
  kMissingOrigin,         // second line is not o=
  kBadOrigin,
  kMissingSessionName,    // third line is not s=
  kMissingTiming,         // no t= before the first m= line
  kBadTiming,             // t= or r= malformed
  kBadConnection,         // c= malformed
  kBadBandwidth,          // b= malformed
  // Media lines.
  kBadMediaLine,          // m= malformed (too few fields, bad token)
  kTooManyMediaSections,
  kTooManyFormats,
  // Numbers, for every numeric field.
  kBadNumber,             // not a plain decimal number
  kNumberOutOfRange,      // a number outside its field's range (payload type, port, extmap id, ...)
  // Attributes.
  kBadAttributeName,      // a= with an empty or non-token name
  kDuplicateAttribute,    // a single-valued attribute appeared twice
  kUnexpectedValue,       // a flag attribute carried a value
  kMissingValue,          // a value attribute had none
  kValueTooLong,          // a token over kMaxTokenLength (or 64 for msid ids)
  kBadToken,              // a field that must be a token held other characters
  kBadIceCredential,      // ice-ufrag / ice-pwd not 1..256 ice-chars
  kBadCandidate,
  kTooManyCandidates,
  kBadFingerprint,
  kBadSetup,              // not active/passive/actpass/holdconn
  kBadRtpmap,
  kBadFmtp,
  kBadRtcpFb,
  kBadExtmap,
  kDuplicateExtmapId,
  kDuplicatePayloadType,  // two rtpmap lines for one payload type
  kBadSsrc,
  kBadSsrcGroup,
  kBadMsid,
  kBadRid,
  kBadSimulcast,
  kBadGroup,
};

// Where parsing stopped. line is 1-based; 0 means the whole text (size).
struct ParseFailure {
  ParseError error;
  size_t line;
  bool operator==(const ParseFailure&) const = default;
};

std::string_view ToString(ParseError e);

}  // namespace aegis::sdp
