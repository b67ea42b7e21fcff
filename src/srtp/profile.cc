#include "srtp/profile.h"

#include <array>

namespace aegis::srtp {
namespace {

// RFC 5764 §4.1.2: both HMAC-SHA1 profiles use an 80-bit SRTCP tag.
constexpr std::array<ProfileParams, 4> kProfiles = {{
    {Profile::kAes128CmHmacSha1_80, "AES_CM_128_HMAC_SHA1_80", false, 16, 14, 20, 10, 10},
    {Profile::kAes128CmHmacSha1_32, "AES_CM_128_HMAC_SHA1_32", false, 16, 14, 20, 4, 10},
    {Profile::kAeadAes128Gcm, "AEAD_AES_128_GCM", true, 16, 12, 0, 16, 16},
    {Profile::kAeadAes256Gcm, "AEAD_AES_256_GCM", true, 32, 12, 0, 16, 16},
}};

}  // namespace

std::optional<Profile> ProfileFromId(uint16_t id) {
  for (const ProfileParams& p : kProfiles) {
    if (static_cast<uint16_t>(p.profile) == id) return p.profile;
  }
  return std::nullopt;
}

const ProfileParams& GetProfileParams(Profile profile) {
  for (const ProfileParams& p : kProfiles) {
    if (p.profile == profile) return p;
  }
  return kProfiles[0];  // unreachable for a valid enum value
}

}  // namespace aegis::srtp
