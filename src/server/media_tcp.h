// ICE-TCP (RFC 6544) for one media worker: a listening socket on the same
// port number as the worker's UDP one, for clients whose network drops UDP.
// Each accepted connection is one peer address (stun::Protocol::kTcp); the
// packets on it (RFC 4571 framing) go to the Conference exactly as datagrams
// do, and what the Conference sends to that address goes back framed. So ICE
// (checks, return routability, consent), DTLS and SRTP treat a TCP peer as
// any other address. Runs on the worker's thread, like everything else there.
//
// The port is open to anyone, so every resource has a bound (Limits):
// - at most max_unrouted connections whose peer has not yet proved an ICE
//   password (the Conference routes its address), each closed after
//   unrouted_timeout; a connection beyond that is closed at once;
// - at most max_connections in all;
// - a packet longer than max_packet (a UDP receive slot) ends the connection;
// - a connection that sent nothing for idle_timeout (consent's 30 s), or
//   whose address the Conference no longer routes (its participant left),
//   is closed;
// - at most max_queued_bytes wait to be written per connection: beyond that
//   packets are dropped and counted (a slow reader loses packets, as over
//   UDP, and never grows the server's memory).
#pragma once

#include <utility>  // Boost 1.74 asio/awaitable.hpp uses std::exchange without it

#include <boost/asio.hpp>

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <span>
#include <string>

#include "base/time.h"
#include "server/media_tcp_stats.h"
#include "stun/transport_address.h"

namespace aegis::server {

class MediaTcp {
 public:
  struct Limits {
    size_t max_connections = 4096;
    size_t max_unrouted = 32;
    size_t max_packet = 2048;
    size_t max_queued_bytes = 256 * 1024;
    TimeDelta unrouted_timeout = TimeDelta::Seconds(10);
    TimeDelta idle_timeout = TimeDelta::Seconds(30);
  };

  struct Hooks {
    // A whole packet from `from` (writable: SRTP is removed in place).
    std::function<void(std::span<uint8_t> packet, const stun::TransportAddress& from)> on_packet;
    // Whether the Conference routes `address` (a connection of it proved
    // its ICE password from there).
    std::function<bool(const stun::TransportAddress& address)> routed;
    // After a batch of packets: flush what they caused, re-arm timers.
    std::function<void()> after_work;
  };

  MediaTcp(boost::asio::io_context& io, const Clock& clock, Limits limits, Hooks hooks);
  ~MediaTcp();

  bool Listen(const boost::asio::ip::address& address, uint16_t port, std::string& error);
  uint16_t port() const;
  // Framed and queued on the connection from `to`; dropped (counted) if
  // there is none or its queue is full.
  void Send(const stun::TransportAddress& to, std::span<const uint8_t> bytes);
  void Close();
  // The timeouts and routes of every connection: run by a timer every
  // second (public for tests, whose clock is simulated).
  void Sweep();
  const MediaTcpStats& stats() const { return stats_; }

 private:
  struct Connection;
  using Key = std::tuple<uint8_t, std::array<uint8_t, 16>, uint16_t>;
  static Key KeyOf(const stun::TransportAddress& a) { return {static_cast<uint8_t>(a.family), a.bytes, a.port}; }
  void Accept();
  void Read(const std::shared_ptr<Connection>& connection);
  void Write(const std::shared_ptr<Connection>& connection);
  void Drop(const std::shared_ptr<Connection>& connection, uint64_t& reason);
  void ArmSweep();
  size_t Unrouted() const;

  const Clock& clock_;
  Limits limits_;
  Hooks hooks_;
  boost::asio::ip::tcp::acceptor acceptor_;
  boost::asio::steady_timer sweep_timer_;
  std::map<Key, std::shared_ptr<Connection>> connections_;
  MediaTcpStats stats_;
  bool closed_ = false;
};

}  // namespace aegis::server
