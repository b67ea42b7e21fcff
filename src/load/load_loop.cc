#include "load/load_loop.h"

#include <netinet/in.h>
#include <sys/socket.h>
#include <time.h>

#include <array>
#include <chrono>
#include <cstring>

#include "netio/udp_address.h"

namespace aegis::load {

namespace asio = boost::asio;
using asio::ip::udp;

int64_t MonotonicNs() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

namespace {

Timestamp ToTimestamp(int64_t ns) { return Timestamp::Micros(ns / 1000); }

int64_t RealtimeNs() {
  timespec t{};
  clock_gettime(CLOCK_REALTIME, &t);
  return int64_t{t.tv_sec} * 1'000'000'000 + t.tv_nsec;
}

// One recvmmsg batch, shared by every socket (one thread). Each datagram
// carries the kernel's receive time (SO_TIMESTAMPNS), so a datagram that
// waits in its socket while the loop serves others is not charged that wait.
constexpr unsigned kBatch = 32;
constexpr int kMaxBatchesPerWake = 2;  // then the next socket's turn
struct ReceiveBatch {
  std::array<mmsghdr, kBatch> headers;
  std::array<iovec, kBatch> iov;
  std::array<sockaddr_storage, kBatch> from;
  std::array<std::array<uint8_t, CMSG_SPACE(sizeof(timespec))>, kBatch> control;
  std::array<std::array<uint8_t, 2048>, kBatch> data;
};
ReceiveBatch g_batch;

std::optional<stun::TransportAddress> FromSockaddr(const sockaddr_storage& s) {
  if (s.ss_family == AF_INET) {
    const auto& a = reinterpret_cast<const sockaddr_in&>(s);
    std::array<uint8_t, 4> bytes;
    std::memcpy(bytes.data(), &a.sin_addr, 4);
    return stun::TransportAddress::Ipv4(bytes, ntohs(a.sin_port));
  }
  if (s.ss_family == AF_INET6) {
    const auto& a = reinterpret_cast<const sockaddr_in6&>(s);
    std::array<uint8_t, 16> bytes;
    std::memcpy(bytes.data(), &a.sin6_addr, 16);
    return stun::TransportAddress::Ipv6(bytes, ntohs(a.sin6_port));
  }
  return std::nullopt;
}

// The kernel's receive time of header h on the monotonic clock, or `fallback`.
int64_t ArrivalNs(const msghdr& h, int64_t realtime_minus_monotonic, int64_t fallback) {
  for (cmsghdr* c = CMSG_FIRSTHDR(&h); c; c = CMSG_NXTHDR(const_cast<msghdr*>(&h), c)) {
    if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_TIMESTAMPNS) {
      timespec t;
      std::memcpy(&t, CMSG_DATA(c), sizeof t);
      return int64_t{t.tv_sec} * 1'000'000'000 + t.tv_nsec - realtime_minus_monotonic;
    }
  }
  return fallback;
}
constexpr int kSocketBuffer = 1 << 20;

class WsLink final : public SignalLink {
 public:
  WsLink(asio::io_context& io, asio::ssl::context* tls, const client::WsUrl& url, client::WsOptions options)
      : channel_(io, tls, url, std::move(options)) {
    channel_.on_message = [this](std::string_view text) {
      if (on_message) on_message(text, 0);
    };
    channel_.on_close = [this](const std::string& error, bool was_open) {
      if (on_close) on_close(was_open ? "signaling closed: " + error : "cannot connect: " + error);
    };
  }
  void Connect() override { channel_.Connect(); }
  void Send(SignalMessage message) override { channel_.Send(std::move(message.body)); }
  void Close() override { channel_.Close(); }

 private:
  client::WsChannel channel_;
};

}  // namespace

struct LoadLoop::Participant {
  PeerSpec spec;
  std::unique_ptr<LoadPeer> peer;
  std::unique_ptr<SignalLink> link;
  std::vector<std::unique_ptr<udp::socket>> sockets;
  MediaPatternConfig media;
  std::optional<MediaPattern> pattern;
  std::vector<MediaPacket> due;
  ReceiveMeter meter;
  std::optional<std::string> link_error;
};

LoadLoop::LoadLoop(asio::io_context& io, LoopConfig config, PeerFactory factory)
    : io_(io), config_(std::move(config)), factory_(std::move(factory)), timer_(io) {
  Tick();
}

LoadLoop::~LoadLoop() {
  timer_.cancel();
  CloseAll();
}

