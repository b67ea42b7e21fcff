#include "transport/peer_transport.h"

#include "crypto/secure_random.h"
#include "rtp/demux.h"

namespace aegis::transport {

std::unique_ptr<ice::IceAgent> PeerTransport::MakeIceAgent(const PeerTransportConfig& config, RandomSource& rng) {
  if (config.ice_role == IceRole::kLite) {
    return std::make_unique<ice::IceLiteAgent>(config.local_ice, config.remote_ice, rng);
  }
  ice::IceControllingConfig c;
  c.local = config.local_ice;
  c.remote = config.remote_ice;
  c.remote_candidates = config.remote_candidates;
  return std::make_unique<ice::IceControllingAgent>(std::move(c), rng);
}

Result<std::unique_ptr<PeerTransport>, CreateError> PeerTransport::Create(PeerTransportConfig config,
                                                                          Timestamp now) {
  if (config.ice_role == IceRole::kControlling && (!config.rng || config.remote_candidates.empty())) {
    return Err{CreateError::kBadConfig};
  }
  if (config.sctp.has_value() != (config.sctp_stack != nullptr)) return Err{CreateError::kBadConfig};
  dtls::DtlsConfig dtls_config;
  dtls_config.role = config.dtls_role;
  dtls_config.remote_fingerprint = config.remote_fingerprint;
  auto endpoint = dtls::DtlsEndpoint::Create(config.dtls_context, dtls_config);
  if (!endpoint.ok()) return Err{CreateError::kDtls};
  std::unique_ptr<PeerTransport> transport(new PeerTransport(std::move(config), std::move(endpoint).value()));
  transport->connect_deadline_ = now + kConnectTimeout;
  if (transport->config_.sctp) {
    sctp::SctpConfig sc = *transport->config_.sctp;
    sc.role = transport->config_.dtls_role == dtls::DtlsRole::kClient ? sctp::SctpRole::kClient
                                                                        : sctp::SctpRole::kServer;
    transport->sctp_ = sctp::SctpAssociation::Create(*transport->config_.sctp_stack, sc);
    if (!transport->sctp_) return Err{CreateError::kSctp};
  }
  // A DTLS server may start listening at once; a client sends its
  // ClientHello only once ICE has nominated where to send it.
  if (transport->config_.dtls_role == dtls::DtlsRole::kServer) {
    transport->dtls_->Start(now);
    transport->dtls_started_ = true;
  }
  if (transport->config_.ice_role == IceRole::kControlling) {
    static_cast<ice::IceControllingAgent&>(*transport->ice_).Start(now);
    transport->DrainIce(now);
  }
  return transport;
}

PeerTransport::PeerTransport(PeerTransportConfig config, std::unique_ptr<dtls::DtlsEndpoint> dtls)
    : config_(std::move(config)),
      own_rng_(config_.rng ? nullptr : std::make_unique<crypto::SecureRandom>()),
      ice_(MakeIceAgent(config_, config_.rng ? *config_.rng : *own_rng_)),
      dtls_(std::move(dtls)) {}

Received PeerTransport::HandleDatagram(std::span<uint8_t> datagram, const TransportAddress& from, Timestamp now) {
  return HandleClassified(rtp::Demux(datagram), nullptr, datagram, from, now);
}

Received PeerTransport::HandleClassified(rtp::DemuxKind kind, const stun::Message* stun, std::span<uint8_t> datagram,
                                         const TransportAddress& from, Timestamp now) {
  if (state_ == TransportState::kClosed || state_ == TransportState::kFailed) return {};
  switch (kind) {
    case rtp::DemuxKind::kStun:
      if (stun) {
        ice_->HandleStunMessage(*stun, datagram, from, now);
      } else {
        ice_->HandleStun(datagram, from, now);
      }
      DrainIce(now);
      return {};
    case rtp::DemuxKind::kDtls:
      HandleDtls(datagram, from, now);
      return {};
    case rtp::DemuxKind::kRtp:
      return HandleSrtp(datagram, false, from);
    case rtp::DemuxKind::kRtcp:
      return HandleSrtp(datagram, true, from);
    case rtp::DemuxKind::kTurnChannel:
      ++stats_.dropped_turn;
      return {};
    case rtp::DemuxKind::kDrop:
      ++stats_.dropped_demux;
      return {};
  }
  return {};
}

void PeerTransport::HandleDtls(std::span<const uint8_t> datagram, const TransportAddress& from, Timestamp now) {
  if (!ice_->IsAuthenticated(from)) {
    ++stats_.dropped_dtls_unauthenticated;
    return;
  }
  dtls_->HandleInput(datagram, now);
  DrainDtls(now);
}

Received PeerTransport::HandleSrtp(std::span<uint8_t> datagram, bool rtcp, const TransportAddress& from) {
  if (!receiver_) {
    ++stats_.dropped_media_not_ready;
    return {};
  }
  if (ice_->selected() != from) {
    ++stats_.dropped_media_wrong_source;
    return {};
  }
  auto len = rtcp ? receiver_->UnprotectRtcp(datagram, datagram.size())
                  : receiver_->UnprotectRtp(datagram, datagram.size());
  if (!len.ok()) {
    ++stats_.dropped_srtp;
    return {};
  }
  ++(rtcp ? stats_.rtcp_received : stats_.rtp_received);
  return {rtcp ? Received::Kind::kRtcp : Received::Kind::kRtp, datagram.first(*len)};
}

void PeerTransport::DrainIce(Timestamp now) {
  while (auto tx = ice_->PollTransmit()) transmits_.push_back({tx->to, std::move(tx->bytes)});
  while (auto event = ice_->PollEvent()) {
    if (auto* selected = std::get_if<ice::SelectedAddressChanged>(&*event)) {
      if (state_ == TransportState::kNew) state_ = TransportState::kConnecting;
      events_.push_back(IceConnected{selected->address});
      if (!dtls_started_) {
        dtls_->Start(now);
        dtls_started_ = true;
      }
    } else if (std::holds_alternative<ice::ConsentExpired>(*event)) {
      Fail({FailureCause::kConsentExpired});
      return;
    }
  }
  DrainDtls(now);  // DTLS held back for lack of a nominated address may go now
}

void PeerTransport::FlushDtlsToSelected() {
  while (auto datagram = dtls_->PollTransmit()) transmits_.push_back({*ice_->selected(), std::move(*datagram)});
}

void PeerTransport::DrainDtls(Timestamp now) {
  // DTLS output waits inside the endpoint until an address is nominated.
  if (CanSend(now)) FlushDtlsToSelected();
  while (state_ != TransportState::kFailed && state_ != TransportState::kClosed) {
    auto event = dtls_->PollEvent();
    if (!event) break;
    if (auto* connected = std::get_if<dtls::ConnectedEvent>(&*event)) {
      OnDtlsConnected(*connected, now);
    } else if (auto* data = std::get_if<dtls::ApplicationDataEvent>(&*event)) {
      if (sctp_) {
        sctp_->HandleInput(data->data, now);
      } else {
        ++stats_.dropped_application_data;
      }
    } else if (auto* failed = std::get_if<dtls::FailedEvent>(&*event)) {
      Fail({FailureCause::kDtls, failed->reason});
      return;
    } else if (std::holds_alternative<dtls::ClosedEvent>(*event)) {
      WipeKeys();
      state_ = TransportState::kClosed;
      events_.push_back(Closed{});
      return;
    }
  }
  PumpSctp(now);
}

void PeerTransport::OnDtlsConnected(dtls::ConnectedEvent& event, Timestamp now) {
  auto profile = srtp::ProfileFromId(static_cast<uint16_t>(event.profile));
  if (!profile) {
    Fail({FailureCause::kBadSrtpKeys});
    return;
  }
  const bool client = config_.dtls_role == dtls::DtlsRole::kClient;
  const auto& k = event.keys;
  // RFC 5764 §4.2: each side sends with its own write key.
  const auto& send_key = client ? k.client_write_key : k.server_write_key;
  const auto& send_salt = client ? k.client_write_salt : k.server_write_salt;
  const auto& recv_key = client ? k.server_write_key : k.client_write_key;
  const auto& recv_salt = client ? k.server_write_salt : k.client_write_salt;
  auto sender = srtp::SrtpSender::Create(*profile, send_key.view(), send_salt.view(), config_.srtp);
  auto receiver = srtp::SrtpReceiver::Create(*profile, recv_key.view(), recv_salt.view(), config_.srtp);
  if (!sender.ok() || !receiver.ok()) {
    Fail({FailureCause::kBadSrtpKeys});
    return;
  }
  sender_.emplace(std::move(sender).value());
  receiver_.emplace(std::move(receiver).value());
  state_ = TransportState::kConnected;
  events_.push_back(Connected{*profile});
  if (sctp_ && !sctp_->Connect(now).ok()) Fail({FailureCause::kSctp});
}

void PeerTransport::PumpSctp(Timestamp now) {
  if (!sctp_) return;
  while (events_.size() < kMaxQueuedEvents) {
    auto event = sctp_->PollEvent();
    if (!event) break;
    if (std::holds_alternative<sctp::Connected>(*event)) {
      events_.push_back(DataChannelsReady{});
    } else if (auto* opened = std::get_if<sctp::ChannelOpened>(&*event)) {
      events_.push_back(DataChannelOpened{opened->stream_id, std::move(opened->label), std::move(opened->protocol),
                                          opened->locally_initiated});
    } else if (auto* message = std::get_if<sctp::Message>(&*event)) {
      events_.push_back(DataChannelMessage{message->stream_id, message->binary, std::move(message->data)});
    } else if (auto* closed = std::get_if<sctp::ChannelClosed>(&*event)) {
      events_.push_back(DataChannelClosed{closed->stream_id});
    } else if (std::holds_alternative<sctp::Failed>(*event)) {
      Fail({FailureCause::kSctp});
      return;
    }
  }
  // SCTP packets ride in DTLS records, to the nominated address only.
  while (auto packet = sctp_->PollTransmit()) {
    if (dtls_->SendApplicationData(*packet).ok() && CanSend(now)) FlushDtlsToSelected();
  }
}

Result<uint16_t, sctp::SctpError> PeerTransport::OpenDataChannel(const sctp::ChannelOptions& options, Timestamp now) {
  if (!sctp_) return Err{sctp::SctpError::kNotConnected};
  auto id = sctp_->OpenChannel(options);
  PumpSctp(now);
  return id;
}

Result<void, sctp::SctpError> PeerTransport::SendData(uint16_t stream_id, std::span<const uint8_t> data, bool binary,
                                                      Timestamp now) {
  if (!sctp_) return Err{sctp::SctpError::kNotConnected};
  auto sent = sctp_->Send(stream_id, data, binary);
  PumpSctp(now);
  return sent;
}

Result<void, sctp::SctpError> PeerTransport::CloseDataChannel(uint16_t stream_id, Timestamp now) {
  if (!sctp_) return Err{sctp::SctpError::kNotConnected};
  auto closed = sctp_->CloseChannel(stream_id);
  PumpSctp(now);
  return closed;
}

void PeerTransport::HandleTimeout(Timestamp now) {
  if (state_ == TransportState::kClosed || state_ == TransportState::kFailed) return;
  if (!ice_->selected() && now >= connect_deadline_) {
    Fail({FailureCause::kIceTimeout});
    return;
  }
  ice_->HandleTimeout(now);
  DrainIce(now);
  if (state_ == TransportState::kFailed) return;
  dtls_->HandleTimeout(now);
  DrainDtls(now);
  if (sctp_ && state_ == TransportState::kConnected) sctp_->HandleTimeout(now);
  PumpSctp(now);
}

std::optional<Timestamp> PeerTransport::NextTimeout() const {
  if (state_ == TransportState::kClosed || state_ == TransportState::kFailed) return std::nullopt;
  std::optional<Timestamp> next;
  if (!ice_->selected()) next = connect_deadline_;
  for (auto t : {ice_->NextTimeout(), dtls_->NextTimeout(),
                 sctp_ && state_ == TransportState::kConnected ? sctp_->NextTimeout() : std::nullopt}) {
    if (t && (!next || *t < *next)) next = t;
  }
  return next;
}

std::optional<Datagram> PeerTransport::PollTransmit() {
  if (transmits_.empty()) return std::nullopt;
  Datagram d = std::move(transmits_.front());
  transmits_.pop_front();
  return d;
}

std::optional<TransportEvent> PeerTransport::PollEvent() {
  if (events_.empty()) return std::nullopt;
  TransportEvent e = std::move(events_.front());
  events_.pop_front();
  return e;
}

bool PeerTransport::CanSend(Timestamp now) const { return ice_->CanSend(now); }

Result<std::span<const uint8_t>, SendError> PeerTransport::ProtectRtp(std::span<uint8_t> buffer, size_t len,
                                                                      Timestamp now) {
  if (!sender_) return Err{SendError::kNotConnected};
  if (!CanSend(now)) return Err{SendError::kNoConsent};
  auto out = sender_->ProtectRtp(buffer, len);
  if (!out.ok()) return Err{SendError::kSrtp};
  return std::span<const uint8_t>(buffer.first(*out));
}

void PeerTransport::ForgetSendSsrc(Ssrc ssrc) {
  if (sender_) sender_->RemoveSsrc(ssrc);
}

Result<std::span<const uint8_t>, SendError> PeerTransport::ProtectRtcp(std::span<uint8_t> buffer, size_t len,
                                                                       Timestamp now) {
  if (!sender_) return Err{SendError::kNotConnected};
  if (!CanSend(now)) return Err{SendError::kNoConsent};
  auto out = sender_->ProtectRtcp(buffer, len);
  if (!out.ok()) return Err{SendError::kSrtp};
  return std::span<const uint8_t>(buffer.first(*out));
}

void PeerTransport::RestartIce(ice::IceCredentials local, ice::IceCredentials remote, Timestamp now) {
  if (state_ == TransportState::kClosed || state_ == TransportState::kFailed) return;
  if (config_.ice_role == IceRole::kLite) {
    static_cast<ice::IceLiteAgent&>(*ice_).Restart(std::move(local), std::move(remote));
  } else {
    static_cast<ice::IceControllingAgent&>(*ice_).Restart(std::move(local), std::move(remote), now);
  }
  DrainIce(now);
}

void PeerTransport::Close(Timestamp now) {
  if (state_ == TransportState::kClosed) return;
  const bool can_send = CanSend(now) && state_ != TransportState::kFailed;
  sctp_.reset();  // aborts the association; DTLS close_notify ends it for the peer
  dtls_->Close();
  if (can_send) FlushDtlsToSelected();
  while (dtls_->PollEvent()) {
  }
  WipeKeys();
  state_ = TransportState::kClosed;
  events_.push_back(Closed{});
}

void PeerTransport::Fail(Failed failure) {
  WipeKeys();
  // The DTLS state holds the master secret the SRTP keys came from: free it
  // too, sending nothing (a failed transport no longer sends), and drop what
  // the endpoint still had queued.
  dtls_->Close();
  while (dtls_->PollTransmit()) {
  }
  while (dtls_->PollEvent()) {
  }
  state_ = TransportState::kFailed;
  events_.push_back(failure);
}

void PeerTransport::WipeKeys() {
  // The SRTP contexts own their keys in self-wiping storage.
  sender_.reset();
  receiver_.reset();
  sctp_.reset();
}

}  // namespace aegis::transport
