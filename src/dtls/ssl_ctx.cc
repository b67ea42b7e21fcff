#include "dtls/ssl_ctx.h"

#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/x509.h>

#include <algorithm>
#include <cstring>
#include <string>

namespace aegis::dtls {
namespace {

// The suites docs/security.md names, in preference order (the server's
// order decides). Every WebRTC peer offers the first: RFC 8827 §6.5 makes it
// mandatory, Chromium and OpenSSL's defaults (aiortc) include it.
constexpr char kCiphers[] = "ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-ECDSA-AES256-GCM-SHA384";
constexpr char kGroups[] = "X25519:P-256";

SslHooks* HooksOf(const SSL* ssl) { return static_cast<SslHooks*>(SSL_get_app_data(ssl)); }

// ---- A datagram BIO over memory. OpenSSL 3.0 has no BIO_s_dgram_mem, and
// BIO_s_mem would merge datagrams; this one hands OpenSSL exactly one input
// datagram per read and passes each written record to the endpoint.

int BioWrite(BIO* bio, const char* data, int len) {
  BIO_clear_retry_flags(bio);
  auto* hooks = static_cast<SslHooks*>(BIO_get_data(bio));
  if (hooks == nullptr || len < 0) return -1;
  hooks->OnBioWrite({reinterpret_cast<const uint8_t*>(data), static_cast<size_t>(len)});
  return len;
}

int BioRead(BIO* bio, char* out, int len) {
  BIO_clear_retry_flags(bio);
  auto* hooks = static_cast<SslHooks*>(BIO_get_data(bio));
  if (hooks == nullptr || len <= 0) return -1;
  int n = hooks->OnBioRead({reinterpret_cast<uint8_t*>(out), static_cast<size_t>(len)});
  if (n < 0) BIO_set_retry_read(bio);
  return n;
}

long BioCtrl(BIO*, int cmd, long, void*) {
  switch (cmd) {
    case BIO_CTRL_FLUSH:
      return 1;
    case BIO_CTRL_DGRAM_QUERY_MTU:  // MTU is set explicitly (SSL_OP_NO_QUERY_MTU)
    case BIO_CTRL_DGRAM_GET_MTU_OVERHEAD:
    case BIO_CTRL_WPENDING:
    case BIO_CTRL_PENDING:
    default:
      return 0;
  }
}

int BioCreate(BIO* bio) {
  BIO_set_init(bio, 1);
  return 1;
}

int BioDestroy(BIO* bio) { return bio != nullptr ? 1 : 0; }

const BIO_METHOD* DatagramBioMethod() {
  static BIO_METHOD* method = [] {
    BIO_METHOD* m = BIO_meth_new(BIO_get_new_index() | BIO_TYPE_SOURCE_SINK, "aegis-dtls-datagram");
    if (m == nullptr) return m;
    BIO_meth_set_write(m, BioWrite);
    BIO_meth_set_read(m, BioRead);
    BIO_meth_set_ctrl(m, BioCtrl);
    BIO_meth_set_create(m, BioCreate);
    BIO_meth_set_destroy(m, BioDestroy);
    return m;
  }();
  return method;
}

// ---- Callbacks.

// Called with timer_us == 0 when OpenSSL starts the timer for a new flight,
// and with the previous value if its own timer ever expires (it does not:
// kOpenSslTimerMicros is an hour).
unsigned int TimerCallback(SSL* ssl, unsigned int timer_us) {
  if (timer_us == 0) {
    if (SslHooks* hooks = HooksOf(ssl)) hooks->OnFlightStarted();
  }
  return kOpenSslTimerMicros;
}

// Replaces X.509 path validation: a WebRTC certificate is self-signed and
// trusted only if it hashes to the peer's SDP fingerprint (RFC 8122 §5).
int VerifyCallback(X509_STORE_CTX* store, void*) {
  auto* ssl = static_cast<SSL*>(X509_STORE_CTX_get_ex_data(store, SSL_get_ex_data_X509_STORE_CTX_idx()));
  X509* leaf = X509_STORE_CTX_get0_cert(store);
  SslHooks* hooks = ssl != nullptr ? HooksOf(ssl) : nullptr;
  if (hooks == nullptr || leaf == nullptr || !hooks->OnVerifyPeer(leaf)) {
    X509_STORE_CTX_set_error(store, X509_V_ERR_CERT_REJECTED);
    return 0;
  }
  return 1;
}

void InfoCallback(const SSL* ssl, int where, int ret) {
  if ((where & SSL_CB_ALERT) == 0) return;
  if (SslHooks* hooks = HooksOf(ssl)) hooks->OnAlert((where & SSL_CB_READ) != 0, ret >> 8, ret & 0xff);
}

}  // namespace

std::shared_ptr<const DtlsContext> DtlsContext::Create(std::shared_ptr<const Certificate> certificate,
                                                       const ContextOptions& options) {
  if (!certificate || DatagramBioMethod() == nullptr) return nullptr;
  std::string profiles = OpenSslSrtpProfileList(options.srtp_profiles);
  if (profiles.empty()) return nullptr;

  SSL_CTX* ctx = SSL_CTX_new(DTLS_method());
  if (ctx == nullptr) return nullptr;
  auto result = std::shared_ptr<const DtlsContext>(new DtlsContext(ctx, std::move(certificate)));
  const Certificate& cert = result->certificate();

  SSL_CTX_set_options(ctx, SSL_OP_NO_RENEGOTIATION | SSL_OP_NO_COMPRESSION | SSL_OP_NO_TICKET |
                               SSL_OP_NO_QUERY_MTU | SSL_OP_CIPHER_SERVER_PREFERENCE);
  SSL_CTX_set_session_cache_mode(ctx, SSL_SESS_CACHE_OFF);
  SSL_CTX_set_security_level(ctx, 2);
  SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT, nullptr);
  SSL_CTX_set_cert_verify_callback(ctx, VerifyCallback, nullptr);
  SSL_CTX_set_info_callback(ctx, InfoCallback);
  bool ok = SSL_CTX_set_min_proto_version(ctx, DTLS1_2_VERSION) == 1 &&
            SSL_CTX_set_max_proto_version(ctx, DTLS1_2_VERSION) == 1 &&
            SSL_CTX_set_cipher_list(ctx, kCiphers) == 1 && SSL_CTX_set1_groups_list(ctx, kGroups) == 1 &&
            SSL_CTX_use_certificate(ctx, cert.x509()) == 1 &&
            SSL_CTX_use_PrivateKey(ctx, cert.private_key()) == 1 && SSL_CTX_check_private_key(ctx) == 1 &&
            // Note the inverted convention: 0 means success here.
            SSL_CTX_set_tlsext_use_srtp(ctx, profiles.c_str()) == 0;
  ERR_clear_error();
  return ok ? result : nullptr;
}

DtlsContext::DtlsContext(SSL_CTX* ctx, std::shared_ptr<const Certificate> certificate)
    : ctx_(ctx), certificate_(std::move(certificate)) {}

DtlsContext::~DtlsContext() { SSL_CTX_free(ctx_); }

SslPtr DtlsContext::NewSsl(SslHooks* hooks, bool client, size_t mtu) const {
  SslPtr ssl(SSL_new(ctx_));
  if (!ssl) return nullptr;
  BIO* bio = BIO_new(DatagramBioMethod());
  if (bio == nullptr) return nullptr;
  BIO_set_data(bio, hooks);
  SSL_set_bio(ssl.get(), bio, bio);  // one reference, owned by the SSL from here
  SSL_set_app_data(ssl.get(), hooks);
  DTLS_set_timer_cb(ssl.get(), TimerCallback);
  if (client) {
    SSL_set_connect_state(ssl.get());
  } else {
    SSL_set_accept_state(ssl.get());
  }
  if (SSL_set_mtu(ssl.get(), static_cast<long>(mtu)) <= 0) {
    ERR_clear_error();
    return nullptr;
  }
  return ssl;
}

}  // namespace aegis::dtls
