#include "echo/echo_session.h"

#include <algorithm>

#include "rtcp/compound.h"
#include "rtcp/pli.h"
#include "rtp/rtp_packet.h"

namespace aegis::echo {

std::unique_ptr<EchoSession> EchoSession::Create(const negotiation::Answer& answer,
                                                 std::shared_ptr<const dtls::DtlsContext> context,
                                                 const ice::IceCredentials& local_ice, sctp::SctpStack* stack,
                                                 Timestamp now) {
  transport::PeerTransportConfig config;
  config.ice_role = transport::IceRole::kLite;
  config.local_ice = local_ice;
  config.remote_ice = answer.remote_ice;
  config.dtls_role = answer.local_dtls_role;
  config.remote_fingerprint = answer.remote_fingerprint;
  config.dtls_context = std::move(context);
  if (answer.remote_sctp_port && stack) {
    sctp::SctpConfig sc;
    sc.remote_port = *answer.remote_sctp_port;
    sc.remote_max_message_size = answer.remote_max_message_size;
    sc.lenient_stream_parity = true;  // aiortc opens on odd ids as DTLS client
    config.sctp_stack = stack;
    config.sctp = sc;
  }
  auto transport = transport::PeerTransport::Create(std::move(config), now);
  if (!transport.ok()) return nullptr;
  std::unique_ptr<EchoSession> session(new EchoSession(answer, std::move(transport).value()));
  session->PumpEvents(now);
  return session;
}

EchoSession::EchoSession(const negotiation::Answer& answer, std::unique_ptr<transport::PeerTransport> transport)
    : answer_(answer), transport_(std::move(transport)) {
  for (const auto& m : answer_.media) {
    for (uint32_t ssrc : m.remote_ssrcs) by_remote_ssrc_[ssrc] = &m;
  }
  scratch_.reserve(1500 + transport::PeerTransport::kMaxSrtpOverhead);
}

EchoSession::~EchoSession() = default;

const negotiation::AcceptedMedia* EchoSession::Route(const rtp::RtpPacketView& view) const {
  if (auto it = by_remote_ssrc_.find(view.ssrc().value()); it != by_remote_ssrc_.end()) return it->second;
  for (const auto& m : answer_.media) {
    if (m.mid_extension) {
      if (auto mid = view.FindExtension(*m.mid_extension);
          mid && std::string_view(reinterpret_cast<const char*>(mid->data()), mid->size()) == m.mid) {
        return &m;
      }
    }
  }
  for (const auto& m : answer_.media) {
    if (std::find(m.payload_types.begin(), m.payload_types.end(), view.payload_type()) != m.payload_types.end()) {
      return &m;
    }
  }
  return nullptr;
}

void EchoSession::HandleDatagram(std::span<uint8_t> datagram, const stun::TransportAddress& from, Timestamp now) {
  auto received = transport_->HandleDatagram(datagram, from, now);
  if (received.kind == transport::Received::Kind::kRtp) EchoRtp(received.packet, now);
  if (received.kind == transport::Received::Kind::kRtcp) HandleRtcp(received.packet, now);
  PumpEvents(now);
}

void EchoSession::EchoRtp(std::span<uint8_t> packet, Timestamp now) {
  auto view = rtp::RtpPacketView::Parse(packet);
  const auto* media = view ? Route(*view) : nullptr;
  if (!media || media->local_ssrc == 0) {
    ++stats_.rtp_unrouted;
    return;
  }
  // One remote stream per local SSRC: mixing two senders' sequence numbers
  // on one SSRC would break the receiver's SRTP index estimate.
  auto it = remote_ssrc_for_local_.try_emplace(media->local_ssrc, view->ssrc().value()).first;
  if (it->second != view->ssrc().value()) {
    ++stats_.rtp_unrouted;
    return;
  }
  scratch_.assign(packet.begin(), packet.end());
  rtp::RewriteSsrc(scratch_, Ssrc(media->local_ssrc));
  size_t len = scratch_.size();
  scratch_.resize(len + transport::PeerTransport::kMaxSrtpOverhead);
  auto out = transport_->ProtectRtp(scratch_, len, now);
  if (out.ok()) {
    Send(*out);
    ++stats_.rtp_echoed;
  }
}

void EchoSession::HandleRtcp(std::span<const uint8_t> packet, Timestamp now) {
  auto compound = rtcp::ParseCompound(packet);
  if (!compound.ok()) return;
  for (const auto& p : *compound) {
    uint32_t media_ssrc = 0;
    if (const auto* pli = std::get_if<rtcp::Pli>(&p)) {
      media_ssrc = pli->media_source.value();
    } else if (const auto* fir = std::get_if<rtcp::Fir>(&p); fir && !fir->entries.empty()) {
      media_ssrc = fir->entries[0].ssrc.value();
    } else {
      continue;
    }
    auto it = remote_ssrc_for_local_.find(media_ssrc);
    if (it == remote_ssrc_for_local_.end()) continue;
    // The browser asks our echoed stream for a keyframe: ask its own sender.
    SendPli(it->second, it->first, now);
    ++stats_.keyframe_requests_relayed;
  }
}

void EchoSession::SendPli(uint32_t media_ssrc, uint32_t sender_ssrc, Timestamp now) {
  rtcp::Pli pli;
  pli.sender = Ssrc(sender_ssrc);
  pli.media_source = Ssrc(media_ssrc);
  scratch_.clear();
  pli.SerializeTo(scratch_);
  size_t len = scratch_.size();
  scratch_.resize(len + transport::PeerTransport::kMaxSrtpOverhead);
  auto out = transport_->ProtectRtcp(scratch_, len, now);
  if (out.ok()) Send(*out);
}

void EchoSession::Send(std::span<const uint8_t> protected_bytes) {
  outgoing_.push_back({*transport_->remote_address(), {protected_bytes.begin(), protected_bytes.end()}});
}

void EchoSession::PumpEvents(Timestamp now) {
  while (auto event = transport_->PollEvent()) {
    if (auto* connected = std::get_if<transport::Connected>(&*event)) {
      connected_profile_ = connected->profile;
    } else if (auto* message = std::get_if<transport::DataChannelMessage>(&*event)) {
      if (transport_->SendData(message->stream_id, message->data, message->binary, now).ok()) {
        ++stats_.messages_echoed;
      }
    }
  }
}

void EchoSession::HandleTimeout(Timestamp now) {
  transport_->HandleTimeout(now);
  PumpEvents(now);
}

std::optional<Timestamp> EchoSession::NextTimeout() const { return transport_->NextTimeout(); }

std::optional<transport::Datagram> EchoSession::PollTransmit() {
  if (auto d = transport_->PollTransmit()) return d;
  if (outgoing_.empty()) return std::nullopt;
  auto d = std::move(outgoing_.front());
  outgoing_.erase(outgoing_.begin());
  return d;
}

bool EchoSession::finished() const {
  auto s = transport_->state();
  return s == transport::TransportState::kClosed || s == transport::TransportState::kFailed;
}

}  // namespace aegis::echo
