// One connection to Redis (the I/O shell around resp.h): TCP, TLS for
// rediss:// (peer verified against the system CAs and ca_file, host name
// checked), AUTH with the ACL user before anything else. Calls block, each
// bounded by the timeout; a failed call closes the connection (a RESP
// stream out of step is not reused), and the owner connects again.
// One thread at a time.
#pragma once

#include <chrono>
#include <initializer_list>
#include <memory>
#include <span>
#include <string>
#include <string_view>

#include "base/result.h"
#include "cluster/redis_endpoint.h"
#include "cluster/resp.h"

namespace aegis::cluster {

class RedisClient {
 public:
  // Connected and authenticated, or why not (with the fix where there is one).
  static Result<std::unique_ptr<RedisClient>, std::string> Connect(const RedisEndpoint& endpoint,
                                                                  std::chrono::milliseconds timeout);
  ~RedisClient();
  RedisClient(const RedisClient&) = delete;
  RedisClient& operator=(const RedisClient&) = delete;

  // The reply (an error reply is a reply: type kError), or why there is none.
  Result<RespReply, std::string> Command(std::span<const std::string_view> args);
  Result<RespReply, std::string> Command(std::initializer_list<std::string_view> args) {
    return Command(std::span<const std::string_view>(args.begin(), args.size()));
  }
  bool connected() const;

 private:
  struct Io;
  explicit RedisClient(std::unique_ptr<Io> io);
  std::unique_ptr<Io> io_;
};

}  // namespace aegis::cluster
