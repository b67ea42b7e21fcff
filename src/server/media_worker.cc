#include "server/media_worker.h"

#include <algorithm>
#include <netinet/in.h>
#include <sys/socket.h>
#include <time.h>

#include <chrono>
#include <cstdio>

#include "netio/udp_address.h"

namespace aegis::server {
namespace asio = boost::asio;
using asio::ip::udp;

class MediaWorker::Output final : public ConferenceOutput {
 public:
  Output(int fd, SignalBridge& bridge, AuditSink* audit) : batch_(fd), bridge_(bridge), audit_(audit) {}
  void SendSignal(SessionId session, std::string message) override { bridge_.Deliver(session, std::move(message)); }
  void CloseSignal(SessionId session) override { bridge_.Close(session); }
  // Queued; the worker flushes after each batch of work (MediaWorker::Flush).
  void SendDatagram(const stun::TransportAddress& to, std::span<const uint8_t> bytes) override {
    if (to.protocol == stun::Protocol::kTcp) {
      if (tcp_) tcp_->Send(to, bytes);
      return;
    }
    batch_.Queue(to, bytes);
    counters.Sent(bytes.size());  // metrics
  }
  void set_tcp(MediaTcp* tcp) { tcp_ = tcp; }
  std::span<uint8_t> DatagramBuffer() override { return batch_.NextBuffer(); }
  void Log(std::string line) override { std::printf("aegis: %s\n", line.c_str()); }
  // A SQLite append (WAL, no fsync per row) on this thread: joins, leaves
  // and admin actions are rare next to packets.
  void Audit(std::string_view action, std::string detail) override {
    if (audit_) audit_->Record("server", action, detail);
  }
  SendBatch& batch() { return batch_; }
  WorkerIoCounters counters;  // metrics: this thread only, copied by PostStatsSnapshot

