#include "dtls/srtp_profiles.h"

namespace aegis::dtls {
namespace {

// Key/salt sizes: RFC 5764 §4.1.2 (CM: 128-bit key, 112-bit salt) and
// RFC 7714 §12 (GCM: 128/256-bit key, 96-bit salt).
constexpr SrtpProfileInfo kProfiles[] = {
    {SrtpProfile::kAeadAes128Gcm, "SRTP_AEAD_AES_128_GCM", 16, 12},
    {SrtpProfile::kAeadAes256Gcm, "SRTP_AEAD_AES_256_GCM", 32, 12},
    {SrtpProfile::kAes128CmHmacSha1_80, "SRTP_AES128_CM_SHA1_80", 16, 14},
};

constexpr SrtpProfile kDefaultOrder[] = {
    SrtpProfile::kAeadAes128Gcm,
    SrtpProfile::kAeadAes256Gcm,
    SrtpProfile::kAes128CmHmacSha1_80,
};

}  // namespace

std::span<const SrtpProfile> DefaultSrtpProfiles() { return kDefaultOrder; }

const SrtpProfileInfo* FindSrtpProfile(uint16_t id) {
  for (const auto& info : kProfiles) {
    if (static_cast<uint16_t>(info.profile) == id) return &info;
  }
  return nullptr;
}

std::string OpenSslSrtpProfileList(std::span<const SrtpProfile> profiles) {
  std::string out;
  for (SrtpProfile p : profiles) {
    const SrtpProfileInfo* info = FindSrtpProfile(static_cast<uint16_t>(p));
    if (info == nullptr) return {};
    if (!out.empty()) out += ':';
    out += info->openssl_name;
  }
  return out;
}

}  // namespace aegis::dtls
