// One WebRTC peer connection's secure transport: RFC 7983 demux → ICE →
// DTLS 1.2 → SRTP/SRTCP, sans-IO. The server uses it with ICE-lite, the
// native client with a controlling ICE agent.
//
// The owner (an I/O shell) hands in every datagram that arrives on the
// transport's socket with its source address and the time, sends what
// PollTransmit() returns, arms a timer for NextTimeout(), and reads events.
//
// Rules this class enforces, so that no caller can forget them:
// - STUN goes to the ICE agent from any address (that is how ICE learns it);
// - DTLS is accepted only from addresses that passed an ICE check, and sent
//   only to the selected one while consent holds; in the ICE-lite role an
//   address is selected only once it answered the agent's own check
//   (return routability), and consent lives on answers to its checks;
// - SRTP/SRTCP is accepted only from the selected address, only after DTLS
//   connected, and only if it authenticates (with replay protection);
// - nothing is sent to any other address, and nothing is sent at all once
//   consent lapsed or the transport failed or closed.
// Every dropped datagram is counted by reason.
#pragma once

#include <cstdint>
#include <deque>
#include <memory>
#include <optional>
#include <span>
#include <vector>

#include "base/result.h"
#include "base/time.h"
#include "dtls/dtls_endpoint.h"
#include "ice/ice_controlling_agent.h"
#include "ice/ice_lite_agent.h"
#include "rtp/demux.h"
#include "sctp/sctp_association.h"
#include "srtp/srtp_receiver.h"
#include "srtp/srtp_sender.h"
#include "transport/transport_events.h"

namespace aegis::transport {

using stun::TransportAddress;

enum class IceRole {
  kLite,         // the server: answers checks (ice::IceLiteAgent)
  kControlling,  // a native client facing an ICE-lite server (ice::IceControllingAgent)
};

struct PeerTransportConfig {
  IceRole ice_role = IceRole::kLite;
  ice::IceCredentials local_ice;
  ice::IceCredentials remote_ice;
  // kControlling only: where to send checks.
  std::vector<TransportAddress> remote_candidates;
  // Transaction ids and tie-breakers of the agent's own checks: required for
  // kControlling; for kLite, null means crypto::SecureRandom.
  RandomSource* rng = nullptr;
  // From the remote SDP: a=setup decides the role, a=fingerprint the check.
  dtls::DtlsRole dtls_role = dtls::DtlsRole::kServer;
  dtls::Fingerprint remote_fingerprint;
  std::shared_ptr<const dtls::DtlsContext> dtls_context;
  srtp::SrtpConfig srtp;
  // Data channels: set both to carry SCTP over DTLS (RFC 8261). The SCTP
  // role follows the DTLS role; ports and sizes come from the SDP.
  sctp::SctpStack* sctp_stack = nullptr;
  std::optional<sctp::SctpConfig> sctp;
};

struct Datagram {
  TransportAddress to;
  std::vector<uint8_t> bytes;
};

enum class TransportState { kNew, kConnecting, kConnected, kFailed, kClosed };

// What HandleDatagram found. For kRtp/kRtcp, `packet` is the plain packet,
// decrypted in place inside the caller's buffer.
struct Received {
  enum class Kind { kNone, kRtp, kRtcp } kind = Kind::kNone;
  std::span<uint8_t> packet;
};

enum class SendError { kNotConnected, kNoConsent, kSrtp };
enum class CreateError { kBadConfig, kDtls, kSctp };

struct TransportStats {
  uint64_t dropped_demux = 0;               // first byte outside RFC 7983 ranges
  uint64_t dropped_dtls_unauthenticated = 0;  // DTLS from an address without a valid check
  uint64_t dropped_media_wrong_source = 0;  // SRTP/SRTCP from an address other than selected
  uint64_t dropped_media_not_ready = 0;     // SRTP/SRTCP before DTLS connected
  uint64_t dropped_srtp = 0;                // failed SRTP/SRTCP checks (see srtp counters)
  uint64_t dropped_turn = 0;                // TURN ChannelData: no TURN server in use
  uint64_t dropped_application_data = 0;    // DTLS application data without SCTP configured
  uint64_t rtp_received = 0;
  uint64_t rtcp_received = 0;

  TransportStats& operator+=(const TransportStats& o) {
    dropped_demux += o.dropped_demux;
    dropped_dtls_unauthenticated += o.dropped_dtls_unauthenticated;
    dropped_media_wrong_source += o.dropped_media_wrong_source;
    dropped_media_not_ready += o.dropped_media_not_ready;
    dropped_srtp += o.dropped_srtp;
    dropped_turn += o.dropped_turn;
    dropped_application_data += o.dropped_application_data;
    rtp_received += o.rtp_received;
    rtcp_received += o.rtcp_received;
    return *this;
  }
};

class PeerTransport {
 public:
  static Result<std::unique_ptr<PeerTransport>, CreateError> Create(PeerTransportConfig config, Timestamp now);

