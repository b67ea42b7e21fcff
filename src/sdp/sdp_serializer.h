// Writes the typed model back as SDP text with "\r\n" line endings, in the
// line order RFC 8866 §5 requires. For any description that ParseSdp
// produced, ParseSdp(SerializeSdp(x)) == x (the fuzzer checks this).
//
// A hand-built model is checked as it is written: nullopt when a field would
// break the line framing (CR, LF or NUL in any text; an empty or spaced value
// where one field is expected; a payload type over 127 or an extmap id outside
// 1..255). So a string taken from a peer can never inject an extra line
// (e.g. "a=crypto") into a description the server sends.
#pragma once

#include <optional>
#include <string>

#include "sdp/session_description.h"

namespace aegis::sdp {

std::optional<std::string> SerializeSdp(const SessionDescription& sd);

}  // namespace aegis::sdp
