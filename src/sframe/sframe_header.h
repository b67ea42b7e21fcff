// The SFrame header (RFC 9605 §4.3): a config byte, then the KID and the
// CTR, each a big-endian integer in its shortest form.
//
//    0 1 2 3 4 5 6 7
//   +-+-+-+-+-+-+-+-+------------+------------+
//   |X|  K  |Y|  C  |   KID...   |   CTR...   |
//   +-+-+-+-+-+-+-+-+------------+------------+
//
//   X = 0: K is the KID (0-7), no KID bytes follow.
//   X = 1: K + 1 KID bytes follow (1-8). Same for Y, C and the CTR.
//
// A value 0-7 MUST sit in the config byte and a longer value MUST use the
// fewest bytes. Parse refuses any other encoding (kNonMinimalHeader), as
// the RFC requires: each (KID, CTR) then has exactly one byte string, so
// the header a receiver authenticates is the one a re-encode gives, and
// the parsed header's size() is the number of bytes it took.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "base/result.h"
#include "sframe/sframe_error.h"

namespace aegis::sframe {

struct SframeHeader {
  static constexpr size_t kMaxSize = 1 + 8 + 8;

  uint64_t kid = 0;
  uint64_t ctr = 0;

  // kTooShort if the bytes end inside the header, kNonMinimalHeader as above.
  // Bytes after the header (the ciphertext) are ignored.
  static Result<SframeHeader, Error> Parse(std::span<const uint8_t> data);

  // Encoded size: 1 to 17 bytes.
  size_t size() const;
  // Writes size() bytes at the start of `out`, which must hold them.
  void WriteTo(std::span<uint8_t> out) const;
  void SerializeTo(std::vector<uint8_t>& out) const;

  bool operator==(const SframeHeader&) const = default;
};

}  // namespace aegis::sframe
