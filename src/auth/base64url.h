// base64url without padding (RFC 4648 §5), the encoding of every JWS
// segment (RFC 7515 §2, Appendix C).
//
// Decoding is strict so that each byte string has exactly one accepted
// encoding: only [A-Za-z0-9_-], no '=' padding, no whitespace, a length that
// is not 1 mod 4, and zero bits in the unused low bits of the last character
// (RFC 4648 §3.5 lets decoders reject non-canonical encodings; we do). A
// token can then not be re-encoded into a different string that still
// verifies, and Decode(Encode(x)) == x and Encode(Decode(s)) == s both hold.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace aegis::auth {

std::string Base64UrlEncode(std::span<const uint8_t> bytes);
inline std::string Base64UrlEncode(std::string_view text) {
  return Base64UrlEncode({reinterpret_cast<const uint8_t*>(text.data()), text.size()});
}

// Standard base64 with '=' padding (RFC 4648 §4), for what other software
// expects in it (TURN REST passwords, auth/turn_credentials.h).
std::string Base64Encode(std::span<const uint8_t> bytes);

// nullopt on any deviation from the canonical unpadded form.
std::optional<std::vector<uint8_t>> Base64UrlDecode(std::string_view text);

}  // namespace aegis::auth
