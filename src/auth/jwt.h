// Aegis access tokens: JWTs (RFC 7519) in JWS compact form, HS256 only,
// signed with the server's API secret. See jws.h for the signature layer and
// claims.h for the claim rules.
//
// VerifyToken runs, in order, stopping at the first failure:
//   structure -> signature -> header (alg pinned to HS256) -> claims ->
//   issuer/audience -> exp -> nbf -> iat
// Time is injected: `now` is Unix seconds from the caller's wall clock (not
// base::Timestamp, which is monotonic with an arbitrary origin). With leeway L:
//   expired        when now >= exp + L   (RFC 7519 §4.1.4: valid only before exp)
//   not yet valid  when now <  nbf - L   (RFC 7519 §4.1.5: valid from nbf on)
//   issued in the future when iat > now + L
// Room and grant checks are separate (authorize.h): a valid token is not yet
// permission for anything.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>

#include "auth/api_secret.h"
#include "auth/claims.h"
#include "auth/token_error.h"
#include "base/result.h"

namespace aegis::auth {

struct VerifyOptions {
  static constexpr int64_t kMaxLeeway = 600;
  // Allowed clock skew in seconds, clamped to [0, kMaxLeeway].
  int64_t leeway_s = 30;
  // If set, "iss" must be present and equal.
  std::string_view expected_issuer = {};
  // Our name as an audience. A token with "aud" must list it (RFC 7519
  // §4.1.3); when set, a token without "aud" is refused as well.
  std::string_view expected_audience = {};
};

// kWeakSecret for a secret under 32 bytes; claim errors from ValidateClaims;
// kTooLarge over kMaxTokenSize.
Result<std::string, TokenError> MintToken(const Claims& claims, std::span<const uint8_t> secret);
Result<std::string, TokenError> MintToken(const Claims& claims, const ApiSecret& secret);

Result<Claims, TokenError> VerifyToken(std::string_view token, std::span<const uint8_t> secret, int64_t now_unix_s,
                                       const VerifyOptions& options = {});
Result<Claims, TokenError> VerifyToken(std::string_view token, const ApiSecret& secret, int64_t now_unix_s,
                                       const VerifyOptions& options = {});

}  // namespace aegis::auth
