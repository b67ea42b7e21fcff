#include "bench/fanout_room.h"

#include <array>
#include <chrono>
#include <deque>
#include <utility>

#include "dtls/certificate.h"
#include "signaling/client_messages.h"

namespace aegis::bench {
namespace {

const stun::TransportAddress kServer = stun::TransportAddress::Ipv4({198, 18, 0, 1}, 40000);

std::shared_ptr<const dtls::DtlsContext> MakeContext(uint64_t seed) {
  SeededRandom rng(seed);
  auto cert =
      dtls::Certificate::Generate(rng, std::chrono::floor<std::chrono::seconds>(std::chrono::system_clock::now()));
  return dtls::DtlsContext::Create(cert);
}

}  // namespace

// While connecting: every signal and datagram is kept for delivery. While
// measuring: datagrams are built in one reused slot, as in the media worker,
// and only counted (the socket is not what is measured).
class FanoutRoom::Output final : public server::ConferenceOutput {
 public:
  explicit Output(const bool& measuring) : measuring_(measuring) {}
  void SendSignal(server::SessionId session, std::string message) override {
    signals.emplace_back(session, std::move(message));
  }
  void CloseSignal(server::SessionId) override {}
  void SendDatagram(const stun::TransportAddress& to, std::span<const uint8_t> bytes) override {
    ++sent;
    if (!measuring_) datagrams.emplace_back(to, std::vector<uint8_t>(bytes.begin(), bytes.end()));
  }
  // Like the media worker's send slot (server/datagram_batch.h), reused.
  std::span<uint8_t> DatagramBuffer() override { return measuring_ ? std::span<uint8_t>(slot_) : std::span<uint8_t>(); }

  std::deque<std::pair<server::SessionId, std::string>> signals;
  std::deque<std::pair<stun::TransportAddress, std::vector<uint8_t>>> datagrams;
  uint64_t sent = 0;

