#include "auth/jwt.h"

#include <gtest/gtest.h>

#include "auth/base64url.h"
#include "auth/jws.h"
#include "auth/test_token.h"

namespace aegis::auth {
namespace {

using testing::SecretOf;
using testing::SignRaw;

constexpr int64_t kNow = 1'700'000'000;
constexpr std::string_view kHeader = R"({"alg":"HS256","typ":"JWT"})";

const std::vector<uint8_t>& Secret() {
  static const auto* secret = new std::vector<uint8_t>(SecretOf("aegis-test-api-secret-0123456789abcdef"));
  return *secret;
}

Claims BaseClaims() {
  Claims c;
  c.identity = "alice";
  c.room = "standup";
  c.grants = {.publish = true, .subscribe = true, .room_admin = false};
  c.display_name = "Alice";
  c.not_before = kNow - 10;
  c.expires_at = kNow + 600;
  c.issued_at = kNow - 10;
  c.token_id = "mZ3x0a9SgAe1pQk2rV7f1w";
  return c;
}

std::string Mint(const Claims& c = BaseClaims()) {
  auto token = MintToken(c, Secret());
  EXPECT_TRUE(token) << ToString(token.error());
  return token ? *token : std::string();
}

TokenError VerifyError(std::string_view token, int64_t now = kNow, const VerifyOptions& options = {}) {
  auto r = VerifyToken(token, Secret(), now, options);
  EXPECT_FALSE(r) << token;
  return r ? TokenError::kWeakSecret : r.error();  // any value; the EXPECT above already failed
}

// A token signed with the right key over the given payload text.
std::string Signed(std::string_view payload) { return SignRaw(kHeader, payload, Secret()); }

std::string Segment(std::string_view token, int index) {
  size_t start = 0;
  for (int i = 0; i < index; ++i) start = token.find('.', start) + 1;
  size_t end = token.find('.', start);
  auto bytes = *Base64UrlDecode(token.substr(start, end == std::string_view::npos ? end : end - start));
  return {bytes.begin(), bytes.end()};
}

TEST(Jwt, MintVerifyRoundTrip) {
  std::string token = Mint();
  EXPECT_EQ(Segment(token, 0), kHeader);
  EXPECT_EQ(Segment(token, 1),
            R"({"exp":1700000600,"grants":{"publish":true,"room_admin":false,"subscribe":true},"iat":1699999990,)"
            R"("jti":"mZ3x0a9SgAe1pQk2rV7f1w","name":"Alice","nbf":1699999990,"room":"standup","sub":"alice"})");
  auto claims = VerifyToken(token, Secret(), kNow);
  ASSERT_TRUE(claims) << ToString(claims.error());
  EXPECT_EQ(*claims, BaseClaims());

  auto api_secret = ApiSecret::FromBytes(Secret());
  ASSERT_TRUE(api_secret);
  auto again = MintToken(BaseClaims(), *api_secret);
  ASSERT_TRUE(again);
  EXPECT_EQ(*again, token);  // deterministic: same claims, same key, same bytes
  EXPECT_TRUE(VerifyToken(token, *api_secret, kNow));
}

TEST(Jwt, MinimalClaimsRoundTrip) {
  Claims c;
  c.identity = "u";
  c.room = "r";
  c.not_before = 0;
  c.expires_at = kNow + 1;
  auto back = VerifyToken(Mint(c), Secret(), kNow);
  ASSERT_TRUE(back);
  EXPECT_EQ(*back, c);
  EXPECT_EQ(back->grants, Grants{});
}

// Made with Python's json/hmac/hashlib/base64 when this test was written,
// laid out as other JWT libraries do (spaces, typ first, an extra claim),
// with secret "python-backend-secret-0123456789ab": a token from another
// implementation verifies.
TEST(Jwt, VerifiesATokenMadeByAnotherImplementation) {
  constexpr std::string_view kToken =
      "eyJ0eXAiOiAiSldUIiwgImFsZyI6ICJIUzI1NiJ9."
      "eyJzdWIiOiAiYm9iIiwgInJvb20iOiAic3RhbmR1cCIsICJncmFudHMiOiB7InN1YnNjcmliZSI6IHRydWV9LCAibmJmIjogMTcwMDAwMDAw"
      "MCwgImV4cCI6IDE3MDAwMDA2MDAsICJpc3MiOiAiYmFja2VuZCIsICJleHRyYSI6IHsiayI6IFsxLCAyXX19."
      "6Hj7x_YTuYVEvcUIwhnJg9Y0y9JI-0yEgCnSxOfi2wE";
  auto claims = VerifyToken(kToken, SecretOf("python-backend-secret-0123456789ab"), kNow);
  ASSERT_TRUE(claims) << ToString(claims.error());
  EXPECT_EQ(claims->identity, "bob");
  EXPECT_EQ(claims->room, "standup");
  EXPECT_EQ(claims->grants, (Grants{.publish = false, .subscribe = true, .room_admin = false}));
  EXPECT_EQ(claims->issuer, "backend");
  EXPECT_EQ(claims->expires_at, 1700000600);
  EXPECT_EQ(VerifyToken(kToken, Secret(), kNow).error(), TokenError::kBadSignature);
}

TEST(Jwt, RefusesASignatureMadeWithAnotherKey) {
  auto other = MintToken(BaseClaims(), SecretOf("another-secret-of-sufficient-length!!"));
  ASSERT_TRUE(other);
  EXPECT_EQ(VerifyError(*other), TokenError::kBadSignature);
}

TEST(Jwt, RefusesAnEditedPayload) {
  std::string token = Mint();
  std::string payload = Segment(token, 1);
  size_t at = payload.find("standup");
  ASSERT_NE(at, std::string::npos);
  payload.replace(at, 7, "secret1");
  size_t dot1 = token.find('.'), dot2 = token.rfind('.');
  std::string edited = token.substr(0, dot1 + 1) + Base64UrlEncode(payload) + token.substr(dot2);
  EXPECT_EQ(VerifyError(edited), TokenError::kBadSignature);
  // Granting oneself publish the same way fails too.
  Claims viewer = BaseClaims();
  viewer.grants.publish = false;
  std::string viewer_token = Mint(viewer);
  payload = Segment(viewer_token, 1);
  payload.replace(payload.find("\"publish\":false"), 15, "\"publish\":true ");
  edited = viewer_token.substr(0, viewer_token.find('.') + 1) + Base64UrlEncode(payload) +
           viewer_token.substr(viewer_token.rfind('.'));
  EXPECT_EQ(VerifyError(edited), TokenError::kBadSignature);
}

TEST(Jwt, RefusesAlgNone) {
  std::string payload = Segment(Mint(), 1);
  std::string unsecured = Base64UrlEncode(R"({"alg":"none","typ":"JWT"})") + "." + Base64UrlEncode(payload) + ".";
  EXPECT_EQ(VerifyError(unsecured), TokenError::kMissingSignature);
  // alg none carrying some other token's valid signature.
  std::string borrowed = unsecured + Mint().substr(Mint().rfind('.') + 1);
  EXPECT_EQ(VerifyError(borrowed), TokenError::kBadSignature);
  // Even correctly MAC'd by our key, a header saying "none" is refused.
  EXPECT_EQ(VerifyError(SignRaw(R"({"alg":"none"})", payload, Secret())), TokenError::kAlgNotAllowed);
}

TEST(Jwt, RefusesOtherAlgorithms) {
  std::string payload = Segment(Mint(), 1);
  for (std::string_view header : std::vector<std::string_view>{R"({"alg":"HS512","typ":"JWT"})", R"({"alg":"RS256","typ":"JWT"})",
                                  R"({"alg":"HS384"})", R"({"alg":"ES256"})", R"({"typ":"JWT"})"}) {
    EXPECT_EQ(VerifyError(SignRaw(header, payload, Secret())), TokenError::kAlgNotAllowed) << header;
  }
  // A genuine HS512 token under the same secret: its 64-byte MAC is not an
  // HS256 signature, so it fails before the header is even read.
  std::string signing_input = Base64UrlEncode(R"({"alg":"HS512","typ":"JWT"})") + "." + Base64UrlEncode(payload);
  auto mac512 = crypto::HmacOnce(crypto::HashAlgorithm::kSha512, Secret(), {testing::AsBytes(signing_input)});
  EXPECT_EQ(VerifyError(signing_input + "." + Base64UrlEncode(mac512)), TokenError::kBadSignature);
}

TEST(Jwt, RefusesHeaderTricks) {
  std::string payload = Segment(Mint(), 1);
  for (std::string_view header :
       {R"({"alg":"HS256","typ":"JWT","kid":"../../dev/null"})", R"({"alg":"HS256","crit":["x"],"x":1})",
        R"({"alg":"HS256","jku":"https://attacker.example/keys"})",
        R"({"alg":"HS256","jwk":{"kty":"oct","k":"AyM1SysPpbyDfgZld3umj1qzKObwVMkoqQ"}})",
        R"({"alg":"HS256","x5u":"https://attacker.example/cert"})"}) {
    EXPECT_EQ(VerifyError(SignRaw(header, payload, Secret())), TokenError::kHeaderParamNotAllowed) << header;
  }
  EXPECT_EQ(VerifyError(SignRaw(R"({"alg":"HS256","alg":"HS256"})", payload, Secret())), TokenError::kDuplicateKey);
  EXPECT_EQ(VerifyError(SignRaw(R"({"alg":"HS256"} [])", payload, Secret())), TokenError::kMalformedJson);
  EXPECT_EQ(VerifyError(SignRaw(R"("HS256")", payload, Secret())), TokenError::kNotAnObject);
}

TEST(Jwt, ExpiryWithLeeway) {
  std::string token = Mint();
  const int64_t exp = BaseClaims().expires_at;
  EXPECT_TRUE(VerifyToken(token, Secret(), exp - 1));
  EXPECT_TRUE(VerifyToken(token, Secret(), exp));       // within the 30 s leeway
  EXPECT_TRUE(VerifyToken(token, Secret(), exp + 29));  // just within
  EXPECT_EQ(VerifyError(token, exp + 30), TokenError::kExpired);  // just beyond
  EXPECT_EQ(VerifyError(token, exp + 86400), TokenError::kExpired);
  VerifyOptions strict{.leeway_s = 0};
  EXPECT_TRUE(VerifyToken(token, Secret(), exp - 1, strict));
  EXPECT_EQ(VerifyError(token, exp, strict), TokenError::kExpired);
  // A leeway beyond the cap is clamped to 600 s.
  VerifyOptions loose{.leeway_s = 1'000'000};
  EXPECT_TRUE(VerifyToken(token, Secret(), exp + 599, loose));
  EXPECT_EQ(VerifyError(token, exp + 600, loose), TokenError::kExpired);
  VerifyOptions negative{.leeway_s = -50};
  EXPECT_EQ(VerifyError(token, exp, negative), TokenError::kExpired);
  EXPECT_TRUE(VerifyToken(token, Secret(), exp - 1, negative));
}

TEST(Jwt, NotBeforeWithLeeway) {
  Claims c = BaseClaims();
  c.not_before = kNow + 300;
  c.issued_at = std::nullopt;
  std::string token = Mint(c);
  EXPECT_EQ(VerifyError(token, kNow), TokenError::kNotYetValid);
  EXPECT_EQ(VerifyError(token, c.not_before - 31), TokenError::kNotYetValid);  // just beyond
  EXPECT_TRUE(VerifyToken(token, Secret(), c.not_before - 30));               // just within
  EXPECT_TRUE(VerifyToken(token, Secret(), c.not_before));
}

TEST(Jwt, IssuedInTheFuture) {
  Claims c = BaseClaims();
  c.issued_at = kNow + 31;
  EXPECT_EQ(VerifyError(Mint(c), kNow), TokenError::kIssuedInFuture);
  c.issued_at = kNow + 30;
  EXPECT_TRUE(VerifyToken(Mint(c), Secret(), kNow));
}

TEST(Jwt, ExtremeClockValuesDoNotOverflow) {
  std::string token = Mint();
  EXPECT_EQ(VerifyError(token, INT64_MAX), TokenError::kExpired);
  EXPECT_EQ(VerifyError(token, INT64_MIN), TokenError::kNotYetValid);
}

TEST(Jwt, RefusesMissingOrMistypedTimes) {
  auto with = [](std::string_view times) {
    return Signed(std::string(R"({"sub":"a","room":"r","grants":{},)") + std::string(times) + "}");
  };
  EXPECT_TRUE(VerifyToken(with(R"("nbf":1699999000,"exp":1700000600)"), Secret(), kNow));
  EXPECT_EQ(VerifyError(with(R"("nbf":1699999000)")), TokenError::kMissingClaim);  // no exp
  EXPECT_EQ(VerifyError(with(R"("exp":1700000600)")), TokenError::kMissingClaim);  // no nbf
  EXPECT_EQ(VerifyError(with(R"("nbf":1699999000,"exp":"1700000600")")), TokenError::kBadClaimType);
  EXPECT_EQ(VerifyError(with(R"("nbf":1699999000,"exp":1700000600.0)")), TokenError::kBadClaimType);
  EXPECT_EQ(VerifyError(with(R"("nbf":1699999000,"exp":1.7000006e9)")), TokenError::kBadClaimType);
  EXPECT_EQ(VerifyError(with(R"("nbf":-1,"exp":1700000600)")), TokenError::kBadClaimType);
  EXPECT_EQ(VerifyError(with(R"("nbf":0,"exp":253402300800)")), TokenError::kBadClaimType);
  EXPECT_EQ(VerifyError(with(R"("nbf":0,"exp":18446744073709551616)")), TokenError::kBadClaimType);
  EXPECT_EQ(VerifyError(with(R"("nbf":0,"exp":null)")), TokenError::kBadClaimType);
  EXPECT_EQ(VerifyError(with(R"("nbf":0,"exp":true)")), TokenError::kBadClaimType);
  EXPECT_EQ(VerifyError(with(R"("nbf":1700000600,"exp":1700000600)")), TokenError::kInvalidLifetime);
  EXPECT_EQ(VerifyError(with(R"("nbf":0,"exp":1700000600,"iat":"now")")), TokenError::kBadClaimType);
}

TEST(Jwt, RefusesDuplicateClaims) {
  constexpr std::string_view kTail = R"("grants":{"publish":true},"nbf":0,"exp":1700000600})";
  EXPECT_TRUE(VerifyToken(Signed(std::string(R"({"sub":"a","room":"a",)") + std::string(kTail)), Secret(), kNow));
  EXPECT_EQ(VerifyError(Signed(std::string(R"({"sub":"a","room":"a","room":"b",)") + std::string(kTail))),
            TokenError::kDuplicateKey);
  EXPECT_EQ(VerifyError(Signed(std::string(R"({"sub":"a","exp":1,"room":"a",)") + std::string(kTail))),
            TokenError::kDuplicateKey);
  EXPECT_EQ(VerifyError(Signed(
                R"({"sub":"a","room":"a","grants":{"publish":false,"publish":true},"nbf":0,"exp":1700000600})")),
            TokenError::kDuplicateKey);
  // The same name in different objects is not a duplicate.
  EXPECT_TRUE(VerifyToken(
      Signed(R"({"sub":"a","room":"a","x":{"room":"b","y":{"room":"c"}},"grants":{},"nbf":0,"exp":1700000600})"),
      Secret(), kNow));
  // Escapes name the same member: "ro\u006fm" is "room".
  EXPECT_EQ(VerifyError(Signed(std::string(R"({"sub":"a","room":"a","ro\u006fm":"b",)") + std::string(kTail))),
            TokenError::kDuplicateKey);
}

TEST(Jwt, RefusesMalformedPayloadJson) {
  constexpr std::string_view kGood = R"({"sub":"a","room":"a","grants":{},"nbf":0,"exp":1700000600})";
  EXPECT_TRUE(VerifyToken(Signed(kGood), Secret(), kNow));
  EXPECT_EQ(VerifyError(Signed(std::string(kGood) + "x")), TokenError::kMalformedJson);
  EXPECT_EQ(VerifyError(Signed(std::string(kGood) + "{}")), TokenError::kMalformedJson);
  EXPECT_EQ(VerifyError(Signed(std::string(kGood) + std::string(1, '\0'))), TokenError::kMalformedJson);
  EXPECT_EQ(VerifyError(Signed("\xEF\xBB\xBF" + std::string(kGood))), TokenError::kMalformedJson);
  EXPECT_EQ(VerifyError(Signed("{\"sub\":\"a\xff\",\"room\":\"a\",\"grants\":{},\"nbf\":0,\"exp\":1700000600}")),
            TokenError::kMalformedJson);  // invalid UTF-8 (a raw 0xFF byte)
  EXPECT_EQ(VerifyError(Signed(R"({"sub":"\ud800","room":"a","grants":{},"nbf":0,"exp":1700000600})")),
            TokenError::kMalformedJson);  // lone surrogate escape
  EXPECT_EQ(VerifyError(Signed(R"({"x":[[[[[[[[[1]]]]]]]]],"sub":"a","room":"a","grants":{},"nbf":0,"exp":9})")),
            TokenError::kMalformedJson);  // nested deeper than kMaxJsonDepth
  EXPECT_TRUE(VerifyToken(
      Signed(R"({"x":[[[[[[1]]]]]],"sub":"a","room":"a","grants":{},"nbf":0,"exp":1700000600})"), Secret(), kNow));
  EXPECT_EQ(VerifyError(Signed(R"([{"sub":"a"}])")), TokenError::kNotAnObject);
  EXPECT_EQ(VerifyError(Signed("42")), TokenError::kNotAnObject);
  EXPECT_EQ(VerifyError(Signed("null")), TokenError::kNotAnObject);
}

TEST(Jwt, RefusesBadBase64Segments) {
  std::string token = Mint();
  size_t dot1 = token.find('.'), dot2 = token.rfind('.');
  EXPECT_EQ(VerifyError(token.substr(0, dot1) + "=" + token.substr(dot1)), TokenError::kBadBase64);
  EXPECT_EQ(VerifyError(token.substr(0, dot2) + "=" + token.substr(dot2)), TokenError::kBadBase64);
  EXPECT_EQ(VerifyError(token + "="), TokenError::kBadBase64);
  EXPECT_EQ(VerifyError(token + "=="), TokenError::kBadBase64);
  std::string plus = token;
  plus[dot2 + 1] = '+';
  EXPECT_EQ(VerifyError(plus), TokenError::kBadBase64);
  EXPECT_EQ(VerifyError(token + " "), TokenError::kBadBase64);
  EXPECT_EQ(VerifyError(" " + token), TokenError::kBadBase64);
}

TEST(Jwt, RefusesBadStructure) {
  std::string token = Mint();
  size_t dot1 = token.find('.'), dot2 = token.rfind('.');
  EXPECT_EQ(VerifyError(""), TokenError::kMalformed);
  EXPECT_EQ(VerifyError("Bearer"), TokenError::kMalformed);
  EXPECT_EQ(VerifyError(token.substr(0, dot2)), TokenError::kMalformed);                // two segments
  EXPECT_EQ(VerifyError(token + "." + token.substr(dot2 + 1)), TokenError::kMalformed);  // four
  EXPECT_EQ(VerifyError(token + "."), TokenError::kMalformed);
  EXPECT_EQ(VerifyError(token + ".." + token), TokenError::kMalformed);
  EXPECT_EQ(VerifyError(token.substr(dot1)), TokenError::kEmptySegment);                          // empty header
  EXPECT_EQ(VerifyError(token.substr(0, dot1 + 1) + token.substr(dot2)), TokenError::kEmptySegment);  // empty payload
  EXPECT_EQ(VerifyError(token.substr(0, dot2 + 1)), TokenError::kMissingSignature);
  EXPECT_EQ(VerifyError(".."), TokenError::kEmptySegment);
}

// Finds a correctly signed token of exactly `size` bytes by padding an
// unknown claim (ignored by the verifier) and choosing between two headers.
std::string SignedTokenOfSize(size_t size) {
  for (std::string_view header : std::vector<std::string_view>{R"({"alg":"HS256","typ":"JWT"})", R"({"alg":"HS256","typ":"JWT"} )"}) {
    for (size_t pad = 0; pad < size; ++pad) {
      std::string token = SignRaw(header,
                                  R"({"sub":"a","room":"a","grants":{},"nbf":0,"exp":1700000600,"pad":")" +
                                      std::string(pad, 'x') + "\"}",
                                  Secret());
      if (token.size() == size) return token;
      if (token.size() > size) break;
    }
  }
  ADD_FAILURE() << "no token of size " << size;
  return {};
}

TEST(Jwt, SizeLimitIsFourKiB) {
  std::string at_limit = SignedTokenOfSize(kMaxTokenSize);
  ASSERT_EQ(at_limit.size(), 4096u);
  EXPECT_TRUE(VerifyToken(at_limit, Secret(), kNow));
  std::string over = SignedTokenOfSize(kMaxTokenSize + 1);
  ASSERT_EQ(over.size(), 4097u);
  EXPECT_EQ(VerifyError(over), TokenError::kTooLarge);  // even though correctly signed
  EXPECT_EQ(VerifyError(std::string(1 << 20, 'A')), TokenError::kTooLarge);
}

TEST(Jwt, WeakSecretsAreRefused) {
  std::vector<uint8_t> short_secret(31, 0x42);
  std::vector<uint8_t> ok_secret(32, 0x42);
  EXPECT_EQ(MintToken(BaseClaims(), short_secret).error(), TokenError::kWeakSecret);
  EXPECT_EQ(MintToken(BaseClaims(), std::span<const uint8_t>()).error(), TokenError::kWeakSecret);
  auto token = MintToken(BaseClaims(), ok_secret);
  ASSERT_TRUE(token);
  EXPECT_TRUE(VerifyToken(*token, ok_secret, kNow));
  EXPECT_EQ(VerifyToken(*token, short_secret, kNow).error(), TokenError::kWeakSecret);
  EXPECT_EQ(VerifyToken(*token, std::span<const uint8_t>(), kNow).error(), TokenError::kWeakSecret);

  EXPECT_EQ(ApiSecret::FromBytes(short_secret).error(), TokenError::kWeakSecret);
  EXPECT_EQ(ApiSecret::FromBytes(std::vector<uint8_t>(65, 1)).error(), TokenError::kSecretTooLong);
  auto max = ApiSecret::FromBytes(std::vector<uint8_t>(64, 1));
  ASSERT_TRUE(max);
  EXPECT_EQ(max->view().size(), 64u);
  SeededRandom random(1);
  ApiSecret generated = ApiSecret::Generate(random);
  EXPECT_EQ(generated.view().size(), 32u);
  EXPECT_NE(std::vector<uint8_t>(generated.view().begin(), generated.view().end()), std::vector<uint8_t>(32, 0));
}

TEST(Jwt, MintRefusesInvalidClaims) {
  Claims c = BaseClaims();
  c.room = "room A";
  EXPECT_EQ(MintToken(c, Secret()).error(), TokenError::kInvalidRoom);
  c = BaseClaims();
  c.expires_at = c.not_before;
  EXPECT_EQ(MintToken(c, Secret()).error(), TokenError::kInvalidLifetime);
  c = BaseClaims();
  c.display_name = std::string("Al\xFF", 3);
  EXPECT_EQ(MintToken(c, Secret()).error(), TokenError::kInvalidDisplayName);
}

TEST(Jwt, IssuerAndAudience) {
  Claims c = BaseClaims();
  c.issuer = "https://backend.example";
  c.audience = {"aegis"};
  std::string token = Mint(c);
  EXPECT_EQ(VerifyError(token), TokenError::kWrongAudience);  // aud present, we expect none
  EXPECT_TRUE(VerifyToken(token, Secret(), kNow, {.expected_audience = "aegis"}));
  EXPECT_EQ(VerifyError(token, kNow, {.expected_audience = "other"}), TokenError::kWrongAudience);
  EXPECT_TRUE(VerifyToken(token, Secret(), kNow,
                          {.expected_issuer = "https://backend.example", .expected_audience = "aegis"}));
  EXPECT_EQ(VerifyError(token, kNow, {.expected_issuer = "https://evil.example", .expected_audience = "aegis"}),
            TokenError::kWrongIssuer);
  // No aud in the token while one is expected; no iss while one is expected.
  EXPECT_EQ(VerifyError(Mint(), kNow, {.expected_audience = "aegis"}), TokenError::kWrongAudience);
  EXPECT_EQ(VerifyError(Mint(), kNow, {.expected_issuer = "x"}), TokenError::kWrongIssuer);
  // An array of audiences that includes ours.
  c.audience = {"media", "aegis"};
  auto claims = VerifyToken(Mint(c), Secret(), kNow, {.expected_audience = "aegis"});
  ASSERT_TRUE(claims);
  EXPECT_EQ(claims->audience, (std::vector<std::string>{"media", "aegis"}));
}

}  // namespace
}  // namespace aegis::auth
