#include "auth/claims.h"

#include <gtest/gtest.h>

#include "auth/base64url.h"
#include "auth/test_token.h"

namespace aegis::auth {
namespace {

using testing::AsBytes;

Claims Valid() {
  Claims c;
  c.identity = "alice";
  c.room = "standup";
  c.not_before = 100;
  c.expires_at = 200;
  return c;
}

TokenError ValidateError(const Claims& c) {
  auto r = ValidateClaims(c);
  EXPECT_FALSE(r);
  return r ? TokenError::kWeakSecret : r.error();
}

Result<Claims, TokenError> Parse(std::string_view json) { return ParseClaims(AsBytes(json)); }

TokenError ParseError(std::string_view json) {
  auto r = Parse(json);
  EXPECT_FALSE(r) << json;
  return r ? TokenError::kWeakSecret : r.error();
}

TEST(Claims, RoomCharacterSetAndLength) {
  Claims c = Valid();
  for (const std::string& room : std::vector<std::string>{"a", "Room_1-b", std::string(64, 'z'), std::string("0123456789")}) {
    c.room = room;
    EXPECT_TRUE(ValidateClaims(c)) << room;
  }
  for (const std::string& room : std::vector<std::string>{std::string(), std::string(65, 'z'), std::string("a b"), std::string("a/b"),
                           std::string("a.b"), std::string("../x"), std::string("a%20"), std::string("r\xC3\xA9"),
                           std::string("a\0b", 3), std::string("<x>")}) {
    c.room = room;
    EXPECT_EQ(ValidateError(c), TokenError::kInvalidRoom) << room;
  }
}

TEST(Claims, IdentityCharacterSetAndLength) {
  Claims c = Valid();
  for (const std::string& id : std::vector<std::string>{"u", "ada@example.org", "auth0|5f3a", "user:42+test", "a.b-c_d", std::string(128, 'i')}) {
    c.identity = id;
    EXPECT_TRUE(ValidateClaims(c)) << id;
  }
  for (const std::string& id : std::vector<std::string>{std::string(), std::string(129, 'i'), std::string("a b"), std::string("<script>"),
                         std::string("a\"b"), std::string("a/b"), std::string("a&b"), std::string("a\nb"),
                         std::string("\xC3\xA9")}) {
    c.identity = id;
    EXPECT_EQ(ValidateError(c), TokenError::kInvalidIdentity) << id;
  }
}

TEST(Claims, DisplayName) {
  Claims c = Valid();
  // UTF-8 text up to 64 bytes: "Zoë" and an emoji are fine.
  for (const std::string& name : std::vector<std::string>{"Ada", "Zo\xC3\xAB \xF0\x9F\x8E\xA5", std::string(64, 'n'), std::string("<b>x</b>")}) {
    c.display_name = name;
    EXPECT_TRUE(ValidateClaims(c)) << name;
  }
  for (const std::string& name : std::vector<std::string>{
           std::string(), std::string(65, 'n'),
           std::string("a\nb"), std::string("a\0b", 3), std::string("a\x7F"), std::string("tab\t"),
           std::string("c1\xC2\x85"),                      // U+0085 NEL, a C1 control
           std::string("\xFF"), std::string("\xC3"),       // not UTF-8 / truncated
           std::string("\xC0\xAF"),                        // overlong '/'
           std::string("\xED\xA0\x80"),                    // UTF-16 surrogate
           std::string("\xF4\x90\x80\x80"),                // above U+10FFFF
       }) {
    c.display_name = name;
    EXPECT_EQ(ValidateError(c), TokenError::kInvalidDisplayName) << name;
  }
  // 64 bytes of multi-byte text is the limit in bytes, not characters.
  std::string e_acute;
  for (int i = 0; i < 32; ++i) e_acute += "\xC3\xA9";
  c.display_name = e_acute;
  EXPECT_TRUE(ValidateClaims(c));
  c.display_name = e_acute + "e";
  EXPECT_EQ(ValidateError(c), TokenError::kInvalidDisplayName);
}

TEST(Claims, TimesAndIds) {
  Claims c = Valid();
  c.expires_at = c.not_before;
  EXPECT_EQ(ValidateError(c), TokenError::kInvalidLifetime);
  c = Valid();
  c.not_before = -1;
  EXPECT_EQ(ValidateError(c), TokenError::kBadClaimType);
  c = Valid();
  c.expires_at = kMaxNumericDate + 1;
  EXPECT_EQ(ValidateError(c), TokenError::kBadClaimType);
  c = Valid();
  c.issued_at = -5;
  EXPECT_EQ(ValidateError(c), TokenError::kBadClaimType);
  c = Valid();
  c.token_id = "";
  EXPECT_EQ(ValidateError(c), TokenError::kInvalidTokenId);
  c.token_id = "has space";
  EXPECT_EQ(ValidateError(c), TokenError::kInvalidTokenId);
  c.token_id = std::string(129, 'j');
  EXPECT_EQ(ValidateError(c), TokenError::kInvalidTokenId);
  c = Valid();
  c.issuer = "https://idp.example/\x01";
  EXPECT_EQ(ValidateError(c), TokenError::kInvalidIssuer);
  c = Valid();
  c.audience = std::vector<std::string>(9, "aud");
  EXPECT_EQ(ValidateError(c), TokenError::kInvalidAudience);
  c.audience = {"ok", ""};
  EXPECT_EQ(ValidateError(c), TokenError::kInvalidAudience);
}

TEST(Claims, ParseReadsEveryClaim) {
  auto c = Parse(R"({"sub":"ada","room":"r1","grants":{"publish":true,"subscribe":false,"room_admin":true,"record":true},
                     "name":"Ada L.","nbf":10,"exp":20,"iat":10,"jti":"t-1","iss":"idp","aud":["x","y"],"other":[null]})");
  ASSERT_TRUE(c) << ToString(c.error());
  EXPECT_EQ(c->identity, "ada");
  EXPECT_EQ(c->room, "r1");
  EXPECT_EQ(c->grants, (Grants{.publish = true, .subscribe = false, .room_admin = true}));
  EXPECT_EQ(c->display_name, "Ada L.");
  EXPECT_EQ(c->not_before, 10);
  EXPECT_EQ(c->expires_at, 20);
  EXPECT_EQ(c->issued_at, 10);
  EXPECT_EQ(c->token_id, "t-1");
  EXPECT_EQ(c->issuer, "idp");
  EXPECT_EQ(c->audience, (std::vector<std::string>{"x", "y"}));
  // Serialize -> parse gives the same claims.
  auto text = SerializeClaims(*c);
  ASSERT_TRUE(text);
  auto again = Parse(*text);
  ASSERT_TRUE(again);
  EXPECT_EQ(*again, *c);
}

TEST(Claims, ParseRefusesMissingAndMistypedClaims) {
  EXPECT_EQ(ParseError(R"({"room":"r","grants":{},"nbf":1,"exp":2})"), TokenError::kMissingClaim);
  EXPECT_EQ(ParseError(R"({"sub":"a","grants":{},"nbf":1,"exp":2})"), TokenError::kMissingClaim);
  EXPECT_EQ(ParseError(R"({"sub":"a","room":"r","nbf":1,"exp":2})"), TokenError::kMissingClaim);
  EXPECT_EQ(ParseError(R"({"sub":1,"room":"r","grants":{},"nbf":1,"exp":2})"), TokenError::kBadClaimType);
  EXPECT_EQ(ParseError(R"({"sub":"a","room":["r"],"grants":{},"nbf":1,"exp":2})"), TokenError::kBadClaimType);
  EXPECT_EQ(ParseError(R"({"sub":"a","room":"r","grants":[],"nbf":1,"exp":2})"), TokenError::kBadClaimType);
  EXPECT_EQ(ParseError(R"({"sub":"a","room":"r","grants":{"publish":1},"nbf":1,"exp":2})"),
            TokenError::kBadClaimType);
  EXPECT_EQ(ParseError(R"({"sub":"a","room":"r","grants":{"publish":"true"},"nbf":1,"exp":2})"),
            TokenError::kBadClaimType);
  EXPECT_EQ(ParseError(R"({"sub":"a","room":"r","grants":{},"nbf":1,"exp":2,"name":null})"),
            TokenError::kBadClaimType);
  EXPECT_EQ(ParseError(R"({"sub":"a","room":"r","grants":{},"nbf":1,"exp":2,"aud":7})"),
            TokenError::kBadClaimType);
  EXPECT_EQ(ParseError(R"({"sub":"a","room":"r","grants":{},"nbf":1,"exp":2,"aud":["a",7]})"),
            TokenError::kBadClaimType);
  EXPECT_EQ(ParseError(R"({"sub":"a","room":"r","grants":{},"nbf":1,"exp":2,"aud":[]})"),
            TokenError::kInvalidAudience);
  EXPECT_EQ(ParseError(R"({"sub":"a","room":"r r","grants":{},"nbf":1,"exp":2})"), TokenError::kInvalidRoom);
  EXPECT_EQ(ParseError(R"({"sub":"a","room":"r","grants":{},"nbf":1,"exp":2,"name":"a\u0000b"})"),
            TokenError::kInvalidDisplayName);
  EXPECT_EQ(ParseError(R"({"sub":"a","room":"r","grants":{},"nbf":1,"exp":2,"name":"\u0085"})"),
            TokenError::kInvalidDisplayName);
  // Escaped non-ASCII is decoded and checked as UTF-8 text: "\u00e9" is é.
  auto escaped = Parse(R"({"sub":"a","room":"r","grants":{},"nbf":1,"exp":2,"name":"\u00e9"})");
  ASSERT_TRUE(escaped);
  EXPECT_EQ(escaped->display_name, "\xC3\xA9");
}

TEST(Claims, SerializeIsCompactAndSorted) {
  Claims c = Valid();
  c.display_name = "Zo\xC3\xAB \"Z\"";
  c.audience = {"aegis"};
  auto text = SerializeClaims(c);
  ASSERT_TRUE(text);
  EXPECT_EQ(*text,
            R"({"aud":"aegis","exp":200,"grants":{"publish":false,"room_admin":false,"subscribe":false},)"
            "\"name\":\"Zo\xC3\xAB \\\"Z\\\"\",\"nbf\":100,\"room\":\"standup\",\"sub\":\"alice\"}");
  c.room = "";
  EXPECT_EQ(SerializeClaims(c).error(), TokenError::kInvalidRoom);
}

TEST(Claims, NewTokenIdIs128RandomBits) {
  SeededRandom random(42);
  std::string a = NewTokenId(random);
  std::string b = NewTokenId(random);
  EXPECT_EQ(a.size(), 22u);
  EXPECT_NE(a, b);
  auto bytes = Base64UrlDecode(a);
  ASSERT_TRUE(bytes);
  EXPECT_EQ(bytes->size(), 16u);
  Claims c = Valid();
  c.token_id = a;
  EXPECT_TRUE(ValidateClaims(c));
}

}  // namespace
}  // namespace aegis::auth
