#include "server/media_tcp.h"

#include <array>
#include <vector>

#include "netio/udp_address.h"
#include "transport/rfc4571.h"

namespace aegis::server {
namespace asio = boost::asio;
using asio::ip::tcp;

struct MediaTcp::Connection {
  Connection(tcp::socket s, stun::TransportAddress p, size_t max_packet, Timestamp now)
      : socket(std::move(s)), peer(p), deframer(max_packet), accepted_at(now), last_received(now) {}
  tcp::socket socket;
  stun::TransportAddress peer;
  transport::Rfc4571Deframer deframer;
  std::array<uint8_t, 4096> read_buffer{};
  // Framed packets: those being written, and those that came meanwhile
  // (written together next). Both keep their capacity: no allocation per packet.
  std::vector<uint8_t> writing;
  std::vector<uint8_t> pending;
  bool routed = false;  // proved an ICE password once
  bool open = true;
  Timestamp accepted_at;
  Timestamp last_received;
};

MediaTcp::MediaTcp(asio::io_context& io, const Clock& clock, Limits limits, Hooks hooks)
    : clock_(clock),
      limits_(limits),
      hooks_(std::move(hooks)),
      acceptor_(io),
      sweep_timer_(io) {}

MediaTcp::~MediaTcp() = default;

bool MediaTcp::Listen(const asio::ip::address& address, uint16_t port, std::string& error) {
  boost::system::error_code ec;
  acceptor_.open(address.is_v4() ? tcp::v4() : tcp::v6(), ec);
  if (!ec) acceptor_.set_option(tcp::acceptor::reuse_address(true), ec);
  if (!ec) acceptor_.bind({address, port}, ec);
  if (!ec) acceptor_.listen(asio::socket_base::max_listen_connections, ec);
  if (ec) {
    error = ec.message();
    boost::system::error_code ignored;
    acceptor_.close(ignored);
    return false;
  }
  Accept();
  ArmSweep();
  return true;
}

uint16_t MediaTcp::port() const {
  boost::system::error_code ec;
  const auto endpoint = acceptor_.local_endpoint(ec);
  return ec ? 0 : endpoint.port();
}

size_t MediaTcp::Unrouted() const {
  size_t n = 0;
  for (const auto& [key, c] : connections_) n += c->routed ? 0 : 1;
  return n;
}

void MediaTcp::Accept() {
  acceptor_.async_accept([this](boost::system::error_code ec, tcp::socket socket) {
    if (closed_ || ec == asio::error::operation_aborted) return;
    if (!ec) {
      boost::system::error_code peer_ec;
      const auto endpoint = socket.remote_endpoint(peer_ec);
      if (peer_ec || connections_.size() >= limits_.max_connections || Unrouted() >= limits_.max_unrouted) {
        ++stats_.refused;
        socket.close(peer_ec);
      } else {
        socket.set_option(tcp::no_delay(true), peer_ec);  // media: no Nagle delay
        auto c = std::make_shared<Connection>(std::move(socket), netio::ToTransportAddress(endpoint),
                                              limits_.max_packet, clock_.Now());
        ++stats_.accepted;
        connections_[KeyOf(c->peer)] = c;
        stats_.open = connections_.size();
        Read(c);
      }
    }
    Accept();
  });
}

void MediaTcp::Read(const std::shared_ptr<Connection>& c) {
  c->socket.async_read_some(asio::buffer(c->read_buffer), [this, c](boost::system::error_code ec, size_t n) {
    if (closed_ || !c->open) return;
    if (ec) {
      Drop(c, stats_.closed_by_peer);
      return;
    }
    c->last_received = clock_.Now();
    const bool ok = c->deframer.Push(std::span<const uint8_t>(c->read_buffer.data(), n), [&](std::span<uint8_t> p) {
      ++stats_.packets_received;
      hooks_.on_packet(p, c->peer);
    });
    if (!c->routed && hooks_.routed(c->peer)) c->routed = true;
    hooks_.after_work();
    if (!ok) {
      Drop(c, stats_.closed_oversized);
      return;
    }
    if (c->open) Read(c);
  });
}

void MediaTcp::Send(const stun::TransportAddress& to, std::span<const uint8_t> bytes) {
  auto it = connections_.find(KeyOf(to));
  if (it == connections_.end() || !it->second->open ||
      it->second->writing.size() + it->second->pending.size() + bytes.size() + 2 > limits_.max_queued_bytes ||
      !transport::FrameRfc4571(bytes, it->second->pending)) {
    ++stats_.send_dropped;
    return;
  }
  ++stats_.packets_sent;
  if (it->second->writing.empty()) Write(it->second);
}

// Everything pending goes in one write; what is sent meanwhile waits for
// the next.
void MediaTcp::Write(const std::shared_ptr<Connection>& c) {
  std::swap(c->writing, c->pending);
  asio::async_write(c->socket, asio::buffer(c->writing), [this, c](boost::system::error_code ec, size_t) {
    if (closed_ || !c->open) return;
    if (ec) {
      Drop(c, stats_.closed_by_peer);
      return;
    }
    c->writing.clear();
    if (!c->pending.empty()) Write(c);
  });
}

void MediaTcp::Drop(const std::shared_ptr<Connection>& c, uint64_t& reason) {
  if (!c->open) return;
  c->open = false;
  ++reason;
  boost::system::error_code ignored;
  c->socket.close(ignored);
  connections_.erase(KeyOf(c->peer));
  stats_.open = connections_.size();
}

void MediaTcp::Sweep() {
  const Timestamp now = clock_.Now();
  std::vector<std::pair<std::shared_ptr<Connection>, uint64_t*>> drop;
  for (const auto& [key, c] : connections_) {
    const bool routed = hooks_.routed(c->peer);
    if (!c->routed && routed) c->routed = true;
    if (!c->routed && now - c->accepted_at >= limits_.unrouted_timeout) {
      drop.emplace_back(c, &stats_.closed_unrouted);
    } else if (now - c->last_received >= limits_.idle_timeout || (c->routed && !routed)) {
      drop.emplace_back(c, &stats_.closed_idle);
    }
  }
  for (auto& [c, reason] : drop) Drop(c, *reason);
}

void MediaTcp::ArmSweep() {
  sweep_timer_.expires_after(std::chrono::seconds(1));
  sweep_timer_.async_wait([this](boost::system::error_code ec) {
    if (ec || closed_) return;
    Sweep();
    ArmSweep();
  });
}

void MediaTcp::Close() {
  if (closed_) return;
  closed_ = true;
  boost::system::error_code ignored;
  acceptor_.close(ignored);
  sweep_timer_.cancel();
  for (auto& [key, c] : connections_) {
    c->open = false;
    c->socket.close(ignored);
  }
  connections_.clear();
  stats_.open = 0;
}

}  // namespace aegis::server
