// DTLS-SRTP attributes.
//   a=fingerprint:<hash-func> <fingerprint>   (RFC 8122 §5)
//     fingerprint = 2UHEX *(":" 2UHEX)   e.g. "sha-256 4A:AD:B9:..."
//   a=setup:<role>  role = active / passive / actpass / holdconn  (RFC 4145 §4)
// The parser accepts any hash name (so a sha-1 fingerprint is reported by
// the policy check, not as a syntax error) but at most 64 digest bytes.
#include "sdp/attribute_parsers.h"
#include "sdp/text_util.h"

namespace aegis::sdp::internal {
namespace {

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// Strict "XX:XX:...": exactly two hex digits per byte, one ':' between bytes.
std::optional<std::vector<uint8_t>> ParseColonHex(std::string_view s) {
  if (s.size() < 2 || (s.size() + 1) % 3 != 0) return std::nullopt;
  size_t count = (s.size() + 1) / 3;
  if (count > kMaxFingerprintBytes) return std::nullopt;
  std::vector<uint8_t> out;
  out.reserve(count);
  for (size_t i = 0; i < count; ++i) {
    size_t at = i * 3;
    int hi = HexValue(s[at]);
    int lo = HexValue(s[at + 1]);
    if (hi < 0 || lo < 0) return std::nullopt;
    if (i + 1 < count && s[at + 2] != ':') return std::nullopt;
    out.push_back(static_cast<uint8_t>(hi * 16 + lo));
  }
  return out;
}

}  // namespace

std::optional<SetupRole> SetupRoleFromString(std::string_view v) {
  if (v == "actpass") return SetupRole::kActPass;
  if (v == "active") return SetupRole::kActive;
  if (v == "passive") return SetupRole::kPassive;
  if (v == "holdconn") return SetupRole::kHoldConn;
  return std::nullopt;
}

AttrResult ParseFingerprint(std::string_view v, CommonAttributes& c) {
  text::FieldReader r(v);
  auto hash = r.Next();
  auto hex = r.Next();
  if (!hash || !hex || !r.AtEnd()) return Err{ParseError::kBadFingerprint};
  if (text::TokenError(*hash, 32)) return Err{ParseError::kBadFingerprint};
  auto digest = ParseColonHex(*hex);
  if (!digest) return Err{ParseError::kBadFingerprint};
  // Hash names are case-insensitive (RFC 8122 §5); keep one spelling.
  c.fingerprints.push_back(Fingerprint{text::ToLower(*hash), std::move(*digest)});
  return {};
}

AttrResult ParseSetup(std::string_view v, CommonAttributes& c) {
  if (c.setup) return Err{ParseError::kDuplicateAttribute};
  auto role = SetupRoleFromString(v);
  if (!role) return Err{ParseError::kBadSetup};
  c.setup = *role;
  return {};
}

}  // namespace aegis::sdp::internal
