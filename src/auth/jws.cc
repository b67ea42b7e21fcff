#include "auth/jws.h"

#include "auth/base64url.h"
#include "auth/strict_json.h"
#include "crypto/hash.h"

namespace aegis::auth {
namespace {

constexpr std::string_view kHeader = R"({"alg":"HS256","typ":"JWT"})";

std::span<const uint8_t> Bytes(std::string_view s) { return {reinterpret_cast<const uint8_t*>(s.data()), s.size()}; }

}  // namespace

Result<Jws, TokenError> SplitJws(std::string_view token) {
  if (token.size() > kMaxTokenSize) return Err{TokenError::kTooLarge};
  size_t dot1 = token.find('.');
  if (dot1 == std::string_view::npos) return Err{TokenError::kMalformed};
  size_t dot2 = token.find('.', dot1 + 1);
  if (dot2 == std::string_view::npos || token.find('.', dot2 + 1) != std::string_view::npos) {
    return Err{TokenError::kMalformed};  // two segments, or a JWE-like/extra fourth one
  }
  std::string_view header = token.substr(0, dot1);
  std::string_view payload = token.substr(dot1 + 1, dot2 - dot1 - 1);
  std::string_view signature = token.substr(dot2 + 1);
  if (header.empty() || payload.empty()) return Err{TokenError::kEmptySegment};
  // An unsecured JWS (RFC 7515 Appendix A.5, "alg":"none") has this shape.
  if (signature.empty()) return Err{TokenError::kMissingSignature};

  auto h = Base64UrlDecode(header);
  auto p = Base64UrlDecode(payload);
  auto s = Base64UrlDecode(signature);
  if (!h || !p || !s) return Err{TokenError::kBadBase64};
  if (s->size() != kHs256Size) return Err{TokenError::kBadSignature};
  return Jws{token.substr(0, dot2), std::move(*h), std::move(*p), std::move(*s)};
}

Result<Jws, TokenError> VerifyHs256Signature(std::string_view token, std::span<const uint8_t> key) {
  if (key.size() < kMinSecretSize) return Err{TokenError::kWeakSecret};
  auto jws = SplitJws(token);
  if (!jws) return jws;
  std::vector<uint8_t> expected = crypto::HmacOnce(crypto::HashAlgorithm::kSha256, key, {Bytes(jws->signing_input)});
  if (!crypto::ConstantTimeEquals(expected, jws->signature)) return Err{TokenError::kBadSignature};
  return jws;
}

Result<void, TokenError> CheckHeader(std::span<const uint8_t> header_json) {
  auto header = ParseStrictJsonObject(header_json);
  if (!header) return Err{header.error()};
  // "alg" first, so a token with a bad alg and other oddities reports the alg.
  auto alg = header->find("alg");
  if (alg == header->end() || !alg->is_string() || *alg->get_ptr<const std::string*>() != "HS256") {
    return Err{TokenError::kAlgNotAllowed};
  }
  for (auto it = header->begin(); it != header->end(); ++it) {
    if (it.key() == "alg") continue;
    if (it.key() != "typ") return Err{TokenError::kHeaderParamNotAllowed};
    // RFC 7519 §5.1 recommends "JWT" in upper case; we write exactly that.
    if (!it->is_string() || *it->get_ptr<const std::string*>() != "JWT") return Err{TokenError::kBadType};
  }
  return {};
}

Result<std::string, TokenError> SignHs256(std::string_view payload_json, std::span<const uint8_t> key) {
  if (key.size() < kMinSecretSize) return Err{TokenError::kWeakSecret};
  std::string token = Base64UrlEncode(kHeader);
  token += '.';
  token += Base64UrlEncode(payload_json);
  std::vector<uint8_t> mac = crypto::HmacOnce(crypto::HashAlgorithm::kSha256, key, {Bytes(token)});
  token += '.';
  token += Base64UrlEncode(mac);
  if (token.size() > kMaxTokenSize) return Err{TokenError::kTooLarge};
  return token;
}

}  // namespace aegis::auth
