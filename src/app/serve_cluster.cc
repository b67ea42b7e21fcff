#include "app/serve_cluster.h"

#include <unistd.h>

#include <algorithm>
#include <cstdio>

#include "cluster/node_registry.h"
#include "cluster/redis_endpoint.h"
#include "server/secret_file.h"

namespace aegis::app {
namespace asio = boost::asio;
using namespace std::chrono_literals;

namespace {

constexpr auto kHeartbeatInterval = 1s;
// A node that misses this many heartbeats is gone for the others.
constexpr auto kRecordTtl = 5s;
constexpr auto kRedisTimeout = 2s;

}  // namespace

std::string DefaultNodeId() {
  char name[256] = {};
  if (::gethostname(name, sizeof(name) - 1) != 0 || name[0] == '\0') return "aegis";
  std::string id(name);
  for (char& c : id) {
    if (!cluster::IsValidNodeId(std::string_view(&c, 1))) c = '-';
  }
  if (id.size() > 64) id.resize(64);
  return id;
}

Result<std::unique_ptr<ServeCluster>, std::string> ServeCluster::Start(const server::ServeOptions& options,
                                                                       cluster::NodeRecord record) {
  auto endpoint = cluster::ParseRedisUrl(options.redis);
  if (!endpoint.ok()) return Err{"--redis: " + endpoint.error()};
  if (!options.redis_password_file.empty()) {
    if (auto bad = server::LoadSecretLine(options.redis_password_file, "Redis password", endpoint->password)) {
      return Err{*bad};
    }
  }
  endpoint->ca_file = options.redis_ca_file;
  if (auto refused = cluster::CheckRedisSecurity(*endpoint)) return Err{*refused};
  if (!cluster::IsValidNodeId(record.id)) {
    return Err{"invalid node id '" + record.id + "': 1-64 of A-Z a-z 0-9 . _ - (set --node-id)"};
  }

  auto redis = cluster::RedisClient::Connect(*endpoint, kRedisTimeout);
  if (!redis.ok()) {
    return Err{redis.error() + "; multi-node mode needs Redis at start (or leave out --redis for a single node)"};
  }
  record.updated_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                          std::chrono::system_clock::now().time_since_epoch())
                          .count();
  auto registered = cluster::RegisterNode(**redis, record, kRecordTtl);
  if (!registered.ok()) return Err{registered.error()};

  auto cluster = std::unique_ptr<ServeCluster>(new ServeCluster());
  cluster->record_ = record;
  cluster->endpoint_ = *endpoint;
  cluster->describe_ = "node " + record.id + " in Redis at " + endpoint->host + ":" + endpoint->port +
                       (endpoint->tls ? " (TLS)" : "") + ", heartbeat every 1 s, gone after 5 s without";
  cluster::HeartbeatConfig config;
  config.endpoint = *endpoint;
  config.interval = kHeartbeatInterval;
  config.ttl = kRecordTtl;
  config.timeout = kRedisTimeout;
  cluster->heartbeat_ = std::make_unique<cluster::NodeHeartbeat>(config, record, [](const std::string& line) {
    std::printf("aegis: cluster: %s\n", line.c_str());
    std::fflush(stdout);
  });
  cluster->heartbeat_->Start(std::move(redis.value()));
  return cluster;
}

ServeCluster::~ServeCluster() { Stop(); }

void ServeCluster::Stop() {
  if (timer_) timer_->cancel();
  if (revocations_) revocations_->Stop();
  if (heartbeat_) heartbeat_->Stop();
}

Result<void, std::string> ServeCluster::ShareRevocations(asio::io_context& io,
                                                         std::function<void(cluster::SharedRevocation)> apply) {
  cluster::RevocationFeed::Config config;
  config.endpoint = endpoint_;
  config.node_id = record_.id;
  config.block = 100ms;  // a revocation waits at most this long behind a read
  config.timeout = kRedisTimeout;
  revocations_ = std::make_unique<cluster::RevocationFeed>(
      config, [&io, apply = std::move(apply)](cluster::SharedRevocation r) {
        asio::post(io, [apply, r = std::move(r)]() mutable { apply(std::move(r)); });
      },
      [](const std::string& line) {
        std::printf("aegis: cluster: %s\n", line.c_str());
        std::fflush(stdout);
      });
  return revocations_->Start();
}

void ServeCluster::Publish(cluster::SharedRevocation revocation) {
  if (revocations_) revocations_->Publish(std::move(revocation));
}

void ServeCluster::ReportLoad(asio::io_context& io, const std::vector<server::MediaWorker*>& workers) {
  workers_ = workers;
  last_busy_.assign(workers.size(), -1);
  last_sample_ = std::chrono::steady_clock::now();
  timer_ = std::make_unique<asio::steady_timer>(io);
  Sample();
}

void ServeCluster::Sample() {
  timer_->expires_after(kHeartbeatInterval);
  timer_->async_wait([this](boost::system::error_code ec) {
    if (ec) return;
    // The answers come on the workers' threads; gathered under a shared
    // tally and handed to the heartbeat by whichever answers last.
    struct Tally {
      std::mutex mutex;
      size_t waiting;
      cluster::NodeRecord record;
      std::vector<double> busy;
    };
    auto tally = std::make_shared<Tally>();
    tally->waiting = workers_.size();
    tally->record = record_;
    tally->record.rooms = 0;
    tally->record.participants = 0;
    tally->busy.assign(workers_.size(), 0);
    const auto now = std::chrono::steady_clock::now();
    const double elapsed = std::chrono::duration<double>(now - last_sample_).count();
    last_sample_ = now;
    for (size_t i = 0; i < workers_.size(); ++i) {
      workers_[i]->PostStatsSnapshot([this, tally, i, elapsed](server::WorkerSnapshot snapshot) {
        std::lock_guard lock(tally->mutex);
        tally->record.rooms += static_cast<int64_t>(snapshot.rooms);
        tally->record.participants += static_cast<int64_t>(snapshot.participants);
        // last_busy_[i] is written by this worker's answers only.
        if (last_busy_[i] >= 0 && elapsed > 0) {
          tally->busy[i] = std::clamp((snapshot.busy_seconds - last_busy_[i]) / elapsed, 0.0, 1.0);
        }
        last_busy_[i] = snapshot.busy_seconds;
        if (--tally->waiting == 0) {
          tally->record.worker_busy = *std::max_element(tally->busy.begin(), tally->busy.end());
          heartbeat_->Update(tally->record);
        }
      });
    }
    Sample();
  });
}

}  // namespace aegis::app
