#include "dtls/certificate.h"

#include <openssl/evp.h>
#include <openssl/x509.h>

namespace aegis::dtls {
namespace {

struct X509Deleter {
  void operator()(X509* x) const { X509_free(x); }
};
struct PkeyDeleter {
  void operator()(EVP_PKEY* k) const { EVP_PKEY_free(k); }
};

}  // namespace

std::shared_ptr<const Certificate> Certificate::Generate(RandomSource& rng, std::chrono::sys_seconds now,
                                                         TimeDelta validity) {
  std::unique_ptr<EVP_PKEY, PkeyDeleter> key(EVP_EC_gen("P-256"));
  std::unique_ptr<X509, X509Deleter> x509(X509_new());
  if (!key || !x509) return nullptr;

  // A positive 63-bit serial: unique enough for a self-signed certificate
  // that nobody looks up, and never negative in DER.
  uint64_t serial = rng.U64() >> 1;
  const time_t not_before = static_cast<time_t>(now.time_since_epoch().count()) - 24 * 3600;
  const time_t not_after = static_cast<time_t>(now.time_since_epoch().count() + validity.us() / 1'000'000);

  X509_NAME* name = X509_get_subject_name(x509.get());
  static const unsigned char kCommonName[] = "aegis";
  bool ok = X509_set_version(x509.get(), 2) == 1 &&  // X.509 v3
            ASN1_INTEGER_set_uint64(X509_get_serialNumber(x509.get()), serial) == 1 &&
            X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, kCommonName, -1, -1, 0) == 1 &&
            X509_set_issuer_name(x509.get(), name) == 1 &&
            ASN1_TIME_set(X509_getm_notBefore(x509.get()), not_before) != nullptr &&
            ASN1_TIME_set(X509_getm_notAfter(x509.get()), not_after) != nullptr &&
            X509_set_pubkey(x509.get(), key.get()) == 1 &&
            X509_sign(x509.get(), key.get(), EVP_sha256()) > 0;
  if (!ok) return nullptr;

  int len = i2d_X509(x509.get(), nullptr);
  if (len <= 0) return nullptr;
  std::vector<uint8_t> der(static_cast<size_t>(len));
  unsigned char* p = der.data();
  if (i2d_X509(x509.get(), &p) != len) return nullptr;
  auto fp = Fingerprint::Of(crypto::HashAlgorithm::kSha256, der);
  if (!fp) return nullptr;
  return std::shared_ptr<const Certificate>(
      new Certificate(x509.release(), key.release(), std::move(der), std::move(*fp)));
}

Certificate::Certificate(X509* x509, EVP_PKEY* key, std::vector<uint8_t> der, Fingerprint fp)
    : x509_(x509), key_(key), der_(std::move(der)), fingerprint_(std::move(fp)) {}

Certificate::~Certificate() {
  X509_free(x509_);
  EVP_PKEY_free(key_);  // OpenSSL clears the private scalar when freeing
}

}  // namespace aegis::dtls