void LoadLoop::Add(PeerSpec spec) {
  auto p = std::make_unique<Participant>();
  p->spec = std::move(spec);
  p->peer = factory_(p->spec);
  if (p->spec.role == PeerRole::kPublisher) {
    const auto k = static_cast<uint32_t>(publisher_specs_.size());
    publisher_specs_.push_back(p->spec);
    p->media = config_.media;
    p->media.audio_stream_id = 2 * k;
    p->media.video_stream_id = 2 * k + 1;
    // A pseudo-random phase within one frame, so publishers do not send in step.
    phase_seed_ = phase_seed_ * 1664525u + 1013904223u;
    p->media.start_offset_ns = static_cast<int64_t>(phase_seed_ % 33'000) * 1000;
    p->media.keyframe_phase_frames = phase_seed_ >> 16;  // reduced modulo the interval by MediaPattern
  }
  const size_t index = participants_.size();
  std::optional<asio::ip::address> source;
  if (!config_.source_addresses.empty()) source = config_.source_addresses[index % config_.source_addresses.size()];
  for (size_t i = 0; i < p->peer->connection_count(); ++i) {
    auto s = std::make_unique<udp::socket>(io_);
    boost::system::error_code ec;
    const auto local = source ? *source : asio::ip::address(asio::ip::address_v4::any());
    s->open(local.is_v6() ? udp::v6() : udp::v4(), ec);
    if (!ec) s->bind(udp::endpoint(local, 0), ec);
    if (!ec) s->non_blocking(true, ec);
    if (ec) {
      p->link_error = "udp socket: " + ec.message();
      break;
    }
    s->set_option(asio::socket_base::receive_buffer_size(kSocketBuffer), ec);
    s->set_option(asio::socket_base::send_buffer_size(kSocketBuffer), ec);
    const int on = 1;
    setsockopt(s->native_handle(), SOL_SOCKET, SO_TIMESTAMPNS, &on, sizeof on);
    p->sockets.push_back(std::move(s));
  }
  if (p->peer->signaling_kind() == SignalingKind::kWebSocket) {
    client::WsOptions ws = config_.ws;
    ws.bind_address = source;
    p->link = std::make_unique<WsLink>(io_, config_.tls, config_.url, std::move(ws));
  } else if (config_.make_link) {
    p->link = config_.make_link(*p->peer);
  }
  if (!p->link) p->link_error = "no signaling link for this kind of peer";
  participants_.push_back(std::move(p));
  Participant& added = *participants_.back();
  if (added.link_error) return;
  Wire(added);
  for (size_t i = 0; i < added.sockets.size(); ++i) ArmSocket(added, i);
  added.peer->Start(ToTimestamp(MonotonicNs()));
  added.link->Connect();
  Flush(added);
}

void LoadLoop::Wire(Participant& p) {
  // Called within HandleDatagram: arrival_ns_ is that datagram's.
  p.peer->on_rtp = [this, &p](std::span<const uint8_t> rtp, Timestamp) { p.meter.OnRtp(rtp, arrival_ns_); };
  p.link->on_message = [this, &p](std::string_view body, int status) {
    p.peer->HandleSignal(body, status, ToTimestamp(MonotonicNs()));
    Flush(p);
  };
  p.link->on_close = [&p](const std::string& error) {
    if (!p.link_error) p.link_error = error;
  };
}

void LoadLoop::ArmSocket(Participant& p, size_t i) {
  p.sockets[i]->async_wait(udp::socket::wait_read, [this, &p, i](boost::system::error_code ec) {
    if (ec) return;  // closed
    Drain(p, i);
    ArmSocket(p, i);
  });
}

void LoadLoop::Drain(Participant& p, size_t i) {
  const int fd = p.sockets[i]->native_handle();
  for (int round = 0; round < kMaxBatchesPerWake; ++round) {
    for (unsigned k = 0; k < kBatch; ++k) {
      g_batch.iov[k] = {g_batch.data[k].data(), g_batch.data[k].size()};
      msghdr& h = g_batch.headers[k].msg_hdr;
      h = {};
      h.msg_name = &g_batch.from[k];
      h.msg_namelen = sizeof(sockaddr_storage);
      h.msg_iov = &g_batch.iov[k];
      h.msg_iovlen = 1;
      h.msg_control = g_batch.control[k].data();
      h.msg_controllen = g_batch.control[k].size();
    }
    const int n = recvmmsg(fd, g_batch.headers.data(), kBatch, MSG_DONTWAIT, nullptr);
    if (n <= 0) break;
    const int64_t now = MonotonicNs();
    const int64_t offset = RealtimeNs() - now;
    for (int k = 0; k < n; ++k) {
      const msghdr& h = g_batch.headers[k].msg_hdr;
      auto from = FromSockaddr(g_batch.from[k]);
      if (!from) continue;
      // The meter gets the kernel's arrival time; the peer's engines the
      // current time (their clocks must not go back).
      arrival_ns_ = ArrivalNs(h, offset, now);
      p.peer->HandleDatagram(i, std::span<uint8_t>(g_batch.data[k].data(), g_batch.headers[k].msg_len), *from,
                             ToTimestamp(now));
    }
    if (static_cast<unsigned>(n) < kBatch) break;
  }
  Flush(p);
}

void LoadLoop::Flush(Participant& p) {
  while (auto s = p.peer->PollSignal()) {
    if (p.link) p.link->Send(std::move(*s));
  }
  while (auto d = p.peer->PollTransmit()) {
    if (d->connection >= p.sockets.size()) continue;
    boost::system::error_code ec;
    p.sockets[d->connection]->send_to(asio::buffer(d->bytes), netio::ToEndpoint(d->to), 0, ec);
    if (ec) ++send_errors_;
  }
}

void LoadLoop::Tick() {
  const int64_t now_ns = MonotonicNs();
  const Timestamp now = ToTimestamp(now_ns);
  // Timeouts (ICE checks, DTLS retransmissions, consent) need less precision than media.
  const bool timeouts = ticks_++ % 5 == 0;
  for (auto& owned : participants_) {
    Participant& p = *owned;
    if (p.link_error) continue;
    // Subscribers only have timeouts: most ticks skip them.
    if (!timeouts && p.spec.role != PeerRole::kPublisher) continue;
    if (timeouts) {
      if (auto next = p.peer->NextTimeout(); next && *next <= now) p.peer->HandleTimeout(now);
    }
    if (p.spec.role == PeerRole::kPublisher && !media_paused_ && p.peer->media_ready()) {
      if (!p.pattern) p.pattern.emplace(p.media, now_ns);
      p.due.clear();
      p.pattern->Poll(now_ns, p.due);
      for (const auto& m : p.due) {
        if (m.video) {
          p.peer->SendVideo(m.payload, m.end_of_frame, m.rtp_timestamp_step, now);
        } else {
          p.peer->SendAudio(m.payload, m.rtp_timestamp_step, now);
        }
      }
    }
    Flush(p);
  }
  timer_.expires_after(std::chrono::microseconds(config_.tick.us()));
  timer_.async_wait([this](boost::system::error_code ec) {
    if (!ec) Tick();
  });
}

void LoadLoop::RunFor(TimeDelta d) {
  io_.restart();
  io_.run_for(std::chrono::microseconds(d.us()));
}

bool LoadLoop::RunUntilConnected(TimeDelta limit) {
  const int64_t deadline = MonotonicNs() + limit.us() * 1000;
  while (MonotonicNs() < deadline && !(config_.stop_requested && config_.stop_requested())) {
    const LoopSnapshot s = Snapshot();
    if (s.connected + s.failed >= s.participants) return s.failed == 0;
    RunFor(TimeDelta::Millis(50));
  }
  return false;
}

LoopSnapshot LoadLoop::Snapshot() const {
  LoopSnapshot s;
  s.at_ns = MonotonicNs();
  s.participants = participants_.size();
  s.send_errors = send_errors_;
  for (const auto& owned : participants_) {
    const Participant& p = *owned;
    const PeerStats st = p.peer->stats();
    const std::optional<std::string> error = p.link_error ? p.link_error : st.error;
    s.joined += st.joined;
    s.connected += st.media_connected && !error;
    s.packets_sent += st.packets_sent;
    s.srtp_errors += st.srtp_errors;
    if (error) {
      ++s.failed;
      ++s.errors[*error];
    }
    if (p.spec.role != PeerRole::kSubscriber) continue;
    if (s.rooms.size() <= p.spec.room_index) s.rooms.resize(p.spec.room_index + 1);
    RoomTotals& room = s.rooms[p.spec.room_index];
    s.receiving_streams += p.meter.streams().size();
    for (const auto& [id, totals] : p.meter.streams()) {
      room.streams[id] += totals;
      room.sum += totals;
      s.sum += totals;
    }
  }
  return s;
}

void LoadLoop::CloseAll() {
  for (auto& p : participants_) {
    if (p->link) p->link->Close();
    for (auto& s : p->sockets) {
      boost::system::error_code ignored;
      s->close(ignored);
    }
  }
}

}  // namespace aegis::load
