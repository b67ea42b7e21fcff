// OpenSSL glue: one SSL_CTX per certificate with Aegis' DTLS policy, and the
// plumbing that routes OpenSSL's callbacks (datagram BIO, handshake timer,
// certificate check, alerts) to the endpoint that owns each SSL.
//
// Policy (docs/security.md, RFC 8827 §6.5): DTLS 1.2 only; ECDHE-ECDSA with
// AES-128-GCM (required) or AES-256-GCM, nothing else; X25519 or P-256;
// no renegotiation, compression, tickets or session cache; the peer must
// present a certificate, trusted only through its SDP fingerprint.
#pragma once

#include <openssl/ssl.h>

#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <vector>

#include "dtls/certificate.h"
#include "dtls/srtp_profiles.h"

namespace aegis::dtls {

// What OpenSSL calls back into, implemented by DtlsEndpoint.
class SslHooks {
 public:
  virtual ~SslHooks() = default;
  // The BIO's read side: copies the pending datagram into `out` and returns
  // its size, or -1 when there is none (OpenSSL then wants more input).
  virtual int OnBioRead(std::span<uint8_t> out) = 0;
  // The BIO's write side: one DTLS record.
  virtual void OnBioWrite(std::span<const uint8_t> record) = 0;
  // OpenSSL started its retransmission timer for a new flight.
  virtual void OnFlightStarted() = 0;
  // The peer's end-entity certificate; false rejects it (handshake fails).
  virtual bool OnVerifyPeer(X509* leaf) = 0;
  // A TLS alert was received (`received`) or sent.
  virtual void OnAlert(bool received, int level, int description) = 0;
};

struct SslDeleter {
  void operator()(SSL* ssl) const { SSL_free(ssl); }
};
using SslPtr = std::unique_ptr<SSL, SslDeleter>;

struct ContextOptions {
  // Offered (client) or accepted (server) in this preference order.
  std::vector<SrtpProfile> srtp_profiles{DefaultSrtpProfiles().begin(), DefaultSrtpProfiles().end()};
};

class DtlsContext {
 public:
  // nullptr if `certificate` is null or OpenSSL refuses the policy.
  static std::shared_ptr<const DtlsContext> Create(std::shared_ptr<const Certificate> certificate,
                                                   const ContextOptions& options = {});
  ~DtlsContext();
  DtlsContext(const DtlsContext&) = delete;
  DtlsContext& operator=(const DtlsContext&) = delete;

  // A new SSL in client or server mode whose callbacks go to `hooks`, sending
  // datagrams of at most `mtu` bytes. nullptr on failure.
  SslPtr NewSsl(SslHooks* hooks, bool client, size_t mtu) const;

  const Certificate& certificate() const { return *certificate_; }

 private:
  DtlsContext(SSL_CTX* ctx, std::shared_ptr<const Certificate> certificate);

  SSL_CTX* ctx_;
  std::shared_ptr<const Certificate> certificate_;
};

// OpenSSL's own timer is set this long so that it never fires by itself
// (see the comment on retransmission in dtls_endpoint.cc).
constexpr unsigned int kOpenSslTimerMicros = 3'600'000'000u;

}  // namespace aegis::dtls
