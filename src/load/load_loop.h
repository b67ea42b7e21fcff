// The I/O of aegis-load: one Boost.Asio event loop that carries every
// participant (LoadPeer) of the run: its signaling channel, one UDP socket
// per connection, its timeouts, a publisher's MediaPattern and a
// subscriber's ReceiveMeter. Single-threaded: the meters' clock and the
// stamps' clock are the same monotonic clock of this process.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/address.hpp>
#include <boost/asio/ip/udp.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/steady_timer.hpp>

#include "client/ws_channel.h"
#include "load/load_peer.h"
#include "load/media_pattern.h"
#include "load/receive_meter.h"

namespace aegis::load {

int64_t MonotonicNs();

// Carries a peer's SignalMessages. The WebSocket kind is built in; another
// kind (HTTP for a Janus peer) is a SignalLink the loop's link factory makes.
class SignalLink {
 public:
  virtual ~SignalLink() = default;
  virtual void Connect() = 0;
  virtual void Send(SignalMessage message) = 0;
  virtual void Close() = 0;
  // Replies and events: body, HTTP status (0 for a WebSocket frame).
  std::function<void(std::string_view body, int http_status)> on_message;
  std::function<void(const std::string& error)> on_close;
};

struct LoopConfig {
  client::WsUrl url;                       // the signaling endpoint (kWebSocket peers)
  client::WsOptions ws;                    // pin; bind_address is set per participant
  boost::asio::ssl::context* tls = nullptr;  // for wss://
  // Local addresses, one per participant in turn (per-address limits of the
  // server count each as a client); empty: the system picks.
  std::vector<boost::asio::ip::address> source_addresses;
  MediaPatternConfig media;                // stream ids are set per publisher
  TimeDelta tick = TimeDelta::Millis(2);   // media pacing
  // True once the run should end (e.g. after SIGINT): waits return early.
  std::function<bool()> stop_requested;
  // Makes the signaling link of a peer whose kind is not kWebSocket.
  std::function<std::unique_ptr<SignalLink>(const LoadPeer&)> make_link;
};

struct RoomTotals {
  std::map<uint32_t, StreamTotals> streams;  // by LoadStamp stream id
  StreamTotals sum;
};

struct LoopSnapshot {
  int64_t at_ns = 0;
  size_t participants = 0;
  size_t joined = 0;
  size_t connected = 0;  // media up
  size_t failed = 0;
  uint64_t packets_sent = 0;     // by publishers (SRTP packets)
  uint64_t send_errors = 0;      // sendto failures (e.g. a full socket buffer)
  uint64_t srtp_errors = 0;
  size_t receiving_streams = 0;   // (subscriber, stream) pairs that received anything
  std::vector<RoomTotals> rooms;  // subscribers' meters, by room index
  StreamTotals sum;
  std::map<std::string, size_t> errors;  // failure text -> participants
};

class LoadLoop {
 public:
  using PeerFactory = std::function<std::unique_ptr<LoadPeer>(const PeerSpec& spec)>;
  LoadLoop(boost::asio::io_context& io, LoopConfig config, PeerFactory factory);
  ~LoadLoop();

  // Starts a participant; publishers get stream ids 2k (audio), 2k+1 (video).
  void Add(PeerSpec spec);
  // Runs the loop for `d` (progress/stop callbacks are the caller's timers).
  void RunFor(TimeDelta d);
  // Runs until every participant is connected or failed, or `limit`.
  bool RunUntilConnected(TimeDelta limit);
  LoopSnapshot Snapshot() const;
  void CloseAll();
  // Paused: publishers send no media (they still join, connect and answer
  // checks), e.g. to measure the server's memory for idle participants. A
  // publisher's pattern starts when media is first both ready and unpaused.
  void set_media_paused(bool paused) { media_paused_ = paused; }

  // Which publisher (by stream id / 2) and room a stream belongs to.
  const std::vector<PeerSpec>& publishers() const { return publisher_specs_; }

 private:
  struct Participant;
  void Wire(Participant& p);
  void ArmSocket(Participant& p, size_t i);
  void Drain(Participant& p, size_t i);
  void Flush(Participant& p);
  void Tick();

  boost::asio::io_context& io_;
  LoopConfig config_;
  PeerFactory factory_;
  std::vector<std::unique_ptr<Participant>> participants_;
  std::vector<PeerSpec> publisher_specs_;
  boost::asio::steady_timer timer_;
  uint64_t ticks_ = 0;
  uint64_t send_errors_ = 0;
  int64_t arrival_ns_ = 0;  // kernel receive time of the datagram being handled
  uint32_t phase_seed_ = 0x9e3779b9;
  bool media_paused_ = false;
};

}  // namespace aegis::load
