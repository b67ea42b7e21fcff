// The Conference's media path: datagrams in, the router in the middle,
// protected packets out, and the timers that drive the transports.
#include <algorithm>
#include <cstring>

#include "base/big_endian.h"
#include "rtp/demux.h"
#include "rtp/rtp_packet.h"
#include "server/conference.h"
#include "server/member.h"
#include "stun/message.h"

namespace aegis::server {

// Router output → the recipient's connection. RTCP the router sends is one
// packet at a time: a sender report describes a stream the recipient
// receives (its subscriber connection); receiver reports and keyframe
// requests are about what it sends (its publisher connection).
class Conference::MediaSink final : public sfu::Sink {
 public:
  explicit MediaSink(Conference& conference) : conference_(conference) {
    buffer_.reserve(2048 + transport::PeerTransport::kMaxSrtpOverhead);
  }

  void set_now(Timestamp now) { now_ = now; }
  Timestamp now() const { return now_; }

  void SendRtp(sfu::ParticipantId, sfu::SinkTarget* target, std::span<const uint8_t> packet) override {
    Member* member = MemberOf(target);
    Connection* connection = member ? member->subscriber.get() : nullptr;
    if (!Ready(connection) || !Offered(member, packet, /*ssrc_at=*/8)) {
      ++conference_.stats_.rtp_dropped_not_connected;
      return;
    }
    if (Protect(*connection, packet, /*rtcp=*/false)) {
      ++conference_.stats_.rtp_forwarded;
      ++connection->rtp_packets_sent;
      connection->rtp_bytes_sent += packet.size();
    }
  }

  // The output's next send slot: the router writes the packet there and
  // Protect finds it already in place.
  std::span<uint8_t> RtpBuffer(size_t size) override {
    std::span<uint8_t> slot = conference_.output_.DatagramBuffer();
    return slot.size() >= size + transport::PeerTransport::kMaxSrtpOverhead ? slot : std::span<uint8_t>();
  }

  void SendRtcp(sfu::ParticipantId, sfu::SinkTarget* target, std::span<const uint8_t> packet) override {
    constexpr uint8_t kSenderReport = 200;
    const bool about_downstream = packet.size() > 1 && packet[1] == kSenderReport;
    Member* member = MemberOf(target);
    if (!member) return;
    Connection* connection = about_downstream ? member->subscriber.get() : member->publisher.get();
    if (about_downstream && !Offered(member, packet, /*ssrc_at=*/4)) return;
    if (Ready(connection)) Protect(*connection, packet, /*rtcp=*/true);
  }

 private:
  // Whether the downstream SSRC at `ssrc_at` was announced to the recipient.
  static bool Offered(const Member* member, std::span<const uint8_t> packet, size_t ssrc_at) {
    return member && packet.size() >= ssrc_at + 4 && member->offered_ssrcs.contains(LoadBE32(packet.data() + ssrc_at));
  }

  static bool Ready(const Connection* c) {
    return c && c->transport && c->transport->state() == transport::TransportState::kConnected &&
           c->transport->remote_address();
  }

  // The one copy of the packet per recipient: into the output's next send
  // slot when it offers one (none if the router already wrote it there),
  // where SRTP protects it in place.
  bool Protect(Connection& connection, std::span<const uint8_t> packet, bool rtcp) {
    const size_t needed = packet.size() + transport::PeerTransport::kMaxSrtpOverhead;
    std::span<uint8_t> target = conference_.output_.DatagramBuffer();
    if (target.size() < needed) {
      buffer_.resize(std::max(buffer_.size(), needed));
      target = buffer_;
    }
    if (packet.data() != target.data()) std::memcpy(target.data(), packet.data(), packet.size());
    target = target.first(needed);
    auto out = rtcp ? connection.transport->ProtectRtcp(target, packet.size(), now_)
                    : connection.transport->ProtectRtp(target, packet.size(), now_);
    if (!out.ok()) return false;
    conference_.output_.SendDatagram(*connection.transport->remote_address(), *out);
    return true;
  }

