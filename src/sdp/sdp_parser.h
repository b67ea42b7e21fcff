// Parses SDP text (RFC 8866) into the typed model. Accepts "\r\n" or "\n"
// line endings. Everything outside the bounds in limits.h, every malformed
// line and every out-of-range number is refused with a ParseError and the
// 1-based number of the line at fault. No exceptions; work and memory are
// linear in the (bounded) input.
//
// Parsing checks syntax only; whether a description is acceptable for a
// WebRTC peer is ValidateForWebRtc() in webrtc_policy.h.
#pragma once

#include <cstdint>
#include <span>
#include <string_view>

#include "base/result.h"
#include "sdp/parse_error.h"
#include "sdp/session_description.h"

namespace aegis::sdp {

Result<SessionDescription, ParseFailure> ParseSdp(std::span<const uint8_t> bytes);
Result<SessionDescription, ParseFailure> ParseSdp(std::string_view text);

}  // namespace aegis::sdp
