#include "auth/jwt.h"

#include <algorithm>

#include "auth/jws.h"

namespace aegis::auth {
namespace {

Result<void, TokenError> CheckIssuerAndAudience(const Claims& c, const VerifyOptions& options) {
  if (!options.expected_issuer.empty() && (!c.issuer || *c.issuer != options.expected_issuer)) {
    return Err{TokenError::kWrongIssuer};
  }
  if (c.audience.empty()) {
    if (!options.expected_audience.empty()) return Err{TokenError::kWrongAudience};
    return {};
  }
  if (options.expected_audience.empty() ||
      std::find(c.audience.begin(), c.audience.end(), options.expected_audience) == c.audience.end()) {
    return Err{TokenError::kWrongAudience};
  }
  return {};
}

// NumericDates are bounded by kMaxNumericDate and the leeway by kMaxLeeway,
// so only the claim side of each comparison is shifted: no overflow whatever
// `now` is.
Result<void, TokenError> CheckTime(const Claims& c, int64_t now, int64_t leeway) {
  if (now >= c.expires_at + leeway) return Err{TokenError::kExpired};
  if (now < c.not_before - leeway) return Err{TokenError::kNotYetValid};
  if (c.issued_at && *c.issued_at - leeway > now) return Err{TokenError::kIssuedInFuture};
  return {};
}

}  // namespace

Result<std::string, TokenError> MintToken(const Claims& claims, std::span<const uint8_t> secret) {
  if (secret.size() < kMinSecretSize) return Err{TokenError::kWeakSecret};
  auto payload = SerializeClaims(claims);
  if (!payload) return Err{payload.error()};
  return SignHs256(*payload, secret);
}

Result<std::string, TokenError> MintToken(const Claims& claims, const ApiSecret& secret) {
  return MintToken(claims, secret.view());
}

Result<Claims, TokenError> VerifyToken(std::string_view token, std::span<const uint8_t> secret, int64_t now_unix_s,
                                       const VerifyOptions& options) {
  auto jws = VerifyHs256Signature(token, secret);
  if (!jws) return Err{jws.error()};
  if (auto header = CheckHeader(jws->header); !header) return Err{header.error()};
  auto claims = ParseClaims(jws->payload);
  if (!claims) return claims;
  if (auto r = CheckIssuerAndAudience(*claims, options); !r) return Err{r.error()};
  int64_t leeway = std::clamp<int64_t>(options.leeway_s, 0, VerifyOptions::kMaxLeeway);
  if (auto r = CheckTime(*claims, now_unix_s, leeway); !r) return Err{r.error()};
  return claims;
}

Result<Claims, TokenError> VerifyToken(std::string_view token, const ApiSecret& secret, int64_t now_unix_s,
                                       const VerifyOptions& options) {
  return VerifyToken(token, secret.view(), now_unix_s, options);
}

}  // namespace aegis::auth
