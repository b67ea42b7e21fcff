// Our server against a client written directly on OpenSSL (not through
// DtlsEndpoint): checks the RFC 5764 key layout independently, and the
// failures a differently configured peer must cause.
#include <gtest/gtest.h>
#include <openssl/err.h>
#include <openssl/ssl.h>

#include <utility>

#include "dtls/dtls_record.h"
#include "dtls/dtls_test_util.h"

namespace aegis::dtls {
namespace {

using namespace testing;

struct RawClientOptions {
  const Certificate* certificate = nullptr;
  const char* srtp_profiles = "SRTP_AES128_CM_SHA1_80";  // nullptr: no use_srtp
  const char* ciphers = "ECDHE-ECDSA-AES128-GCM-SHA256";
  int max_version = DTLS1_2_VERSION;
  long mtu = 1200;  // a small one fragments the ClientHello over several records
};

class RawClient {
 public:
  explicit RawClient(const RawClientOptions& o) {
    ctx_ = SSL_CTX_new(DTLS_client_method());
    SSL_CTX_set_verify(ctx_, SSL_VERIFY_NONE, nullptr);
    SSL_CTX_set_max_proto_version(ctx_, o.max_version);
    SSL_CTX_set_security_level(ctx_, 0);
    SSL_CTX_set_cipher_list(ctx_, o.ciphers);
    if (o.srtp_profiles) SSL_CTX_set_tlsext_use_srtp(ctx_, o.srtp_profiles);
    if (o.certificate) {
      SSL_CTX_use_certificate(ctx_, o.certificate->x509());
      SSL_CTX_use_PrivateKey(ctx_, o.certificate->private_key());
    }
    ssl_ = SSL_new(ctx_);
    rbio_ = BIO_new(BIO_s_mem());
    wbio_ = BIO_new(BIO_s_mem());
    BIO_set_mem_eof_return(rbio_, -1);
    SSL_set_bio(ssl_, rbio_, wbio_);
    SSL_set_options(ssl_, SSL_OP_NO_QUERY_MTU);
    SSL_set_mtu(ssl_, o.mtu);
    SSL_set_connect_state(ssl_);
  }
  ~RawClient() {
    SSL_free(ssl_);
    SSL_CTX_free(ctx_);
    ERR_clear_error();
  }

  void Feed(const std::vector<uint8_t>& datagram) {
    BIO_write(rbio_, datagram.data(), static_cast<int>(datagram.size()));
    Step();
  }
  void Step() {
    ERR_clear_error();
    int r = SSL_do_handshake(ssl_);
    if (r == 1) done = true;
    if (r <= 0) {
      int e = SSL_get_error(ssl_, r);
      if (e != SSL_ERROR_WANT_READ && e != SSL_ERROR_WANT_WRITE) failed = true;
    }
  }
  // What OpenSSL wrote, split at record boundaries into datagrams.
  std::vector<std::vector<uint8_t>> Drain() {
    std::vector<uint8_t> all(static_cast<size_t>(BIO_ctrl_pending(wbio_)));
    if (!all.empty()) BIO_read(wbio_, all.data(), static_cast<int>(all.size()));
    std::vector<std::vector<uint8_t>> out;
    ByteReader r(all);
    while (!r.empty()) {
      size_t start = r.position();
      auto h = DtlsRecordHeader::Parse(r);
      if (!h || !r.Skip(h->length)) break;
      out.emplace_back(all.begin() + static_cast<long>(start), all.begin() + static_cast<long>(r.position()));
    }
    return out;
  }

  SSL* ssl() { return ssl_; }
  bool done = false;
  bool failed = false;

