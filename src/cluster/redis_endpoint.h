// Where and how a node reaches Redis: redis://[USER@]HOST[:PORT] or
// rediss:// (TLS), the password from a file (never in a URL or the config),
// and the rule multi-node mode holds to (docs/configuration.md, "Several
// nodes"): an ACL user with a password always, TLS unless Redis is on this
// machine's loopback.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "base/result.h"

namespace aegis::cluster {

struct RedisEndpoint {
  std::string host;          // brackets removed from an IPv6 literal
  std::string port = "6379";
  bool tls = false;
  std::string user;
  std::string password;
  std::string ca_file;       // TLS: CAs to trust besides the system's
};

// The URL's parts; an error says what is wrong with it.
Result<RedisEndpoint, std::string> ParseRedisUrl(std::string_view url);

// nullopt if `endpoint` may be used by a node; else why not and the fix.
std::optional<std::string> CheckRedisSecurity(const RedisEndpoint& endpoint);

bool IsLoopbackRedisHost(std::string_view host);

}  // namespace aegis::cluster
