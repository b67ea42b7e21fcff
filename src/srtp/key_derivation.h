// SRTP key derivation (RFC 3711 §4.3) with the AES-CM PRF (§4.3.3) and a key
// derivation rate of 0, the only rate DTLS-SRTP uses: the six session keys
// are derived once per master key. AEAD_AES_256_GCM uses the AES-256 PRF
// (RFC 6188, RFC 7714 §11).
//
//   label  key                       label  key
//   0x00   SRTP encryption key       0x03   SRTCP encryption key
//   0x01   SRTP authentication key   0x04   SRTCP authentication key
//   0x02   SRTP salt                 0x05   SRTCP salt
//
// PRF input block: x·2^16 where x = (label || 0^48) XOR master_salt. The
// 96-bit GCM master salt fills the top 96 bits of the 112-bit salt field,
// zero below, exactly as libsrtp (and so every browser) does it.
#pragma once

#include <cstdint>
#include <optional>
#include <span>

#include "crypto/secure_memory.h"
#include "srtp/profile.h"

namespace aegis::srtp {

// The keys of one protocol (SRTP or SRTCP) in one direction.
struct SessionKeys {
  crypto::SecretBytes cipher_key;
  crypto::SecretBytes salt;
  crypto::SecretBytes auth_key;  // empty for AEAD profiles
};

struct DerivedKeys {
  SessionKeys srtp;
  SessionKeys srtcp;
};

inline constexpr uint8_t kLabelSrtpEncryption = 0x00;
inline constexpr uint8_t kLabelSrtpAuth = 0x01;
inline constexpr uint8_t kLabelSrtpSalt = 0x02;
inline constexpr uint8_t kLabelSrtcpEncryption = 0x03;
inline constexpr uint8_t kLabelSrtcpAuth = 0x04;
inline constexpr uint8_t kLabelSrtcpSalt = 0x05;

// PRF_n(master_key, x) with n = out.size() bytes. False if the key is not
// 16/24/32 bytes or the salt is longer than 14 bytes.
bool DeriveKey(std::span<const uint8_t> master_key, std::span<const uint8_t> master_salt, uint8_t label,
               std::span<uint8_t> out);

// All six keys for `profile`; nullopt if key or salt has the wrong length.
std::optional<DerivedKeys> DeriveSessionKeys(Profile profile, std::span<const uint8_t> master_key,
                                             std::span<const uint8_t> master_salt);

}  // namespace aegis::srtp
