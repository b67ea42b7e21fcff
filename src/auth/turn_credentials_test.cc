#include "auth/turn_credentials.h"

#include <gtest/gtest.h>

#include "auth/base64url.h"

namespace aegis::auth {
namespace {

// Expected passwords computed independently with OpenSSL's command line:
//   echo -n "1700003600:alice" | openssl dgst -sha1 -hmac "north-wind-turn-secret" -binary | base64
TEST(TurnCredentials, UsernameIsExpiryAndUserPasswordIsTheHmacInBase64) {
  const TurnCredential a = MintTurnCredential("north-wind-turn-secret", "alice", 1'700'003'600);
  EXPECT_EQ(a.username, "1700003600:alice");
  EXPECT_EQ(a.password, "3TutR4J7lasX2Lh//gsncvDQ3RM=");
  const TurnCredential b = MintTurnCredential("north-wind-turn-secret", "identity-1", 1'700'007'200);
  EXPECT_EQ(b.username, "1700007200:identity-1");
  EXPECT_EQ(b.password, "D24TA+jJq7dsUnn3dv+Zfyw8agg=");
  // Another secret or another expiry: another password.
  EXPECT_NE(MintTurnCredential("another-secret", "alice", 1'700'003'600).password, a.password);
  EXPECT_NE(MintTurnCredential("north-wind-turn-secret", "alice", 1'700'003'601).password, a.password);
}

// RFC 4648 §10 test vectors, standard alphabet with padding.
TEST(Base64, StandardAlphabetWithPadding) {
  auto enc = [](std::string_view s) { return Base64Encode({reinterpret_cast<const uint8_t*>(s.data()), s.size()}); };
  EXPECT_EQ(enc(""), "");
  EXPECT_EQ(enc("f"), "Zg==");
  EXPECT_EQ(enc("fo"), "Zm8=");
  EXPECT_EQ(enc("foo"), "Zm9v");
  EXPECT_EQ(enc("foob"), "Zm9vYg==");
  EXPECT_EQ(enc("fooba"), "Zm9vYmE=");
  EXPECT_EQ(enc("foobar"), "Zm9vYmFy");
  const uint8_t high[] = {0xfb, 0xff};
  EXPECT_EQ(Base64Encode(high), "+/8=");
  EXPECT_EQ(Base64UrlEncode(high), "-_8");  // the url alphabet, unpadded, unchanged
}

}  // namespace
}  // namespace aegis::auth
