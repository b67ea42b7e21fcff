// SRTP protection profiles negotiated by DTLS-SRTP (RFC 5764 §4.1.2,
// RFC 7714 §14.2) and their parameters.
//
//   id      profile                   key  salt  RTP tag  SRTCP tag
//   0x0001  AES_CM_128_HMAC_SHA1_80    16   14     10       10
//   0x0002  AES_CM_128_HMAC_SHA1_32    16   14      4       10
//   0x0007  AEAD_AES_128_GCM           16   12     16       16
//   0x0008  AEAD_AES_256_GCM           32   12     16       16
//
// The NULL-cipher profiles 0x0005/0x0006 are deliberately not representable:
// Aegis never sends or accepts unencrypted media (RFC 8827 §6.5).
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>

namespace aegis::srtp {

enum class Profile : uint16_t {
  kAes128CmHmacSha1_80 = 0x0001,
  kAes128CmHmacSha1_32 = 0x0002,
  kAeadAes128Gcm = 0x0007,
  kAeadAes256Gcm = 0x0008,
};

struct ProfileParams {
  Profile profile;
  std::string_view name;
  bool aead;             // GCM: no separate authentication key
  size_t key_size;       // master and session encryption key
  size_t salt_size;      // master and session salt
  size_t auth_key_size;  // HMAC-SHA1 session key; 0 for AEAD
  size_t rtp_tag_size;
  size_t rtcp_tag_size;
};

// nullopt for unknown ids and for the NULL-cipher profiles.
std::optional<Profile> ProfileFromId(uint16_t id);
const ProfileParams& GetProfileParams(Profile profile);

}  // namespace aegis::srtp
