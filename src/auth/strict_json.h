// The JSON reader for JOSE headers and JWT claims sets. Internal to auth/.
//
// RFC 7515 §4 and RFC 7519 §4 let a parser either reject repeated member
// names or keep the last one; nlohmann::json silently keeps the last, which
// lets "room":"a","room":"b" mean different things to different parsers.
// We reject: every object's member names are tracked through the parser
// callback. Nesting is bounded (kMaxJsonDepth), a leading byte order mark
// is refused (nlohmann would skip it), and parsing never throws.
#pragma once

#include <cstdint>
#include <span>

#include <nlohmann/json.hpp>

#include "auth/token_error.h"
#include "base/result.h"

namespace aegis::auth {

// Our claims nest two deep (payload → grants, payload → aud array); the
// bound leaves room for unknown claims without allowing deep recursion.
inline constexpr int kMaxJsonDepth = 8;

// One JSON object and nothing after it but JSON whitespace.
Result<nlohmann::json, TokenError> ParseStrictJsonObject(std::span<const uint8_t> text);

}  // namespace aegis::auth
