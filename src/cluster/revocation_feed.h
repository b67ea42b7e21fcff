// Revocations shared by the nodes (issue 15): a node that stores one
// (aegis token revoke on its data folder) adds it to the Redis stream
// "aegis:revocations"; every node reads the stream and applies the others'
// (stores them, ends the matching sessions). Its own thread and connection,
// reading with XREAD BLOCK, so a revocation reaches the other nodes in a
// fraction of a second. Only what a revocation names travels (room,
// identity or token id, time): no token, no key.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "base/result.h"
#include "cluster/redis_client.h"
#include "cluster/resp.h"

namespace aegis::cluster {

inline constexpr std::string_view kRevocationStream = "aegis:revocations";

struct SharedRevocation {
  std::string origin;  // node id that published it
  std::string room;
  std::optional<std::string> identity;
  std::optional<std::string> token_id;
  int64_t time_unix_s = 0;
  bool operator==(const SharedRevocation&) const = default;
};

// XADD aegis:revocations MAXLEN ~ 10000 * origin O room R [identity I] [jti J] time T
std::vector<std::string> RevocationXadd(const SharedRevocation& revocation);
// An XREAD reply for the stream: (entry id, revocation) in order; entries
// without a room, without identity and jti, or with a bad time are skipped.
// nullopt: the reply is not an XREAD reply.
std::optional<std::vector<std::pair<std::string, SharedRevocation>>> ParseRevocationXread(const RespReply& reply);

class RevocationFeed {
 public:
  struct Config {
    RedisEndpoint endpoint;
    std::string node_id;
    std::chrono::milliseconds block{200};     // XREAD BLOCK
    std::chrono::milliseconds timeout{2000};  // per call, beyond the block
  };
  // `received` gets the other nodes' revocations, on the feed's thread;
  // `log` one line when reading or writing the stream starts failing and
  // when it works again.
  RevocationFeed(Config config, std::function<void(SharedRevocation)> received,
                 std::function<void(const std::string&)> log = nullptr);
  ~RevocationFeed();
  RevocationFeed(const RevocationFeed&) = delete;
  RevocationFeed& operator=(const RevocationFeed&) = delete;

  // Reads from the stream's current end (earlier entries concern tokens
  // the stores already refuse or that expired). Error: Redis unusable.
  Result<void, std::string> Start();
  // Queues one of this node's revocations for the stream (any thread).
  void Publish(SharedRevocation revocation);
  void Stop();
  uint64_t published() const { return published_.load(); }
  uint64_t received() const { return received_.load(); }

 private:
  void Run();
  void Report(const std::string& failure);  // "" when a round worked

  Config config_;
  std::function<void(SharedRevocation)> on_received_;
  std::function<void(const std::string&)> log_;
  bool failing_ = false;  // the feed thread's
  std::unique_ptr<RedisClient> redis_;
  std::string last_id_ = "0-0";
  std::mutex mutex_;
  std::deque<SharedRevocation> outgoing_;
  bool stopping_ = false;
  std::atomic<uint64_t> published_{0};
  std::atomic<uint64_t> received_{0};
  std::thread thread_;
};

}  // namespace aegis::cluster
