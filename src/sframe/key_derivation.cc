#include "sframe/key_derivation.h"

#include <cassert>
#include <string_view>

#include "base/big_endian.h"
#include "crypto/hkdf.h"

namespace aegis::sframe {
namespace {

std::vector<uint8_t> Label(std::string_view prefix, CipherSuite suite, uint64_t kid) {
  std::vector<uint8_t> label(prefix.begin(), prefix.end());
  label.resize(prefix.size() + 10);
  StoreBE64(label.data() + prefix.size(), kid);
  StoreBE16(label.data() + prefix.size() + 8, static_cast<uint16_t>(suite));
  return label;
}

// HKDF-Expand into wiped storage; the crypto API returns a plain vector,
// which is wiped here before it is freed.
std::optional<crypto::SecretBytes> Expand(crypto::HashAlgorithm hash, std::span<const uint8_t> prk,
                                          std::span<const uint8_t> info, size_t length) {
  auto okm = crypto::HkdfExpand(hash, prk, info, length);
  if (!okm) return std::nullopt;
  crypto::SecretBytes out(*okm);
  crypto::SecureWipe(*okm);
  return out;
}

}  // namespace

std::vector<uint8_t> KeyLabel(CipherSuite suite, uint64_t kid) { return Label("SFrame 1.0 Secret key ", suite, kid); }

std::vector<uint8_t> SaltLabel(CipherSuite suite, uint64_t kid) {
  return Label("SFrame 1.0 Secret salt ", suite, kid);
}

std::optional<KeySalt> DeriveKeySalt(CipherSuite suite, uint64_t kid, std::span<const uint8_t> base_key) {
  if (base_key.size() < kMinBaseKeySize) return std::nullopt;
  const CipherSuiteParams& p = GetCipherSuiteParams(suite);
  std::vector<uint8_t> secret = crypto::HkdfExtract(p.hash, {}, base_key);
  auto key = Expand(p.hash, secret, KeyLabel(suite, kid), p.key_size);
  auto salt = Expand(p.hash, secret, SaltLabel(suite, kid), p.nonce_size);
  crypto::SecureWipe(secret);
  if (!key || !salt) return std::nullopt;
  return KeySalt{*key, *salt};
}

Nonce MakeNonce(std::span<const uint8_t> salt, uint64_t ctr) {
  assert(salt.size() == kNonceSize);
  Nonce nonce{};
  StoreBE64(nonce.data() + 4, ctr);
  for (size_t i = 0; i < kNonceSize; ++i) nonce[i] ^= salt[i];
  return nonce;
}

}  // namespace aegis::sframe
