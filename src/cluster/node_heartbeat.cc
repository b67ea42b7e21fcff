#include "cluster/node_heartbeat.h"

#include "cluster/node_registry.h"

namespace aegis::cluster {

NodeHeartbeat::NodeHeartbeat(HeartbeatConfig config, NodeRecord record,
                             std::function<void(const std::string&)> log)
    : config_(std::move(config)), log_(std::move(log)), record_(std::move(record)) {}

NodeHeartbeat::~NodeHeartbeat() { Stop(); }

void NodeHeartbeat::Start(std::unique_ptr<RedisClient> connected) {
  redis_ = std::move(connected);
  healthy_ = redis_ != nullptr;
  thread_ = std::thread([this] { Run(); });
}

void NodeHeartbeat::Update(NodeRecord record) {
  std::lock_guard lock(mutex_);
  record_ = std::move(record);
}

void NodeHeartbeat::Stop() {
  {
    std::lock_guard lock(mutex_);
    if (stopping_) return;
    stopping_ = true;
  }
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void NodeHeartbeat::Run() {
  std::unique_lock lock(mutex_);
  while (true) {
    wake_.wait_for(lock, config_.interval, [this] { return stopping_; });
    const bool stopping = stopping_;
    NodeRecord record = record_;
    lock.unlock();  // Redis calls block; Update() must not wait for them
    if (stopping) {
      if (redis_ && redis_->connected()) (void)DeregisterNode(*redis_, record.id);
      return;
    }
    std::string failure;
    if (!redis_ || !redis_->connected()) {
      auto connected = RedisClient::Connect(config_.endpoint, config_.timeout);
      if (connected.ok()) redis_ = std::move(connected.value());
      else failure = connected.error();
    }
    if (failure.empty()) {
      record.updated_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                              std::chrono::system_clock::now().time_since_epoch())
                              .count();
      auto written = RegisterNode(*redis_, record, config_.ttl);
      if (!written.ok()) {
        failure = written.error();
        redis_.reset();  // start over with a new connection
      }
    }
    const bool was_healthy = healthy_.exchange(failure.empty());
    if (log_ && was_healthy && !failure.empty()) log_("lost Redis: " + failure);
    if (log_ && !was_healthy && failure.empty()) log_("Redis back: node " + record.id + " registered again");
    lock.lock();
  }
}

}  // namespace aegis::cluster
