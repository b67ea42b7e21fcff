#include "auth/turn_credentials.h"

#include "auth/base64url.h"
#include "crypto/hash.h"

namespace aegis::auth {
namespace {

std::span<const uint8_t> Bytes(std::string_view s) { return {reinterpret_cast<const uint8_t*>(s.data()), s.size()}; }

}  // namespace

TurnCredential MintTurnCredential(std::string_view shared_secret, std::string_view user, int64_t expires_unix_s) {
  TurnCredential c;
  c.username = std::to_string(expires_unix_s) + ":" + std::string(user);
  c.password = Base64Encode(crypto::HmacOnce(crypto::HashAlgorithm::kSha1, Bytes(shared_secret), {Bytes(c.username)}));
  return c;
}

}  // namespace aegis::auth
