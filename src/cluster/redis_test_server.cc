#include "cluster/redis_test_server.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <thread>

extern char** environ;

namespace aegis::cluster::testing {

int FreeLoopbackPort() {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t length = sizeof(address);
  int port = 0;
  if (::bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof(address)) == 0 &&
      ::getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length) == 0) {
    port = ntohs(address.sin_port);
  }
  ::close(fd);
  return port;
}

namespace {

bool PortAccepts(int port) {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  address.sin_port = htons(static_cast<uint16_t>(port));
  bool ok = ::connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof(address)) == 0;
  ::close(fd);
  return ok;
}

}  // namespace

RedisTestServer::RedisTestServer(RedisServerOptions options) : options_(std::move(options)) {
  char pattern[] = "/tmp/aegis-redis-XXXXXX";
  if (::mkdtemp(pattern) == nullptr) {
    error_ = "mkdtemp failed";
    return;
  }
  dir_ = pattern;
  port_ = options_.port != 0 ? options_.port : FreeLoopbackPort();
  std::ofstream conf(dir_ + "/redis.conf");
  conf << "bind 127.0.0.1" << (options_.tls ? " 127.0.0.2" : "") << "\nprotected-mode yes\nsave \"\"\nappendonly no\ndir " << dir_ << "\n"
       << "logfile " << dir_ << "/redis.log\n"
       << "user default off\n"
       << "user " << options_.user << " on >" << options_.password << " ~aegis:* &* +@all -@admin -@dangerous\n";
  if (options_.tls) {
    // A CA and a server certificate for 127.0.0.1 / localhost, made with
    // the openssl command (part of Debian's openssl package).
    const std::string d = dir_;
    const std::string script =
        "cd '" + d + "' && openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 1 "
        "-subj /CN=aegis-test-ca -keyout ca.key -out ca.pem 2>/dev/null && "
        "openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -subj /CN=localhost "
        "-keyout server.key -out server.csr 2>/dev/null && "
        "printf 'subjectAltName=IP:127.0.0.1,DNS:localhost\\n' > san.ext && "
        "openssl x509 -req -in server.csr -CA ca.pem -CAkey ca.key -CAcreateserial -days 1 "
        "-extfile san.ext -out server.pem 2>/dev/null";
    if (std::system(script.c_str()) != 0) {
      error_ = "openssl could not make the test certificates";
      return;
    }
    ca_file_ = d + "/ca.pem";
    conf << "port 0\ntls-port " << port_ << "\ntls-cert-file " << d << "/server.pem\ntls-key-file " << d
         << "/server.key\ntls-ca-cert-file " << d << "/ca.pem\ntls-auth-clients no\n";
  } else {
    conf << "port " << port_ << "\n";
  }
  conf.close();

  const std::string conf_path = dir_ + "/redis.conf";
  const char* argv[] = {"redis-server", conf_path.c_str(), nullptr};
  pid_t pid = -1;
  if (::posix_spawnp(&pid, "redis-server", nullptr, nullptr, const_cast<char* const*>(argv), environ) != 0) {
    error_ = "cannot start redis-server (Debian package redis-server; scripts/setup.sh installs it)";
    return;
  }
  pid_ = pid;
  for (int i = 0; i < 100; ++i) {  // at most 5 s
    if (PortAccepts(port_)) return;
    int status = 0;
    if (::waitpid(pid_, &status, WNOHANG) == pid_) {
      pid_ = -1;
      error_ = "redis-server exited at start (see its log in " + dir_ + ")";
      return;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  error_ = "redis-server did not listen on port " + std::to_string(port_) + " within 5 s";
  Kill();
}

RedisTestServer::~RedisTestServer() {
  Kill();
  if (!dir_.empty()) {
    std::error_code ignored;
    std::filesystem::remove_all(dir_, ignored);
  }
}

void RedisTestServer::Kill() {
  if (pid_ <= 0) return;
  ::kill(pid_, SIGKILL);
  ::waitpid(pid_, nullptr, 0);
  pid_ = -1;
}

std::string RedisTestServer::url() const {
  return std::string(options_.tls ? "rediss://" : "redis://") + options_.user + "@127.0.0.1:" + std::to_string(port_);
}

}  // namespace aegis::cluster::testing
