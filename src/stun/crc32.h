// CRC-32 of ITU-T V.42 / ISO 3309 (the zlib/Ethernet CRC: reflected
// polynomial 0xEDB88320, init and final XOR 0xFFFFFFFF), as FINGERPRINT
// needs (RFC 8489 §14.7, RFC 1952 §8). Only STUN uses it, so it lives here.
#pragma once

#include <cstdint>
#include <span>

namespace aegis::stun {

// Incremental form: start with crc = 0 and feed pieces in order; the result
// of each call is the CRC of everything fed so far.
uint32_t Crc32Update(uint32_t crc, std::span<const uint8_t> data);

inline uint32_t Crc32(std::span<const uint8_t> data) { return Crc32Update(0, data); }

}  // namespace aegis::stun
