// A cheap check for the demux / ICE layer: could these bytes be a STUN
// message (RFC 8489 §5, RFC 7983)? Two leading zero bits, the magic cookie,
// and a length that is a multiple of 4 and matches the datagram. It reads
// only the 20-byte header; Message::Parse does the full check.
#pragma once

#include <cstdint>
#include <span>

namespace aegis::stun {

bool IsStunMessage(std::span<const uint8_t> data);

}  // namespace aegis::stun
