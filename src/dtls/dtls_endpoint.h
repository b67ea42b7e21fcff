// A sans-IO DTLS 1.2 endpoint for DTLS-SRTP (RFC 6347, 5763, 5764, 8827 §6.5).
// No sockets, threads or clocks: the owner feeds datagrams and time in and
// takes datagrams, events and the next timeout out.
//
//   auto ep = DtlsEndpoint::Create(context, config);   // role from a=setup
//   ep->Start(now);
//   loop: ep->HandleInput(datagram, now) / ep->HandleTimeout(now);
//         while (auto d = ep->PollTransmit()) send(*d);
//         while (auto e = ep->PollEvent()) ...;   // Connected, Failed, ...
//         arm a timer for ep->NextTimeout();
//
// Keys are released (ConnectedEvent) only after the peer's certificate matched
// the expected fingerprint and an SRTP profile was agreed.
#pragma once

#include <cstddef>
#include <cstdint>
#include <deque>
#include <memory>
#include <optional>
#include <span>
#include <vector>

#include "base/result.h"
#include "base/time.h"
#include "dtls/events.h"
#include "dtls/fingerprint.h"
#include "dtls/outbox.h"
#include "dtls/retransmit_timer.h"
#include "dtls/ssl_ctx.h"

namespace aegis::dtls {

enum class DtlsRole { kClient, kServer };
enum class DtlsState { kNew, kHandshaking, kConnected, kClosed, kFailed };

struct DtlsConfig {
  DtlsRole role = DtlsRole::kServer;
  // From the remote SDP's a=fingerprint.
  Fingerprint remote_fingerprint;
  // Largest datagram we send.
  size_t mtu = 1200;
  // Larger input datagrams are dropped (WebRTC peers stay under ~1500).
  size_t max_datagram_size = 2048;
  // Caps on memory held for the owner: queued outgoing records, and queued
  // application data not yet polled. Past them data is dropped and counted.
  size_t max_outgoing_bytes = 256 * 1024;
  size_t max_pending_event_bytes = 256 * 1024;
  RetransmitPolicy retransmit;
};

// Counters for what was dropped and why (for metrics and tests).
struct DtlsStats {
  uint64_t datagrams_received = 0;
  uint64_t dropped_empty_or_oversized = 0;
  uint64_t dropped_not_dtls = 0;
  uint64_t dropped_malformed = 0;
  uint64_t dropped_early_application_data = 0;  // records, before Connected
  uint64_t dropped_repeated_client_hello = 0;   // datagrams
  uint64_t dropped_inactive = 0;                // datagrams after Closed/Failed
  uint64_t dropped_application_data = 0;        // records over the event cap
  uint64_t dropped_outgoing = 0;                // records over the outgoing cap
  uint64_t retransmissions = 0;                 // flights re-sent on timeout
  uint64_t final_flight_replays = 0;            // server's last flight re-sent
};

enum class CreateError { kNoCertificate, kBadConfig, kOpenSsl };
enum class SendError { kNotConnected, kTooLarge, kBufferFull, kInternal };

class DtlsEndpoint final : private SslHooks {
 public:
  static Result<std::unique_ptr<DtlsEndpoint>, CreateError> Create(std::shared_ptr<const DtlsContext> context,
                                                                   DtlsConfig config);
  ~DtlsEndpoint() override;
  DtlsEndpoint(const DtlsEndpoint&) = delete;
  DtlsEndpoint& operator=(const DtlsEndpoint&) = delete;

  // Begins the handshake: a client sends its ClientHello, a server waits for
  // one. The handshake timeout counts from here. A server that gets input
  // before Start() starts implicitly.
  void Start(Timestamp now);
  void HandleInput(std::span<const uint8_t> datagram, Timestamp now);
  void HandleTimeout(Timestamp now);

  std::optional<std::vector<uint8_t>> PollTransmit() { return outbox_.PopDatagram(); }
  std::optional<DtlsEvent> PollEvent();
  std::optional<Timestamp> NextTimeout() const;

  // Encrypts one message (at most max_application_data_size() bytes) into a
  // single datagram.
  Result<void, SendError> SendApplicationData(std::span<const uint8_t> data);
  size_t max_application_data_size() const;

  // Sends close_notify (if connected), drops pending events (so unpolled keys
  // are wiped) and frees the OpenSSL state, which wipes its secrets.
  void Close();

  DtlsState state() const { return state_; }
  DtlsRole role() const { return config_.role; }
  DtlsStats stats() const;

 private:
  DtlsEndpoint(std::shared_ptr<const DtlsContext> context, DtlsConfig config);

  // SslHooks.
  int OnBioRead(std::span<uint8_t> out) override;
  void OnBioWrite(std::span<const uint8_t> record) override;
  void OnFlightStarted() override;
  bool OnVerifyPeer(X509* leaf) override;
  void OnAlert(bool received, int level, int description) override;

  void DriveHandshake();
  void ReadApplicationData();
  void OnHandshakeComplete();
  void SyncTimer();
  void Fail(FailureReason reason);
  FailureReason ClassifySslError();
  void ReleaseSsl();
  void PushEvent(DtlsEvent event);
  void MaybeReplayFinalFlight();

  std::shared_ptr<const DtlsContext> context_;
  DtlsConfig config_;
  SslPtr ssl_;
  DtlsState state_ = DtlsState::kNew;
  Timestamp now_;
  Timestamp handshake_deadline_;
  RetransmitTimer timer_;
  Outbox outbox_;
  std::span<const uint8_t> pending_input_;
  std::vector<uint8_t> scratch_;
  std::vector<uint8_t> read_buffer_;
  std::deque<DtlsEvent> events_;
  size_t pending_event_bytes_ = 0;
  bool client_hello_accepted_ = false;
  bool fingerprint_mismatch_ = false;
  int received_fatal_alert_ = -1;
  std::optional<Fingerprint> remote_fingerprint_;  // set once the peer's cert matched
  std::optional<Timestamp> last_final_flight_replay_;
  int final_flight_replays_ = 0;
  DtlsStats stats_;
};

}  // namespace aegis::dtls
