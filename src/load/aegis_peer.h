// The Aegis target of aegis-load: one participant as an aegis::client::Client
// (token join over the signaling WebSocket, publisher and subscriber
// connections, DTLS-SRTP) behind the LoadPeer interface.
#pragma once

#include <cstdint>
#include <deque>
#include <memory>
#include <string>

#include "auth/api_secret.h"
#include "client/client.h"
#include "load/load_peer.h"

namespace aegis::load {

// An access token for `spec`: a publisher may publish, a subscriber may
// subscribe (so publishers are not sent each other's media), valid from
// now_unix_s for ttl_s. Empty on a refused claim (e.g. a bad room name).
std::string MintLoadToken(const PeerSpec& spec, const auth::ApiSecret& secret, int64_t now_unix_s,
                          int64_t ttl_s = 3600);

class AegisPeer final : public LoadPeer {
 public:
  // `dtls_context` may be shared by every peer; `rng` must outlive the peer.
  AegisPeer(const PeerSpec& spec, std::string token, std::shared_ptr<const dtls::DtlsContext> dtls_context,
            RandomSource& rng);

  SignalingKind signaling_kind() const override { return SignalingKind::kWebSocket; }
  size_t connection_count() const override { return 2; }  // client::Connection

  void Start(Timestamp now) override;
  void HandleSignal(std::string_view body, int http_status, Timestamp now) override;
  std::optional<SignalMessage> PollSignal() override;

  void HandleDatagram(size_t connection, std::span<uint8_t> datagram, const stun::TransportAddress& from,
                      Timestamp now) override;
  std::optional<PeerDatagram> PollTransmit() override;
  void HandleTimeout(Timestamp now) override;
  std::optional<Timestamp> NextTimeout() const override;

  bool media_ready() const override { return client_.publisher_connected(); }
  bool SendAudio(std::span<const uint8_t> payload, uint32_t rtp_timestamp_step, Timestamp now) override;
  bool SendVideo(std::span<const uint8_t> payload, bool end_of_frame, uint32_t rtp_timestamp_step,
                 Timestamp now) override;

  PeerStats stats() const override;

 private:
  PeerRole role_;
  client::Client client_;
  std::optional<std::string> join_;
  Timestamp arrival_;  // of the datagram being handled, for on_rtp
};

}  // namespace aegis::load
