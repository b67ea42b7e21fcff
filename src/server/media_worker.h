// A media worker: one thread, one UDP socket (and, for ICE-TCP, one
// listening TCP socket on the same port number), and the Conference of the
// rooms pinned to it. The signaling thread talks to it only by posting
// (Post* below); the worker answers through a SignalBridge, which posts
// back. So every room's state is touched by exactly one thread, and no
// lock sits on the packet path.
#pragma once

#include <utility>  // Boost 1.74 asio/awaitable.hpp uses std::exchange without it

#include <boost/asio.hpp>

#include <array>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "crypto/secure_random.h"
#include "server/audit_sink.h"
#include "server/conference.h"
#include "server/datagram_batch.h"
#include "server/media_tcp.h"
#include "server/metrics_snapshot.h"
#include "server/session_gate.h"
#include "server/test_hooks.h"

namespace aegis::server {

// The signaling side, as the workers see it. Thread-safe.
class SignalBridge {
 public:
  virtual ~SignalBridge() = default;
  virtual void Deliver(SessionId session, std::string message) = 0;
  virtual void Close(SessionId session) = 0;
};

struct MediaWorkerConfig {
  boost::asio::ip::address bind_address;
  uint16_t port = 0;  // 0: any free port
  // ICE-TCP (media_tcp.h): also listen on TCP, on the UDP port's number, and
  // announce passive TCP candidates there.
  bool tcp = true;
  std::vector<boost::asio::ip::address> turn_relay_addresses;  // ConferenceConfig::relay_addresses
  // Announced in SDP; when empty, the bound address and port.
  std::vector<boost::asio::ip::address> announced_addresses;
  std::shared_ptr<const dtls::DtlsContext> dtls_context;
  size_t max_participants_per_room = 64;
  size_t max_participants = 1000;  // on this worker (serve: --max-connections)
  ConferenceTestHooks* test_hooks = nullptr;  // aegis-test-server only
  AuditSink* audit = nullptr;                 // security events; may be null
  size_t max_audio_tracks_per_participant = 4;
  size_t max_video_tracks_per_participant = 4;
  uint16_t mls_suite = mls::kSuiteXWingAes256;
  std::shared_ptr<const mls::ExternalSenderKey> mls_external_sender;  // one per process, shared by the workers
  bool publisher_transport_feedback = false;  // ConferenceConfig::publisher_transport_feedback
};

class MediaWorker {
 public:
  MediaWorker(int index, MediaWorkerConfig config, SignalBridge& bridge);
  ~MediaWorker();

  // Binds the socket (errors are reported here, on the caller's thread) and
  // starts the thread.
  bool Start(std::string& error);
  // Tells every participant, closes every transport, joins the thread.
  void Stop();
  uint16_t port() const { return port_; }

  void PostJoin(SessionId session, AdmittedJoin join);
  void PostMessage(SessionId session, signaling::ClientMessage message, std::optional<int64_t> request_id = {});
  void PostDisconnected(SessionId session);
  void PostRevocation(Revocation revocation);

  // ---- Metrics (GET /metrics, server/metrics_collector.h)
  // `done` runs on this worker's thread with a copy of its counters made
  // there; it must post anything it does elsewhere. A request posted after
  // Stop never runs (the caller's timeout covers it).
  void PostStatsSnapshot(std::function<void(WorkerSnapshot)> done);

 private:
  class Output;
  // recvmmsg batches handled per wakeup before yielding to posted work.
  static constexpr int kMaxReceiveRounds = 8;
  static constexpr int kSocketBufferBytes = 4 << 20;
  static void GrowSocketBuffers(int fd);
  static void SetDontFragment(int fd, bool ipv6);
  bool BindUdp(uint16_t port, std::string& error);
  bool BindSockets(std::string& error);
  void Receive();
  void AfterWork();
  void ArmTimer();

  int index_;
  MediaWorkerConfig config_;
  SignalBridge& bridge_;
  boost::asio::io_context io_;
  boost::asio::ip::udp::socket udp_;
  boost::asio::steady_timer timer_;
  uint16_t port_ = 0;
  std::thread thread_;
  bool stopping_ = false;  // worker thread only
  SystemClock clock_;
  crypto::SecureRandom rng_;
  std::unique_ptr<Output> output_;
  std::unique_ptr<Conference> conference_;
  std::unique_ptr<MediaTcp> tcp_;  // null with MediaWorkerConfig::tcp false
  ReceiveBatch rx_;
  std::optional<Timestamp> timer_armed_for_;  // the deadline timer_ waits for
};

}  // namespace aegis::server
