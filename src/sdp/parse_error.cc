#include "sdp/parse_error.h"

namespace aegis::sdp {

std::string_view ToString(ParseError e) {
  switch (e) {
    case ParseError::kTooLarge: return "description too large";
    case ParseError::kTooManyLines: return "too many lines";
    case ParseError::kLineTooLong: return "line too long";
    case ParseError::kMalformedLine: return "line is not <type>=<value>";
    case ParseError::kBadCharacter: return "NUL or bare CR in line";
    case ParseError::kUnknownLineType: return "unknown line type";
    case ParseError::kUnexpectedLine: return "line not allowed here";
    case ParseError::kDuplicateLine: return "line may appear only once";
    case ParseError::kMissingVersion: return "missing v= line";
    case ParseError::kBadVersion: return "version is not 0";
    case ParseError::kMissingOrigin: return "missing o= line";
    case ParseError::kBadOrigin: return "bad o= line";
    case ParseError::kMissingSessionName: return "missing s= line";
    case ParseError::kMissingTiming: return "missing t= line";
    case ParseError::kBadTiming: return "bad t= or r= line";
    case ParseError::kBadConnection: return "bad c= line";
    case ParseError::kBadBandwidth: return "bad b= line";
    case ParseError::kBadMediaLine: return "bad m= line";
    case ParseError::kTooManyMediaSections: return "too many media sections";
    case ParseError::kTooManyFormats: return "too many formats in m= line";
    case ParseError::kBadNumber: return "not a decimal number";
    case ParseError::kNumberOutOfRange: return "number out of range";
    case ParseError::kBadAttributeName: return "bad attribute name";
    case ParseError::kDuplicateAttribute: return "attribute may appear only once";
    case ParseError::kUnexpectedValue: return "flag attribute has a value";
    case ParseError::kMissingValue: return "attribute value missing";
    case ParseError::kValueTooLong: return "value too long";
    case ParseError::kBadToken: return "value is not a token";
    case ParseError::kBadIceCredential: return "bad ice-ufrag or ice-pwd";
    case ParseError::kBadCandidate: return "bad candidate";
    case ParseError::kTooManyCandidates: return "too many candidates";
    case ParseError::kBadFingerprint: return "bad fingerprint";
    case ParseError::kBadSetup: return "bad setup role";
    case ParseError::kBadRtpmap: return "bad rtpmap";
    case ParseError::kBadFmtp: return "bad fmtp";
    case ParseError::kBadRtcpFb: return "bad rtcp-fb";
    case ParseError::kBadExtmap: return "bad extmap";
    case ParseError::kDuplicateExtmapId: return "duplicate extmap id";
    case ParseError::kDuplicatePayloadType: return "duplicate rtpmap payload type";
    case ParseError::kBadSsrc: return "bad ssrc";
    case ParseError::kBadSsrcGroup: return "bad ssrc-group";
    case ParseError::kBadMsid: return "bad msid";
    case ParseError::kBadRid: return "bad rid";
    case ParseError::kBadSimulcast: return "bad simulcast";
    case ParseError::kBadGroup: return "bad group";
  }
  return "unknown";
}

}  // namespace aegis::sdp
