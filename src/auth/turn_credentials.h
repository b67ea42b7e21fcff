// Short-lived TURN credentials in the TURN REST scheme (draft-uberti-behave-
// turn-rest-00 §2.2), the one coturn's `use-auth-secret` checks: the
// username is "<expiry, Unix seconds>:<user>" and the password is
// base64(HMAC-SHA1(shared secret, username)). coturn recomputes the password
// from the secret it shares with `aegis serve` and refuses the username once
// its expiry has passed, so nothing per user is stored or revoked there.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace aegis::auth {

struct TurnCredential {
  std::string username;
  std::string password;
};

TurnCredential MintTurnCredential(std::string_view shared_secret, std::string_view user, int64_t expires_unix_s);

}  // namespace aegis::auth
