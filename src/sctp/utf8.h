// Strict UTF-8 validation (RFC 3629 §3-4), for DCEP labels and protocols
// (RFC 8832 §5.1 says both are UTF-8). Local to sctp/ until another layer
// needs it; then it belongs in base/.
#pragma once

#include <cstdint>
#include <span>

namespace aegis::sctp {

// True if `bytes` is well-formed UTF-8: no overlong forms, no UTF-16
// surrogates (U+D800..U+DFFF), nothing above U+10FFFF, no truncated sequence.
bool IsValidUtf8(std::span<const uint8_t> bytes);

}  // namespace aegis::sctp
