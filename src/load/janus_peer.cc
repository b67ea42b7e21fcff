#include "load/janus_peer.h"

namespace aegis::load {
namespace {

using nlohmann::json;

client::ClientConfig MakeConfig(const PeerSpec& spec, const JanusPeerConfig& config) {
  client::ClientConfig c;
  c.room = spec.room;  // unused: no Aegis signaling
  c.dtls_context = config.dtls_context;
  c.rng = config.rng;
  c.publish_audio = c.publish_video = spec.role == PeerRole::kPublisher;
  return c;
}

client::Connection OurConnection(PeerRole role) {
  return role == PeerRole::kPublisher ? client::Connection::kPublisher : client::Connection::kSubscriber;
}

// plugindata.data.videoroom: what a videoroom event is ("joined", "event", ...).
std::string VideoRoomWhat(const json& data) {
  if (!data.is_object()) return {};
  auto it = data.find("videoroom");
  return it != data.end() && it->is_string() ? it->get<std::string>() : std::string();
}

std::string Describe(const janus::Message& m) {
  std::string text = std::to_string(m.error_code.value_or(0));
  if (!m.error_reason.empty()) text += " " + m.error_reason;
  return text;
}

}  // namespace

JanusPeer::JanusPeer(const PeerSpec& spec, JanusPeerConfig config)
    : role_(spec.role), identity_(spec.identity), config_(std::move(config)), client_(MakeConfig(spec, config_)) {
  client_.on_rtp = [this](std::span<const uint8_t> rtp) {
    if (on_rtp) on_rtp(rtp, arrival_);
  };
}

std::string JanusPeer::SessionPath() const { return config_.api_path + "/" + std::to_string(session_); }

std::string JanusPeer::NewTransaction(Request what) {
  std::string transaction = "t" + std::to_string(next_transaction_++);
  pending_[transaction] = what;
  return transaction;
}

void JanusPeer::Post(std::string path, std::string body) { out_.push_back({std::move(body), "POST", std::move(path)}); }

void JanusPeer::PostMessage(Request what, uint64_t handle, const json& body, const std::optional<janus::Jsep>& jsep) {
  Post(SessionPath() + "/" + std::to_string(handle), janus::MessageRequest(NewTransaction(what), body, jsep));
}

void JanusPeer::Poll() {
  out_.push_back({"", "GET", SessionPath() + "?maxev=" + std::to_string(kMaxEventsPerPoll)});
}

void JanusPeer::Start(Timestamp) {
  Post(config_.api_path, janus::CreateSessionRequest(NewTransaction(Request::kCreate)));
}

void JanusPeer::Fail(std::string error) {
  if (error_) return;
  error_ = std::move(error);
  out_.clear();
  polling_ = false;
}

void JanusPeer::HandleSignal(std::string_view body, int http_status, Timestamp now) {
  if (error_) return;
  if (http_status != 200) return Fail("janus: HTTP status " + std::to_string(http_status));
  auto parsed = janus::ParseBody(body);
  if (!parsed) return Fail("janus: a reply that is not Janus API JSON");
  if (parsed->array) {  // a long poll's events
    for (const auto& m : parsed->messages) OnEvent(m, now);
    if (polling_ && !error_) Poll();
    return;
  }
  const janus::Message& m = parsed->messages.front();
  if (m.janus == "success" || m.janus == "ack" || m.janus == "error") {
    OnReply(m, now);
  } else {
    OnEvent(m, now);
  }
}

void JanusPeer::OnReply(const janus::Message& m, Timestamp now) {
  auto it = pending_.find(m.transaction);
  if (it == pending_.end()) return;
  const Request what = it->second;
  pending_.erase(it);
  if (m.janus == "error") return Fail("janus error " + Describe(m));
  switch (what) {
    case Request::kCreate: {
      session_ = m.data_id;
      if (session_ == 0) return Fail("janus: create without a session id");
      next_keepalive_ = now + kKeepaliveInterval;
      return Post(SessionPath(), janus::AttachRequest(NewTransaction(Request::kAttachMain)));
    }
    case Request::kAttachMain:
    case Request::kAttachSubscription: {
      if (m.data_id == 0) return Fail("janus: attach without a handle id");
      (what == Request::kAttachMain ? main_handle_ : subscription_handle_) = m.data_id;
      if (role_ == PeerRole::kPublisher) {
        json join{{"request", "joinandconfigure"}, {"ptype", "publisher"}, {"room", config_.room_id},
                  {"display", identity_}};
        return PostMessage(Request::kJoin, main_handle_, join, janus::Jsep{"offer", client_.PublisherOffer()});
      }
      if (what == Request::kAttachMain) {
        return Post(SessionPath(), janus::AttachRequest(NewTransaction(Request::kAttachSubscription)));
      }
      // The watcher joins as a publisher that never publishes: it is told the room's feeds.
      json join{{"request", "join"}, {"ptype", "publisher"}, {"room", config_.room_id}, {"display", identity_}};
      return PostMessage(Request::kJoin, main_handle_, join);
    }
    case Request::kJoin:
      if (!polling_) {
        polling_ = true;
        Poll();
      }
      return;
    case Request::kSubscribe:
    case Request::kStart:
    case Request::kKeepalive:
      return;  // acknowledged; what follows comes as events
  }
}

void JanusPeer::OnEvent(const janus::Message& m, Timestamp now) {
  if (m.janus == "event") {
    if (m.sender != 0 && m.sender == subscription_handle_) return OnSubscriptionEvent(m, now);
    if (m.sender != 0 && m.sender == main_handle_) return OnMainEvent(m, now);
    return;
  }
  if (m.janus == "hangup") return Fail("janus hangup: " + m.reason);
  if (m.janus == "detached") return Fail("janus detached a handle");
  if (m.janus == "timeout") return Fail("janus session timed out");
  if (m.janus == "error") return Fail("janus error " + Describe(m));
  // keepalive, webrtcup, media, slowlink, trickle: nothing to do
}

void JanusPeer::OnMainEvent(const janus::Message& m, Timestamp now) {
  if (m.error_code) return Fail("janus videoroom error " + Describe(m));
  const json& data = m.plugin_data;
  if (VideoRoomWhat(data) == "joined") {
    joined_ = true;
    if (role_ == PeerRole::kPublisher) {
      if (!m.jsep || m.jsep->type != "answer") return Fail("janus: joined without an SDP answer");
      client_.HandlePublisherAnswer(m.jsep->sdp, now);
      return;
    }
  }
  if (role_ != PeerRole::kSubscriber || !data.is_object()) return;
  if (auto p = data.find("publishers"); p != data.end()) LearnFeeds(*p);
  for (const char* gone : {"unpublished", "leaving"}) {
    if (auto g = data.find(gone); g != data.end() && g->is_number_unsigned()) feeds_.erase(g->get<uint64_t>());
  }
  Subscribe();
}

void JanusPeer::LearnFeeds(const json& publishers) {
  if (!publishers.is_array()) return;
  for (const auto& p : publishers) {
    if (!p.is_object()) continue;
    auto id = p.find("id");
    auto dummy = p.find("dummy");
    if (dummy != p.end() && dummy->is_boolean() && dummy->get<bool>()) continue;
    if (id != p.end() && id->is_number_unsigned()) feeds_.insert(id->get<uint64_t>());
  }
}

void JanusPeer::Subscribe() {
  if (role_ != PeerRole::kSubscriber || !joined_ || subscription_handle_ == 0 || subscription_busy_) return;
  json streams = json::array();
  for (uint64_t feed : feeds_) {
    if (subscribed_.insert(feed).second) streams.push_back({{"feed", feed}});
  }
  if (streams.empty()) return;
  subscription_busy_ = true;
  if (!subscription_started_) {
    subscription_started_ = true;
    return PostMessage(Request::kSubscribe, subscription_handle_,
                       {{"request", "join"}, {"ptype", "subscriber"}, {"room", config_.room_id}, {"streams", streams}});
  }
  PostMessage(Request::kSubscribe, subscription_handle_, {{"request", "subscribe"}, {"streams", streams}});
}

void JanusPeer::OnSubscriptionEvent(const janus::Message& m, Timestamp now) {
  if (m.error_code) {
    // A first subscription refused ends the peer; a later one (e.g. a feed
    // that just left) only ends that request.
    if (!offer_answered_) return Fail("janus videoroom subscription error " + Describe(m));
    subscription_busy_ = false;
    return Subscribe();
  }
  if (m.jsep && m.jsep->type == "offer") {
    auto answer = client_.AnswerSubscriberOffer(m.jsep->sdp, now);
    if (!answer) return;  // the client failed; stats() reports it
    PostMessage(Request::kStart, subscription_handle_, {{"request", "start"}}, janus::Jsep{"answer", *answer});
    offer_answered_ = true;
    subscription_busy_ = false;
    return Subscribe();  // feeds learned meanwhile
  }
  // "updated" without an offer: nothing changed in the SDP.
  if (VideoRoomWhat(m.plugin_data) == "updated") {
    subscription_busy_ = false;
    Subscribe();
  }
  // "updating": Janus postponed the renegotiation; its offer follows.
}

std::optional<SignalMessage> JanusPeer::PollSignal() {
  if (out_.empty()) return std::nullopt;
  SignalMessage m = std::move(out_.front());
  out_.pop_front();
  return m;
}

void JanusPeer::HandleDatagram(size_t connection, std::span<uint8_t> datagram, const stun::TransportAddress& from,
                               Timestamp now) {
  if (connection != 0) return;
  arrival_ = now;
  client_.HandleDatagram(OurConnection(role_), datagram, from, now);
}

std::optional<PeerDatagram> JanusPeer::PollTransmit() {
  auto d = client_.PollTransmit();
  if (!d) return std::nullopt;
  return PeerDatagram{0, d->to, std::move(d->bytes)};
}

void JanusPeer::HandleTimeout(Timestamp now) {
  client_.HandleTimeout(now);
  if (!error_ && session_ != 0 && next_keepalive_ && now >= *next_keepalive_) {
    next_keepalive_ = now + kKeepaliveInterval;
    Post(SessionPath(), janus::KeepaliveRequest(NewTransaction(Request::kKeepalive)));
  }
}

std::optional<Timestamp> JanusPeer::NextTimeout() const {
  auto next = client_.NextTimeout();
  if (next_keepalive_ && !error_ && (!next || *next_keepalive_ < *next)) next = next_keepalive_;
  return next;
}

bool JanusPeer::SendAudio(std::span<const uint8_t> payload, uint32_t step, Timestamp now) {
  return client_.SendAudio(payload, step, now);
}

bool JanusPeer::SendVideo(std::span<const uint8_t> payload, bool end_of_frame, uint32_t step, Timestamp now) {
  return client_.SendVideo(payload, end_of_frame, step, now);
}

PeerStats JanusPeer::stats() const {
  PeerStats s;
  s.joined = joined_;
  s.media_connected = role_ == PeerRole::kPublisher ? client_.publisher_connected() : client_.subscriber_connected();
  s.packets_sent = client_.packets_sent();
  s.srtp_errors = client_.srtp_errors();
  if (error_) {
    s.error = *error_;
  } else if (client_.state() == client::ClientState::kFailed && client_.error()) {
    s.error = client_.error()->code + ": " + client_.error()->message;
  }
  return s;
}

}  // namespace aegis::load