  Conference& conference_;
  std::vector<uint8_t> buffer_;
  Timestamp now_;
};

// Here, where MediaSink is complete.
Conference::Conference(ConferenceConfig config, ConferenceOutput& output, RandomSource& rng)
    : config_(std::move(config)), output_(output), rng_(rng), router_(config_.router) {
  sink_ = std::make_unique<MediaSink>(*this);
}

Conference::~Conference() = default;

void Conference::HandleDatagram(std::span<uint8_t> datagram, const stun::TransportAddress& from, Timestamp now,
                                std::optional<Timestamp> arrived) {
  // Classified once: the kind (and a STUN message, parsed) goes on to the
  // transport with the datagram.
  Connection* connection = nullptr;
  const rtp::DemuxKind kind = rtp::Demux(datagram);
  std::optional<stun::Message> stun_message;
  if (kind == rtp::DemuxKind::kStun) {
    auto message = stun::Message::Parse(datagram);
    if (message.ok()) stun_message = std::move(message).value();
    // A request names the connection by its USERNAME (our ufrag first).
    const bool request = stun_message && stun_message->type.cls == stun::MessageClass::kRequest;
    const auto* username = request ? stun_message->Get<stun::Username>() : nullptr;
    if (username) {
      connection = directory_.FindByUfrag(username->value.substr(0, username->value.find(':')));
    } else if (stun_message) {
      // An answer to the server's own check (return routability, consent)
      // comes from the address the check went to, which is a route of the
      // connection that sent it (that connection's checks came from there);
      // any USERNAME in it (libnice echoes the request's) is not ours to
      // route by. The agent takes it only for its own transaction.
      connection = directory_.FindByAddress(from);
    }
  } else {
    connection = directory_.FindByAddress(from);
  }
  if (!connection || !connection->transport) {
    ++stats_.datagrams_unrouted;
    return;
  }
  // A relay-only participant's checks count only from a relay: its own
  // address never becomes a route (nor anything after the check).
  if (connection->owner->relay_only && stun_message && !FromRelay(from)) {
    ++stats_.checks_not_relayed;
    return;
  }
  sink_->set_now(now);
  auto received = connection->transport->HandleClassified(kind, stun_message ? &*stun_message : nullptr, datagram,
                                                         from, now);
  const sfu::ParticipantId sender = connection->owner->sfu_id;
  if (received.kind == transport::Received::Kind::kRtp) {
    if (connection->publisher) {
      ++connection->rtp_packets_received;
      connection->rtp_bytes_received += received.packet.size();
      if (config_.test_hooks) CaptureForTest(*connection->owner, received.packet);
      router_.OnRtp(sender, received.packet, now, *sink_, arrived);
    } else {
      ++stats_.rtp_on_subscriber_connection;  // a subscriber connection only receives
    }
  } else if (received.kind == transport::Received::Kind::kRtcp) {
    router_.OnRtcp(sender, received.packet, now, *sink_);
  }
  if (connection->transport->ice().IsAuthenticated(from)) directory_.AddRoute(from, connection, now);
  Pump(*connection);
  Reschedule(*connection);
  RemoveFailed(now);
}

bool Conference::FromRelay(const stun::TransportAddress& from) const {
  return from.protocol == stun::Protocol::kUdp &&
         std::any_of(config_.relay_addresses.begin(), config_.relay_addresses.end(),
                     [&](const stun::TransportAddress& r) { return r.family == from.family && r.bytes == from.bytes; });
}

void Conference::CaptureForTest(const Member& publisher, std::span<const uint8_t> rtp) {
  auto view = rtp::RtpPacketView::Parse(rtp);
  if (!view) return;
  for (const auto& t : publisher.tracks) {
    const sfu::Track* track = router_.FindTrack(t.id);
    if (!track) continue;
    for (Ssrc ssrc : track->config.ssrcs) {
      if (ssrc == view->ssrc()) {
        config_.test_hooks->OnPublisherRtp(publisher.id, t.kind == signaling::TrackKind::kAudio, rtp);
        return;
      }
    }
  }
}

void Conference::Pump(Connection& connection) {
  auto& transport = *connection.transport;
  while (auto d = transport.PollTransmit()) output_.SendDatagram(d->to, d->bytes);
  while (auto event = transport.PollEvent()) {
    // A subscriber that just connected missed every keyframe sent so far:
    // ask its publishers for one now rather than waiting for its own PLI
    // (not every client sends one).
    if (std::holds_alternative<transport::Connected>(*event) && !connection.publisher) {
      router_.RequestKeyframes(connection.owner->sfu_id, sink_->now(), *sink_);
    }
    if (std::holds_alternative<transport::Failed>(*event) || std::holds_alternative<transport::Closed>(*event)) {
      ++stats_.transports_failed;
      failed_.push_back(connection.owner->session);
    }
  }
}

void Conference::HandleTimers(Timestamp now) {
  sink_->set_now(now);
  HandleTokenTimers(now);
  HandleResumeTimers(now);
  if (auto next = router_.NextTimeout(); next && *next <= now) router_.OnTimer(now, *sink_);
  // Only the connections whose timeout is due; collected first, because
  // handling one reschedules it.
  std::vector<Connection*> due;
  for (auto it = deadlines_.begin(); it != deadlines_.end() && it->first <= now; ++it) due.push_back(it->second);
  for (Connection* c : due) {
    c->transport->HandleTimeout(now);
    Pump(*c);
    Reschedule(*c);
  }
  RemoveFailed(now);
}

std::optional<Timestamp> Conference::NextTimeout() const {
  std::optional<Timestamp> earliest = router_.NextTimeout();
  auto consider = [&](std::optional<Timestamp> t) {
    if (t && (!earliest || *t < *earliest)) earliest = t;
  };
  consider(NextTokenTimeout());
  if (!resume_timers_.empty()) consider(resume_timers_.begin()->first);
  if (!deadlines_.empty()) consider(deadlines_.begin()->first);
  return earliest;
}

transport::TransportStats Conference::transport_stats() const {
  transport::TransportStats total = retired_transport_stats_;
  for (const auto& [session, member] : members_) {
    for (const Connection* c : {member->publisher.get(), member->subscriber.get()}) {
      if (c && c->transport) total += c->transport->stats();
    }
  }
  return total;
}

void Conference::SetSinkTime(Timestamp now) { sink_->set_now(now); }

void Conference::RequestKeyframes(const Member& subscriber) {
  router_.RequestKeyframes(subscriber.sfu_id, sink_->now(), *sink_);
}

void Conference::Reschedule(Connection& connection) {
  const std::optional<Timestamp> next =
      connection.transport ? connection.transport->NextTimeout() : std::optional<Timestamp>();
  if (next == connection.deadline) return;
  Unschedule(connection);
  if (next) deadlines_.emplace(*next, &connection);
  connection.deadline = next;
}

void Conference::Unschedule(Connection& connection) {
  if (connection.deadline) deadlines_.erase({*connection.deadline, &connection});
  connection.deadline.reset();
}

}  // namespace aegis::server
