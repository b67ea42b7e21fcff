// One SCTP association carrying WebRTC data channels (RFC 8831) over DTLS
// (RFC 8261), run sans-IO on top of usrsctp.
//
// The transport hands in SCTP packets that arrived as DTLS application data
// (HandleInput) and the time (HandleTimeout); it takes SCTP packets to send
// as DTLS application data (PollTransmit) and events (PollEvent), and calls
// again at NextTimeout(). All calls come from the SctpStack's thread.
//
// Roles follow DTLS (RFC 8832 §6): the DTLS client calls Connect() to send
// INIT and opens channels on even stream ids; the DTLS server's Connect()
// waits for the peer's INIT and opens channels on odd ids. Both use port
// 5000 unless a=sctp-port says otherwise.
//
// Memory is bounded: packets waiting for PollTransmit, messages waiting for
// usrsctp, the message being reassembled, and message bytes waiting for
// PollEvent (past that bound we stop reading, and SCTP's receive window
// pushes back on the peer) all have caps in SctpConfig; what does not fit
// is refused or dropped and counted in stats().
#pragma once

#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <optional>
#include <span>
#include <string_view>
#include <vector>

#include "base/result.h"
#include "base/time.h"
#include "sctp/data_channel.h"
#include "sctp/events.h"
#include "sctp/outbound_queue.h"
#include "sctp/reassembler.h"
#include "sctp/sctp_stack.h"
#include "sctp/usrsctp_socket.h"

namespace aegis::sctp {

enum class SctpRole : uint8_t { kClient, kServer };  // the DTLS role

struct SctpConfig {
  SctpRole role = SctpRole::kClient;
  uint16_t local_port = 5000;   // our a=sctp-port
  uint16_t remote_port = 5000;  // the peer's a=sctp-port
  // Our a=max-message-size: larger incoming messages are dropped.
  size_t max_message_size = 256 * 1024;
  // The peer's a=max-message-size (0: no limit announced). Outgoing
  // messages above it, or above our send buffer, are refused.
  size_t remote_max_message_size = 256 * 1024;
  // Streams offered in each direction (RFC 8831 suggests 65535; usrsctp
  // allocates state per stream, so we offer fewer).
  uint16_t max_streams = 1024;
  // RFC 8832 §6 gives the DTLS client even stream ids and the server odd
  // ones. Some peers (aiortc 1.x) tie their SCTP role to the ICE role instead
  // and open on the other parity; when lenient, such an OPEN is accepted if
  // the stream is free (and counted), since the id carries no authority.
  bool lenient_stream_parity = false;
  // Channels open at once, and label+protocol bytes accepted per OPEN:
  // together they bound what a peer can make us store.
  size_t max_channels = 256;
  size_t max_label_protocol_bytes = 4096;
  // Bytes accepted from the application and not yet taken by usrsctp.
  size_t max_queued_bytes = 1 << 20;
  // SCTP packets produced and not yet polled; more are dropped (SCTP
  // retransmits them).
  size_t max_transmit_bytes = 1 << 20;
  // Message bytes in PollEvent's queue past which we stop reading usrsctp.
  size_t max_pending_event_bytes = 1 << 20;
  SocketOptions socket;  // usrsctp buffers, MTU and RTO
};

class SctpAssociation {
 public:
  enum class State : uint8_t { kIdle, kConnecting, kConnected, kShuttingDown, kClosed, kFailed };

  // nullptr if usrsctp refuses to create or configure the socket.
  static std::unique_ptr<SctpAssociation> Create(SctpStack& stack, const SctpConfig& config);
  ~SctpAssociation();  // aborts the association if it is still up
  SctpAssociation(const SctpAssociation&) = delete;
  SctpAssociation& operator=(const SctpAssociation&) = delete;

  // Call once DTLS is connected: the client sends INIT, the server listens.
  Result<void, SctpError> Connect(Timestamp now);
  // One SCTP packet from DTLS application data.
  void HandleInput(std::span<const uint8_t> sctp_packet, Timestamp now);
  void HandleTimeout(Timestamp now);
  std::optional<Timestamp> NextTimeout() const;
  // One SCTP packet to send as DTLS application data.
  std::optional<std::vector<uint8_t>> PollTransmit();
  std::optional<SctpEvent> PollEvent();

