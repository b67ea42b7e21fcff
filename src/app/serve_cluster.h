// Multi-node mode of `aegis serve` (--redis; docs/configuration.md,
// "Several nodes"): the checks at start (an ACL user, a password, TLS off
// loopback, Redis reachable and accepting the credentials) and the node's
// heartbeat with its load, read from the media workers every second.
#pragma once

#include <utility>  // Boost 1.74 asio/awaitable.hpp uses std::exchange without it

#include <boost/asio.hpp>

#include <memory>
#include <string>
#include <vector>

#include "base/result.h"
#include "cluster/node_heartbeat.h"
#include "cluster/revocation_feed.h"
#include "server/media_worker.h"
#include "server/server_options.h"

namespace aegis::app {

class ServeCluster {
 public:
  // Connects, registers `record` and starts the heartbeat; an error names
  // the fix (the caller exits with it).
  static Result<std::unique_ptr<ServeCluster>, std::string> Start(const server::ServeOptions& options,
                                                                   cluster::NodeRecord record);
  ~ServeCluster();

  // Every second, the workers' rooms, participants and busy time go into
  // the next heartbeat (on `io`'s thread; the workers answer on theirs).
  void ReportLoad(boost::asio::io_context& io, const std::vector<server::MediaWorker*>& workers);
  // Revocations shared with the other nodes: `apply` gets theirs on `io`'s
  // thread; Publish() sends this node's. Error: Redis unusable at start.
  Result<void, std::string> ShareRevocations(boost::asio::io_context& io,
                                             std::function<void(cluster::SharedRevocation)> apply);
  void Publish(cluster::SharedRevocation revocation);
  const std::string& node_id() const { return record_.id; }
  // Removes the node's record (a clean stop) and ends the heartbeat.
  void Stop();
  const std::string& describe() const { return describe_; }

 private:
  ServeCluster() = default;
  void Sample();

  cluster::NodeRecord record_;
  cluster::RedisEndpoint endpoint_;
  std::unique_ptr<cluster::NodeHeartbeat> heartbeat_;
  std::unique_ptr<cluster::RevocationFeed> revocations_;
  std::string describe_;
  std::vector<server::MediaWorker*> workers_;
  std::unique_ptr<boost::asio::steady_timer> timer_;
  std::vector<double> last_busy_;
  std::chrono::steady_clock::time_point last_sample_;
};

// This machine's host name as a node id ([A-Za-z0-9._-], at most 64).
std::string DefaultNodeId();

}  // namespace aegis::app
