#include "dtls/dtls_endpoint.h"

#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#include <algorithm>
#include <array>

#include "dtls/dtls_record.h"

// Retransmission on the injected clock
// ------------------------------------
// OpenSSL 3.0 times DTLS retransmissions with gettimeofday(), and it also
// checks that timer implicitly inside every SSL_do_handshake()/SSL_read(). A
// tiny OpenSSL timer gated by our own DTLSv1_handle_timeout() calls would
// therefore still retransmit whenever any datagram arrives (a ClientHello
// flood would become a retransmission flood and hit OpenSSL's fatal
// 12-timeout limit). Instead:
//  * DTLS_set_timer_cb makes OpenSSL's timer an hour long, so it never fires;
//    the callback's timer_us == 0 call tells us a new flight has begun.
//  * Every record OpenSSL writes while its timer runs belongs to that flight;
//    the Outbox keeps a copy of it.
//  * RetransmitTimer, driven only by the `now` passed in, decides when to
//    re-send that copy (200 ms doubling to 4 s by default). A byte-identical
//    re-send is exactly what a network duplicating a datagram produces: the
//    peer drops the records it already has (replay window) and takes the
//    ones that were lost.
//  * OpenSSL stops its timer when the answering flight has arrived; after each
//    call DTLSv1_get_timeout() tells us so, and we stop ours.
//  * The server's last flight (CCS, Finished) runs no timer: OpenSSL re-sends
//    it when the client's retransmitted Finished arrives with a new record
//    number. A copied Finished is dropped as a replay, so the engine keeps
//    the server's last flight and re-sends it itself when the client's last
//    flight shows up again (at most once per initial interval, bounded).

