// JWS compact serialization (RFC 7515 §7.1) restricted to HS256 (RFC 7518
// §3.2): the layer under access tokens, with no knowledge of claims.
//
//   BASE64URL(header) '.' BASE64URL(payload) '.' BASE64URL(HMAC-SHA256(key, signing input))
//   `------------ signing input ------------'
//
// Verification order (each step only runs if the previous one passed):
//   1. structure: size <= kMaxTokenSize, exactly three segments, header and
//      payload non-empty, signature present, every segment strict base64url,
//      signature exactly 32 bytes. No JSON is parsed yet.
//   2. signature: HMAC-SHA256 over the signing input, constant-time compare.
//   3. header: only then is the header JSON parsed (CheckHeader), so the JSON
//      parser is reachable only with bytes the secret's holder signed.
// "alg" is pinned: the header cannot choose the algorithm, and a token is
// refused unless its header says exactly HS256.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "auth/token_error.h"
#include "base/result.h"

namespace aegis::auth {

// Bounds the work an unauthenticated token can cause (and header/URL sizes).
inline constexpr size_t kMaxTokenSize = 4096;
inline constexpr size_t kMinSecretSize = 32;  // RFC 7518 §3.2
inline constexpr size_t kHs256Size = 32;

struct Jws {
  std::string_view signing_input;  // into the token
  std::vector<uint8_t> header;     // decoded JOSE header (JSON text)
  std::vector<uint8_t> payload;    // decoded payload (JSON text)
  std::vector<uint8_t> signature;  // kHs256Size bytes
};

// Step 1 only.
Result<Jws, TokenError> SplitJws(std::string_view token);

// Steps 1 and 2: the token is structurally sound and its MAC is right. The
// header is not interpreted. kWeakSecret for a key under kMinSecretSize.
Result<Jws, TokenError> VerifyHs256Signature(std::string_view token, std::span<const uint8_t> key);

// Step 3: the header is one JSON object with "alg":"HS256", optionally
// "typ":"JWT", and no other member (so no crit, kid, jku, jwk, x5u, x5c, ...).
Result<void, TokenError> CheckHeader(std::span<const uint8_t> header_json);

// Signs `payload_json` under the fixed header {"alg":"HS256","typ":"JWT"}.
// kTooLarge if the token would exceed kMaxTokenSize.
Result<std::string, TokenError> SignHs256(std::string_view payload_json, std::span<const uint8_t> key);

}  // namespace aegis::auth
