// Hard bounds on what the SDP parser accepts. An offer comes from an
// untrusted peer over signaling; these keep parse time and memory linear in
// a small input. Real browser offers are a few KiB with a few hundred lines.
#pragma once

#include <cstddef>

namespace aegis::sdp {

inline constexpr size_t kMaxSdpSize = 64 * 1024;     // whole description, bytes
inline constexpr size_t kMaxLines = 2000;
inline constexpr size_t kMaxLineLength = 1024;       // one line, without its terminator
inline constexpr size_t kMaxMediaSections = 64;
inline constexpr size_t kMaxCandidatesPerSection = 64;
inline constexpr size_t kMaxFormatsPerSection = 128;  // one per payload type, at most
inline constexpr size_t kMaxTokenLength = 256;        // mid, rid, ufrag, codec name, uri, ...
inline constexpr size_t kMaxMsidIdLength = 64;        // RFC 8830 §2: 1*64token-char
inline constexpr size_t kMaxSsrcsPerGroup = 32;
inline constexpr size_t kMaxSimulcastLayers = 32;     // rid ids over both directions
inline constexpr size_t kMaxFingerprintBytes = 64;    // sha-512

}  // namespace aegis::sdp
