#include "crypto/ed25519.h"

#include <openssl/evp.h>

#include <cstdio>
#include <cstdlib>

#include "crypto/secure_memory.h"

namespace aegis::crypto {
namespace {

struct PkeyDeleter {
  void operator()(EVP_PKEY* p) const { EVP_PKEY_free(p); }
};
struct MdCtxDeleter {
  void operator()(EVP_MD_CTX* c) const { EVP_MD_CTX_free(c); }
};
using PkeyPtr = std::unique_ptr<EVP_PKEY, PkeyDeleter>;
using MdCtxPtr = std::unique_ptr<EVP_MD_CTX, MdCtxDeleter>;

[[noreturn]] void Die(const char* what) {
  std::fprintf(stderr, "aegis: fatal: Ed25519 %s failed\n", what);
  std::abort();
}

}  // namespace

struct Ed25519PrivateKey::Key {
  PkeyPtr pkey;
};

Ed25519PrivateKey::Ed25519PrivateKey(std::unique_ptr<Key> key, const Ed25519PublicKey& public_key)
    : key_(std::move(key)), public_key_(public_key) {}
Ed25519PrivateKey::Ed25519PrivateKey(Ed25519PrivateKey&&) noexcept = default;
Ed25519PrivateKey& Ed25519PrivateKey::operator=(Ed25519PrivateKey&&) noexcept = default;
Ed25519PrivateKey::~Ed25519PrivateKey() = default;

std::optional<Ed25519PrivateKey> Ed25519PrivateKey::FromSeed(std::span<const uint8_t, kEd25519SeedSize> seed) {
  PkeyPtr pkey(EVP_PKEY_new_raw_private_key(EVP_PKEY_ED25519, nullptr, seed.data(), seed.size()));
  if (!pkey) return std::nullopt;
  Ed25519PublicKey public_key{};
  size_t size = public_key.size();
  if (EVP_PKEY_get_raw_public_key(pkey.get(), public_key.data(), &size) != 1 || size != public_key.size()) {
    return std::nullopt;
  }
  return Ed25519PrivateKey(std::make_unique<Key>(Key{std::move(pkey)}), public_key);
}

Ed25519PrivateKey Ed25519PrivateKey::Generate(RandomSource& rng) {
  std::array<uint8_t, kEd25519SeedSize> seed{};
  rng.Fill(seed);
  auto key = FromSeed(seed);
  SecureWipe(seed);
  if (!key) Die("key generation");
  return std::move(*key);
}

Ed25519Signature Ed25519PrivateKey::Sign(std::span<const uint8_t> message) const {
  MdCtxPtr ctx(EVP_MD_CTX_new());
  Ed25519Signature signature{};
  size_t size = signature.size();
  // Ed25519 is one-shot: no digest is named, the whole message goes in at once.
  if (!ctx || EVP_DigestSignInit(ctx.get(), nullptr, nullptr, nullptr, key_->pkey.get()) != 1 ||
      EVP_DigestSign(ctx.get(), signature.data(), &size, message.data(), message.size()) != 1 ||
      size != signature.size()) {
    Die("signing");
  }
  return signature;
}

bool Ed25519Verify(std::span<const uint8_t> public_key, std::span<const uint8_t> message,
                   std::span<const uint8_t> signature) {
  if (public_key.size() != kEd25519PublicKeySize || signature.size() != kEd25519SignatureSize) return false;
  PkeyPtr pkey(EVP_PKEY_new_raw_public_key(EVP_PKEY_ED25519, nullptr, public_key.data(), public_key.size()));
  MdCtxPtr ctx(EVP_MD_CTX_new());
  if (!pkey || !ctx || EVP_DigestVerifyInit(ctx.get(), nullptr, nullptr, nullptr, pkey.get()) != 1) return false;
  return EVP_DigestVerify(ctx.get(), signature.data(), signature.size(), message.data(), message.size()) == 1;
}

}  // namespace aegis::crypto