namespace aegis::dtls {
namespace {

// A datagram of at most max_datagram_size bytes holds fewer records than this.
constexpr int kMaxReadsPerDatagram = 256;
constexpr int kFatalAlertLevel = 2;

std::vector<uint8_t> DerOf(X509* cert) {
  int len = i2d_X509(cert, nullptr);
  if (len <= 0) return {};
  std::vector<uint8_t> der(static_cast<size_t>(len));
  unsigned char* p = der.data();
  if (i2d_X509(cert, &p) != len) return {};
  return der;
}

bool OpenSslTimerRunning(SSL* ssl) {
  timeval left{};
  return ssl != nullptr && DTLSv1_get_timeout(ssl, &left) == 1;
}

}  // namespace

Result<std::unique_ptr<DtlsEndpoint>, CreateError> DtlsEndpoint::Create(std::shared_ptr<const DtlsContext> context,
                                                                        DtlsConfig config) {
  if (!context) return Err{CreateError::kNoCertificate};
  if (config.mtu < 256 || config.mtu > 65'507 || config.max_datagram_size < 256 ||
      config.max_datagram_size > 65'535 || config.remote_fingerprint.empty()) {
    return Err{CreateError::kBadConfig};
  }
  std::unique_ptr<DtlsEndpoint> ep(new DtlsEndpoint(std::move(context), std::move(config)));
  ep->ssl_ = ep->context_->NewSsl(ep.get(), ep->config_.role == DtlsRole::kClient, ep->config_.mtu);
  if (!ep->ssl_) return Err{CreateError::kOpenSsl};
  return ep;
}

DtlsEndpoint::DtlsEndpoint(std::shared_ptr<const DtlsContext> context, DtlsConfig config)
    : context_(std::move(context)),
      config_(std::move(config)),
      timer_(config_.retransmit),
      outbox_(config_.mtu, config_.max_outgoing_bytes),
      read_buffer_(config_.max_datagram_size) {}

DtlsEndpoint::~DtlsEndpoint() { ReleaseSsl(); }

DtlsStats DtlsEndpoint::stats() const {
  DtlsStats s = stats_;
  s.dropped_outgoing = outbox_.dropped_records();
  return s;
}

void DtlsEndpoint::Start(Timestamp now) {
  if (state_ != DtlsState::kNew) return;
  now_ = now;
  state_ = DtlsState::kHandshaking;
  handshake_deadline_ = now + config_.retransmit.handshake_timeout;
  if (config_.role == DtlsRole::kClient) DriveHandshake();
}

void DtlsEndpoint::HandleInput(std::span<const uint8_t> datagram, Timestamp now) {
  now_ = now;
  ++stats_.datagrams_received;
  if (state_ == DtlsState::kNew && config_.role == DtlsRole::kServer) Start(now);
  if (state_ != DtlsState::kHandshaking && state_ != DtlsState::kConnected) {
    ++stats_.dropped_inactive;
    return;
  }
  auto summary = InspectDatagram(datagram, config_.max_datagram_size);
  if (!summary.ok()) {
    switch (summary.error()) {
      case DatagramError::kEmpty:
      case DatagramError::kTooLarge: ++stats_.dropped_empty_or_oversized; break;
      case DatagramError::kNotDtls: ++stats_.dropped_not_dtls; break;
      case DatagramError::kMalformed: ++stats_.dropped_malformed; break;
    }
    return;
  }
  // A client never receives a ClientHello, and a server takes only the first
  // one: repeats (floods) stop here, before OpenSSL buffers anything.
  if (summary->client_hello_records == summary->records &&
      (config_.role == DtlsRole::kClient || client_hello_accepted_ || state_ == DtlsState::kConnected)) {
    ++stats_.dropped_repeated_client_hello;
    return;
  }
  std::span<const uint8_t> input = datagram;
  if (state_ == DtlsState::kHandshaking && summary->application_data_records > 0) {
    stats_.dropped_early_application_data += summary->application_data_records;
    if (summary->application_data_records == summary->records) return;
    CopyWithoutApplicationData(datagram, scratch_);
    input = scratch_;
  }
  if (state_ == DtlsState::kConnected && summary->client_final_flight_records > 0) MaybeReplayFinalFlight();

  pending_input_ = input;
  if (state_ == DtlsState::kHandshaking) DriveHandshake();
  if (state_ == DtlsState::kConnected) ReadApplicationData();
  pending_input_ = {};
}

void DtlsEndpoint::HandleTimeout(Timestamp now) {
  now_ = now;
  if (state_ != DtlsState::kHandshaking) return;
  if (now >= handshake_deadline_) {
    Fail(FailureReason::kTimeout);
    return;
  }
  if (!timer_.Expired(now)) return;
  if (!timer_.OnExpired(now)) {
    Fail(FailureReason::kTimeout);
    return;
  }
  if (outbox_.ReplayFlight() > 0) ++stats_.retransmissions;
}

std::optional<Timestamp> DtlsEndpoint::NextTimeout() const {
  if (state_ != DtlsState::kHandshaking) return std::nullopt;
  Timestamp next = handshake_deadline_;
  if (auto d = timer_.deadline(); d && *d < next) next = *d;
  return next;
}

std::optional<DtlsEvent> DtlsEndpoint::PollEvent() {
  if (events_.empty()) return std::nullopt;
  DtlsEvent e = std::move(events_.front());
  events_.pop_front();
  if (auto* data = std::get_if<ApplicationDataEvent>(&e)) pending_event_bytes_ -= data->data.size();
  return e;
}

void DtlsEndpoint::PushEvent(DtlsEvent event) {
  if (auto* data = std::get_if<ApplicationDataEvent>(&event)) pending_event_bytes_ += data->data.size();
  events_.push_back(std::move(event));
}

Result<void, SendError> DtlsEndpoint::SendApplicationData(std::span<const uint8_t> data) {
  if (state_ != DtlsState::kConnected || !ssl_) return Err{SendError::kNotConnected};
  if (data.empty()) return {};
  if (data.size() > max_application_data_size()) return Err{SendError::kTooLarge};
  if (!outbox_.HasRoomFor(config_.mtu)) return Err{SendError::kBufferFull};
  ERR_clear_error();
  int n = SSL_write(ssl_.get(), data.data(), static_cast<int>(data.size()));
  ERR_clear_error();
  if (n != static_cast<int>(data.size())) return Err{SendError::kInternal};
  return {};
}

size_t DtlsEndpoint::max_application_data_size() const {
  if (state_ != DtlsState::kConnected || !ssl_) return 0;
  return DTLS_get_data_mtu(ssl_.get());
}

void DtlsEndpoint::Close() {
  if (state_ == DtlsState::kClosed || state_ == DtlsState::kFailed) return;
  if (state_ == DtlsState::kConnected && ssl_) {
    ERR_clear_error();
    SSL_shutdown(ssl_.get());  // queues close_notify
    ERR_clear_error();
  }
  ReleaseSsl();
  // Unpolled events may hold keys: destroying them wipes the keys.
  events_.clear();
  pending_event_bytes_ = 0;
  state_ = DtlsState::kClosed;
  PushEvent(ClosedEvent{});
}

void DtlsEndpoint::DriveHandshake() {
  outbox_.StartCapture();
  ERR_clear_error();
  int r = SSL_do_handshake(ssl_.get());
  if (r == 1) {
    OnHandshakeComplete();
    return;
  }
  int err = SSL_get_error(ssl_.get(), r);
  if (err != SSL_ERROR_WANT_READ && err != SSL_ERROR_WANT_WRITE) {
    Fail(err == SSL_ERROR_ZERO_RETURN ? FailureReason::kPeerAlert : ClassifySslError());
    return;
  }
  outbox_.StopCapture();
  SyncTimer();
  // The server answered a ClientHello: the handshake has started for good.
  if (config_.role == DtlsRole::kServer && timer_.running()) client_hello_accepted_ = true;
}

void DtlsEndpoint::OnHandshakeComplete() {
  SyncTimer();
  if (timer_.running()) {
    outbox_.StopCapture();
  } else {
    outbox_.KeepCaptureAsFinalFlight();  // empty for a client: nothing to replay
  }
  // The verify callback has already compared the fingerprint; check the
  // certificate the session actually holds again before releasing keys.
  X509* peer = SSL_get0_peer_certificate(ssl_.get());
  if (peer == nullptr) {
    Fail(FailureReason::kNoCertificate);
    return;
  }
  if (!remote_fingerprint_ || !config_.remote_fingerprint.Matches(DerOf(peer))) {
    Fail(FailureReason::kFingerprintMismatch);
    return;
  }
  const SRTP_PROTECTION_PROFILE* selected = SSL_get_selected_srtp_profile(ssl_.get());
  const SrtpProfileInfo* info = selected != nullptr ? FindSrtpProfile(static_cast<uint16_t>(selected->id)) : nullptr;
  if (info == nullptr) {
    Fail(FailureReason::kNoSrtpProfile);
    return;
  }

  // RFC 5764 §4.2: client key | server key | client salt | server salt.
  static constexpr char kLabel[] = "EXTRACTOR-dtls_srtp";
  const size_t key = info->master_key_size, salt = info->master_salt_size;
  std::array<uint8_t, 2 * (32 + 14)> material{};
  const size_t total = 2 * (key + salt);
  ERR_clear_error();
  if (total > material.size() || SSL_export_keying_material(ssl_.get(), material.data(), total, kLabel,
                                                            sizeof(kLabel) - 1, nullptr, 0, 0) != 1) {
    crypto::SecureWipe(material);
    Fail(FailureReason::kProtocolError);
    return;
  }
  std::span<const uint8_t> m(material.data(), total);
  ConnectedEvent connected{info->profile,
                           {crypto::SecretBytes(m.subspan(0, key)), crypto::SecretBytes(m.subspan(key, key)),
                            crypto::SecretBytes(m.subspan(2 * key, salt)),
                            crypto::SecretBytes(m.subspan(2 * key + salt, salt))},
                           *remote_fingerprint_};
  crypto::SecureWipe(material);
  state_ = DtlsState::kConnected;
  timer_.Stop();
  PushEvent(std::move(connected));
}

void DtlsEndpoint::ReadApplicationData() {
  for (int i = 0; i < kMaxReadsPerDatagram && ssl_; ++i) {
    ERR_clear_error();
    int n = SSL_read(ssl_.get(), read_buffer_.data(), static_cast<int>(read_buffer_.size()));
    if (n > 0) {
      size_t size = static_cast<size_t>(n);
      if (pending_event_bytes_ + size > config_.max_pending_event_bytes) {
        ++stats_.dropped_application_data;
      } else {
        PushEvent(ApplicationDataEvent{{read_buffer_.begin(), read_buffer_.begin() + n}});
      }
      continue;
    }
    int err = SSL_get_error(ssl_.get(), n);
    if (err == SSL_ERROR_WANT_READ || err == SSL_ERROR_WANT_WRITE) return;
    if (err == SSL_ERROR_ZERO_RETURN) {
      // The peer's close_notify: answer with ours (RFC 5246 §7.2.1), then end.
      ERR_clear_error();
      SSL_shutdown(ssl_.get());
      ERR_clear_error();
      ReleaseSsl();
      state_ = DtlsState::kClosed;
      PushEvent(ClosedEvent{});
      return;
    }
    Fail(ClassifySslError());
    return;
  }
}

void DtlsEndpoint::SyncTimer() {
  bool running = OpenSslTimerRunning(ssl_.get());
  if (!running && timer_.running()) {
    timer_.Stop();
    outbox_.ClearFlight();
  } else if (running && !timer_.running()) {
    timer_.Start(now_);
  }
}

void DtlsEndpoint::MaybeReplayFinalFlight() {
  if (!outbox_.has_final_flight() || final_flight_replays_ >= config_.retransmit.max_retransmissions) return;
  if (last_final_flight_replay_ && now_ - *last_final_flight_replay_ < config_.retransmit.initial) return;
  last_final_flight_replay_ = now_;
  ++final_flight_replays_;
  if (outbox_.ReplayFinalFlight() > 0) ++stats_.final_flight_replays;
}

void DtlsEndpoint::Fail(FailureReason reason) {
  if (state_ == DtlsState::kFailed || state_ == DtlsState::kClosed) return;
  state_ = DtlsState::kFailed;
  timer_.Stop();
  // Any alert OpenSSL wrote stays queued for the peer; the SSL goes now.
  ReleaseSsl();
  PushEvent(FailedEvent{reason, reason == FailureReason::kPeerAlert ? received_fatal_alert_ : -1});
}

FailureReason DtlsEndpoint::ClassifySslError() {
  FailureReason reason = FailureReason::kProtocolError;
  if (fingerprint_mismatch_) reason = FailureReason::kFingerprintMismatch;
  else if (received_fatal_alert_ >= 0) reason = FailureReason::kPeerAlert;
  while (unsigned long e = ERR_get_error()) {
    if (reason == FailureReason::kProtocolError && ERR_GET_LIB(e) == ERR_LIB_SSL &&
        ERR_GET_REASON(e) == SSL_R_PEER_DID_NOT_RETURN_A_CERTIFICATE) {
      reason = FailureReason::kNoCertificate;
    }
  }
  return reason;
}

void DtlsEndpoint::ReleaseSsl() {
  // SSL_free cleanses the master secret and key block.
  ssl_.reset();
  outbox_.ClearCopies();
  pending_input_ = {};
}

int DtlsEndpoint::OnBioRead(std::span<uint8_t> out) {
  if (pending_input_.empty()) return -1;
  size_t n = std::min(out.size(), pending_input_.size());
  std::copy_n(pending_input_.begin(), n, out.begin());
  pending_input_ = {};
  return static_cast<int>(n);
}

void DtlsEndpoint::OnBioWrite(std::span<const uint8_t> record) {
  outbox_.Push(record, OpenSslTimerRunning(ssl_.get()));
}

void DtlsEndpoint::OnFlightStarted() {
  outbox_.BeginFlight();
  timer_.Start(now_);
}

bool DtlsEndpoint::OnVerifyPeer(X509* leaf) {
  if (!config_.remote_fingerprint.Matches(DerOf(leaf))) {
    fingerprint_mismatch_ = true;
    return false;
  }
  remote_fingerprint_ = config_.remote_fingerprint;
  return true;
}

void DtlsEndpoint::OnAlert(bool received, int level, int description) {
  if (received && level == kFatalAlertLevel) received_fatal_alert_ = description;
}

}  // namespace aegis::dtls
