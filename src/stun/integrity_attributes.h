// MESSAGE-INTEGRITY (§14.5), MESSAGE-INTEGRITY-SHA256 (§14.6) and
// FINGERPRINT (§14.7) of RFC 8489, as values. Parsing only checks their
// size; computing and checking them is in stun/integrity.h, which works on
// the raw received bytes.
//
//   MESSAGE-INTEGRITY (0x0008):         20 bytes, HMAC-SHA1
//   MESSAGE-INTEGRITY-SHA256 (0x001C):  16..32 bytes (multiple of 4), a
//                                       prefix of HMAC-SHA256
//   FINGERPRINT (0x8028):               4 bytes, CRC-32 XOR 0x5354554e;
//                                       always the last attribute
#pragma once

#include <array>
#include <cstdint>
#include <span>
#include <vector>

#include "base/byte_reader.h"
#include "base/byte_writer.h"
#include "base/result.h"
#include "stun/constants.h"
#include "stun/parse_error.h"

namespace aegis::stun {

struct MessageIntegrity {
  static constexpr uint16_t kType = attr::kMessageIntegrity;
  std::array<uint8_t, kMessageIntegritySize> hmac{};

  static Result<MessageIntegrity, ParseError> Parse(std::span<const uint8_t> v) {
    if (v.size() != kMessageIntegritySize) return Err{ParseError::kBadIntegrityLength};
    MessageIntegrity mi;
    for (size_t i = 0; i < v.size(); ++i) mi.hmac[i] = v[i];
    return mi;
  }
  void SerializeValueTo(ByteWriter& w) const { w.Bytes(hmac); }
  bool operator==(const MessageIntegrity&) const = default;
};

struct MessageIntegritySha256 {
  static constexpr uint16_t kType = attr::kMessageIntegritySha256;
  std::vector<uint8_t> hmac;

  static bool ValidSize(size_t n) {
    return n >= kMessageIntegritySha256Min && n <= kMessageIntegritySha256Max && n % 4 == 0;
  }
  static Result<MessageIntegritySha256, ParseError> Parse(std::span<const uint8_t> v) {
    if (!ValidSize(v.size())) return Err{ParseError::kBadIntegrityLength};
    return MessageIntegritySha256{std::vector<uint8_t>(v.begin(), v.end())};
  }
  void SerializeValueTo(ByteWriter& w) const { w.Bytes(hmac); }
  bool operator==(const MessageIntegritySha256&) const = default;
};

struct Fingerprint {
  static constexpr uint16_t kType = attr::kFingerprint;
  uint32_t value = 0;

  static Result<Fingerprint, ParseError> Parse(std::span<const uint8_t> v) {
    if (v.size() != 4) return Err{ParseError::kBadFingerprintLength};
    ByteReader r(v);
    return Fingerprint{r.U32()};
  }
  void SerializeValueTo(ByteWriter& w) const { w.U32(value); }
  bool operator==(const Fingerprint&) const = default;
};

}  // namespace aegis::stun
