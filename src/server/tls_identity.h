// The HTTPS/WSS certificate: the operator's PEM files, or a self-signed
// ECDSA P-256 certificate generated into the data folder on first run (key
// file mode 0600) and reused afterwards. TLS 1.2 is the floor.
#pragma once

#include <utility>  // Boost 1.74 asio/awaitable.hpp uses std::exchange without it

#include <boost/asio/ssl/context.hpp>

#include <memory>
#include <optional>
#include <string>

#include "base/random.h"

namespace aegis::server {

struct TlsIdentity {
  std::unique_ptr<boost::asio::ssl::context> context;
  std::string fingerprint_sha256;  // "AB:CD:..." of the leaf certificate
  bool generated = false;          // created by this run
};

// Empty cert/key paths: <data_dir>/tls-cert.pem and tls-key.pem, created if absent.
std::optional<TlsIdentity> LoadTlsIdentity(const std::string& data_dir, const std::string& cert_path,
                                           const std::string& key_path, RandomSource& rng, std::string& error);

}  // namespace aegis::server
