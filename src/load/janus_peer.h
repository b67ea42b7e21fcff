// The Janus target of aegis-load: one participant of a Janus 1.x videoroom
// (bench/janus/) behind the LoadPeer interface, on the same media engine as
// the Aegis peer (aegis::client::Client: controlling ICE toward Janus's
// ICE-lite candidates, DTLS client, SRTP, the same offer and answer SDPs),
// so only the signaling differs.
//
// Signaling is the Janus HTTP API (janus_api.h), one request per
// SignalMessage, answers and long-poll events back through HandleSignal:
// - publisher: create session, attach the videoroom plugin, joinandconfigure
//   as a publisher with the client's offer; the joined event carries the
//   answer. One connection (index 0).
// - subscriber: create session, attach two handles: a watcher that joins as
//   a (never publishing) publisher to learn the room's feeds (the joined
//   event's publishers, then publishers events), and the subscription: join
//   ptype subscriber with every feed known, later subscribe for new ones;
//   each Janus offer (attached, updated) is answered with start. One
//   connection (index 0).
// A long poll GET is always outstanding once the first plugin message is
// acknowledged; requests are queued before the next GET, so a link that
// sends one request at a time still works. Keepalive every 25 s (Janus's
// session timeout is 60 s).
#pragma once

#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "client/client.h"
#include "load/janus_api.h"
#include "load/load_peer.h"

namespace aegis::load {

struct JanusPeerConfig {
  std::string api_path = "/janus";  // the URL's path
  uint64_t room_id = 1;             // the Janus room (a number)
  std::shared_ptr<const dtls::DtlsContext> dtls_context;
  RandomSource* rng = nullptr;  // must outlive the peer
};

class JanusPeer final : public LoadPeer {
 public:
  static constexpr TimeDelta kKeepaliveInterval = TimeDelta::Seconds(25);
  static constexpr int kMaxEventsPerPoll = 16;

  JanusPeer(const PeerSpec& spec, JanusPeerConfig config);

  SignalingKind signaling_kind() const override { return SignalingKind::kHttp; }
  size_t connection_count() const override { return 1; }

  void Start(Timestamp now) override;
  void HandleSignal(std::string_view body, int http_status, Timestamp now) override;
  std::optional<SignalMessage> PollSignal() override;

  void HandleDatagram(size_t connection, std::span<uint8_t> datagram, const stun::TransportAddress& from,
                      Timestamp now) override;
  std::optional<PeerDatagram> PollTransmit() override;
  void HandleTimeout(Timestamp now) override;
  std::optional<Timestamp> NextTimeout() const override;

  bool media_ready() const override { return client_.publisher_connected(); }
  bool SendAudio(std::span<const uint8_t> payload, uint32_t rtp_timestamp_step, Timestamp now) override;
  bool SendVideo(std::span<const uint8_t> payload, bool end_of_frame, uint32_t rtp_timestamp_step,
                 Timestamp now) override;

  PeerStats stats() const override;

  // Feeds (publisher ids) the subscription asked for; for tests.
  const std::set<uint64_t>& subscribed_feeds() const { return subscribed_; }

 private:
  enum class Request { kCreate, kAttachMain, kAttachSubscription, kJoin, kSubscribe, kStart, kKeepalive };

  std::string NewTransaction(Request what);
  void Post(std::string path, std::string body);
  void PostMessage(Request what, uint64_t handle, const nlohmann::json& body,
                   const std::optional<janus::Jsep>& jsep = std::nullopt);
  void Poll();
  void OnReply(const janus::Message& m, Timestamp now);
  void OnEvent(const janus::Message& m, Timestamp now);
  void OnMainEvent(const janus::Message& m, Timestamp now);
  void OnSubscriptionEvent(const janus::Message& m, Timestamp now);
  void LearnFeeds(const nlohmann::json& publishers);
  void Subscribe();
  void Fail(std::string error);
  std::string SessionPath() const;

  PeerRole role_;
  std::string identity_;
  JanusPeerConfig config_;
  client::Client client_;
  Timestamp arrival_;  // of the datagram being handled, for on_rtp

  std::deque<SignalMessage> out_;
  std::map<std::string, Request> pending_;  // by transaction
  uint64_t next_transaction_ = 1;
  uint64_t session_ = 0;
  uint64_t main_handle_ = 0;          // the publisher, or the subscriber's watcher
  uint64_t subscription_handle_ = 0;  // subscriber only
  bool polling_ = false;              // a long poll may be outstanding
  bool joined_ = false;
  std::optional<Timestamp> next_keepalive_;

  std::set<uint64_t> feeds_;       // publishing in the room (watcher's view)
  std::set<uint64_t> subscribed_;  // asked for
  bool subscription_started_ = false;  // the join ptype subscriber was sent
  bool subscription_busy_ = false;     // a join/subscribe waits for its offer
  bool offer_answered_ = false;
  std::optional<std::string> error_;
};

}  // namespace aegis::load
