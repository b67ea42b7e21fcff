// The claims of an Aegis access token and their JSON form (the JWS payload).
//
//   {"exp":1700000600,"grants":{"publish":true,"room_admin":false,"subscribe":true},
//    "iat":1700000000,"jti":"mZ3x0a9SgAe1pQk2rV7f1w","name":"Ada","nbf":1700000000,
//    "room":"standup","sub":"ada@example.org"}
//
// Registered claims (RFC 7519 §4.1): sub, exp, nbf, iat, jti, iss, aud.
// Private claims: "room", "grants" {publish, subscribe, room_admin}, "name".
//
// Rules (the same for minting and verifying, so a minted token always verifies):
//   sub    required, 1..128 bytes of [A-Za-z0-9] and "-_.@:+|": an id, not
//          display text, so no spaces, quotes, '<', '&', '/' or control bytes.
//   room   required, [A-Za-z0-9_-]{1,64}: safe in URLs, logs, file names.
//   grants required object; each of publish/subscribe/room_admin is a bool,
//          absent means false; unknown grant names are ignored (grant nothing).
//   name   optional display name: 1..64 bytes of well-formed UTF-8 with no
//          C0/C1 control characters or DEL. Shown as text, never as HTML.
//   exp, nbf  required NumericDates; iat optional. Integers only (no
//          fractions) in [0, kMaxNumericDate]; exp must be after nbf.
//   jti, iss  optional, 1..128 bytes of printable ASCII without space.
//   aud    optional, one such string or an array of 1..8 of them.
// Unknown top-level claims are ignored (RFC 7519 §4). Members may not repeat.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "auth/token_error.h"
#include "base/random.h"
#include "base/result.h"

namespace aegis::auth {

inline constexpr size_t kMaxIdentitySize = 128;
inline constexpr size_t kMaxRoomSize = 64;
inline constexpr size_t kMaxDisplayNameSize = 64;
inline constexpr size_t kMaxIdSize = 128;  // jti, iss, each aud entry
inline constexpr size_t kMaxAudiences = 8;
// 9999-12-31T23:59:59Z: keeps exp + leeway far from int64 overflow.
inline constexpr int64_t kMaxNumericDate = 253402300799;

struct Grants {
  bool publish = false;
  bool subscribe = false;
  bool room_admin = false;
  bool operator==(const Grants&) const = default;
};

struct Claims {
  std::string identity;                     // "sub"
  std::string room;                         // "room"
  Grants grants;                            // "grants"
  std::optional<std::string> display_name;  // "name"
  int64_t not_before = 0;                   // "nbf", Unix seconds
  int64_t expires_at = 0;                   // "exp", Unix seconds
  std::optional<int64_t> issued_at;         // "iat", Unix seconds
  std::optional<std::string> token_id;      // "jti"
  std::optional<std::string> issuer;        // "iss"
  std::vector<std::string> audience;        // "aud"; empty when absent
  bool operator==(const Claims&) const = default;
};

// Every rule above, on a Claims value (minting checks before signing).
Result<void, TokenError> ValidateClaims(const Claims& claims);

// Payload JSON text -> Claims, with ValidateClaims applied. No time checks.
Result<Claims, TokenError> ParseClaims(std::span<const uint8_t> payload_json);

// Claims -> compact JSON text (members sorted by name); refuses invalid claims.
Result<std::string, TokenError> SerializeClaims(const Claims& claims);

// A fresh "jti": 16 random bytes (128 bits), base64url, 22 characters.
std::string NewTokenId(RandomSource& random);

}  // namespace aegis::auth
