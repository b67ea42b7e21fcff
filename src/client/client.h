// A native Aegis client, sans-IO (docs/protocol.md §1-§4, "v": 2): the
// engine a bot or device uses to join a room with a token, publish Opus and
// VP8 RTP and receive the room's tracks, on the project's own engines
// (PeerTransport: controlling ICE toward the server's ICE-lite candidates,
// DTLS client, SRTP).
//
// The owner (an I/O shell, e.g. aegis-bot's runner) carries:
// - signaling text: Start() gives the `join`, HandleSignal() takes every
//   server message, PollSignal() gives what to send;
// - datagrams: one UDP socket per Connection (publisher, subscriber);
//   PollTransmit() says which connection sends what where, HandleDatagram()
//   takes what arrived on a connection's socket;
// - time: HandleTimeout() at NextTimeout().
// Received RTP goes to the on_rtp callback (plain packet, after SRTP).
//
// Not yet: E2EE (MLS/SFrame): an E2EE-required room refuses the join with
// error `e2ee_required`, which ends in kFailed with that error.
#pragma once

#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "base/random.h"
#include "base/time.h"
#include "dtls/dtls_endpoint.h"
#include "ice/ice_credentials.h"
#include "signaling/messages.h"
#include "stun/transport_address.h"
#include "transport/peer_transport.h"

namespace aegis::client {

enum class Connection { kPublisher = 0, kSubscriber = 1 };

enum class ClientState { kNew, kJoining, kJoined, kFailed, kClosed };

struct ClientConfig {
  std::string room;
  std::string token;
  // This client's DTLS certificate (its fingerprint goes into every SDP).
  std::shared_ptr<const dtls::DtlsContext> dtls_context;
  // ICE credentials, transaction ids, SSRCs; production passes
  // crypto::SecureRandom. Must outlive the Client.
  RandomSource* rng = nullptr;
  bool publish_audio = true;
  bool publish_video = true;
};

struct ClientError {
  std::string code;     // the server's error code (docs/protocol.md §5), or a local one
  std::string message;
};

struct OutgoingDatagram {
  Connection connection;
  stun::TransportAddress to;
  std::vector<uint8_t> bytes;
};

// Per received SSRC: what arrived (loss from sequence gaps).
struct TrackStats {
  uint32_t ssrc = 0;
  // From the subscriber offer's a=msid (docs/protocol.md §4): the
  // publisher's participant id and the server's track id ("" if unknown).
  std::string participant_id;
  std::string track_id;
  uint8_t payload_type = 0;
  uint64_t packets = 0;
  uint64_t bytes = 0;       // RTP packet bytes after SRTP
  uint64_t lost = 0;        // sequence numbers skipped
  uint16_t highest_seq = 0;
};

// One received frame: an Opus packet's payload, or a VP8 frame put back
// together from its RTP packets (RFC 7741: payload descriptors removed; a
// frame with a missing packet is dropped, not delivered).
struct ReceivedFrame {
  uint32_t ssrc = 0;
  const TrackStats* track = nullptr;  // participant and track ids, counters
  bool video = false;
  bool keyframe = false;  // VP8: the frame header's P bit is 0
  uint32_t rtp_timestamp = 0;
  std::span<const uint8_t> data;
};

class Client {
 public:
  static constexpr uint8_t kOpusPayloadType = 111;
  static constexpr uint8_t kVp8PayloadType = 96;

  explicit Client(ClientConfig config);
  ~Client();

  // The `join` message (starts the session).
  std::string Start();
  void HandleSignal(std::string_view text, Timestamp now);
  std::optional<std::string> PollSignal();

  void HandleDatagram(Connection connection, std::span<uint8_t> datagram, const stun::TransportAddress& from,
                      Timestamp now);
  std::optional<OutgoingDatagram> PollTransmit();
  void HandleTimeout(Timestamp now);
  std::optional<Timestamp> NextTimeout() const;

