#include "load/aegis_peer.h"

#include "auth/claims.h"
#include "auth/jwt.h"
#include "crypto/secure_random.h"

namespace aegis::load {

std::string MintLoadToken(const PeerSpec& spec, const auth::ApiSecret& secret, int64_t now_unix_s, int64_t ttl_s) {
  auth::Claims claims;
  claims.identity = spec.identity;
  claims.room = spec.room;
  claims.grants.publish = spec.role == PeerRole::kPublisher;
  claims.grants.subscribe = spec.role == PeerRole::kSubscriber;
  claims.issued_at = now_unix_s;
  claims.not_before = now_unix_s;
  claims.expires_at = now_unix_s + ttl_s;
  crypto::SecureRandom random;
  claims.token_id = auth::NewTokenId(random);
  auto token = auth::MintToken(claims, secret);
  return token ? *token : std::string();
}

namespace {

client::ClientConfig MakeConfig(const PeerSpec& spec, std::string token,
                                std::shared_ptr<const dtls::DtlsContext> dtls_context, RandomSource& rng) {
  client::ClientConfig c;
  c.room = spec.room;
  c.token = std::move(token);
  c.dtls_context = std::move(dtls_context);
  c.rng = &rng;
  c.publish_audio = c.publish_video = spec.role == PeerRole::kPublisher;
  return c;
}

}  // namespace

AegisPeer::AegisPeer(const PeerSpec& spec, std::string token, std::shared_ptr<const dtls::DtlsContext> dtls_context,
                     RandomSource& rng)
    : role_(spec.role), client_(MakeConfig(spec, std::move(token), std::move(dtls_context), rng)) {
  client_.on_rtp = [this](std::span<const uint8_t> rtp) {
    if (on_rtp) on_rtp(rtp, arrival_);
  };
}

void AegisPeer::Start(Timestamp) { join_ = client_.Start(); }

void AegisPeer::HandleSignal(std::string_view body, int, Timestamp now) { client_.HandleSignal(body, now); }

std::optional<SignalMessage> AegisPeer::PollSignal() {
  if (join_) {
    SignalMessage m{std::move(*join_), "", ""};
    join_.reset();
    return m;
  }
  auto s = client_.PollSignal();
  if (!s) return std::nullopt;
  return SignalMessage{std::move(*s), "", ""};
}

void AegisPeer::HandleDatagram(size_t connection, std::span<uint8_t> datagram, const stun::TransportAddress& from,
                               Timestamp now) {
  if (connection > 1) return;
  arrival_ = now;
  client_.HandleDatagram(static_cast<client::Connection>(connection), datagram, from, now);
}

std::optional<PeerDatagram> AegisPeer::PollTransmit() {
  auto d = client_.PollTransmit();
  if (!d) return std::nullopt;
  return PeerDatagram{static_cast<size_t>(d->connection), d->to, std::move(d->bytes)};
}

void AegisPeer::HandleTimeout(Timestamp now) { client_.HandleTimeout(now); }

std::optional<Timestamp> AegisPeer::NextTimeout() const { return client_.NextTimeout(); }

bool AegisPeer::SendAudio(std::span<const uint8_t> payload, uint32_t step, Timestamp now) {
  return client_.SendAudio(payload, step, now);
}

bool AegisPeer::SendVideo(std::span<const uint8_t> payload, bool end_of_frame, uint32_t step, Timestamp now) {
  return client_.SendVideo(payload, end_of_frame, step, now);
}

PeerStats AegisPeer::stats() const {
  PeerStats s;
  s.joined = client_.state() == client::ClientState::kJoined;
  s.media_connected = role_ == PeerRole::kPublisher ? client_.publisher_connected() : client_.subscriber_connected();
  s.packets_sent = client_.packets_sent();
  s.srtp_errors = client_.srtp_errors();
  if (client_.state() == client::ClientState::kFailed && client_.error()) {
    s.error = client_.error()->code + ": " + client_.error()->message;
  }
  return s;
}

}  // namespace aegis::load
