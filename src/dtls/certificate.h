// The process's DTLS identity: an ECDSA P-256 key and a self-signed X.509
// certificate (RFC 8827 §6.5: ECDSA P-256 is the one every browser accepts).
// Peers do not check it against a CA; they pin its fingerprint from the SDP.
//
// Generated per process and rotatable: Generate() makes a fresh one; endpoints
// hold a shared_ptr, so connections made with the old one keep it alive until
// they end while new connections get the new one.
#pragma once

#include <openssl/types.h>

#include <chrono>
#include <cstdint>
#include <memory>
#include <span>
#include <vector>

#include "base/random.h"
#include "base/time.h"
#include "dtls/fingerprint.h"

namespace aegis::dtls {

class Certificate {
 public:
  static constexpr TimeDelta kDefaultValidity = TimeDelta::Seconds(30 * 24 * 3600);

  // `now` is wall-clock time (the certificate's notBefore is one day earlier
  // to tolerate a peer's clock skew); `rng` supplies the serial number.
  // The key itself comes from OpenSSL's CSPRNG. nullptr only if OpenSSL fails.
  static std::shared_ptr<const Certificate> Generate(RandomSource& rng, std::chrono::sys_seconds now,
                                                     TimeDelta validity = kDefaultValidity);
  ~Certificate();
  Certificate(const Certificate&) = delete;
  Certificate& operator=(const Certificate&) = delete;

  // The SHA-256 fingerprint to put into our SDP.
  const Fingerprint& fingerprint() const { return fingerprint_; }
  std::span<const uint8_t> der() const { return der_; }

  // For the OpenSSL glue only.
  X509* x509() const { return x509_; }
  EVP_PKEY* private_key() const { return key_; }

 private:
  Certificate(X509* x509, EVP_PKEY* key, std::vector<uint8_t> der, Fingerprint fp);

  X509* x509_;
  EVP_PKEY* key_;
  std::vector<uint8_t> der_;
  Fingerprint fingerprint_;
};

}  // namespace aegis::dtls
