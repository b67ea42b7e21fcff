// The server's API secret, the HS256 key that mints and verifies access
// tokens. Held in crypto::SecretBytes so it is wiped when dropped.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>

#include "auth/token_error.h"
#include "base/random.h"
#include "base/result.h"
#include "crypto/secure_memory.h"

namespace aegis::auth {

class ApiSecret {
 public:
  // RFC 7518 §3.2: an HS256 key MUST be at least the hash size (32 bytes).
  static constexpr size_t kMinSize = 32;
  // SecretBytes' capacity; refused rather than silently truncated.
  static constexpr size_t kMaxSize = crypto::SecretBytes::kCapacity;

  // kWeakSecret below kMinSize, kSecretTooLong above kMaxSize.
  static Result<ApiSecret, TokenError> FromBytes(std::span<const uint8_t> bytes);
  // A fresh 32-byte secret from `random` (crypto::SecureRandom in production).
  static ApiSecret Generate(RandomSource& random);

  std::span<const uint8_t> view() const { return bytes_.view(); }

 private:
  explicit ApiSecret(std::span<const uint8_t> bytes) : bytes_(bytes) {}
  crypto::SecretBytes bytes_;
};

}  // namespace aegis::auth
