#include "auth/claims.h"

#include <array>
#include <string_view>

#include <nlohmann/json.hpp>

#include "auth/base64url.h"
#include "auth/strict_json.h"
#include "base/utf8.h"

namespace aegis::auth {
namespace {

using Json = nlohmann::json;

bool IsAlnum(char c) { return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'); }

bool IsRoomChar(char c) { return IsAlnum(c) || c == '-' || c == '_'; }

bool IsIdentityChar(char c) { return IsRoomChar(c) || std::string_view(".@:+|").find(c) != std::string_view::npos; }

bool IsVisibleAscii(char c) { return c >= 0x21 && c <= 0x7E; }

template <typename Pred>
bool AllOf(std::string_view s, size_t max_size, Pred pred) {
  if (s.empty() || s.size() > max_size) return false;
  for (char c : s) {
    if (!pred(c)) return false;
  }
  return true;
}

bool IsValidDisplayName(const std::string& name) {
  if (name.empty() || name.size() > kMaxDisplayNameSize) return false;
  for (size_t i = 0; i < name.size(); ++i) {
    auto b = static_cast<uint8_t>(name[i]);
    if (b < 0x20 || b == 0x7F) return false;                         // C0 controls, DEL
    if (b == 0xC2 && i + 1 < name.size() && static_cast<uint8_t>(name[i + 1]) < 0xA0) return false;  // C1
  }
  return IsValidUtf8(name);  // else the signaling writer would send U+FFFD in its place
}

bool IsNumericDate(int64_t t) { return t >= 0 && t <= kMaxNumericDate; }

// Reads an optional string member: absent -> nullopt, not a string -> error.
Result<std::optional<std::string>, TokenError> OptionalString(const Json& obj, const char* name) {
  auto it = obj.find(name);
  if (it == obj.end()) return std::optional<std::string>();
  const auto* s = it->get_ptr<const std::string*>();
  if (!s) return Err{TokenError::kBadClaimType};
  return std::optional<std::string>(*s);
}

// NumericDate restricted to integers in [0, kMaxNumericDate]. nlohmann stores
// non-negative integers as number_unsigned; negatives, fractions and
// exponents land in other types and are refused.
Result<std::optional<int64_t>, TokenError> OptionalNumericDate(const Json& obj, const char* name) {
  auto it = obj.find(name);
  if (it == obj.end()) return std::optional<int64_t>();
  const auto* n = it->get_ptr<const Json::number_unsigned_t*>();
  if (!n || *n > static_cast<uint64_t>(kMaxNumericDate)) return Err{TokenError::kBadClaimType};
  return std::optional<int64_t>(static_cast<int64_t>(*n));
}

Result<Grants, TokenError> ReadGrants(const Json& obj) {
  auto it = obj.find("grants");
  if (it == obj.end()) return Err{TokenError::kMissingClaim};
  if (!it->is_object()) return Err{TokenError::kBadClaimType};
  Grants grants;
  std::array<std::pair<const char*, bool*>, 3> fields = {
      {{"publish", &grants.publish}, {"subscribe", &grants.subscribe}, {"room_admin", &grants.room_admin}}};
  for (auto [name, out] : fields) {
    auto g = it->find(name);
    if (g == it->end()) continue;
    const auto* b = g->get_ptr<const Json::boolean_t*>();
    if (!b) return Err{TokenError::kBadClaimType};
    *out = *b;
  }
  return grants;
}

Result<std::vector<std::string>, TokenError> ReadAudience(const Json& obj) {
  std::vector<std::string> out;
  auto it = obj.find("aud");
  if (it == obj.end()) return out;
  if (const auto* s = it->get_ptr<const std::string*>()) {
    out.push_back(*s);
    return out;
  }
  if (!it->is_array()) return Err{TokenError::kBadClaimType};
  // An empty list names no audience at all, not "any audience".
  if (it->empty() || it->size() > kMaxAudiences) return Err{TokenError::kInvalidAudience};
  for (const auto& entry : *it) {
    const auto* s = entry.get_ptr<const std::string*>();
    if (!s) return Err{TokenError::kBadClaimType};
    out.push_back(*s);
  }
  return out;
}

}  // namespace

Result<void, TokenError> ValidateClaims(const Claims& c) {
  if (!AllOf(c.identity, kMaxIdentitySize, IsIdentityChar)) return Err{TokenError::kInvalidIdentity};
  if (!AllOf(c.room, kMaxRoomSize, IsRoomChar)) return Err{TokenError::kInvalidRoom};
  if (c.display_name && !IsValidDisplayName(*c.display_name)) return Err{TokenError::kInvalidDisplayName};
  if (!IsNumericDate(c.not_before) || !IsNumericDate(c.expires_at) || (c.issued_at && !IsNumericDate(*c.issued_at))) {
    return Err{TokenError::kBadClaimType};
  }
  if (c.expires_at <= c.not_before) return Err{TokenError::kInvalidLifetime};
  if (c.token_id && !AllOf(*c.token_id, kMaxIdSize, IsVisibleAscii)) return Err{TokenError::kInvalidTokenId};
  if (c.issuer && !AllOf(*c.issuer, kMaxIdSize, IsVisibleAscii)) return Err{TokenError::kInvalidIssuer};
  if (c.audience.size() > kMaxAudiences) return Err{TokenError::kInvalidAudience};
  for (const auto& aud : c.audience) {
    if (!AllOf(aud, kMaxIdSize, IsVisibleAscii)) return Err{TokenError::kInvalidAudience};
  }
  return {};
}

Result<Claims, TokenError> ParseClaims(std::span<const uint8_t> payload_json) {
  auto json = ParseStrictJsonObject(payload_json);
  if (!json) return Err{json.error()};
  const Json& obj = *json;
  Claims c;

  auto sub = OptionalString(obj, "sub");
  auto room = OptionalString(obj, "room");
  auto grants = ReadGrants(obj);
  auto nbf = OptionalNumericDate(obj, "nbf");
  auto exp = OptionalNumericDate(obj, "exp");
  auto iat = OptionalNumericDate(obj, "iat");
  auto name = OptionalString(obj, "name");
  auto jti = OptionalString(obj, "jti");
  auto iss = OptionalString(obj, "iss");
  auto aud = ReadAudience(obj);
  // Type errors first, in a fixed order; then presence; then content rules.
  for (const auto* r : {&sub, &room, &name, &jti, &iss}) {
    if (!*r) return Err{r->error()};
  }
  for (const auto* r : {&nbf, &exp, &iat}) {
    if (!*r) return Err{r->error()};
  }
  if (!grants) return Err{grants.error()};
  if (!aud) return Err{aud.error()};
  if (!sub->has_value() || !room->has_value() || !nbf->has_value() || !exp->has_value()) {
    return Err{TokenError::kMissingClaim};
  }

  c.identity = std::move(**sub);
  c.room = std::move(**room);
  c.grants = *grants;
  c.display_name = std::move(*name);
  c.not_before = **nbf;
  c.expires_at = **exp;
  c.issued_at = *iat;
  c.token_id = std::move(*jti);
  c.issuer = std::move(*iss);
  c.audience = std::move(*aud);
  if (auto valid = ValidateClaims(c); !valid) return Err{valid.error()};
  return c;
}

Result<std::string, TokenError> SerializeClaims(const Claims& c) {
  if (auto valid = ValidateClaims(c); !valid) return Err{valid.error()};
  Json obj = Json::object();
  obj["sub"] = c.identity;
  obj["room"] = c.room;
  Json grants = Json::object();
  grants["publish"] = c.grants.publish;
  grants["subscribe"] = c.grants.subscribe;
  grants["room_admin"] = c.grants.room_admin;
  obj["grants"] = std::move(grants);
  obj["nbf"] = c.not_before;
  obj["exp"] = c.expires_at;
  if (c.issued_at) obj["iat"] = *c.issued_at;
  if (c.display_name) obj["name"] = *c.display_name;
  if (c.token_id) obj["jti"] = *c.token_id;
  if (c.issuer) obj["iss"] = *c.issuer;
  if (c.audience.size() == 1) obj["aud"] = c.audience[0];
  if (c.audience.size() > 1) obj["aud"] = c.audience;
  // Strings were validated above; replace-mode only guarantees no throw.
  return obj.dump(-1, ' ', false, Json::error_handler_t::replace);
}

std::string NewTokenId(RandomSource& random) {
  std::array<uint8_t, 16> bytes;
  random.Fill(bytes);
  return Base64UrlEncode(bytes);
}

}  // namespace aegis::auth
