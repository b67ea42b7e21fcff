// Text attributes: USERNAME (§14.3), REALM (§14.9), NONCE (§14.10),
// SOFTWARE (§14.14) of RFC 8489. Each is a bare UTF-8 value padded to 4:
//
//   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//   |         Type                  |            Length             |
//   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//   |                  Value (UTF-8, <= 763 bytes) ...
//   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//
// A receiver must accept up to 763 bytes (the RFC 5389 limit) for all four.
// The bytes are kept as received: UTF-8 validity is not checked here, since
// the only use of these values is byte comparison (USERNAME against the ICE
// credentials) and key derivation over the same bytes.
#pragma once

#include <cstdint>
#include <span>
#include <string>

#include "base/byte_writer.h"
#include "base/result.h"
#include "stun/constants.h"
#include "stun/parse_error.h"

namespace aegis::stun {

template <uint16_t kTypeCode>
struct TextAttribute {
  static constexpr uint16_t kType = kTypeCode;
  std::string value;

  static Result<TextAttribute, ParseError> Parse(std::span<const uint8_t> v) {
    if (v.size() > kMaxTextLength) return Err{ParseError::kTextTooLong};
    return TextAttribute{std::string(v.begin(), v.end())};
  }
  void SerializeValueTo(ByteWriter& w) const {
    w.Bytes({reinterpret_cast<const uint8_t*>(value.data()), value.size()});
  }
  bool operator==(const TextAttribute&) const = default;
};

using Username = TextAttribute<attr::kUsername>;
using Realm = TextAttribute<attr::kRealm>;
using Nonce = TextAttribute<attr::kNonce>;
using Software = TextAttribute<attr::kSoftware>;

}  // namespace aegis::stun
