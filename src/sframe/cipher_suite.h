// SFrame cipher suites (RFC 9605 §4.5, IANA table §8.1) and their constants.
//
//   value   name                        hash     Nka  Nk  Nn  Nt
//   0x0001  AES_128_CTR_HMAC_SHA256_80  SHA-256  16   48  12  10
//   0x0002  AES_128_CTR_HMAC_SHA256_64  SHA-256  16   48  12   8
//   0x0003  AES_128_CTR_HMAC_SHA256_32  SHA-256  16   48  12   4
//   0x0004  AES_128_GCM_SHA256_128      SHA-256  -    16  12  16   (Aegis default)
//   0x0005  AES_256_GCM_SHA512_128      SHA-512  -    32  12  16
//
// The CTR suites' AEAD key is Nka bytes of AES key followed by Nh bytes of
// HMAC key (§4.5.1), hence Nk = 16 + 32.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>

#include "crypto/hash.h"

namespace aegis::sframe {

enum class CipherSuite : uint16_t {
  kAes128CtrHmacSha256_80 = 0x0001,
  kAes128CtrHmacSha256_64 = 0x0002,
  kAes128CtrHmacSha256_32 = 0x0003,
  kAes128GcmSha256_128 = 0x0004,
  kAes256GcmSha512_128 = 0x0005,
};

// The default (docs/e2ee.md): a full 128-bit tag, and a single AEAD call in WebCrypto.
inline constexpr CipherSuite kDefaultCipherSuite = CipherSuite::kAes128GcmSha256_128;

struct CipherSuiteParams {
  std::string_view name;
  crypto::HashAlgorithm hash;  // HKDF (and, for CTR suites, HMAC)
  bool gcm;                    // AES-GCM, else AES-CTR + HMAC (§4.5.1)
  size_t enc_key_size;         // Nka for CTR suites, Nk for GCM
  size_t key_size;             // Nk: what HKDF derives as sframe_key
  size_t nonce_size;           // Nn
  size_t tag_size;             // Nt
};

inline constexpr size_t kNonceSize = 12;  // Nn of every suite
inline constexpr size_t kMaxTagSize = 16;

// nullopt for a value not in RFC 9605's table (0x0000, private use, ...).
std::optional<CipherSuite> CipherSuiteFromId(uint16_t id);
// Only for a value CipherSuiteFromId accepts.
const CipherSuiteParams& GetCipherSuiteParams(CipherSuite suite);

}  // namespace aegis::sframe