 private:
  SSL_CTX* ctx_;
  SSL* ssl_;
  BIO* rbio_;
  BIO* wbio_;
};

// Runs the raw client against our server until neither has anything to say.
std::vector<DtlsEvent> RunPair(RawClient& client, DtlsEndpoint& server) {
  FakeClock clock;
  server.Start(clock.Now());
  client.Step();
  std::vector<DtlsEvent> events;
  for (int round = 0; round < 20; ++round) {
    bool moved = false;
    for (auto& d : client.Drain()) {
      server.HandleInput(d, clock.Now());
      moved = true;
    }
    while (auto d = server.PollTransmit()) {
      client.Feed(*d);
      moved = true;
    }
    while (auto e = server.PollEvent()) events.push_back(std::move(*e));
    if (!moved) break;
  }
  return events;
}

std::unique_ptr<DtlsEndpoint> Server() {
  return Endpoint(Context(ServerCertificate()), DtlsRole::kServer, ClientCertificate()->fingerprint());
}

TEST(RawOpenSslPeer, KeyLayoutMatchesRfc5764) {
  RawClient client({.certificate = ClientCertificate().get()});
  auto server = Server();
  auto events = RunPair(client, *server);
  ASSERT_TRUE(client.done);
  auto* connected = Find<ConnectedEvent>(events);
  ASSERT_TRUE(connected);
  EXPECT_EQ(connected->profile, SrtpProfile::kAes128CmHmacSha1_80);
  const SRTP_PROTECTION_PROFILE* p = SSL_get_selected_srtp_profile(client.ssl());
  ASSERT_TRUE(p);
  EXPECT_EQ(p->id, 0x0001u);

  // client key(16) | server key(16) | client salt(14) | server salt(14)
  std::vector<uint8_t> material(60);
  static constexpr char kLabel[] = "EXTRACTOR-dtls_srtp";
  ASSERT_EQ(SSL_export_keying_material(client.ssl(), material.data(), material.size(), kLabel,
                                       sizeof(kLabel) - 1, nullptr, 0, 0),
            1);
  std::vector<uint8_t> ours;
  for (const auto* part : {&connected->keys.client_write_key, &connected->keys.server_write_key,
                           &connected->keys.client_write_salt, &connected->keys.server_write_salt}) {
    ours.insert(ours.end(), part->view().begin(), part->view().end());
  }
  EXPECT_EQ(ours, material);
}

// A client whose path MTU is small (GStreamer's webrtcbin asks OpenSSL for
// 0 and gets its minimum) sends its ClientHello in fragments, one record a
// datagram (RFC 6347 §4.2.3): the server must take them all, not treat the
// second as a repeated ClientHello.
TEST(RawOpenSslPeer, FragmentedClientHelloIsAccepted) {
  RawClient client({.certificate = ClientCertificate().get(), .ciphers = "ALL", .mtu = 256});
  client.Step();
  const auto first_flight = client.Drain();
  ASSERT_GE(first_flight.size(), 2u) << "the ClientHello was not fragmented";
  auto server = Server();
  FakeClock clock;
  server->Start(clock.Now());
  for (const auto& d : first_flight) server->HandleInput(d, clock.Now());
  std::vector<DtlsEvent> events;
  for (int round = 0; round < 20; ++round) {
    bool moved = false;
    while (auto d = server->PollTransmit()) {
      client.Feed(*d);
      moved = true;
    }
    for (auto& d : client.Drain()) {
      server->HandleInput(d, clock.Now());
      moved = true;
    }
    while (auto e = server->PollEvent()) events.push_back(std::move(*e));
    if (!moved) break;
  }
  EXPECT_EQ(server->stats().dropped_repeated_client_hello, 0u);
  EXPECT_TRUE(client.done);
  EXPECT_TRUE(Find<ConnectedEvent>(events));
}

FailureReason ServerFailure(const RawClientOptions& options) {
  RawClient client(options);
  auto server = Server();
  auto events = RunPair(client, *server);
  EXPECT_FALSE(client.done && Find<ConnectedEvent>(events));
  EXPECT_EQ(Count<ConnectedEvent>(events), 0);
  auto* failed = Find<FailedEvent>(events);
  EXPECT_TRUE(failed);
  return failed ? failed->reason : FailureReason::kTimeout;
}

TEST(RawOpenSslPeer, ClientWithoutCertificate) {
  EXPECT_EQ(ServerFailure({}), FailureReason::kNoCertificate);
}

TEST(RawOpenSslPeer, ClientWithoutUseSrtp) {
  EXPECT_EQ(ServerFailure({.certificate = ClientCertificate().get(), .srtp_profiles = nullptr}),
            FailureReason::kNoSrtpProfile);
}

TEST(RawOpenSslPeer, ClientOfferingOnlyA32BitTagProfile) {
  EXPECT_EQ(ServerFailure({.certificate = ClientCertificate().get(), .srtp_profiles = "SRTP_AES128_CM_SHA1_32"}),
            FailureReason::kNoSrtpProfile);
}

TEST(RawOpenSslPeer, ClientWithOnlyRsaCipherSuites) {
  EXPECT_EQ(ServerFailure({.certificate = ClientCertificate().get(), .ciphers = "ECDHE-RSA-AES128-GCM-SHA256"}),
            FailureReason::kProtocolError);
}

// docs/security.md promises ECDHE-ECDSA with AES-GCM and nothing else: a
// client offering only ChaCha20-Poly1305 (an AEAD OpenSSL would happily
// negotiate) is refused.
TEST(RawOpenSslPeer, ClientWithOnlyChaCha20IsRefused) {
  EXPECT_EQ(ServerFailure({.certificate = ClientCertificate().get(), .ciphers = "ECDHE-ECDSA-CHACHA20-POLY1305"}),
            FailureReason::kProtocolError);
}

// Each suite the policy names is accepted, and a client preferring
// ChaCha20 still ends on AES-GCM.
TEST(RawOpenSslPeer, OnlyTheEcdheEcdsaAesGcmSuitesAreNegotiated) {
  const std::pair<const char*, const char*> cases[] = {
      {"ECDHE-ECDSA-AES128-GCM-SHA256", "ECDHE-ECDSA-AES128-GCM-SHA256"},
      {"ECDHE-ECDSA-AES256-GCM-SHA384", "ECDHE-ECDSA-AES256-GCM-SHA384"},
      {"ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-ECDSA-AES256-GCM-SHA384", "ECDHE-ECDSA-AES256-GCM-SHA384"},
      // What aiortc (OpenSSL's defaults) and Chromium (BoringSSL) offer.
      {"DEFAULT", "ECDHE-ECDSA-AES128-GCM-SHA256"},
  };
  for (const auto& [offered, expected] : cases) {
    RawClient client({.certificate = ClientCertificate().get(), .ciphers = offered});
    auto server = Server();
    auto events = RunPair(client, *server);
    ASSERT_TRUE(client.done) << offered;
    ASSERT_TRUE(Find<ConnectedEvent>(events)) << offered;
    EXPECT_STREQ(SSL_CIPHER_get_name(SSL_get_current_cipher(client.ssl())), expected) << offered;
  }
}

TEST(RawOpenSslPeer, Dtls10Client) {
  EXPECT_EQ(ServerFailure({.certificate = ClientCertificate().get(),
                           .ciphers = "ECDHE-ECDSA-AES128-SHA",
                           .max_version = DTLS1_VERSION}),
            FailureReason::kProtocolError);
}

TEST(RawOpenSslPeer, ClientWithAnotherCertificate) {
  auto other = NewCertificate(42);
  EXPECT_EQ(ServerFailure({.certificate = other.get()}), FailureReason::kFingerprintMismatch);
}

}  // namespace
}  // namespace aegis::dtls
