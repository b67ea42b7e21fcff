// DTLS-SRTP protection profiles (RFC 5764 §4.1.2, RFC 7714 §14.2) that Aegis
// offers and accepts, with their key and salt lengths. src/srtp has its own
// profile type; the transport layer maps between the two so that this layer
// does not depend on src/srtp.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>

namespace aegis::dtls {

// Wire values of the use_srtp extension. NULL-cipher profiles (0x0005,
// 0x0006) are deliberately absent: they are never offered or accepted.
enum class SrtpProfile : uint16_t {
  kAes128CmHmacSha1_80 = 0x0001,
  kAeadAes128Gcm = 0x0007,
  kAeadAes256Gcm = 0x0008,
};

struct SrtpProfileInfo {
  SrtpProfile profile;
  const char* openssl_name;  // name for SSL_CTX_set_tlsext_use_srtp
  size_t master_key_size;
  size_t master_salt_size;
};

// Aegis' preference order: AES-128-GCM, AES-256-GCM, AES-128-CM-HMAC-SHA1-80.
std::span<const SrtpProfile> DefaultSrtpProfiles();

// nullptr for any id not in the table (including the NULL profiles).
const SrtpProfileInfo* FindSrtpProfile(uint16_t id);

// "SRTP_AEAD_AES_128_GCM:..." in the given order; empty if any is unknown.
std::string OpenSslSrtpProfileList(std::span<const SrtpProfile> profiles);

}  // namespace aegis::dtls