  // `datagram` is the caller's receive buffer; SRTP is decrypted in place.
  Received HandleDatagram(std::span<uint8_t> datagram, const TransportAddress& from, Timestamp now);
  // The same for a datagram the caller already classified (rtp::Demux) and,
  // if STUN, parsed (`stun` may be null: parsed here): the server classifies
  // each datagram once, to find its connection.
  Received HandleClassified(rtp::DemuxKind kind, const stun::Message* stun, std::span<uint8_t> datagram,
                            const TransportAddress& from, Timestamp now);
  void HandleTimeout(Timestamp now);
  std::optional<Timestamp> NextTimeout() const;
  std::optional<Datagram> PollTransmit();
  std::optional<TransportEvent> PollEvent();

  // Protects the RTP (or RTCP) packet in buffer[0, len) in place. `buffer`
  // needs srtp_overhead() spare bytes. Returns the bytes to send to
  // remote_address().
  Result<std::span<const uint8_t>, SendError> ProtectRtp(std::span<uint8_t> buffer, size_t len, Timestamp now);
  Result<std::span<const uint8_t>, SendError> ProtectRtcp(std::span<uint8_t> buffer, size_t len, Timestamp now);
  static constexpr size_t kMaxSrtpOverhead = 16 + 4;  // GCM tag + SRTCP index word
  // Frees the sending state of an SSRC that will never be sent on again
  // (SrtpConfig::max_ssrcs bounds how many there are). The caller must
  // never send on it afterwards: its indices would start over, and a
  // repeated index repeats the keystream.
  void ForgetSendSsrc(Ssrc ssrc);
  // A transport with no nominated address by then fails (kIceTimeout), so an
  // offer that is never followed by ICE checks cannot hold resources.
  static constexpr TimeDelta kConnectTimeout = TimeDelta::Seconds(30);
  // Data-channel events queued for the owner; past this SCTP is not read,
  // and its receive window pushes back on the peer.
  static constexpr size_t kMaxQueuedEvents = 256;

  // Data channels (only with SCTP configured). Messages may be sent as soon
  // as OpenDataChannel returns; DataChannelOpened follows the peer's ACK.
  Result<uint16_t, sctp::SctpError> OpenDataChannel(const sctp::ChannelOptions& options, Timestamp now);
  Result<void, sctp::SctpError> SendData(uint16_t stream_id, std::span<const uint8_t> data, bool binary,
                                         Timestamp now);
  Result<void, sctp::SctpError> CloseDataChannel(uint16_t stream_id, Timestamp now);

  // ICE restart with new credentials on both sides (RFC 8445 §9), in either
  // role. DTLS and SRTP go on untouched: media keeps its keys and indices
  // while the path under it changes.
  void RestartIce(ice::IceCredentials local, ice::IceCredentials remote, Timestamp now);
  // close_notify to the peer (if connected), then every key is wiped.
  void Close(Timestamp now);

  TransportState state() const { return state_; }
  const std::optional<TransportAddress>& remote_address() const { return ice_->selected(); }
  const ice::IceAgent& ice() const { return *ice_; }
  const dtls::DtlsEndpoint& dtls() const { return *dtls_; }
  const srtp::SrtpReceiver* srtp_receiver() const { return receiver_ ? &*receiver_ : nullptr; }
  const sctp::SctpAssociation* sctp() const { return sctp_.get(); }
  const TransportStats& stats() const { return stats_; }

 private:
  PeerTransport(PeerTransportConfig config, std::unique_ptr<dtls::DtlsEndpoint> dtls);
  static std::unique_ptr<ice::IceAgent> MakeIceAgent(const PeerTransportConfig& config, RandomSource& rng);

  void HandleDtls(std::span<const uint8_t> datagram, const TransportAddress& from, Timestamp now);
  Received HandleSrtp(std::span<uint8_t> datagram, bool rtcp, const TransportAddress& from);
  void DrainIce(Timestamp now);
  void DrainDtls(Timestamp now);
  // Moves the endpoint's queued DTLS datagrams out, to the nominated address
  // (callers check CanSend first).
  void FlushDtlsToSelected();
  void OnDtlsConnected(dtls::ConnectedEvent& event, Timestamp now);
  void Fail(Failed failure);
  void PumpSctp(Timestamp now);
  void WipeKeys();
  bool CanSend(Timestamp now) const;

  PeerTransportConfig config_;
  std::unique_ptr<RandomSource> own_rng_;  // when the config brings none
  std::unique_ptr<ice::IceAgent> ice_;
  std::unique_ptr<dtls::DtlsEndpoint> dtls_;
  bool dtls_started_ = false;
  Timestamp connect_deadline_;
  std::optional<srtp::SrtpSender> sender_;
  std::optional<srtp::SrtpReceiver> receiver_;
  std::unique_ptr<sctp::SctpAssociation> sctp_;
  TransportState state_ = TransportState::kNew;
  std::deque<Datagram> transmits_;
  std::deque<TransportEvent> events_;
  TransportStats stats_;
};

}  // namespace aegis::transport
