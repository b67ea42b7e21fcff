#include "auth/api_secret.h"

#include <array>

namespace aegis::auth {

Result<ApiSecret, TokenError> ApiSecret::FromBytes(std::span<const uint8_t> bytes) {
  if (bytes.size() < kMinSize) return Err{TokenError::kWeakSecret};
  if (bytes.size() > kMaxSize) return Err{TokenError::kSecretTooLong};
  return ApiSecret(bytes);
}

ApiSecret ApiSecret::Generate(RandomSource& random) {
  std::array<uint8_t, kMinSize> fresh;
  random.Fill(fresh);
  ApiSecret secret(fresh);
  crypto::SecureWipe(fresh);
  return secret;
}

}  // namespace aegis::auth
