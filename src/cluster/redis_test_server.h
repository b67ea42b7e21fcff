// Test only: a real redis-server on a free loopback port in a temporary
// folder, with the default user off and one ACL user (the way multi-node
// mode must run it), optionally TLS-only with a certificate made here.
// Construction fails the test (never skips) when redis-server is missing.
#pragma once

#include <chrono>
#include <optional>
#include <string>

#include <sys/types.h>

namespace aegis::cluster::testing {

struct RedisServerOptions {
  std::string user = "aegis";
  std::string password = "test-password-0123456789";
  int port = 0;      // 0: a free one
  bool tls = false;  // TLS only (no plain port); certificate for 127.0.0.1 and "localhost"
};

class RedisTestServer {
 public:
  explicit RedisTestServer(RedisServerOptions options = {});
  ~RedisTestServer();
  bool running() const { return pid_ > 0; }
  const std::string& error() const { return error_; }
  int port() const { return port_; }
  const std::string& ca_file() const { return ca_file_; }
  const RedisServerOptions& options() const { return options_; }
  // "redis://aegis@127.0.0.1:PORT" (rediss:// with TLS).
  std::string url() const;
  void Kill();

 private:
  RedisServerOptions options_;
  std::string dir_;
  std::string ca_file_;
  int port_ = 0;
  pid_t pid_ = -1;
  std::string error_;
};

// A free TCP port on 127.0.0.1 (bound and released; good enough for tests).
int FreeLoopbackPort();

}  // namespace aegis::cluster::testing
