// Internal: the a= line parsers, split by family, and the two dispatchers
// that route an attribute to them. Each parser gets the text after "name:"
// (empty for a flag attribute; the dispatcher has already checked that a
// flag has no value and a value attribute has one).
#pragma once

#include <string_view>

#include "base/result.h"
#include "sdp/parse_error.h"
#include "sdp/session_description.h"

namespace aegis::sdp::internal {

using AttrResult = Result<void, ParseError>;

// media_attributes.cc: routes "name[:value]" (the text after "a=").
AttrResult ParseSessionAttribute(std::string_view text, SessionDescription& sd);
AttrResult ParseMediaAttribute(std::string_view text, MediaSection& m);

// ice_attributes.cc (RFC 8839).
AttrResult ParseIceUfrag(std::string_view v, CommonAttributes& c);
AttrResult ParseIcePwd(std::string_view v, CommonAttributes& c);
AttrResult ParseIceOptions(std::string_view v, CommonAttributes& c);
AttrResult ParseCandidate(std::string_view v, MediaSection& m);

// dtls_attributes.cc (RFC 8122, RFC 4145).
AttrResult ParseFingerprint(std::string_view v, CommonAttributes& c);
AttrResult ParseSetup(std::string_view v, CommonAttributes& c);
std::optional<SetupRole> SetupRoleFromString(std::string_view v);

// rtp_attributes.cc (RFC 8866 rtpmap/fmtp, RFC 4585 rtcp-fb, RFC 8285 extmap).
AttrResult ParseRtpmap(std::string_view v, MediaSection& m);
AttrResult ParseFmtp(std::string_view v, MediaSection& m);
AttrResult ParseRtcpFb(std::string_view v, MediaSection& m);
AttrResult ParseExtmap(std::string_view v, CommonAttributes& c);
std::optional<Direction> DirectionFromString(std::string_view v);

// stream_attributes.cc (RFC 5576 ssrc, RFC 8830 msid, RFC 8851/8853 rid/simulcast).
AttrResult ParseSsrc(std::string_view v, MediaSection& m);
AttrResult ParseSsrcGroup(std::string_view v, MediaSection& m);
AttrResult ParseMsid(std::string_view v, MediaSection& m);
AttrResult ParseMsidSemantic(std::string_view v, SessionDescription& sd);
AttrResult ParseRid(std::string_view v, MediaSection& m);
AttrResult ParseSimulcast(std::string_view v, MediaSection& m);
bool IsRidId(std::string_view s);

}  // namespace aegis::sdp::internal