 private:
  SendBatch batch_;
  SignalBridge& bridge_;
  AuditSink* audit_;
  MediaTcp* tcp_ = nullptr;
};

// A fan-out turns one received packet into many sent ones, and a worker busy
// with a batch leaves arrivals queued: both socket buffers get room for
// bursts (kSocketBufferBytes). The kernel caps SO_RCVBUF/SO_SNDBUF at
// net.core.rmem_max/wmem_max (docs/configuration.md); with CAP_NET_ADMIN the
// *FORCE options go past that cap.
void MediaWorker::GrowSocketBuffers(int fd) {
  const int bytes = kSocketBufferBytes;
  for (auto [force, plain] : {std::pair{SO_RCVBUFFORCE, SO_RCVBUF}, std::pair{SO_SNDBUFFORCE, SO_SNDBUF}}) {
    if (::setsockopt(fd, SOL_SOCKET, force, &bytes, sizeof(bytes)) != 0) {
      (void)::setsockopt(fd, SOL_SOCKET, plain, &bytes, sizeof(bytes));
    }
  }
}

// DF on every datagram, as browsers send theirs: nothing this server sends
// needs fragmenting (RTP under 1,300 bytes, DTLS flights sized for the path),
// and with DF the kernel skips choosing an IP ID per packet (__ip_select_ident
// was 6 % of the server's CPU under fan-out load).
void MediaWorker::SetDontFragment(int fd, bool ipv6) {
  const int probe = IP_PMTUDISC_PROBE;  // DF set, no path-MTU state kept per destination
  (void)::setsockopt(fd, IPPROTO_IP, IP_MTU_DISCOVER, &probe, sizeof(probe));
  if (ipv6) {
    const int on = 1;
    (void)::setsockopt(fd, IPPROTO_IPV6, IPV6_DONTFRAG, &on, sizeof(on));
  }
}

MediaWorker::MediaWorker(int index, MediaWorkerConfig config, SignalBridge& bridge)
    : index_(index), config_(std::move(config)), bridge_(bridge), udp_(io_), timer_(io_) {}

MediaWorker::~MediaWorker() { Stop(); }

bool MediaWorker::BindUdp(uint16_t port, std::string& error) {
  boost::system::error_code ec;
  udp_.open(config_.bind_address.is_v4() ? udp::v4() : udp::v6(), ec);
  if (!ec) udp_.bind({config_.bind_address, port}, ec);
  if (!ec) udp_.non_blocking(true, ec);
  if (ec) {
    error = "media worker " + std::to_string(index_) + ": cannot bind udp " + config_.bind_address.to_string() + ":" +
            std::to_string(port) + ": " + ec.message();
    boost::system::error_code ignored;
    udp_.close(ignored);
    return false;
  }
  return true;
}

// The UDP socket and, for ICE-TCP, a TCP listener on the same port number.
// With any free port asked for (0), a few tries find a number free on both.
bool MediaWorker::BindSockets(std::string& error) {
  const int attempts = config_.tcp && config_.port == 0 ? 8 : 1;
  for (int attempt = 0; attempt < attempts; ++attempt) {
    if (!BindUdp(config_.port, error)) return false;
    if (!config_.tcp) return true;
    const uint16_t port = udp_.local_endpoint().port();
    MediaTcp::Limits limits;
    limits.max_packet = kDatagramSlotSize;
    // Two connections per participant, and a browser may open one per
    // (its interface, our candidate) pair before it picks.
    limits.max_connections = 4 * config_.max_participants + limits.max_unrouted;
    tcp_ = std::make_unique<MediaTcp>(io_, clock_, limits,
                                      MediaTcp::Hooks{
                                          [this](std::span<uint8_t> packet, const stun::TransportAddress& from) {
                                            conference_->HandleDatagram(packet, from, clock_.Now());
                                          },
                                          [this](const stun::TransportAddress& a) { return conference_->Routes(a); },
                                          [this] { AfterWork(); }});
    std::string tcp_error;
    if (tcp_->Listen(config_.bind_address, port, tcp_error)) return true;
    tcp_.reset();
    boost::system::error_code ignored;
    udp_.close(ignored);
    error = "media worker " + std::to_string(index_) + ": cannot listen on tcp " + config_.bind_address.to_string() +
            ":" + std::to_string(port) + " (ICE-TCP, the UDP port's number): " + tcp_error +
            " (free the port, or serve UDP only with --media-tcp off)";
  }
  return false;
}

bool MediaWorker::Start(std::string& error) {
  if (!BindSockets(error)) return false;
  port_ = udp_.local_endpoint().port();
  GrowSocketBuffers(udp_.native_handle());
  SetDontFragment(udp_.native_handle(), config_.bind_address.is_v6());
  (void)ReceiveBatch::EnableArrivalTimes(udp_.native_handle());  // aegis_forward_delay_seconds, publisher feedback
  ConferenceConfig conference;
  if (config_.announced_addresses.empty()) {
    conference.candidates.push_back(netio::ToTransportAddress(udp_.local_endpoint()));
  } else {
    for (const auto& a : config_.announced_addresses) conference.candidates.push_back(netio::ToTransportAddress(udp::endpoint{a, port_}));
  }
  // Passive TCP candidates after the UDP ones, on the same port numbers.
  if (tcp_) {
    const size_t udp_candidates = conference.candidates.size();
    for (size_t i = 0; i < udp_candidates; ++i) conference.candidates.push_back(conference.candidates[i].OverTcp());
  }
  for (const auto& a : config_.turn_relay_addresses) {
    conference.relay_addresses.push_back(netio::ToTransportAddress(udp::endpoint{a, 0}));
  }
  conference.dtls_context = config_.dtls_context;
  conference.max_participants_per_room = config_.max_participants_per_room;
  conference.max_participants = config_.max_participants;
  conference.test_hooks = config_.test_hooks;
  conference.max_audio_tracks_per_participant = config_.max_audio_tracks_per_participant;
  conference.max_video_tracks_per_participant = config_.max_video_tracks_per_participant;
  conference.mls_suite = config_.mls_suite;
  conference.mls_external_sender = config_.mls_external_sender;
  conference.publisher_transport_feedback = config_.publisher_transport_feedback;
  output_ = std::make_unique<Output>(udp_.native_handle(), bridge_, config_.audit);
  output_->set_tcp(tcp_.get());
  conference_ = std::make_unique<Conference>(std::move(conference), *output_, rng_);
  Receive();
  ArmTimer();
  thread_ = std::thread([this] { io_.run(); });
  return true;
}

void MediaWorker::Stop() {
  if (!thread_.joinable()) return;
  asio::post(io_, [this] {
    // A timer that already expired is not cancelled by cancel(): the flag
    // stops its handler from re-arming, so run() can return.
    stopping_ = true;
    conference_->Shutdown(clock_.Now());
    output_->batch().Flush();
    if (tcp_) tcp_->Close();
    boost::system::error_code ec;
    udp_.close(ec);
    timer_.cancel();
  });
  thread_.join();
}

void MediaWorker::PostJoin(SessionId session, AdmittedJoin join) {
  asio::post(io_, [this, session, join = std::move(join)] {
    if (join.resume) {
      conference_->Resume(session, join.claims, *join.resume, clock_.Now());
    } else if (join.viewer_offer) {
      conference_->JoinViewer(session, join.claims, *join.viewer_offer, join.viewer_participant, clock_.Now(),
                              join.rules, TimeDelta::Seconds(join.token_remaining_s));
    } else {
      conference_->Join(session, join.claims, join.request, clock_.Now(), join.rules,
                        TimeDelta::Seconds(join.token_remaining_s), join.ice_servers);
    }
    AfterWork();
  });
}

void MediaWorker::PostMessage(SessionId session, signaling::ClientMessage message,
                              std::optional<int64_t> request_id) {
  asio::post(io_, [this, session, message = std::move(message), request_id] {
    conference_->HandleMessage(session, message, clock_.Now(), request_id);
    AfterWork();
  });
}

void MediaWorker::PostRevocation(Revocation revocation) {
  asio::post(io_, [this, revocation = std::move(revocation)] {
    conference_->Revoke(revocation, clock_.Now());
    AfterWork();
  });
}

void MediaWorker::PostDisconnected(SessionId session) {
  asio::post(io_, [this, session] {
    conference_->Disconnected(session, clock_.Now());
    AfterWork();
  });
}

// Readiness, then recvmmsg until the socket is empty (bounded, so posted
// signaling work and timers are not starved by a flood): each batch is
// handled and its replies leave in one sendmmsg.
void MediaWorker::Receive() {
  udp_.async_wait(udp::socket::wait_read, [this](boost::system::error_code ec) {
    if (ec == asio::error::operation_aborted || stopping_) return;
    if (!ec) {
      output_->counters.Wakeup();  // metrics
      for (int round = 0; round < kMaxReceiveRounds; ++round) {
        const size_t n = rx_.Receive(udp_.native_handle());
        if (n == 0) break;
        const Timestamp now = clock_.Now();
        const int64_t realtime_now_ns = ReceiveBatch::RealtimeNs();
        for (size_t i = 0; i < n; ++i) {
          output_->counters.Received(rx_.datagram(i).size());  // metrics
          output_->batch().SetOrigin(rx_.arrival_ns(i));       // metrics: what it causes is timed from its arrival
          conference_->HandleDatagram(rx_.datagram(i), rx_.from(i), now, rx_.ArrivedAt(i, now, realtime_now_ns));
        }
        output_->batch().Flush();
        output_->batch().SetOrigin(0);
      }
      AfterWork();
    }
    Receive();
  });
}

// Whatever the work queued leaves now, and the timer follows the earliest
// deadline the work may have moved.
void MediaWorker::AfterWork() {
  output_->batch().Flush();
  ArmTimer();
}

void MediaWorker::ArmTimer() {
  if (stopping_) return;
  const std::optional<Timestamp> next = conference_->NextTimeout();
  if (!next) {
    if (timer_armed_for_) timer_.cancel();
    timer_armed_for_.reset();
    return;
  }
  if (timer_armed_for_ && *timer_armed_for_ == *next) return;
  timer_armed_for_ = next;
  // Past due still waits 1 ms: a deadline that handling did not move
  // cannot spin the worker.
  const int64_t wait_us = std::max<int64_t>(1000, (*next - clock_.Now()).us());
  timer_.expires_after(std::chrono::microseconds(wait_us));
  timer_.async_wait([this](boost::system::error_code ec) {
    if (ec || stopping_) return;
    timer_armed_for_.reset();
    const Timestamp now = clock_.Now();
    if (auto due = conference_->NextTimeout(); due && *due <= now) conference_->HandleTimers(now);
    AfterWork();
  });
}

// ---- Metrics
// A copy made on this thread when the signaling thread asks, rather than a
// snapshot of atomics the worker refreshes: nothing is paid on the packet
// path (no atomic stores, no periodic publishing) until someone scrapes, and
// the copy is exact. The busy time is this thread's CPU clock, read here,
// so the handlers need no timing of their own.
void MediaWorker::PostStatsSnapshot(std::function<void(WorkerSnapshot)> done) {
  const auto posted = std::chrono::steady_clock::now();
  asio::post(io_, [this, posted, done = std::move(done)] {
    WorkerSnapshot snapshot;
    snapshot.conference = conference_->stats();
    snapshot.sfu = conference_->sfu_stats();
    snapshot.participants = conference_->participant_count();
    snapshot.rooms = conference_->room_count();
    snapshot.tracks = conference_->track_count();
    snapshot.subscriptions = conference_->subscription_count();
    snapshot.transport = conference_->transport_stats();
    snapshot.io = output_->counters;
    snapshot.io.datagrams_truncated = rx_.truncated();
    if (tcp_) snapshot.tcp = tcp_->stats();
    snapshot.forward_delay = output_->batch().forward_delay();
    snapshot.queue_delay_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - posted).count();
    if (timespec cpu{}; clock_gettime(CLOCK_THREAD_CPUTIME_ID, &cpu) == 0) {
      snapshot.busy_seconds = static_cast<double>(cpu.tv_sec) + static_cast<double>(cpu.tv_nsec) / 1e9;
    }
    done(std::move(snapshot));
  });
}

}  // namespace aegis::server
