// The signaling front door: HTTP(S) for the app's static files and the
// loopback-only dev-token endpoint, and WebSocket (WS on loopback, WSS
// otherwise) for the signaling protocol (docs/protocol.md). One thread (its
// io_context); each WebSocket has a SessionGate, and what passes the gate
// goes to the media worker its room was placed on (RoomPlacement). Every
// TCP connection holds a slot of the ConnectionTable until it closes.
// Threads, what each posts to the other, and who owns which state:
// docs/architecture.md.
#pragma once

#include <utility>  // Boost 1.74 asio/awaitable.hpp uses std::exchange without it

#include <boost/asio.hpp>
#include <boost/asio/ssl.hpp>

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "auth/api_secret.h"
#include "crypto/secure_random.h"
#include "server/media_worker.h"
#include "server/session_gate.h"
#include "server/whip.h"
#include "signaling/rate_limiter.h"

namespace aegis::server {

// What per-address limits count a peer as: the IPv4 address itself (also
// for an IPv4-mapped IPv6 address), or the /64 an IPv6 address is in (one
// host or one home network gets a whole /64, so a finer key would let one
// source take every slot), written "2001:db8:1:2::/64".
std::string AddressKey(const boost::asio::ip::address& address);

// Where a TCP connection is in its life, for the connection table.
enum class ConnectionState : uint8_t {
  kOpening,    // TLS handshake, or the first HTTP request not read yet
  kRequest,    // an HTTP request being read or answered
  kIdle,       // an HTTP keep-alive connection waiting for its next request
  kWebSocket,  // upgraded, not joined
  kJoined,     // a WebSocket whose join passed the gate
};

struct ConnectionLimits {
  size_t max_total = 1000;       // open TCP connections: TLS handshakes, HTTP, WebSockets
  size_t max_per_address = 32;   // per AddressKey
};

// The open connections of the signaling server (signaling thread only;
// sans-IO, so the admission policy is tested without sockets). Every open
// connection holds a slot, idle ones too. A new connection is admitted if
// its address and the total are under their limits, or once room is made:
//  - its address is at its limit: its own oldest idle keep-alive HTTP
//    connection is closed (a browser keeps ~6 per page: an office behind one
//    NAT is never locked out by idle ones), otherwise it is refused;
//  - the total is at its limit: the oldest idle keep-alive HTTP connection
//    anywhere is closed; if there is none, the oldest connection that has
//    not joined, of the address holding the most slots, provided that
//    address holds at least two more than the newcomer's would (so one
//    source cannot keep the slots a client from elsewhere needs, and two
//    sources do not take turns); otherwise it is refused. A joined
//    WebSocket is never closed to make room.
class ConnectionTable {
 public:
  using Id = uint64_t;
  struct Evicted {
    Id id;
    std::function<void()> close;  // what the connection registered; may be empty
  };
  struct Admission {
    bool admitted = false;
    Id id = 0;                     // the new connection's, in state kOpening
    std::vector<Evicted> evicted;  // already out of the table: close them
  };

  explicit ConnectionTable(ConnectionLimits limits) : limits_(limits) {}

  Admission Admit(const std::string& address_key);
  void SetState(Id id, ConnectionState state);
  // How to close the connection when it is evicted (replaces the last one).
  void SetCloser(Id id, std::function<void()> close);
  void Remove(Id id);  // idempotent

  size_t total() const { return entries_.size(); }
  size_t count(const std::string& address_key) const;
  std::optional<ConnectionState> state(Id id) const;
  const ConnectionLimits& limits() const { return limits_; }

 private:
  struct Entry {
    std::string key;
    ConnectionState state = ConnectionState::kOpening;
    std::function<void()> close;
  };
  std::optional<Id> OldestIdle(const std::string* key) const;
  std::optional<Id> FairVictim(size_t newcomer_count) const;
  Evicted Evict(Id id);

  ConnectionLimits limits_;
  std::map<Id, Entry> entries_;  // by id: oldest first
  std::unordered_map<std::string, size_t> per_key_;
  Id next_id_ = 1;
};

// Which media worker a room lives on (signaling thread only). A room stays
// on its worker while any connection that joined it is open; a new room goes
// to the worker with the fewest rooms, then the fewest joined connections,
// then the lowest index, so rooms spread over the workers instead of
// colliding by name.
class RoomPlacement {
 public:
  explicit RoomPlacement(size_t workers) : rooms_per_worker_(workers), sessions_per_worker_(workers) {}
  // The worker for one more connection joining `room`.
  size_t Place(const std::string& room);
  // A connection that Place()d `room` has closed.
  void Release(const std::string& room);
  size_t rooms_on(size_t worker) const { return rooms_per_worker_.at(worker); }