  // Sends one RTP packet on the publisher connection (SRTP-protected);
  // false until it is connected. `rtp_timestamp_step`: clock ticks since the
  // previous packet of this kind.
  bool SendAudio(std::span<const uint8_t> payload, uint32_t rtp_timestamp_step, Timestamp now);
  bool SendVideo(std::span<const uint8_t> payload, bool end_of_frame, uint32_t rtp_timestamp_step, Timestamp now);

  // Plain RTP from the subscriber connection.
  std::function<void(std::span<const uint8_t> rtp)> on_rtp;
  // The same media as frames (see ReceivedFrame).
  std::function<void(const ReceivedFrame& frame)> on_frame;
  uint64_t frames_dropped() const { return frames_dropped_; }
  // The server asked for a keyframe of this client's video (PLI or FIR on
  // the publisher connection): a new subscriber, or one that lost some.
  std::function<void()> on_keyframe_request;
  uint64_t keyframe_requests() const { return keyframe_requests_; }

  ClientState state() const { return state_; }
  const std::optional<ClientError>& error() const { return error_; }
  const std::string& participant_id() const { return participant_id_; }
  bool publisher_connected() const;
  bool subscriber_connected() const;
  const std::vector<TrackStats>& receive_stats() const { return receive_stats_; }
  // SRTP/SRTCP packets dropped by either transport (failed authentication).
  uint64_t srtp_errors() const;
  uint64_t packets_sent() const { return packets_sent_; }

  // The SDP exchange without Aegis signaling, for a server with its own
  // (aegis-load's Janus peer): send PublisherOffer(), hand in the answer;
  // answer a subscriber offer with what AnswerSubscriberOffer returns
  // (nullopt: the offer does not parse, and the client failed). Either
  // starts the connection's transport (a renegotiation keeps it).
  void HandlePublisherAnswer(std::string_view sdp, Timestamp now);
  std::optional<std::string> AnswerSubscriberOffer(std::string_view sdp, Timestamp now);

  // The SDPs this client writes (exposed for tests).
  std::string PublisherOffer() const;
  static std::optional<std::string> SubscriberAnswer(std::string_view offer, const ice::IceCredentials& ice,
                                                     const dtls::Fingerprint& fingerprint);

 private:
  struct Link {
    ice::IceCredentials local;
    std::unique_ptr<transport::PeerTransport> transport;
  };
  void Fail(std::string code, std::string message);
  void StartTransport(Link& link, std::string_view server_sdp, Timestamp now);
  bool SendRtp(uint8_t pt, uint32_t ssrc, uint16_t& seq, uint32_t& ts, std::span<const uint8_t> payload, bool marker,
               Timestamp now);
  void Pump(Connection which, Link& link);
  TrackStats* CountRtp(std::span<const uint8_t> packet);
  void Assemble(TrackStats& track, std::span<const uint8_t> packet);
  void OnPublisherRtcp(std::span<const uint8_t> packet);
  struct FrameBuffer {
    bool open = false;
    uint32_t timestamp = 0;
    uint16_t next_seq = 0;
    std::vector<uint8_t> data;
  };
  std::map<uint32_t, FrameBuffer> frames_;
  uint64_t frames_dropped_ = 0;
  uint64_t keyframe_requests_ = 0;

  ClientConfig config_;
  ClientState state_ = ClientState::kNew;
  std::optional<ClientError> error_;
  std::string participant_id_;
  std::deque<std::string> signals_;
  std::deque<OutgoingDatagram> transmits_;
  Link pub_;
  Link sub_;
  uint32_t audio_ssrc_ = 0;
  uint32_t video_ssrc_ = 0;
  uint16_t audio_seq_ = 0;
  uint16_t video_seq_ = 0;
  uint32_t audio_ts_ = 0;
  uint32_t video_ts_ = 0;
  int64_t next_request_id_ = 1;
  uint64_t packets_sent_ = 0;
  std::vector<TrackStats> receive_stats_;
  std::map<uint32_t, std::pair<std::string, std::string>> origins_;  // SSRC -> participant, track
};

}  // namespace aegis::client