  // Sends DATA_CHANNEL_OPEN on a free stream of our parity and returns its
  // id; ChannelOpened follows the peer's ACK. Messages may be sent at once.
  Result<uint16_t, SctpError> OpenChannel(const ChannelOptions& options);
  // One message with the channel's reliability. If usrsctp's send buffer is
  // full it waits in our bounded queue; a max-lifetime channel's clock then
  // starts when usrsctp takes it, not at this call.
  Result<void, SctpError> Send(uint16_t stream_id, std::span<const uint8_t> data, bool binary);
  Result<void, SctpError> SendText(uint16_t stream_id, std::string_view text);
  // Resets our outgoing stream once its queued messages are handed over;
  // ChannelClosed follows.
  Result<void, SctpError> CloseChannel(uint16_t stream_id);
  // Graceful SHUTDOWN after everything queued is sent; Closed follows.
  void Shutdown();
  // Ends the association now: the ABORT packet is left for PollTransmit and
  // Closed is reported.
  void Abort();

  State state() const { return state_; }
  const DataChannel* channel(uint16_t stream_id) const;
  size_t channel_count() const { return channels_.size(); }
  // Bytes accepted by Send() and not yet handed to usrsctp.
  size_t buffered_bytes() const { return queue_.bytes(); }
  size_t max_outbound_message_size() const;
  const SctpStats& stats() const { return stats_; }

 private:
  friend class SctpStack;
  friend class SctpAssociationTestPeer;  // tests only: sends raw DCEP bytes

  // Per stream: where the RFC 8831 §6.7 two-way reset stands.
  struct StreamReset {
    bool outgoing_requested = false;
    bool outgoing_done = false;
    bool incoming_done = false;
    int attempts = 0;
  };

  SctpAssociation(SctpStack& stack, const SctpConfig& config);
  bool Init();

  // Called by SctpStack's output callback: one packet for the peer.
  void OnOutboundPacket(std::span<const uint8_t> packet);
  // After every call into usrsctp: accept, read, then flush what waits.
  void Service();
  void DrainSocket();
  void HandleNotification(std::span<const uint8_t> bytes);
  void OnStreamReset(bool incoming, bool outgoing, bool failed, const std::vector<uint16_t>& ids);
  void FlushOutbound();
  void IssuePendingResets();
  void MaybeFinishReset(uint16_t stream_id);
  void Finish(SctpEvent terminal);
  void PushEvent(SctpEvent event);
  bool Running() const { return state_ == State::kConnected || state_ == State::kShuttingDown; }

  // Channel logic (sctp_channels.cc).
  void HandleUserMessage(ReceivedMessage message);
  void HandleDcep(uint16_t stream_id, bool unordered, std::span<const uint8_t> bytes);
  void HandleOpen(uint16_t stream_id, DataChannelOpen open);
  void HandleAck(uint16_t stream_id);
  void RejectStream(uint16_t stream_id);
  void Announce(DataChannel& channel);
  std::optional<uint16_t> AllocateStreamId();
  bool StreamInUse(uint16_t stream_id) const;
  void EnqueueControl(uint16_t stream_id, std::vector<uint8_t> bytes);

  SctpStack& stack_;
  const SctpConfig config_;
  State state_ = State::kIdle;
  std::unique_ptr<UsrsctpSocket> listener_;  // server, until the peer's association is accepted
  std::unique_ptr<UsrsctpSocket> socket_;
  uint16_t stream_limit_ = 0;     // ids usable both ways: min of both directions and max_streams
  uint16_t outbound_streams_ = 0;  // ids we may reset or send on
  uint32_t next_slot_ = 0;         // round-robin over the ids of our parity
  bool reading_paused_ = false;
  bool shutdown_requested_ = false;
  bool shutdown_sent_ = false;
  bool in_notification_ = false;  // reading the rest of a notification longer than our buffer

  std::map<uint16_t, DataChannel> channels_;
  std::map<uint16_t, StreamReset> resets_;
  OutboundQueue queue_;
  Reassembler reassembler_;
  std::deque<std::vector<uint8_t>> transmit_;
  size_t transmit_bytes_ = 0;
  std::deque<SctpEvent> events_;
  size_t pending_event_bytes_ = 0;
  SctpStats stats_;
};

}  // namespace aegis::sctp
