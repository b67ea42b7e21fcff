// ICE attributes (RFC 8445 §7.1.1, §16.1).
//
// PRIORITY (0x0024), 4 bytes:      ICE-CONTROLLED (0x8029) /
//   +-------------------------------+  ICE-CONTROLLING (0x802A), 8 bytes:
//   |     Priority (32 bits)        |   +-------------------------------+
//   +-------------------------------+   |   Tie-breaker (64 bits)       |
//                                       +-------------------------------+
// USE-CANDIDATE (0x0025): no value (length 0).
#pragma once

#include <cstdint>
#include <span>

#include "base/byte_reader.h"
#include "base/byte_writer.h"
#include "base/result.h"
#include "stun/constants.h"
#include "stun/parse_error.h"

namespace aegis::stun {

struct Priority {
  static constexpr uint16_t kType = attr::kPriority;
  uint32_t value = 0;

  static Result<Priority, ParseError> Parse(std::span<const uint8_t> v) {
    if (v.size() != 4) return Err{ParseError::kBadAttributeLength};
    ByteReader r(v);
    return Priority{r.U32()};
  }
  void SerializeValueTo(ByteWriter& w) const { w.U32(value); }
  bool operator==(const Priority&) const = default;
};

struct UseCandidate {
  static constexpr uint16_t kType = attr::kUseCandidate;

  static Result<UseCandidate, ParseError> Parse(std::span<const uint8_t> v) {
    if (!v.empty()) return Err{ParseError::kBadAttributeLength};
    return UseCandidate{};
  }
  void SerializeValueTo(ByteWriter&) const {}
  bool operator==(const UseCandidate&) const = default;
};

// ICE-CONTROLLING and ICE-CONTROLLED share a layout; the template keeps them
// distinct types so a message can carry (and be asked for) either.
template <uint16_t kTypeCode>
struct TieBreakerAttribute {
  static constexpr uint16_t kType = kTypeCode;
  uint64_t tie_breaker = 0;

  static Result<TieBreakerAttribute, ParseError> Parse(std::span<const uint8_t> v) {
    if (v.size() != 8) return Err{ParseError::kBadAttributeLength};
    ByteReader r(v);
    return TieBreakerAttribute{r.U64()};
  }
  void SerializeValueTo(ByteWriter& w) const { w.U64(tie_breaker); }
  bool operator==(const TieBreakerAttribute&) const = default;
};

using IceControlling = TieBreakerAttribute<attr::kIceControlling>;
using IceControlled = TieBreakerAttribute<attr::kIceControlled>;

}  // namespace aegis::stun