 private:
  const bool& measuring_;
  std::array<uint8_t, 2048> slot_{};
};

struct FanoutRoom::Peer {
  server::SessionId session;
  stun::TransportAddress publisher_address;
  stun::TransportAddress subscriber_address;
  std::shared_ptr<const dtls::DtlsContext> context;
  std::unique_ptr<client::Client> client;
};

FanoutRoom::FanoutRoom() = default;
FanoutRoom::~FanoutRoom() = default;

std::unique_ptr<FanoutRoom> FanoutRoom::Create(size_t subscribers, std::string& error) {
  std::unique_ptr<FanoutRoom> room(new FanoutRoom());
  room->output_ = std::make_unique<Output>(room->measuring_);
  server::ConferenceConfig config;
  config.candidates = {kServer};
  config.dtls_context = MakeContext(1);
  config.max_participants_per_room = subscribers + 1;
  room->conference_ = std::make_unique<server::Conference>(std::move(config), *room->output_, room->server_rng_);
  for (size_t i = 0; i <= subscribers; ++i) {
    auto peer = std::make_unique<Peer>();
    peer->session = server::SessionId(i + 1);
    const auto host = static_cast<uint8_t>(i % 250 + 1);
    const auto net = static_cast<uint8_t>(i / 250);
    peer->publisher_address = stun::TransportAddress::Ipv4({10, net, 0, host}, 50000);
    peer->subscriber_address = stun::TransportAddress::Ipv4({10, net, 0, host}, 50001);
    peer->context = MakeContext(100 + i);
    client::ClientConfig c;
    c.room = "bench";
    c.token = "unused: the Conference gets verified claims";
    c.dtls_context = peer->context;
    c.rng = &room->client_rng_;
    c.publish_audio = i == 0;
    c.publish_video = i == 0;
    peer->client = std::make_unique<client::Client>(std::move(c));
    auto join = signaling::ParseClientMessage(peer->client->Start());
    if (!join.ok() || !std::holds_alternative<signaling::JoinRequest>(*join)) {
      error = "the client's join does not parse";
      return nullptr;
    }
    auth::Claims claims;
    claims.identity = "bench-" + std::to_string(i);
    claims.room = "bench";
    claims.grants = {.publish = i == 0, .subscribe = true, .room_admin = false};
    claims.not_before = 1'700'000'000;
    claims.expires_at = 1'700'086'400;
    room->conference_->Join(peer->session, claims, std::get<signaling::JoinRequest>(*join), room->now_);
    room->peers_.push_back(std::move(peer));
  }
  if (!room->Connect(error)) return nullptr;
  return room;
}

bool FanoutRoom::Connect(std::string& error) {
  auto all_up = [&] {
    if (!peers_[0]->client->publisher_connected()) return false;
    for (size_t i = 1; i < peers_.size(); ++i) {
      if (!peers_[i]->client->subscriber_connected()) return false;
    }
    return true;
  };
  for (int i = 0; i < 2000 && !all_up(); ++i) Step();
  // Connected subscribers ask for keyframes, offers settle: a few more rounds.
  for (int i = 0; i < 20; ++i) Step();
  if (!all_up()) {
    error = "not every participant connected";
    return false;
  }
  return true;
}

void FanoutRoom::Step() {
  while (!output_->signals.empty()) {
    auto [session, text] = std::move(output_->signals.front());
    output_->signals.pop_front();
    peers_[session.value() - 1]->client->HandleSignal(text, now_);
  }
  for (auto& p : peers_) {
    while (auto text = p->client->PollSignal()) {
      auto message = signaling::ParseClientMessage(*text);
      if (message.ok()) conference_->HandleMessage(p->session, *message, now_);
    }
    while (auto d = p->client->PollTransmit()) {
      const bool publisher = d->connection == client::Connection::kPublisher;
      conference_->HandleDatagram(d->bytes, publisher ? p->publisher_address : p->subscriber_address, now_);
    }
  }
  while (!output_->datagrams.empty()) {
    auto [to, bytes] = std::move(output_->datagrams.front());
    output_->datagrams.pop_front();
    for (auto& p : peers_) {
      if (to == p->publisher_address) p->client->HandleDatagram(client::Connection::kPublisher, bytes, kServer, now_);
      if (to == p->subscriber_address) p->client->HandleDatagram(client::Connection::kSubscriber, bytes, kServer, now_);
    }
  }
  now_ += TimeDelta::Millis(5);
  for (auto& p : peers_) p->client->HandleTimeout(now_);
  if (auto next = conference_->NextTimeout(); next && *next <= now_) conference_->HandleTimers(now_);
}

std::vector<std::vector<uint8_t>> FanoutRoom::RecordVideo(size_t count, size_t payload_size) {
  std::vector<std::vector<uint8_t>> packets;
  packets.reserve(count);
  std::vector<uint8_t> payload(payload_size, 0x5a);
  payload[0] = 0x10;  // VP8 payload descriptor: start of a partition
  if (payload.size() > 1) payload[1] = 0x01;  // VP8 header: P=1, an interframe
  client::Client& publisher = *peers_[0]->client;
  // Drain what the connection already queued (consent checks).
  while (publisher.PollTransmit()) {
  }
  for (size_t i = 0; i < count; ++i) {
    if (!publisher.SendVideo(payload, /*end_of_frame=*/true, 3000, now_)) break;
    while (auto d = publisher.PollTransmit()) {
      if (d->connection == client::Connection::kPublisher && !d->bytes.empty() && (d->bytes[0] & 0xc0) == 0x80) {
        packets.push_back(std::move(d->bytes));
      }
    }
  }
  measuring_ = true;
  return packets;
}

void FanoutRoom::Forward(const std::vector<uint8_t>& packet, std::vector<uint8_t>& scratch) {
  scratch.assign(packet.begin(), packet.end());
  conference_->HandleDatagram(scratch, peers_[0]->publisher_address, now_);
}

uint64_t FanoutRoom::TakeSentDatagrams() { return std::exchange(output_->sent, 0); }

const server::ConferenceStats& FanoutRoom::stats() const { return conference_->stats(); }

}  // namespace aegis::bench
