#include "srtp/key_derivation.h"

#include <algorithm>
#include <array>

#include "crypto/aes_ctr.h"

namespace aegis::srtp {
namespace {

constexpr size_t kMaxSaltSize = 14;

bool Derive(crypto::AesCtr& prf, std::span<const uint8_t> master_salt, uint8_t label, std::span<uint8_t> out) {
  std::array<uint8_t, 16> iv{};
  std::copy(master_salt.begin(), master_salt.end(), iv.begin());
  // label || r is right-aligned in the 112-bit field: the label lands in
  // byte 7; r (the index DIV kdr) is 0 with kdr = 0.
  iv[7] ^= label;
  std::fill(out.begin(), out.end(), uint8_t{0});
  prf.Apply(iv, out);  // keystream XOR zeros = keystream
  return true;
}

bool DeriveInto(crypto::AesCtr& prf, std::span<const uint8_t> salt, uint8_t label, size_t size,
                crypto::SecretBytes& out) {
  std::array<uint8_t, crypto::SecretBytes::kCapacity> zeros{};
  out = crypto::SecretBytes(std::span<const uint8_t>(zeros.data(), size));
  return Derive(prf, salt, label, out.mutable_view());
}

}  // namespace

bool DeriveKey(std::span<const uint8_t> master_key, std::span<const uint8_t> master_salt, uint8_t label,
               std::span<uint8_t> out) {
  if (master_salt.size() > kMaxSaltSize) return false;
  auto prf = crypto::AesCtr::Create(master_key);
  if (!prf) return false;
  return Derive(*prf, master_salt, label, out);
}

std::optional<DerivedKeys> DeriveSessionKeys(Profile profile, std::span<const uint8_t> master_key,
                                             std::span<const uint8_t> master_salt) {
  const ProfileParams& p = GetProfileParams(profile);
  if (master_key.size() != p.key_size || master_salt.size() != p.salt_size) return std::nullopt;
  // The PRF context holds the master key schedule; OpenSSL wipes it on free.
  auto prf = crypto::AesCtr::Create(master_key);
  if (!prf) return std::nullopt;
  DerivedKeys keys;
  bool ok = DeriveInto(*prf, master_salt, kLabelSrtpEncryption, p.key_size, keys.srtp.cipher_key) &&
            DeriveInto(*prf, master_salt, kLabelSrtpSalt, p.salt_size, keys.srtp.salt) &&
            DeriveInto(*prf, master_salt, kLabelSrtcpEncryption, p.key_size, keys.srtcp.cipher_key) &&
            DeriveInto(*prf, master_salt, kLabelSrtcpSalt, p.salt_size, keys.srtcp.salt);
  if (ok && p.auth_key_size > 0) {
    ok = DeriveInto(*prf, master_salt, kLabelSrtpAuth, p.auth_key_size, keys.srtp.auth_key) &&
         DeriveInto(*prf, master_salt, kLabelSrtcpAuth, p.auth_key_size, keys.srtcp.auth_key);
  }
  if (!ok) return std::nullopt;
  return keys;
}

}  // namespace aegis::srtp
