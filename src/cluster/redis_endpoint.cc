#include "cluster/redis_endpoint.h"

#include <arpa/inet.h>
#include <netinet/in.h>

#include <charconv>

namespace aegis::cluster {

Result<RedisEndpoint, std::string> ParseRedisUrl(std::string_view url) {
  RedisEndpoint endpoint;
  if (url.starts_with("redis://")) {
    url.remove_prefix(8);
  } else if (url.starts_with("rediss://")) {
    url.remove_prefix(9);
    endpoint.tls = true;
  } else {
    return Err{std::string("the Redis URL must start with redis:// or rediss:// (TLS)")};
  }
  if (!url.empty() && url.back() == '/') url.remove_suffix(1);
  if (url.find('/') != std::string_view::npos || url.find('?') != std::string_view::npos) {
    return Err{std::string("the Redis URL takes no path or query (database 0 is used)")};
  }
  if (auto at = url.rfind('@'); at != std::string_view::npos) {
    std::string_view user = url.substr(0, at);
    if (user.find(':') != std::string_view::npos) {
      return Err{std::string("no password in the Redis URL: put it in a file and name it with redis_password_file")};
    }
    endpoint.user = std::string(user);
    url.remove_prefix(at + 1);
  }
  std::string_view port;
  if (url.starts_with("[")) {
    auto close = url.find(']');
    if (close == std::string_view::npos) return Err{std::string("unclosed [ in the Redis URL's host")};
    endpoint.host = std::string(url.substr(1, close - 1));
    url.remove_prefix(close + 1);
    if (url.starts_with(":")) port = url.substr(1);
    else if (!url.empty()) return Err{std::string("unexpected text after the Redis URL's host")};
  } else {
    auto colon = url.find(':');
    endpoint.host = std::string(url.substr(0, colon));
    if (colon != std::string_view::npos) port = url.substr(colon + 1);
  }
  if (endpoint.host.empty()) return Err{std::string("the Redis URL names no host")};
  if (!port.empty()) {
    unsigned value = 0;
    auto [end, ec] = std::from_chars(port.data(), port.data() + port.size(), value);
    if (ec != std::errc() || end != port.data() + port.size() || value == 0 || value > 65535) {
      return Err{std::string("the Redis URL's port is not a number from 1 to 65535")};
    }
    endpoint.port = std::string(port);
  }
  return endpoint;
}

bool IsLoopbackRedisHost(std::string_view host) {
  if (host == "localhost") return true;
  // Addresses only, parsed: a host name like "127.0.0.1.example" is not one.
  const std::string text(host);
  in_addr v4{};
  if (::inet_pton(AF_INET, text.c_str(), &v4) == 1) return (ntohl(v4.s_addr) >> 24) == 127;
  in6_addr v6{};
  return ::inet_pton(AF_INET6, text.c_str(), &v6) == 1 && IN6_IS_ADDR_LOOPBACK(&v6);
}

std::optional<std::string> CheckRedisSecurity(const RedisEndpoint& endpoint) {
  if (endpoint.user.empty()) {
    return "Redis needs an ACL user in multi-node mode: redis://USER@" + endpoint.host + ":" + endpoint.port +
           " (ACL SETUSER on the Redis side)";
  }
  if (endpoint.password.empty()) {
    return std::string("Redis needs a password in multi-node mode: set redis_password_file (--redis-password-file)");
  }
  if (!endpoint.tls && !IsLoopbackRedisHost(endpoint.host)) {
    return "Redis at " + endpoint.host + " is not on this machine: use rediss:// (TLS), and redis_ca_file if its "
           "certificate is not from a system CA";
  }
  return std::nullopt;
}

}  // namespace aegis::cluster
