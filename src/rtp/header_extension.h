// RTP header extension elements (RFC 8285) and their iteration, shared by
// packet validation and lookups.
#pragma once

#include <cstdint>
#include <span>

#include "base/byte_reader.h"

namespace aegis::rtp {

inline constexpr uint16_t kOneByteExtensionProfile = 0xBEDE;
inline constexpr uint16_t kTwoByteExtensionProfile = 0x1000;  // upper 12 bits; low 4 are app bits

struct HeaderExtension {
  uint8_t id = 0;
  std::span<const uint8_t> data;
};

// Visits the elements of an extension block body (after its 4-byte header).
// Returns false if the block is malformed; `visit` returns false to stop early.
// Blocks of other profiles are opaque: nothing is visited.
//  One-byte form (profile 0xBEDE):      Two-byte form (profile 0x100X):
//   0 1 2 3 4 5 6 7                      0                   1
//  +-+-+-+-+-+-+-+-+                     0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5
//  |  ID   |  len  |  data (len+1)      +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//  +-+-+-+-+-+-+-+-+                     |       ID      |     length    |  data (length)
//  ID 0 = padding byte, ID 15 = stop.   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+  ID 0 = padding byte
template <typename Visit>
bool ForEachExtension(uint16_t profile, std::span<const uint8_t> body, Visit&& visit) {
  const bool one_byte = profile == kOneByteExtensionProfile;
  const bool two_byte = (profile & 0xfff0) == kTwoByteExtensionProfile;
  if (!one_byte && !two_byte) return true;  // another profile: opaque, nothing to visit
  ByteReader r(body);
  while (!r.empty()) {
    uint8_t first = r.U8();
    if (one_byte) {
      uint8_t id = first >> 4;
      if (id == 0) continue;          // padding
      if (id == 15) return true;      // RFC 8285 §4.2: stop processing here
      auto data = r.Bytes((first & 0x0f) + 1u);
      if (!r.ok()) return false;
      if (!visit(HeaderExtension{id, data})) return true;
    } else {
      if (first == 0) continue;       // padding
      uint8_t len = r.U8();
      auto data = r.Bytes(len);
      if (!r.ok()) return false;
      if (!visit(HeaderExtension{first, data})) return true;
    }
  }
  return r.ok();
}

}  // namespace aegis::rtp
