// ERROR-CODE (RFC 8489 §14.8) and UNKNOWN-ATTRIBUTES (§14.13).
//
// ERROR-CODE:
//    0                   1                   2                   3
//    0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
//   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//   |           Reserved, should be 0         |Class|     Number    |
//   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//   |      Reason Phrase (variable, UTF-8, <= 763 bytes)           ..
//   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//
// UNKNOWN-ATTRIBUTES: a list of 16-bit attribute types, padded as usual.
//   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//   |      Attribute 1 Type         |       Attribute 2 Type    ...
//   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "base/byte_writer.h"
#include "base/result.h"
#include "stun/constants.h"
#include "stun/parse_error.h"

namespace aegis::stun {

namespace error_code {
inline constexpr uint16_t kTryAlternate = 300;
inline constexpr uint16_t kBadRequest = 400;
inline constexpr uint16_t kUnauthenticated = 401;
inline constexpr uint16_t kUnknownAttribute = 420;
inline constexpr uint16_t kStaleNonce = 438;
inline constexpr uint16_t kRoleConflict = 487;  // RFC 8445 §7.3.1.1
inline constexpr uint16_t kServerError = 500;
}  // namespace error_code

struct ErrorCode {
  static constexpr uint16_t kType = attr::kErrorCode;
  uint16_t code = 0;  // 300..699 (class * 100 + number)
  std::string reason;

  static Result<ErrorCode, ParseError> Parse(std::span<const uint8_t> value);
  void SerializeValueTo(ByteWriter& w) const;
  bool operator==(const ErrorCode&) const = default;
};

struct UnknownAttributes {
  static constexpr uint16_t kType = attr::kUnknownAttributes;
  std::vector<uint16_t> types;

  static Result<UnknownAttributes, ParseError> Parse(std::span<const uint8_t> value);
  void SerializeValueTo(ByteWriter& w) const;
  bool operator==(const UnknownAttributes&) const = default;
};

}  // namespace aegis::stun
