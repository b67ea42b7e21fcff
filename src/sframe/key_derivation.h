// SFrame key derivation (RFC 9605 §4.4.2), with the suite's hash:
//
//   sframe_secret = HKDF-Extract("", base_key)
//   sframe_key    = HKDF-Expand(sframe_secret, "SFrame 1.0 Secret key "  + KID + suite, Nk)
//   sframe_salt   = HKDF-Expand(sframe_secret, "SFrame 1.0 Secret salt " + KID + suite, Nn)
//
// KID is 8 bytes and the suite 2 bytes, big-endian (not the header form), so
// the same base key gives unrelated keys under different KIDs or suites.
// And the per-frame nonce (§4.4.3): sframe_salt XOR CTR as a 12-byte
// big-endian integer.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <vector>

#include "crypto/secure_memory.h"
#include "sframe/cipher_suite.h"

namespace aegis::sframe {

// Aegis refuses shorter base keys: the RFC sets no minimum, but a base key
// below 128 bits would be the weakest link of every suite.
inline constexpr size_t kMinBaseKeySize = 16;

struct KeySalt {
  crypto::SecretBytes key;   // Nk bytes
  crypto::SecretBytes salt;  // Nn bytes
};

// nullopt if base_key is shorter than kMinBaseKeySize.
std::optional<KeySalt> DeriveKeySalt(CipherSuite suite, uint64_t kid, std::span<const uint8_t> base_key);

// The HKDF info strings, exposed for the RFC's intermediate test values.
std::vector<uint8_t> KeyLabel(CipherSuite suite, uint64_t kid);
std::vector<uint8_t> SaltLabel(CipherSuite suite, uint64_t kid);

using Nonce = std::array<uint8_t, kNonceSize>;
// `salt` must be kNonceSize bytes.
Nonce MakeNonce(std::span<const uint8_t> salt, uint64_t ctr);

}  // namespace aegis::sframe
