#include "auth/jws.h"

#include <gtest/gtest.h>

#include "auth/base64url.h"
#include "auth/test_token.h"

namespace aegis::auth {
namespace {

using testing::AsBytes;
using testing::SecretOf;
using testing::SignRaw;

// RFC 7515 Appendix A.1 (JWS using HMAC SHA-256): the JWK "k" value and the
// complete JWS compact serialization, copied from the RFC. Header is
// {"typ":"JWT",\r\n "alg":"HS256"}, payload
// {"iss":"joe",\r\n "exp":1300819380,\r\n "http://example.com/is_root":true}.
// (Also checked with Python's hmac/hashlib when this test was written.)
constexpr std::string_view kRfc7515A1Key =
    "AyM1SysPpbyDfgZld3umj1qzKObwVMkoqQ-EstJQLr_T-1qS0gZH75aKtMN3Yj0iPS4hcgUuTwjAzZr1Z9CAow";
constexpr std::string_view kRfc7515A1Jws =
    "eyJ0eXAiOiJKV1QiLA0KICJhbGciOiJIUzI1NiJ9"
    "."
    "eyJpc3MiOiJqb2UiLA0KICJleHAiOjEzMDA4MTkzODAsDQogImh0dHA6Ly9leGFtcGxlLmNvbS9pc19yb290Ijp0cnVlfQ"
    "."
    "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";

TEST(Jws, Rfc7515AppendixA1VerifiesAndDecodes) {
  auto key = Base64UrlDecode(kRfc7515A1Key);
  ASSERT_TRUE(key);
  ASSERT_EQ(key->size(), 64u);
  auto jws = VerifyHs256Signature(kRfc7515A1Jws, *key);
  ASSERT_TRUE(jws) << ToString(jws.error());
  EXPECT_EQ(std::string(jws->header.begin(), jws->header.end()), "{\"typ\":\"JWT\",\r\n \"alg\":\"HS256\"}");
  EXPECT_EQ(std::string(jws->payload.begin(), jws->payload.end()),
            "{\"iss\":\"joe\",\r\n \"exp\":1300819380,\r\n \"http://example.com/is_root\":true}");
  // The RFC's header passes our header profile (alg HS256, typ JWT).
  EXPECT_TRUE(CheckHeader(jws->header));
}

TEST(Jws, Rfc7515AppendixA1FailsWithAnyKeyOrTokenChange) {
  auto key = *Base64UrlDecode(kRfc7515A1Key);
  key[0] ^= 1;
  EXPECT_EQ(VerifyHs256Signature(kRfc7515A1Jws, key).error(), TokenError::kBadSignature);
  key[0] ^= 1;
  std::string token(kRfc7515A1Jws);
  token[10] = token[10] == 'A' ? 'B' : 'A';  // inside the header segment
  EXPECT_EQ(VerifyHs256Signature(token, key).error(), TokenError::kBadSignature);
}

TEST(Jws, SignHs256MatchesAnIndependentHmac) {
  auto secret = SecretOf("0123456789abcdef0123456789abcdef");
  auto token = SignHs256("{\"a\":1}", secret);
  ASSERT_TRUE(token);
  EXPECT_EQ(*token, SignRaw(R"({"alg":"HS256","typ":"JWT"})", "{\"a\":1}", secret));
  // Produced with Python (hmac, hashlib, base64) when this test was written:
  //   h=b64url('{"alg":"HS256","typ":"JWT"}'); p=b64url('{"a":1}')
  //   hmac.new(b'0123456789abcdef0123456789abcdef', (h+'.'+p).encode(), sha256)
  EXPECT_EQ(*token,
            "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJhIjoxfQ."
            "aGbK1_nONSboObac6DmY6vyqQ9kmIV84Amg_V0YAg5I");
}

TEST(Jws, StructureRefusals) {
  auto secret = SecretOf("0123456789abcdef0123456789abcdef");
  std::string good = *SignHs256("{}", secret);
  EXPECT_TRUE(VerifyHs256Signature(good, secret));
  EXPECT_EQ(SplitJws("").error(), TokenError::kMalformed);
  EXPECT_EQ(SplitJws("abc").error(), TokenError::kMalformed);
  EXPECT_EQ(SplitJws("abc.def").error(), TokenError::kMalformed);
  EXPECT_EQ(SplitJws(good + ".").error(), TokenError::kMalformed);
  EXPECT_EQ(SplitJws(good + ".e30").error(), TokenError::kMalformed);
  EXPECT_EQ(SplitJws("..").error(), TokenError::kEmptySegment);
  EXPECT_EQ(SplitJws(".e30.abc").error(), TokenError::kEmptySegment);
  EXPECT_EQ(SplitJws("e30..abc").error(), TokenError::kEmptySegment);
  EXPECT_EQ(SplitJws("e30.e30.").error(), TokenError::kMissingSignature);
  EXPECT_EQ(SplitJws("e30=.e30.abcd").error(), TokenError::kBadBase64);
  // A signature that decodes but is not 32 bytes.
  std::vector<uint8_t> short_mac(31, 0x55);
  EXPECT_EQ(SplitJws("e30.e30." + Base64UrlEncode(short_mac)).error(), TokenError::kBadSignature);
  EXPECT_EQ(VerifyHs256Signature(good, SecretOf("too short")).error(), TokenError::kWeakSecret);
}

TEST(Jws, RefusesANonCanonicalSignatureEncoding) {
  auto secret = SecretOf("0123456789abcdef0123456789abcdef");
  std::string good = *SignHs256("{}", secret);
  // 32 bytes take 43 characters; the last one has two unused low bits.
  // Setting one gives another string for the same MAC: refused, so a token
  // has exactly one spelling.
  std::string twin = good;
  char& last = twin.back();
  const std::string_view alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  ASSERT_EQ(alphabet.find(last) % 4, 0u);
  last = alphabet[alphabet.find(last) + 1];
  EXPECT_EQ(VerifyHs256Signature(twin, secret).error(), TokenError::kBadBase64);
}

TEST(Jws, HeaderProfile) {
  auto check = [](std::string_view json) { return CheckHeader(AsBytes(json)); };
  EXPECT_TRUE(check(R"({"alg":"HS256"})"));
  EXPECT_TRUE(check(R"({"alg":"HS256","typ":"JWT"})"));
  EXPECT_TRUE(check(" {\"typ\":\"JWT\",\r\n \"alg\":\"HS256\"} "));
  for (std::string_view bad : std::vector<std::string_view>{R"({"alg":"none"})", R"({"alg":"None"})", R"({"alg":"HS512"})", R"({"alg":"RS256"})",
                               R"({"alg":"hs256"})", R"({"alg":"HS256 "})", R"({"alg":["HS256"]})", R"({"typ":"JWT"})",
                               R"({})", R"({"alg":null})"}) {
    EXPECT_EQ(check(bad).error(), TokenError::kAlgNotAllowed) << bad;
  }
  for (std::string_view bad :
       {R"({"alg":"HS256","kid":"k1"})", R"({"alg":"HS256","crit":["exp"],"exp":1})",
        R"({"alg":"HS256","jku":"https://evil.example/jwks"})", R"({"alg":"HS256","jwk":{"kty":"oct","k":"AA"}})",
        R"({"alg":"HS256","x5u":"https://evil.example/c"})", R"({"alg":"HS256","x5c":[]})",
        R"({"alg":"HS256","cty":"JWT"})", R"({"alg":"HS256","b64":false})"}) {
    EXPECT_EQ(check(bad).error(), TokenError::kHeaderParamNotAllowed) << bad;
  }
  for (std::string_view bad : std::vector<std::string_view>{R"({"alg":"HS256","typ":"JWS"})", R"({"alg":"HS256","typ":"jwt"})",
                               R"({"alg":"HS256","typ":1})"}) {
    EXPECT_EQ(check(bad).error(), TokenError::kBadType) << bad;
  }
  EXPECT_EQ(check(R"({"alg":"HS256","alg":"HS256"})").error(), TokenError::kDuplicateKey);
  EXPECT_EQ(check(R"({"alg":"none","alg":"HS256"})").error(), TokenError::kDuplicateKey);
  EXPECT_EQ(check(R"({"alg":"HS256"}{})").error(), TokenError::kMalformedJson);
  EXPECT_EQ(check(R"({"alg":"HS256"} x)").error(), TokenError::kMalformedJson);
  EXPECT_EQ(check(R"({"alg":"HS256",})").error(), TokenError::kMalformedJson);
  EXPECT_EQ(check(R"({"alg":"HS256"/**/})").error(), TokenError::kMalformedJson);
  EXPECT_EQ(check("\xEF\xBB\xBF{\"alg\":\"HS256\"}").error(), TokenError::kMalformedJson);
  EXPECT_EQ(check(R"(["HS256"])").error(), TokenError::kNotAnObject);
  EXPECT_EQ(check(R"("HS256")").error(), TokenError::kNotAnObject);
  EXPECT_EQ(check("").error(), TokenError::kMalformedJson);
}

}  // namespace
}  // namespace aegis::auth
