// The cryptographic transform of one protocol (SRTP or SRTCP) under one set
// of session keys: AES-CM + HMAC-SHA1 (RFC 3711 §4.1.1, §4.2.1) or AES-GCM
// (RFC 7714). Made once per key; per packet it only builds an IV and calls
// the reusable OpenSSL contexts, so nothing is allocated.
//
// IVs, from the SSRC and a 48-bit index (ROC||SEQ for SRTP, 0||SRTCP index
// for SRTCP):
//   AES-CM (16 bytes): (salt·2^16) XOR (SSRC·2^64) XOR (index·2^16)
//   AES-GCM (12 bytes): (0x0000 || SSRC || index48) XOR salt
//     (RFC 7714 §8.1; §9.1 is the same with 0x0000 || 0 || SRTCP index)
#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>

#include "crypto/aes_ctr.h"
#include "crypto/aes_gcm.h"
#include "crypto/hash.h"
#include "crypto/secure_memory.h"
#include "srtp/key_derivation.h"
#include "srtp/profile.h"

namespace aegis::srtp {

class PacketCipher {
 public:
  static constexpr size_t kHmacSha1Size = 20;

  // nullptr if a key has the wrong size for the profile.
  static std::unique_ptr<PacketCipher> Create(const ProfileParams& params, const SessionKeys& keys,
                                              size_t tag_size);

  bool aead() const { return gcm_ != nullptr; }
  size_t tag_size() const { return tag_size_; }

  // AES-CM: XORs the keystream for (ssrc, index) into `data`.
  void ApplyKeystream(uint32_t ssrc, uint64_t index, std::span<uint8_t> data);
  // HMAC-SHA1 over `data` || `suffix`, truncated to tag_size() into `tag`.
  void ComputeTag(std::span<const uint8_t> data, std::span<const uint8_t> suffix, std::span<uint8_t> tag);
  // Recomputes the tag and compares in constant time.
  bool VerifyTag(std::span<const uint8_t> data, std::span<const uint8_t> suffix, std::span<const uint8_t> tag);

  // AES-GCM: in-place seal/open with AAD = aad1 || aad2.
  bool Seal(uint32_t ssrc, uint64_t index, std::span<const uint8_t> aad1, std::span<const uint8_t> aad2,
            std::span<uint8_t> data, std::span<uint8_t> tag);
  bool Open(uint32_t ssrc, uint64_t index, std::span<const uint8_t> aad1, std::span<const uint8_t> aad2,
            std::span<uint8_t> data, std::span<const uint8_t> tag);

 private:
  PacketCipher() = default;
  std::array<uint8_t, 12> GcmIv(uint32_t ssrc, uint64_t index) const;

  crypto::SecretBytes salt_;
  size_t tag_size_ = 0;
  std::unique_ptr<crypto::AesCtr> ctr_;
  std::unique_ptr<crypto::Hmac> hmac_;
  std::unique_ptr<crypto::AesGcm> gcm_;
};

// The SRTP and SRTCP transforms of one direction; nullopt for an unknown
// profile or keys of the wrong size.
struct CipherPair {
  std::unique_ptr<PacketCipher> rtp;
  std::unique_ptr<PacketCipher> rtcp;
};
std::optional<CipherPair> CreateCipherPair(Profile profile, const DerivedKeys& keys);

}  // namespace aegis::srtp
