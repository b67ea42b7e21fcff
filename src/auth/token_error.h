// Why an access token was refused. One value per distinct check so that
// tests (and server logs) can tell exactly which rule fired; the signaling
// layer may collapse them into a coarser code before telling a client.
#pragma once

#include <string_view>

namespace aegis::auth {

enum class TokenError {
  // Secrets.
  kWeakSecret,       // secret shorter than 32 bytes (RFC 7518 §3.2: at least the hash size)
  kSecretTooLong,    // secret longer than crypto::SecretBytes can hold (64 bytes)
  // Structure (checked before the signature, without parsing any JSON).
  kTooLarge,         // token over kMaxTokenSize bytes
  kMalformed,        // not exactly three '.'-separated segments
  kEmptySegment,     // empty header or payload segment
  kMissingSignature, // empty signature segment ("alg":"none" shape)
  kBadBase64,        // a segment is not strict unpadded base64url
  kBadSignature,     // signature not 32 bytes or not the HMAC of the signing input
  // JSON (only parsed once the signature has been verified).
  kMalformedJson,    // not JSON, trailing garbage, invalid UTF-8, nested too deeply
  kNotAnObject,      // valid JSON but not an object
  kDuplicateKey,     // an object repeats a member name
  // JOSE header.
  kAlgNotAllowed,          // "alg" missing, not a string, or anything but "HS256"
  kHeaderParamNotAllowed,  // any header member other than "alg" and "typ" (crit, kid, jku, jwk, x5u, ...)
  kBadType,                // "typ" present but not "JWT"
  // Claims.
  kMissingClaim,        // sub, room, grants, exp or nbf absent
  kBadClaimType,        // a claim has the wrong JSON type, or a NumericDate is out of range
  kInvalidIdentity,     // sub outside its length or character set
  kInvalidRoom,         // room outside [A-Za-z0-9_-]{1,64}
  kInvalidDisplayName,  // name empty, over 64 bytes, invalid UTF-8 or with control characters
  kInvalidTokenId,      // jti outside its length or character set
  kInvalidIssuer,       // iss outside its length or character set
  kInvalidAudience,     // aud not a string or a list of 1..8 strings in that set
  kInvalidLifetime,     // exp not after nbf
  kWrongIssuer,         // iss differs from VerifyOptions::expected_issuer
  kWrongAudience,       // aud present and not ours, or expected and absent
  // Time.
  kExpired,         // now >= exp + leeway
  kNotYetValid,     // now < nbf - leeway
  kIssuedInFuture,  // iat > now + leeway
  // Authorization.
  kWrongRoom,     // the token is for another room
  kGrantMissing,  // the token lacks the grant the action needs
};

constexpr std::string_view ToString(TokenError e) {
  switch (e) {
    case TokenError::kWeakSecret: return "weak secret";
    case TokenError::kSecretTooLong: return "secret too long";
    case TokenError::kTooLarge: return "token too large";
    case TokenError::kMalformed: return "malformed token";
    case TokenError::kEmptySegment: return "empty segment";
    case TokenError::kMissingSignature: return "missing signature";
    case TokenError::kBadBase64: return "bad base64url";
    case TokenError::kBadSignature: return "bad signature";
    case TokenError::kMalformedJson: return "malformed JSON";
    case TokenError::kNotAnObject: return "JSON is not an object";
    case TokenError::kDuplicateKey: return "duplicate JSON key";
    case TokenError::kAlgNotAllowed: return "alg not allowed";
    case TokenError::kHeaderParamNotAllowed: return "header parameter not allowed";
    case TokenError::kBadType: return "bad typ";
    case TokenError::kMissingClaim: return "missing claim";
    case TokenError::kBadClaimType: return "bad claim type";
    case TokenError::kInvalidIdentity: return "invalid identity";
    case TokenError::kInvalidRoom: return "invalid room";
    case TokenError::kInvalidDisplayName: return "invalid display name";
    case TokenError::kInvalidTokenId: return "invalid jti";
    case TokenError::kInvalidIssuer: return "invalid iss";
    case TokenError::kInvalidAudience: return "invalid aud";
    case TokenError::kInvalidLifetime: return "exp not after nbf";
    case TokenError::kWrongIssuer: return "wrong issuer";
    case TokenError::kWrongAudience: return "wrong audience";
    case TokenError::kExpired: return "expired";
    case TokenError::kNotYetValid: return "not yet valid";
    case TokenError::kIssuedInFuture: return "issued in the future";
    case TokenError::kWrongRoom: return "wrong room";
    case TokenError::kGrantMissing: return "grant missing";
  }
  return "unknown";
}

}  // namespace aegis::auth
