// Checks the generated certificate's X.509 fields with OpenSSL's parser.
#include "dtls/certificate.h"

#include <gtest/gtest.h>
#include <openssl/evp.h>
#include <openssl/x509.h>

#include "dtls/dtls_test_util.h"

namespace aegis::dtls {
namespace {

struct X509Free {
  void operator()(X509* x) const { X509_free(x); }
};

TEST(Certificate, FieldsAreWhatWebRtcExpects) {
  SeededRandom rng(5);
  auto cert = Certificate::Generate(rng, testing::kWallNow, TimeDelta::Seconds(30 * 24 * 3600));
  ASSERT_TRUE(cert);
  const unsigned char* p = cert->der().data();
  std::unique_ptr<X509, X509Free> x(d2i_X509(nullptr, &p, static_cast<long>(cert->der().size())));
  ASSERT_TRUE(x);
  EXPECT_EQ(p, cert->der().data() + cert->der().size());  // DER is exactly one certificate

  // ECDSA over P-256, signed with SHA-256, self-signed.
  EVP_PKEY* key = X509_get0_pubkey(x.get());
  ASSERT_TRUE(key);
  EXPECT_TRUE(EVP_PKEY_is_a(key, "EC"));
  char group[32] = {};
  size_t len = 0;
  ASSERT_EQ(EVP_PKEY_get_utf8_string_param(key, "group", group, sizeof(group), &len), 1);
  EXPECT_STREQ(group, "prime256v1");
  EXPECT_EQ(X509_get_signature_nid(x.get()), NID_ecdsa_with_SHA256);
  EXPECT_EQ(X509_verify(x.get(), key), 1);
  EXPECT_EQ(X509_NAME_cmp(X509_get_subject_name(x.get()), X509_get_issuer_name(x.get())), 0);
  EXPECT_EQ(X509_get_version(x.get()), 2);

  // Validity: from a day before `now` to 30 days after it.
  const time_t now = static_cast<time_t>(testing::kWallNow.time_since_epoch().count());
  time_t just_before = now - 24 * 3600 - 1, just_after = now + 30 * 24 * 3600 + 1;
  time_t day_before = now - 24 * 3600, day30 = now + 30 * 24 * 3600;
  EXPECT_EQ(X509_cmp_time(X509_get0_notBefore(x.get()), &just_before), 1);
  EXPECT_EQ(X509_cmp_time(X509_get0_notBefore(x.get()), &day_before), -1);  // equal counts as "not after"
  EXPECT_EQ(X509_cmp_time(X509_get0_notAfter(x.get()), &just_after), -1);
  EXPECT_EQ(X509_cmp_time(X509_get0_notAfter(x.get()), &day30), -1);

  // The serial is positive and comes from the injected randomness.
  const ASN1_INTEGER* serial = X509_get0_serialNumber(x.get());
  uint64_t value = 0;
  ASSERT_EQ(ASN1_INTEGER_get_uint64(&value, serial), 1);
  SeededRandom again(5);
  EXPECT_EQ(value, again.U64() >> 1);
}

}  // namespace
}  // namespace aegis::dtls
