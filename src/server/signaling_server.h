// The signaling front door: HTTP(S) for the app's static files and the
// loopback-only dev-token endpoint, and WebSocket (WS on loopback, WSS
// otherwise) for the signaling protocol (docs/protocol.md). One thread (its
// io_context); each WebSocket has a SessionGate, and what passes the gate
// goes to the media worker its room is pinned to.
#pragma once

#include <utility>  // Boost 1.74 asio/awaitable.hpp uses std::exchange without it

#include <boost/asio.hpp>
#include <boost/asio/ssl.hpp>

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "auth/api_secret.h"
#include "crypto/secure_random.h"
#include "server/media_worker.h"
#include "server/session_gate.h"
#include "signaling/rate_limiter.h"

namespace aegis::server {

// Open TCP connections, in total and per peer address (signaling thread).
struct ConnectionCounts {
  size_t total = 0;
  std::unordered_map<std::string, size_t> per_address;
};

struct SignalingConfig {
  boost::asio::ip::address address;
  uint16_t port = 0;
  std::string web_dir;      // static files; empty: none
  bool dev_tokens = false;  // POST /api/dev-token (loopback only; the caller decides)
  GateConfig gate;
  signaling::RateLimit joins_per_address{1, 10};
  size_t max_connections = 1000;  // open TCP connections: HTTP, TLS handshakes and WebSockets
  size_t max_connections_per_address = 32;
};

class SignalingServer final : public SignalBridge {
 public:
  // `tls`: null for plain HTTP (loopback only; the caller enforces that).
  SignalingServer(boost::asio::io_context& io, SignalingConfig config, boost::asio::ssl::context* tls,
                  const auth::ApiSecret& secret);
  ~SignalingServer() override;

  // Before Start: the workers rooms are pinned to (the workers take this
  // server as their SignalBridge, so they are made after it).
  void AddWorker(MediaWorker* worker) { workers_.push_back(worker); }
  // Before Start: where room policies come from (null: none).
  void SetRoomRules(RoomRulesSource* rules) { room_rules_ = rules; }
  RoomRulesSource* room_rules() const { return room_rules_; }
  bool Start(std::string& error);
  // Stops accepting; open sockets close once the workers' last messages
  // (shutting_down) are written.
  void Stop();
  uint16_t port() const;

  // SignalBridge (called from worker threads).
  void Deliver(SessionId session, std::string message) override;
  void Close(SessionId session) override;

  // For the connection objects (signaling thread only).
  class Session {
   public:
    virtual ~Session() = default;
    virtual void Write(std::string message) = 0;
    virtual void CloseAfterWrites() = 0;
  };
  SessionId Register(std::weak_ptr<Session> session);
  void Unregister(SessionId id);
  const SignalingConfig& config() const { return config_; }
  const auth::ApiSecret& secret() const { return secret_; }
  signaling::KeyedRateLimiter& joins_per_address() { return joins_per_address_; }
  MediaWorker& WorkerFor(const std::string& room);
  crypto::SecureRandom& rng() { return rng_; }
  bool tls() const { return tls_ != nullptr; }
  bool loopback() const { return config_.address.is_loopback(); }
  size_t connections() const { return sessions_.size(); }

 private:
  void Accept();

  boost::asio::io_context& io_;
  SignalingConfig config_;
  boost::asio::ssl::context* tls_;
  const auth::ApiSecret& secret_;
  std::vector<MediaWorker*> workers_;
  RoomRulesSource* room_rules_ = nullptr;
  boost::asio::ip::tcp::acceptor acceptor_;
  signaling::KeyedRateLimiter joins_per_address_;
  crypto::SecureRandom rng_;
  std::unordered_map<SessionId, std::weak_ptr<Session>> sessions_;
  SessionId next_session_ = 1;
  std::shared_ptr<ConnectionCounts> connections_ = std::make_shared<ConnectionCounts>();
};

}  // namespace aegis::server
