// Goodbye, PT=203 (RFC 3550 §6.6):
//
//        0                   1                   2                   3
//        0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
//       +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//       |V=2|P|    SC   |   PT=BYE=203  |             length            |
//       +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//       |                           SSRC/CSRC                           |
//       +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//       :                              ...                              :
//       +=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+
// (opt) |     length    |               reason for leaving            ...
//       +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//
// The reason is padded with null octets to the next 32-bit boundary.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "base/result.h"
#include "base/strong_id.h"
#include "rtcp/common_header.h"
#include "rtcp/parse_error.h"

namespace aegis::rtcp {

struct Bye {
  std::vector<Ssrc> sources;          // at most 31
  std::optional<std::string> reason;  // at most 255 bytes

  static Result<Bye, ParseError> Parse(const CommonHeader& header);
  // False if a count or length cannot be encoded; SerializeTo then writes nothing.
  bool CanSerialize() const;
  void SerializeTo(std::vector<uint8_t>& out) const;
  bool operator==(const Bye&) const = default;
};

}  // namespace aegis::rtcp
