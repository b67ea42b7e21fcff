#include "dtls/fingerprint.h"

#include <gtest/gtest.h>

#include "base/hex.h"
#include "dtls/dtls_test_util.h"

namespace aegis::dtls {
namespace {

// SHA-256 of the three bytes "abc" (FIPS 180-2 example), standing in for a
// DER certificate.
constexpr char kAbcSha256[] =
    "sha-256 BA:78:16:BF:8F:01:CF:EA:41:41:40:DE:5D:AE:22:23:B0:03:61:A3:96:17:7A:9C:B4:10:FF:61:F2:00:15:AD";
const uint8_t kAbc[] = {'a', 'b', 'c'};

TEST(Fingerprint, ParsesAndRoundTripsSha256) {
  auto fp = Fingerprint::Parse(kAbcSha256);
  ASSERT_TRUE(fp);
  EXPECT_EQ(fp->algorithm(), crypto::HashAlgorithm::kSha256);
  EXPECT_EQ(ToHex(fp->digest()), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  EXPECT_EQ(fp->ToSdpString(), kAbcSha256);
  EXPECT_TRUE(fp->Matches(kAbc));
  const uint8_t abd[] = {'a', 'b', 'd'};
  EXPECT_FALSE(fp->Matches(abd));
}

TEST(Fingerprint, AcceptsLowerCaseHexAndHashName) {
  std::string lower = "SHA-256 ba:78:16:bf:8f:01:cf:ea:41:41:40:de:5d:ae:22:23:b0:03:61:a3:96:17:7a:9c:b4:10:ff:61:f2:00:15:ad";
  auto fp = Fingerprint::Parse(lower);
  ASSERT_TRUE(fp);
  EXPECT_EQ(*fp, *Fingerprint::Parse(kAbcSha256));
}

TEST(Fingerprint, Sha384AndSha512) {
  for (auto alg : {crypto::HashAlgorithm::kSha384, crypto::HashAlgorithm::kSha512}) {
    auto fp = Fingerprint::Of(alg, kAbc);
    ASSERT_TRUE(fp);
    std::string text = fp->ToSdpString();
    EXPECT_EQ(text.substr(0, 8), alg == crypto::HashAlgorithm::kSha384 ? "sha-384 " : "sha-512 ");
    auto parsed = Fingerprint::Parse(text);
    ASSERT_TRUE(parsed);
    EXPECT_EQ(*parsed, *fp);
    EXPECT_TRUE(parsed->Matches(kAbc));
  }
}

TEST(Fingerprint, RejectsMalformedAndWeak) {
  std::string good = kAbcSha256;
  std::string hex = good.substr(8);
  const std::vector<std::string> bad = {
      "",
      "sha-256",
      "sha-256 ",
      hex,                                      // no hash name
      "sha-1 " + hex.substr(0, 59),             // sha-1 is refused
      "md5 " + hex.substr(0, 47),               // md5 is refused
      "sha-384 " + hex,                         // wrong length for the hash
      "sha-256 " + hex.substr(0, hex.size() - 3),  // one byte short
      good + ":00",                             // one byte long
      good + ":",                               // trailing colon
      "sha-256  " + hex,                        // two spaces
      "sha-256 " + hex + " ",                   // trailing space
      "sha-256 B:A78" + hex.substr(5),          // misplaced colon
      "sha-256 GA" + hex.substr(2),             // not hex
      "sha-256 " + std::string(hex).replace(2, 1, "-"),  // wrong separator
      "sha-256 " + std::string(300, 'A'),       // overlong
  };
  for (const auto& s : bad) EXPECT_FALSE(Fingerprint::Parse(s)) << s;
}

TEST(Fingerprint, EmptyMatchesNothing) {
  Fingerprint empty;
  EXPECT_TRUE(empty.empty());
  EXPECT_FALSE(empty.Matches(kAbc));
  EXPECT_FALSE(empty.Matches({}));
}

TEST(Certificate, IsSelfSignedEcdsaP256WithMatchingFingerprint) {
  auto cert = testing::NewCertificate(7);
  ASSERT_TRUE(cert);
  EXPECT_EQ(cert->fingerprint().algorithm(), crypto::HashAlgorithm::kSha256);
  EXPECT_TRUE(cert->fingerprint().Matches(cert->der()));
  auto reparsed = Fingerprint::Parse(cert->fingerprint().ToSdpString());
  ASSERT_TRUE(reparsed);
  EXPECT_EQ(*reparsed, cert->fingerprint());
}

TEST(Certificate, RotationGivesANewIdentity) {
  auto a = testing::NewCertificate(7);
  auto b = testing::NewCertificate(7);  // same serial, fresh key
  ASSERT_TRUE(a && b);
  EXPECT_NE(a->fingerprint(), b->fingerprint());
  EXPECT_FALSE(a->fingerprint().Matches(b->der()));
}

}  // namespace
}  // namespace aegis::dtls