 private:
  struct Placed {
    size_t worker;
    size_t sessions;
  };
  std::unordered_map<std::string, Placed> rooms_;
  std::vector<size_t> rooms_per_worker_;
  std::vector<size_t> sessions_per_worker_;
};

struct SignalingConfig {
  boost::asio::ip::address address;
  uint16_t port = 0;
  std::string web_dir;      // static files; empty: none
  bool dev_tokens = false;  // POST /api/dev-token (loopback only; the caller decides)
  GateConfig gate;
  signaling::RateLimit joins_per_address{1, 10};
  size_t max_connections = 1000;  // open TCP connections: HTTP, TLS handshakes and WebSockets
  size_t max_connections_per_address = 32;  // per AddressKey (ConnectionTable)
  WhipCorsPolicy whip_cors;  // origins whose pages may use /whip/ (CORS); none by default
  // GET /metrics (server/metrics.h): the bearer token that opens it beyond
  // this machine (empty: loopback peers only), and aegis_build_info's version.
  std::string metrics_token;
  std::string version = "unknown";
};

class SignalingServer final : public SignalBridge {
 public:
  // `tls`: null for plain HTTP (loopback only; the caller enforces that).
  SignalingServer(boost::asio::io_context& io, SignalingConfig config, boost::asio::ssl::context* tls,
                  const auth::ApiSecret& secret);
  ~SignalingServer() override;

  // Before Start: the workers rooms are placed on (the workers take this
  // server as their SignalBridge, so they are made after it).
  void AddWorker(MediaWorker* worker) { workers_.push_back(worker); }
  // Before Start: where room policies come from (null: none).
  void SetRoomRules(RoomRulesSource* rules) { room_rules_ = rules; }
  RoomRulesSource* room_rules() const { return room_rules_; }
  void SetRevocations(RevocationSource* revocations) { revocations_ = revocations; }
  RevocationSource* revocations() const { return revocations_; }
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
  // The worker for a connection joining `room` (RoomPlacement); every call
  // is matched by a ReleaseRoom when that connection closes.
  MediaWorker& WorkerFor(const std::string& room);
  void ReleaseRoom(const std::string& room);
  // The same once a resumable participant's grace period (plus a margin) is over.
  void ReleaseRoomLater(const std::string& room);
  ConnectionTable& connection_table() { return *connections_; }
  const std::shared_ptr<ConnectionTable>& shared_connection_table() const { return connections_; }
  // WHIP sessions (docs/protocol.md §1b), by their resource id: what a
  // DELETE of the session must name and carry, and how to end it.
  struct WhipEntry {
    std::string room;
    std::string token;
    std::function<void()> end;
    bool playback = false;  // a WHEP session
  };
  void AddWhip(const std::string& resource, WhipEntry entry) { whip_[resource] = std::move(entry); }
  void RemoveWhip(const std::string& resource) { whip_.erase(resource); }
  const WhipEntry* FindWhip(const std::string& resource) const {
    auto it = whip_.find(resource);
    return it == whip_.end() ? nullptr : &it->second;
  }
  size_t whip_sessions() const { return whip_.size(); }
  crypto::SecureRandom& rng() { return rng_; }
  boost::asio::io_context& io() { return io_; }
  bool tls() const { return tls_ != nullptr; }
  bool loopback() const { return config_.address.is_loopback(); }
  size_t connections() const { return sessions_.size(); }
  // GET /metrics: this thread's figures and every worker's snapshot, as
  // exposition text; `done` runs later on this thread (metrics_collector.h).
  void CollectMetrics(std::function<void(std::string)> done);

 private:
  void Accept();
  void AcceptLater();

  boost::asio::io_context& io_;
  SignalingConfig config_;
  boost::asio::ssl::context* tls_;
  const auth::ApiSecret& secret_;
  std::vector<MediaWorker*> workers_;
  RoomRulesSource* room_rules_ = nullptr;
  RevocationSource* revocations_ = nullptr;
  boost::asio::ip::tcp::acceptor acceptor_;
  signaling::KeyedRateLimiter joins_per_address_;
  crypto::SecureRandom rng_;
  std::unordered_map<SessionId, std::weak_ptr<Session>> sessions_;
  std::unordered_map<std::string, WhipEntry> whip_;
  SessionId next_session_{1};
  // Shared with the connections, so the ones still queued when the server is
  // destroyed release their slots after it.
  std::shared_ptr<ConnectionTable> connections_;
  std::optional<RoomPlacement> placement_;
  boost::asio::steady_timer accept_retry_{io_};
  int64_t started_unix_s_ = 0;  // aegis_start_time_seconds
};

}  // namespace aegis::server
