// Checking and computing MESSAGE-INTEGRITY (HMAC-SHA1, RFC 8489 §14.5),
// MESSAGE-INTEGRITY-SHA256 (§14.6) and FINGERPRINT (§14.7).
//
// Verification works on the raw received bytes, never on a re-serialized
// message: padding bytes and attribute order are covered by the MAC, and
// the sender's bytes are the only ones it was computed over. The MAC input
// is the message up to the integrity attribute, with the header's length
// field replaced by the length up to the end of that attribute, so that
// attributes after it (FINGERPRINT, MI-SHA256) do not change it.
//
// Keys (§9.1.1, §9.2.2): short-term (ICE) = the password bytes;
// long-term = MD5(username ":" realm ":" password) (or SHA-256 when
// PASSWORD-ALGORITHM says so), see LongTermKey().
#pragma once

#include <cstdint>
#include <span>
#include <string_view>

#include "crypto/hash.h"
#include "crypto/secure_memory.h"

namespace aegis::stun {

enum class IntegrityStatus {
  kOk,
  kAbsent,     // no such attribute (or only where it must be ignored)
  kMismatch,   // present and well-formed, but the value is wrong
  kMalformed,  // the message does not frame, or the attribute has a bad size
};

std::string_view ToString(IntegrityStatus s);

// The first MESSAGE-INTEGRITY that is not after MESSAGE-INTEGRITY-SHA256.
// An empty key never verifies: a peer must never pass an unset password.
IntegrityStatus VerifyMessageIntegrity(std::span<const uint8_t> raw,
                                       std::span<const uint8_t> key);
// The first MESSAGE-INTEGRITY-SHA256; a truncated value (16..28 bytes) is
// compared with the same-length prefix of the HMAC.
IntegrityStatus VerifyMessageIntegritySha256(std::span<const uint8_t> raw,
                                             std::span<const uint8_t> key);
// FINGERPRINT, which must be the last attribute.
IntegrityStatus VerifyFingerprint(std::span<const uint8_t> raw);

// The short-term credential key: the password's bytes, unchanged (ICE
// passwords are ASCII, so OpaqueString processing is the identity).
inline std::span<const uint8_t> ShortTermKey(std::string_view password) {
  return {reinterpret_cast<const uint8_t*>(password.data()), password.size()};
}

// The long-term credential key, hash(username ":" realm ":" password), with
// MD5 by default (§9.2.2) or SHA-256. Inputs must already be processed
// (OpaqueString / SASLprep) by the caller.
crypto::SecretBytes LongTermKey(std::string_view username, std::string_view realm,
                                std::string_view password,
                                crypto::HashAlgorithm alg = crypto::HashAlgorithm::kMd5);

// Building blocks shared with MessageBuilder. `prefix` is the message from
// its first byte up to (not including) the attribute being computed;
// `adjusted_length` is the header length to use (up to that attribute's end).
// ComputeIntegrity writes out.size() bytes (a prefix of the HMAC). A prefix
// shorter than the 20-byte header gives zeros (callers never pass one).
void ComputeIntegrity(crypto::HashAlgorithm alg, std::span<const uint8_t> key,
                      std::span<const uint8_t> prefix, uint16_t adjusted_length,
                      std::span<uint8_t> out);
uint32_t ComputeFingerprint(std::span<const uint8_t> prefix, uint16_t adjusted_length);

}  // namespace aegis::stun
