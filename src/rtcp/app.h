// Application-defined packet, PT=204 (RFC 3550 §6.7):
//
//     0                   1                   2                   3
//     0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
//    +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//    |V=2|P| subtype |   PT=APP=204  |             length            |
//    +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//    |                           SSRC/CSRC                           |
//    +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//    |                          name (ASCII)                         |
//    +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//    |                   application-dependent data                ...
//    +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//
// The data is a whole number of 32-bit words.
#pragma once

#include <array>
#include <cstdint>
#include <vector>

#include "base/result.h"
#include "base/strong_id.h"
#include "rtcp/common_header.h"
#include "rtcp/parse_error.h"

namespace aegis::rtcp {

struct App {
  uint8_t subtype = 0;  // 5 bits
  Ssrc source;
  std::array<uint8_t, 4> name{};
  std::vector<uint8_t> data;  // whole words

  static Result<App, ParseError> Parse(const CommonHeader& header);
  // False if a field or length cannot be encoded; SerializeTo then writes nothing.
  bool CanSerialize() const;
  void SerializeTo(std::vector<uint8_t>& out) const;
  bool operator==(const App&) const = default;
};

}  // namespace aegis::rtcp
