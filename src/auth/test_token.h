// Test-only helpers (tests and token_fuzzer): sign arbitrary header and
// payload text with HS256, so a test can hand VerifyToken a correctly signed
// token with a bad header or payload and reach the checks after the
// signature. Not part of aegis_auth.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "auth/base64url.h"
#include "crypto/hash.h"

namespace aegis::auth::testing {

inline std::span<const uint8_t> AsBytes(std::string_view s) {
  return {reinterpret_cast<const uint8_t*>(s.data()), s.size()};
}

inline std::string SignRaw(std::string_view header_json, std::string_view payload_json,
                           std::span<const uint8_t> key) {
  std::string token = Base64UrlEncode(header_json) + "." + Base64UrlEncode(payload_json);
  std::vector<uint8_t> mac = crypto::HmacOnce(crypto::HashAlgorithm::kSha256, key, {AsBytes(token)});
  return token + "." + Base64UrlEncode(mac);
}

inline std::vector<uint8_t> SecretOf(std::string_view text) { return {text.begin(), text.end()}; }

}  // namespace aegis::auth::testing
