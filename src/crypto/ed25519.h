// Ed25519 (RFC 8032) signatures over OpenSSL EVP: the signature scheme of
// the MLS cipher suites Aegis rooms use (RFC 9420 §17.1, suites 1 and 83),
// so the server can sign as the MLS groups' external sender.
#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>

#include "base/random.h"

namespace aegis::crypto {

inline constexpr size_t kEd25519SeedSize = 32;
inline constexpr size_t kEd25519PublicKeySize = 32;
inline constexpr size_t kEd25519SignatureSize = 64;

using Ed25519PublicKey = std::array<uint8_t, kEd25519PublicKeySize>;
using Ed25519Signature = std::array<uint8_t, kEd25519SignatureSize>;

class Ed25519PrivateKey {
 public:
  // The 32-byte private key of RFC 8032 §5.1.5 (the "seed"). nullopt only
  // if OpenSSL cannot build the key.
  static std::optional<Ed25519PrivateKey> FromSeed(std::span<const uint8_t, kEd25519SeedSize> seed);
  // A new key from `rng`: OpenSSL takes the raw private key, so generation
  // uses only the injected randomness (tests and fuzzers replay it).
  // Aborts if OpenSSL cannot build the key (out of memory).
  static Ed25519PrivateKey Generate(RandomSource& rng);

  Ed25519PrivateKey(Ed25519PrivateKey&&) noexcept;
  Ed25519PrivateKey& operator=(Ed25519PrivateKey&&) noexcept;
  ~Ed25519PrivateKey();

  const Ed25519PublicKey& public_key() const { return public_key_; }
  // Pure Ed25519 (no prehash, no context). Deterministic. Aborts if OpenSSL
  // fails, which it does only when out of memory.
  Ed25519Signature Sign(std::span<const uint8_t> message) const;

 private:
  struct Key;
  Ed25519PrivateKey(std::unique_ptr<Key> key, const Ed25519PublicKey& public_key);
  std::unique_ptr<Key> key_;
  Ed25519PublicKey public_key_{};
};

// Whether `signature` is a valid Ed25519 signature of `message` under
// `public_key` (32 bytes); false for keys or signatures of the wrong size.
bool Ed25519Verify(std::span<const uint8_t> public_key, std::span<const uint8_t> message,
                   std::span<const uint8_t> signature);

}  // namespace aegis::crypto
