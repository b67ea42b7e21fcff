// One participant the load loop drives (aegis-load), sans-IO: the loop owns
// the sockets, the signaling channel, the clock and the media pattern; a peer
// turns them into one target server's protocol. aegis_peer.h is the Aegis
// implementation (aegis::client::Client); another target (e.g. a Janus
// videoroom peer on transport::PeerTransport) implements the same interface
// and reuses the loop, media_pattern.h and receive_meter.h unchanged.
//
// The loop's contract:
// - Start(now) once; then every SignalMessage from PollSignal() goes out on
//   the peer's signaling channel (kind()), every reply or event comes back
//   through HandleSignal();
// - one UDP socket per connection index in [0, connection_count()):
//   PollTransmit() says which socket sends what where, HandleDatagram()
//   takes what arrived on a socket;
// - HandleTimeout(now) at or after NextTimeout();
// - a publisher: SendAudio/SendVideo once media_ready();
// - received media: plain RTP (after SRTP) to on_rtp, with its arrival time.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "base/time.h"
#include "stun/transport_address.h"

namespace aegis::load {

enum class PeerRole { kPublisher, kSubscriber };

// Who this participant is in the run (the factory's input).
struct PeerSpec {
  size_t room_index = 0;
  std::string room;      // the target's room name or id, as text
  std::string identity;  // unique in the run
  PeerRole role = PeerRole::kSubscriber;
};

// How a peer's signaling travels. kWebSocket: every message is one text
// frame on a connection the loop opens at start. kHttp: every message is one
// request (method, path, body) and its response body comes back through
// HandleSignal (for a long poll, the peer issues the next GET itself).
enum class SignalingKind { kWebSocket, kHttp };

struct SignalMessage {
  std::string body;
  std::string method;  // kHttp only: "GET", "POST"
  std::string path;    // kHttp only: e.g. "/janus/123"
};

struct PeerDatagram {
  size_t connection = 0;  // socket index
  stun::TransportAddress to;
  std::vector<uint8_t> bytes;
};

struct PeerStats {
  bool joined = false;          // the server admitted it
  bool media_connected = false; // every connection it needs has DTLS-SRTP up
  uint64_t packets_sent = 0;
  uint64_t srtp_errors = 0;     // packets dropped by SRTP/SRTCP authentication
  std::optional<std::string> error;  // set once the peer has failed for good
};

class LoadPeer {
 public:
  virtual ~LoadPeer() = default;

  virtual SignalingKind signaling_kind() const = 0;
  virtual size_t connection_count() const = 0;

  // The first signaling message(s) go to PollSignal().
  virtual void Start(Timestamp now) = 0;
  // `http_status`: kHttp only (0 for a WebSocket frame).
  virtual void HandleSignal(std::string_view body, int http_status, Timestamp now) = 0;
  virtual std::optional<SignalMessage> PollSignal() = 0;

  virtual void HandleDatagram(size_t connection, std::span<uint8_t> datagram, const stun::TransportAddress& from,
                              Timestamp now) = 0;
  virtual std::optional<PeerDatagram> PollTransmit() = 0;
  virtual void HandleTimeout(Timestamp now) = 0;
  virtual std::optional<Timestamp> NextTimeout() const = 0;

  // Publisher media; false (nothing sent) until media_ready(). The payloads
  // are complete RTP payloads (a VP8 packet starts with its RFC 7741
  // descriptor). `rtp_timestamp_step`: clock ticks since the previous packet
  // of this kind (0 within a frame).
  virtual bool media_ready() const = 0;
  virtual bool SendAudio(std::span<const uint8_t> payload, uint32_t rtp_timestamp_step, Timestamp now) = 0;
  virtual bool SendVideo(std::span<const uint8_t> payload, bool end_of_frame, uint32_t rtp_timestamp_step,
                         Timestamp now) = 0;

  virtual PeerStats stats() const = 0;

  // Received media: one plain RTP packet, called from within HandleDatagram
  // with that call's `now` (the loop may use a more exact arrival time).
  std::function<void(std::span<const uint8_t> rtp, Timestamp arrival)> on_rtp;
};

}  // namespace aegis::load
