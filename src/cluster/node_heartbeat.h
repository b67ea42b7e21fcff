// Keeps this node's record alive in Redis (node_registry.h) from a thread
// of its own, so a slow or lost Redis never stalls signaling or media: the
// record is written every `interval` with a TTL of `ttl`; when Redis is
// lost the thread reconnects every interval, and healthy() says whether the
// last write succeeded. Stop() removes the record (a crash leaves it to the
// TTL).
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <string>
#include <thread>

#include "cluster/node_record.h"
#include "cluster/redis_client.h"

namespace aegis::cluster {

struct HeartbeatConfig {
  RedisEndpoint endpoint;
  std::chrono::milliseconds interval{1000};
  std::chrono::milliseconds ttl{5000};
  std::chrono::milliseconds timeout{1000};  // per Redis call
};

class NodeHeartbeat {
 public:
  // `log` gets one line per change of health ("lost Redis: ...", "Redis
  // back"), from the heartbeat's thread.
  NodeHeartbeat(HeartbeatConfig config, NodeRecord record, std::function<void(const std::string&)> log);
  ~NodeHeartbeat();
  NodeHeartbeat(const NodeHeartbeat&) = delete;
  NodeHeartbeat& operator=(const NodeHeartbeat&) = delete;

  // Takes the first connection (already made and registered by the caller
  // at start, so a Redis that is down at start is an error there).
  void Start(std::unique_ptr<RedisClient> connected);
  // The load figures for the next write (any thread).
  void Update(NodeRecord record);
  void Stop();
  bool healthy() const { return healthy_.load(); }

 private:
  void Run();

  HeartbeatConfig config_;
  std::function<void(const std::string&)> log_;
  std::mutex mutex_;
  std::condition_variable wake_;
  NodeRecord record_;
  bool stopping_ = false;
  std::atomic<bool> healthy_{false};
  std::unique_ptr<RedisClient> redis_;  // the thread's, once started
  std::thread thread_;
};

}  // namespace aegis::cluster
