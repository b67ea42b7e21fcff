#include "server/tls_identity.h"

#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <filesystem>

#include "base/hex.h"
#include "dtls/certificate.h"

namespace aegis::server {
namespace {

// Writes a PEM file readable by our user only (the key), atomically enough
// for a first run: create with 0600, then write.
bool WritePem(const std::string& path, bool key, const dtls::Certificate& cert) {
  // Created 0600 and exclusively: the key is never readable by others,
  // not even for a moment, and an existing file is never overwritten.
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd < 0) return false;
  std::FILE* file = ::fdopen(fd, "w");
  if (!file) {
    ::close(fd);
    return false;
  }
  bool ok = key ? PEM_write_PrivateKey(file, cert.private_key(), nullptr, nullptr, 0, nullptr, nullptr) == 1
                : PEM_write_X509(file, cert.x509()) == 1;
  return std::fclose(file) == 0 && ok;
}

std::string Fingerprint(SSL_CTX* ctx) {
  X509* leaf = SSL_CTX_get0_certificate(ctx);
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int size = 0;
  if (!leaf || X509_digest(leaf, EVP_sha256(), digest, &size) != 1) return "";
  return ToColonHex({digest, size});
}

}  // namespace

std::optional<TlsIdentity> LoadTlsIdentity(const std::string& data_dir, const std::string& cert_path,
                                           const std::string& key_path, RandomSource& rng, std::string& error) {
  TlsIdentity identity;
  std::string cert_file = cert_path.empty() ? data_dir + "/tls-cert.pem" : cert_path;
  std::string key_file = key_path.empty() ? data_dir + "/tls-key.pem" : key_path;
  if (cert_path.empty() && !std::filesystem::exists(cert_file)) {
    constexpr auto kOneYear = TimeDelta::Seconds(365 * 24 * 3600);
    auto cert = dtls::Certificate::Generate(
        rng, std::chrono::floor<std::chrono::seconds>(std::chrono::system_clock::now()), kOneYear);
    if (!cert || !WritePem(key_file, true, *cert) || !WritePem(cert_file, false, *cert)) {
      error = "cannot create the self-signed certificate in " + data_dir;
      return std::nullopt;
    }
    identity.generated = true;
  }
  namespace ssl = boost::asio::ssl;
  identity.context = std::make_unique<ssl::context>(ssl::context::tls_server);
  SSL_CTX* ctx = identity.context->native_handle();
  SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION);
  identity.context->set_options(ssl::context::default_workarounds | ssl::context::no_sslv2 |
                                ssl::context::no_sslv3 | ssl::context::single_dh_use);
  // TLS 1.2: forward-secret AEAD suites only.
  SSL_CTX_set_cipher_list(ctx, "ECDHE+AESGCM:ECDHE+CHACHA20");
  boost::system::error_code ec;
  identity.context->use_certificate_chain_file(cert_file, ec);
  if (!ec) identity.context->use_private_key_file(key_file, ssl::context::pem, ec);
  if (ec) {
    error = "cannot load the TLS certificate " + cert_file + " / key " + key_file + ": " + ec.message();
    return std::nullopt;
  }
  identity.fingerprint_sha256 = Fingerprint(ctx);
  return identity;
}

}  // namespace aegis::server
