// The AEAD of one SFrame key (RFC 9605 §4.4.3-4.5.1): AES-GCM, or the
// compound AES-CTR + HMAC-SHA256 of the CTR suites (encrypt-then-MAC):
//
//   enc_key = key[..Nka], auth_key = key[Nka..]
//   ct  = AES-CTR(enc_key, nonce || 0x00000000, pt)
//   tag = HMAC(auth_key, len(aad) || len(ct) || Nt || nonce || aad || ct)[..Nt]
//         (the three lengths as 8-byte big-endian integers)
//
// Made once per key; per frame only the nonce changes, so nothing is
// allocated on the frame path (the OpenSSL contexts are reused).
#pragma once

#include <cstdint>
#include <memory>
#include <span>

#include "crypto/aes_ctr.h"
#include "crypto/aes_gcm.h"
#include "crypto/hash.h"
#include "sframe/cipher_suite.h"
#include "sframe/key_derivation.h"

namespace aegis::sframe {

class Aead {
 public:
  // nullptr if `key` is not Nk bytes for the suite.
  static std::unique_ptr<Aead> Create(CipherSuite suite, std::span<const uint8_t> key);

  size_t tag_size() const { return tag_size_; }

  // Encrypts `data` in place and writes tag_size() bytes to `tag`. The AAD
  // is aad1 || aad2 (SFrame: the header, then the application's metadata).
  bool Seal(const Nonce& nonce, std::span<const uint8_t> aad1, std::span<const uint8_t> aad2,
            std::span<uint8_t> data, std::span<uint8_t> tag);
  // Verifies and decrypts `data` in place. On false, `data` holds no
  // plaintext: CTR suites check the tag before decrypting, and for GCM
  // (which decrypts first) the bytes are zeroed, so unauthenticated
  // plaintext never reaches the caller (RFC 5116 §2.2).
  bool Open(const Nonce& nonce, std::span<const uint8_t> aad1, std::span<const uint8_t> aad2,
            std::span<uint8_t> data, std::span<const uint8_t> tag);

 private:
  Aead() = default;
  void ComputeTag(const Nonce& nonce, std::span<const uint8_t> aad1, std::span<const uint8_t> aad2,
                  std::span<const uint8_t> ct, std::span<uint8_t> tag);

  size_t tag_size_ = 0;
  std::unique_ptr<crypto::AesGcm> gcm_;
  std::unique_ptr<crypto::AesCtr> ctr_;
  std::unique_ptr<crypto::Hmac> hmac_;
};

}  // namespace aegis::sframe
