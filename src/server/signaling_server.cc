#include "server/signaling_server.h"

#include <sys/resource.h>

#include <boost/beast.hpp>
#include <boost/beast/ssl.hpp>
#include <boost/beast/websocket/ssl.hpp>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <deque>
#include <functional>

#include "base/hex.h"
#include "crypto/hash.h"
#include "http/http_policy.h"
#include "server/http_routes.h"
#include "server/metrics.h"
#include "server/metrics_collector.h"
#include "server/whip.h"
#include "signaling/messages.h"
#include "signaling/server_messages.h"

namespace aegis::server {
namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace websocket = beast::websocket;
using asio::ip::tcp;

namespace {

using PlainStream = beast::tcp_stream;

// Held by everything that serves one TCP connection (TLS handshake, HTTP,
// WebSocket): its place in the connection table, and the deadline by which
// it must have joined. The table is shared: handlers still queued when the
// server is destroyed release their slots after it.
class ConnectionSlot {
 public:
  ConnectionSlot(std::shared_ptr<ConnectionTable> table, ConnectionTable::Id id, std::string key,
                 std::chrono::steady_clock::time_point deadline)
      : table_(std::move(table)), id_(id), key_(std::move(key)), deadline_(deadline) {}
  ~ConnectionSlot() { table_->Remove(id_); }
  ConnectionSlot(const ConnectionSlot&) = delete;
  ConnectionSlot& operator=(const ConnectionSlot&) = delete;

  void Set(ConnectionState state) { table_->SetState(id_, state); }
  // What closes the connection if the table evicts it to make room.
  void OnEvict(std::function<void()> close) { table_->SetCloser(id_, std::move(close)); }
  const std::string& key() const { return key_; }
  // Absolute: requests on a keep-alive connection do not move it.
  std::chrono::steady_clock::time_point deadline() const { return deadline_; }

 private:
  std::shared_ptr<ConnectionTable> table_;
  ConnectionTable::Id id_;
  std::string key_;
  std::chrono::steady_clock::time_point deadline_;
};
using Slot = std::shared_ptr<ConnectionSlot>;
using TlsStream = beast::ssl_stream<beast::tcp_stream>;
using SteadyClock = std::chrono::steady_clock;

// A connection that has not joined is closed kUnjoinedLifetime after it was
// accepted, whatever it does: TLS handshake, any number of keep-alive HTTP
// requests, upgrade. A WebSocket must also join within kJoinDeadline of its
// upgrade. Within that, each step has its own bound.
constexpr auto kUnjoinedLifetime = std::chrono::seconds(30);
constexpr auto kJoinDeadline = std::chrono::seconds(10);
constexpr auto kHandshakeTimeout = std::chrono::seconds(10);
constexpr auto kFirstRequestTimeout = std::chrono::seconds(10);
// An idle keep-alive connection is closed this long after its last answer
// (and sooner, if a newcomer needs its slot).
constexpr auto kKeepAliveIdle = std::chrono::seconds(5);
constexpr auto kWriteTimeout = std::chrono::seconds(10);
constexpr int kMaxRequestsPerConnection = 100;
constexpr size_t kMaxRequestBody = 4096;
// A client that does not read its socket cannot make us buffer without bound.
constexpr size_t kMaxQueuedBytes = 4 * 1024 * 1024;

int64_t UnixNow() {
  return std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

template <class Stream>
tcp::socket& Socket(Stream& stream) {
  return beast::get_lowest_layer(stream).socket();
}

// "127.0.0.1:8080", "localhost:8080", "[::1]:8080" (the port, if any, is
// not checked: the socket already decided that).
bool IsLoopbackHostHeader(beast::string_view host_header) {
  std::string_view host(host_header.data(), host_header.size());
  if (host.starts_with("[")) {
    host = host.substr(0, host.find(']') == std::string_view::npos ? host.size() : host.find(']') + 1);
  } else {
    host = host.substr(0, host.find(':'));
  }
  if (host == "localhost" || host == "[::1]") return true;
  boost::system::error_code ec;
  auto address = asio::ip::make_address_v4(std::string(host), ec);
  return !ec && address.is_loopback();
}

// A browser's WebSocket carries the page's origin; refuse pages of other
// sites (cross-site WebSocket hijacking). Native clients send no Origin.
bool SameOrigin(const http::request<http::string_body>& req, bool tls) {
  auto origin = req[http::field::origin];
  if (origin.empty()) return true;
  std::string expected = std::string(tls ? "https://" : "http://") + std::string(req[http::field::host]);
  return origin == expected;
}

// One signaling WebSocket: gate, forward, write queue.
template <class Stream>
class WsSession final : public SignalingServer::Session, public std::enable_shared_from_this<WsSession<Stream>> {
 public:
  // `peer`: the AddressKey, which the per-address join limit counts too.
  WsSession(Stream&& stream, SignalingServer& server, std::string peer, Slot slot)
      : slot_(std::move(slot)),
        ws_(std::move(stream)),
        server_(server),
        gate_(server.config().gate, server.secret(), server.joins_per_address(), std::move(peer), clock_.Now(),
              server.room_rules(), server.revocations()) {}

  void Run(http::request<http::string_body> request) {
    slot_->Set(ConnectionState::kWebSocket);
    slot_->OnEvict([weak = this->weak_from_this()] {
      if (auto self = weak.lock()) beast::get_lowest_layer(self->ws_).close();
    });
    ArmJoinDeadline();
    beast::get_lowest_layer(ws_).expires_never();  // the WebSocket keeps its own timeouts
    ws_.set_option(websocket::stream_base::timeout::suggested(beast::role_type::server));
    ws_.set_option(websocket::stream_base::decorator(
        [](websocket::response_type& res) { res.set(http::field::server, "aegis"); }));
    // A little over the protocol's largest message (an mls_commit, 384 KiB),
    // so the parser (not the frame layer) reports an oversized message with
    // its error code; anything bigger ends the connection with close code
    // 1009 and is never buffered whole.
    ws_.read_message_max(signaling::kMaxCommitMessageSize + 1024);
    ws_.async_accept(request, [self = this->shared_from_this()](beast::error_code ec) {
      if (ec) return self->Finish();
      self->id_ = self->server_.Register(self);
      self->Read();
    });
  }

  void Write(std::string message) override {
    if (closed_) return;
    queued_bytes_ += message.size();
    if (queued_bytes_ > kMaxQueuedBytes) {
      closed_ = true;
      beast::get_lowest_layer(ws_).close();
      return;
    }
    queue_.push_back(std::move(message));
    if (!writing_) WriteNext();
  }

  void CloseAfterWrites() override {
    close_requested_ = true;
    if (!writing_) WriteNext();
  }

 private:
  // A socket that has not joined within kJoinDeadline (and within the
  // connection's absolute deadline) is closed, so connections without a
  // token cannot sit on the server's slots. Told if it is still open.
  void ArmJoinDeadline() {
    join_deadline_.expires_at(std::min(SteadyClock::now() + kJoinDeadline, slot_->deadline()));
    join_deadline_.async_wait([self = this->shared_from_this()](beast::error_code ec) {
      if (ec || self->gate_.joined() || self->closed_) return;
      if (self->id_ == kNoSession) {  // still upgrading
        self->closed_ = true;
        beast::get_lowest_layer(self->ws_).close();
        return;
      }
      self->Write(signaling::Serialize(
          signaling::ErrorMessage{signaling::ErrorCode::kNotJoined, "", "join within 10 s of connecting", std::nullopt}));
      self->CloseAfterWrites();
      // One that does not complete the close handshake goes anyway.
      self->join_deadline_.expires_after(std::chrono::seconds(2));
      self->join_deadline_.async_wait([self](beast::error_code wait_ec) {
        if (!wait_ec) beast::get_lowest_layer(self->ws_).close();
      });
    });
  }

  void Read() {
    ws_.async_read(buffer_, [self = this->shared_from_this()](beast::error_code ec, size_t) { self->OnRead(ec); });
  }

  void OnRead(beast::error_code ec) {
    if (ec) return Finish();
    std::string text = beast::buffers_to_string(buffer_.data());
    buffer_.consume(buffer_.size());
    if (close_requested_) return Read();  // draining until the close completes
    auto verdict = ws_.got_text() ? gate_.OnMessage(text, clock_.Now(), UnixNow()) : gate_.OnBinaryFrame(clock_.Now());
    if (!verdict.log.empty()) std::printf("aegis: %s\n", verdict.log.c_str());
    for (auto& reply : verdict.replies) Write(std::move(reply));
    if (auto* join = std::get_if<AdmittedJoin>(&verdict.forward)) {
      slot_->Set(ConnectionState::kJoined);  // never evicted from here on
      join_deadline_.cancel();
      room_ = join->claims.room;
      worker_ = &server_.WorkerFor(room_);
      worker_->PostJoin(id_, std::move(*join));
    } else if (auto* message = std::get_if<signaling::ClientMessage>(&verdict.forward)) {
      worker_->PostMessage(id_, std::move(*message), verdict.request_id);
    }
    if (verdict.close) CloseAfterWrites();
    Read();
  }

  void WriteNext() {
    if (closed_) return;
    if (queue_.empty()) {
      if (close_requested_ && !close_sent_) {
        close_sent_ = true;
        writing_ = true;
        ws_.async_close(websocket::close_code::normal,
                        [self = this->shared_from_this()](beast::error_code) { self->writing_ = false; });
      }
      return;
    }
    writing_ = true;
    ws_.text(true);
    ws_.async_write(asio::buffer(queue_.front()), [self = this->shared_from_this()](beast::error_code ec, size_t) {
      self->writing_ = false;
      self->queued_bytes_ -= self->queue_.front().size();
      self->queue_.pop_front();
      if (ec) {
        self->closed_ = true;
        return;
      }
      self->WriteNext();
    });
  }

  void Finish() {
    if (finished_) return;
    finished_ = true;
    closed_ = true;
    join_deadline_.cancel();
    if (worker_) {
      worker_->PostDisconnected(id_);
      // The participant may stay (resumable) for the grace period: its room
      // keeps its worker until then, so the resume lands where it is.
      server_.ReleaseRoomLater(room_);
    }
    if (id_ != kNoSession) server_.Unregister(id_);
  }

  Slot slot_;
  websocket::stream<Stream> ws_;
  SignalingServer& server_;
  SystemClock clock_;
  SessionGate gate_;
  asio::steady_timer join_deadline_{ws_.get_executor()};
  SessionId id_ = kNoSession;
  MediaWorker* worker_ = nullptr;
  std::string room_;  // the room worker_ was placed for
  beast::flat_buffer buffer_;
  std::deque<std::string> queue_;
  size_t queued_bytes_ = 0;
  bool writing_ = false;
  bool close_requested_ = false;
  bool close_sent_ = false;
  bool closed_ = false;
  bool finished_ = false;
};

// A WHIP session (docs/protocol.md §1b): a Conference participant without a
// signaling socket. It holds a connection slot (joined: never evicted) from
// its POST until it ends, so WHIP sessions count against the same
// per-address and total limits as sockets. Of what the worker sends it,
// only the answer to its offer (or the error refusing it) matters: that
// completes the POST; everything else is dropped. The worker's
// CloseSignal (leave, kick, token expiry, media that never connected or
// was lost) ends it.
class WhipResource final : public SignalingServer::Session, public std::enable_shared_from_this<WhipResource> {
 public:
  // The POST waits at most this long for the worker's answer.
  static constexpr auto kAnswerTimeout = std::chrono::seconds(10);

  WhipResource(asio::io_context& io, SignalingServer& server, Slot slot, std::string room, std::string resource,
               std::function<void(HttpReply)> reply, bool playback = false)
      : server_(server),
        slot_(std::move(slot)),
        room_(std::move(room)),
        resource_(std::move(resource)),
        location_((playback ? "/whep/" : "/whip/") + room_ + "/" + resource_),
        playback_(playback),
        reply_(std::move(reply)),
        timer_(io) {}

  void Start(WhipAdmitted admitted) {
    slot_->Set(ConnectionState::kJoined);
    id_ = server_.Register(weak_from_this());
    worker_ = &server_.WorkerFor(room_);
    server_.AddWhip(resource_, {room_, admitted.token, [self = shared_from_this()] { self->End(); }, playback_});
    // A WHEP viewer's offer travels with its join (the worker answers it there).
    worker_->PostJoin(id_, std::move(admitted.join));
    if (!playback_) worker_->PostMessage(id_, signaling::PublishOffer{std::move(admitted.offer)}, /*request_id=*/1);
    timer_.expires_after(kAnswerTimeout);
    timer_.async_wait([weak = weak_from_this()](beast::error_code ec) {
      auto self = weak.lock();
      if (ec || !self || !self->reply_) return;
      self->Complete(HttpReply{503, "text/plain; charset=utf-8", "the media worker did not answer\n", {}});
      self->End();
    });
  }

  void Write(std::string message) override {
    if (!reply_) return;  // signaling for a WHIP session: dropped
    auto reply = WhipReplyFor(message, location_);
    if (!reply) return;
    const bool created = reply->status == 201;
    Complete(std::move(*reply));
    if (!created) End();
  }

  // The worker removed the participant (or the server stops).
  void CloseAfterWrites() override {
    if (reply_) Complete(HttpReply{503, "text/plain; charset=utf-8", "the session ended\n", {}});
    asio::post(timer_.get_executor(), [self = shared_from_this()] { self->End(); });
  }

  void End() {
    if (ended_) return;
    ended_ = true;
    auto self = shared_from_this();  // RemoveWhip may drop the last other reference
    timer_.cancel();
    worker_->PostDisconnected(id_);
    server_.ReleaseRoom(room_);
    server_.Unregister(id_);
    server_.RemoveWhip(resource_);
    std::printf("aegis: %s session %s in room %s ended\n", playback_ ? "whep" : "whip", resource_.c_str(),
                room_.c_str());
  }

 private:
  void Complete(HttpReply reply) {
    timer_.cancel();
    auto done = std::move(reply_);
    reply_ = nullptr;
    done(std::move(reply));
  }

  SignalingServer& server_;
  Slot slot_;
  std::string room_;
  std::string resource_;
  std::string location_;
  bool playback_ = false;  // WHEP
  std::function<void(HttpReply)> reply_;  // the POST, until answered
  asio::steady_timer timer_;
  SessionId id_ = kNoSession;
  MediaWorker* worker_ = nullptr;
  bool ended_ = false;
};

// One HTTP connection: requests until it upgrades to a WebSocket or closes.
template <class Stream>
class HttpSession final : public std::enable_shared_from_this<HttpSession<Stream>> {
 public:
  HttpSession(Stream&& stream, SignalingServer& server, Slot slot)
      : slot_(std::move(slot)), stream_(std::move(stream)), server_(server) {}

  void Start() {
    slot_->OnEvict([weak = this->weak_from_this()] {
      if (auto self = weak.lock()) beast::get_lowest_layer(self->stream_).close();
    });
    Read();
  }

 private:
  // The first request must arrive within kFirstRequestTimeout, each later
  // one within kKeepAliveIdle of the last answer, all before the
  // connection's absolute deadline; then the connection is dropped.
  void Read() {
    const auto now = SteadyClock::now();
    if (requests_ >= kMaxRequestsPerConnection || now >= slot_->deadline()) return;
    slot_->Set(requests_ == 0 ? ConnectionState::kOpening : ConnectionState::kIdle);
    parser_.emplace();
    // The parser checks a Content-Length against this as the header ends;
    // OnHeader lowers it for everything but WHIP.
    parser_->body_limit(2 * signaling::kMaxSdpSize);
    parser_->header_limit(8 * 1024);
    beast::get_lowest_layer(stream_).expires_at(
        std::min(now + (requests_ == 0 ? kFirstRequestTimeout : kKeepAliveIdle), slot_->deadline()));
    http::async_read_header(stream_, buffer_, *parser_,
                            [self = this->shared_from_this()](beast::error_code ec, size_t) { self->OnHeader(ec); });
  }

  // A WHIP offer may be as large as a publish offer (32 KiB): its body is
  // read up to twice that, so a little more gets a 413 (CheckWhipPost) on a
  // connection that stays usable; more than that drops the connection, as
  // an oversized body of any other request does. Every other body stays small.
  void OnHeader(beast::error_code ec) {
    if (ec) return;
    if (!parser_->get().target().starts_with("/whip/") && !parser_->get().target().starts_with("/whep/")) {
      if (parser_->content_length().value_or(0) > kMaxRequestBody) return;
      parser_->body_limit(kMaxRequestBody);  // a chunked body is counted as it arrives
    }
    http::async_read(stream_, buffer_, *parser_,
                     [self = this->shared_from_this()](beast::error_code read_ec, size_t) { self->OnRead(read_ec); });
  }

  void OnRead(beast::error_code ec) {
    if (ec) return;  // closed, timed out or malformed: drop the connection
    ++requests_;
    slot_->Set(ConnectionState::kRequest);
    auto request = parser_->release();
    // A loopback listener answers loopback names only: a page of another
    // site whose name was rebound to 127.0.0.1 (DNS rebinding) sends its
    // own name as Host and gets nothing.
    if (server_.loopback() && !IsLoopbackHostHeader(request[http::field::host])) {
      return Respond(request, {421, "text/plain; charset=utf-8", "use http://127.0.0.1 or http://localhost\n"});
    }
    if (websocket::is_upgrade(request)) {
      if (request.target() != "/ws" || !SameOrigin(request, server_.tls())) {
        return Respond(request, {403, "text/plain; charset=utf-8", "forbidden\n"});
      }
      std::make_shared<WsSession<Stream>>(std::move(stream_), server_, slot_->key(), slot_)->Run(std::move(request));
      return;
    }
    std::string target(request.target());
    if (auto whip = ParseWhipTarget(target)) return HandleWhip(std::move(request), std::move(*whip));
    if (auto whep = ParseWhepTarget(target)) return HandleWhip(std::move(request), std::move(*whep), /*playback=*/true);
    if (target == "/metrics") return HandleMetrics(std::move(request));
    HttpReply reply{405, "text/plain; charset=utf-8", "method not allowed\n"};
    if (request.method() == http::verb::get || request.method() == http::verb::head) {
      reply = ServeStatic(server_.config().web_dir, target);
    } else if (request.method() == http::verb::post && target == "/api/dev-token" && server_.config().dev_tokens &&
               FromThisMachine(request)) {
      auto content_type = request[http::field::content_type];
      reply = MintDevToken(std::string_view(content_type.data(), content_type.size()), request.body(), server_.secret(), server_.rng(),
                           UnixNow());
    } else if (request.method() == http::verb::post) {
      reply = HttpReply{};
    }
    Respond(request, std::move(reply));
  }


  // WHIP (RFC 9725) and WHEP (`playback`), docs/protocol.md §1b: the same
  // CORS, OPTIONS, origin, DELETE and 405 handling.
  void HandleWhip(http::request<http::string_body> request, WhipTarget target, bool playback = false) {
    const auto& cors = server_.config().whip_cors;
    const auto origin_field = request[http::field::origin];
    const std::string origin(origin_field.data(), origin_field.size());
    auto respond = [this, &request, &cors, &origin](HttpReply reply, bool preflight = false) {
      AddCorsHeaders(reply, cors, origin, preflight);
      Respond(request, std::move(reply));
    };
    const bool endpoint = target.resource.empty();
    const char* allow = endpoint ? "POST, OPTIONS" : "DELETE, OPTIONS";
    if (request.method() == http::verb::options) {
      HttpReply reply{204, "text/plain; charset=utf-8", "", {}};
      reply.headers.emplace_back("Allow", allow);
      return respond(std::move(reply), /*preflight=*/true);
    }
    // A page of another site reaches WHIP only if the operator listed its origin.
    if (!origin.empty() && !SameOrigin(request, server_.tls()) && !cors.Allows(origin)) {
      return respond({403, "text/plain; charset=utf-8",
                      playback ? "this origin may not use WHEP here\n" : "this origin may not use WHIP here\n", {}});
    }
    const auto authorization_field = request[http::field::authorization];
    const std::string_view authorization(authorization_field.data(), authorization_field.size());
    if (endpoint && request.method() == http::verb::post) {
      return StartWhip(std::move(request), target, origin, playback);
    }
    if (!endpoint && request.method() == http::verb::delete_) {
      const auto* entry = server_.FindWhip(target.resource);
      if (!entry || entry->room != target.room || entry->playback != playback) return respond({404, "text/plain; charset=utf-8", "no such session\n", {}});
      const auto token = BearerToken(authorization);
      if (!token || !crypto::ConstantTimeEquals(
                        std::span(reinterpret_cast<const uint8_t*>(token->data()), token->size()),
                        std::span(reinterpret_cast<const uint8_t*>(entry->token.data()), entry->token.size()))) {
        return respond(WhipUnauthorized(token ? "invalid_token" : ""));
      }
      auto end = entry->end;  // End() removes the entry
      end();
      return respond({200, "text/plain; charset=utf-8", "", {}});
    }
    HttpReply reply{405, "text/plain; charset=utf-8",
                    !endpoint && request.method() == http::verb::patch
                        ? "ICE restart and trickle ICE are not supported: end the session (DELETE) and POST a new offer\n"
                        : "method not allowed\n",
                    {}};
    reply.headers.emplace_back("Allow", allow);
    respond(std::move(reply));
  }

  // A WHIP publisher, or (`playback`) a WHEP viewer: the same session, slot and reply.
  void StartWhip(http::request<http::string_body> request, const WhipTarget& target, const std::string& origin,
                 bool playback = false) {
    const auto& cors = server_.config().whip_cors;
    auto field = [&request](http::field f) {
      auto v = request[f];
      return std::string_view(v.data(), v.size());
    };
    WhipHttpRequest whip{"POST", field(http::field::authorization), field(http::field::content_type), origin,
                         request.body()};
    auto check = (playback ? CheckWhepPost : CheckWhipPost)(whip, target, server_.config().gate, server_.secret(),
                                                            server_.joins_per_address(), slot_->key(), clock_.Now(),
                                                            UnixNow(), server_.room_rules(), server_.revocations());
    if (!check.log.empty()) std::printf("aegis: %s\n", check.log.c_str());
    if (!check.admitted) {
      AddCorsHeaders(check.refusal, cors, origin, false);
      return Respond(request, std::move(check.refusal));
    }
    // The session holds a slot of its own, like a joined socket.
    auto table = server_.shared_connection_table();
    auto admission = table->Admit(slot_->key());
    for (auto& evicted : admission.evicted) {
      if (evicted.close) evicted.close();
    }
    if (!admission.admitted) {
      HttpReply full{503, "text/plain; charset=utf-8", "too many sessions from this address or in total\n", {}};
      AddCorsHeaders(full, cors, origin, false);
      return Respond(request, std::move(full));
    }
    auto slot = std::make_shared<ConnectionSlot>(table, admission.id, slot_->key(), SteadyClock::time_point::max());
    std::array<uint8_t, 16> id_bytes;
    server_.rng().Fill(id_bytes);
    auto pending = std::make_shared<http::request<http::string_body>>(std::move(request));
    pending->body().clear();
    auto resource = std::make_shared<WhipResource>(
        server_.io(), server_, std::move(slot), target.room, ToHex(id_bytes),
        [self = this->shared_from_this(), pending, origin](HttpReply reply) {
          AddCorsHeaders(reply, self->server_.config().whip_cors, origin, false);
          self->Respond(*pending, std::move(reply));
        },
        playback);
    resource->Start(std::move(*check.admitted));
  }

  // GET /metrics: from this machine, or with the metrics token
  // (CheckMetricsAccess); answered once every worker sent its snapshot.
  void HandleMetrics(http::request<http::string_body> request) {
    if (request.method() != http::verb::get && request.method() != http::verb::head) {
      HttpReply reply{405, "text/plain; charset=utf-8", "method not allowed\n", {}};
      reply.headers.emplace_back("Allow", "GET, HEAD");
      return Respond(request, std::move(reply));
    }
    const auto authorization = request[http::field::authorization];
    if (auto refusal = CheckMetricsAccess(FromThisMachine(request),
                                          std::string_view(authorization.data(), authorization.size()),
                                          server_.config().metrics_token)) {
      return Respond(request, std::move(*refusal));
    }
    auto pending = std::make_shared<http::request<http::string_body>>(std::move(request));
    server_.CollectMetrics([self = this->shared_from_this(), pending](std::string text) {
      self->Respond(*pending, {200, "text/plain; version=0.0.4; charset=utf-8", std::move(text), {}});
    });
  }

  // Dev tokens are for someone at this machine: the peer must be loopback
  // and no proxy may have forwarded the request (behind a reverse proxy on
  // loopback, every Internet user would otherwise get tokens).
  bool FromThisMachine(const http::request<http::string_body>& request) {
    boost::system::error_code peer_ec;
    auto peer = Socket(stream_).remote_endpoint(peer_ec);
    return !peer_ec && peer.address().is_loopback() && request.find(http::field::forwarded) == request.end() &&
           request.find("X-Forwarded-For") == request.end() && request.find("X-Real-IP") == request.end();
  }

  void Respond(const http::request<http::string_body>& request, HttpReply reply) {
    auto res = std::make_shared<http::response<http::string_body>>(static_cast<http::status>(reply.status),
                                                                    request.version());
    res->set(http::field::server, "aegis");
    res->set(http::field::content_type, reply.content_type);
    for (const auto& [name, value] : aegis::http::SecurityHeaders(server_.tls())) res->set(name, value);
    for (const auto& [name, value] : reply.headers) res->insert(name, value);
    // Said in the answer when this connection takes no more requests.
    res->keep_alive(request.keep_alive() && requests_ < kMaxRequestsPerConnection &&
                    SteadyClock::now() + kKeepAliveIdle / 5 < slot_->deadline());
    if (request.method() != http::verb::head) res->body() = std::move(reply.body);
    res->prepare_payload();
    beast::get_lowest_layer(stream_).expires_after(kWriteTimeout);
    http::async_write(stream_, *res, [self = this->shared_from_this(), res](beast::error_code ec, size_t) {
      if (!ec && res->keep_alive()) self->Read();
    });
  }

  Slot slot_;
  Stream stream_;
  SignalingServer& server_;
  SystemClock clock_;
  int requests_ = 0;
  beast::flat_buffer buffer_;
  std::optional<http::request_parser<http::string_body>> parser_;
};

}  // namespace

SignalingServer::SignalingServer(asio::io_context& io, SignalingConfig config, asio::ssl::context* tls,
                                 const auth::ApiSecret& secret)
    : io_(io),
      config_(std::move(config)),
      tls_(tls),
      secret_(secret),
      acceptor_(io),
      joins_per_address_(config_.joins_per_address, /*max_keys=*/10000),
      connections_(std::make_shared<ConnectionTable>(
          ConnectionLimits{config_.max_connections, config_.max_connections_per_address})),
      started_unix_s_(UnixNow()) {}

SignalingServer::~SignalingServer() = default;

bool SignalingServer::Start(std::string& error) {
  if (workers_.empty()) {
    error = "no media worker";
    return false;
  }
  placement_.emplace(workers_.size());
  // Every connection is a file descriptor: make room for all of them (and
  // the rest of the process) if the hard limit allows, so a full server
  // refuses by policy, not by running out of descriptors.
  if (rlimit limit{}; getrlimit(RLIMIT_NOFILE, &limit) == 0) {
    const rlim_t want = static_cast<rlim_t>(config_.max_connections) + 256;
    if (limit.rlim_cur != RLIM_INFINITY && limit.rlim_cur < want) {
      limit.rlim_cur = limit.rlim_max == RLIM_INFINITY ? want : std::min(want, limit.rlim_max);
      setrlimit(RLIMIT_NOFILE, &limit);
    }
  }
  boost::system::error_code ec;
  tcp::endpoint endpoint(config_.address, config_.port);
  acceptor_.open(endpoint.protocol(), ec);
  if (!ec) acceptor_.set_option(asio::socket_base::reuse_address(true), ec);
  if (!ec) acceptor_.bind(endpoint, ec);
  if (!ec) acceptor_.listen(asio::socket_base::max_listen_connections, ec);
  if (ec) {
    error = "cannot listen on " + config_.address.to_string() + ":" + std::to_string(config_.port) + ": " +
            ec.message();
    return false;
  }
  Accept();
  return true;
}

void SignalingServer::Stop() {
  boost::system::error_code ec;
  acceptor_.close(ec);
  accept_retry_.cancel();
  // Closing may end a session (a WHIP one unregisters itself): not while iterating.
  std::vector<std::shared_ptr<Session>> open;
  for (auto& [id, weak] : sessions_) {
    if (auto session = weak.lock()) open.push_back(std::move(session));
  }
  for (auto& session : open) session->CloseAfterWrites();
}

uint16_t SignalingServer::port() const { return acceptor_.local_endpoint().port(); }

void SignalingServer::Accept() {
  acceptor_.async_accept([this](boost::system::error_code ec, tcp::socket socket) {
    if (ec == asio::error::operation_aborted || !acceptor_.is_open()) return;
    // Out of file descriptors (or kernel memory): the connection waits in the
    // backlog while we pause, instead of failing at once in a busy loop.
    if (ec == asio::error::no_descriptors || ec == asio::error::no_buffer_space ||
        ec == asio::error::no_memory || ec.value() == ENFILE) {
      return AcceptLater();
    }
    // Any other error loses one connection, not the listener. A refused
    // socket is closed at once (it goes out of scope).
    boost::system::error_code peer_ec;
    const auto peer = ec ? tcp::endpoint() : socket.remote_endpoint(peer_ec);
    if (ec || peer_ec) return Accept();
    const std::string key = AddressKey(peer.address());
    auto admission = connections_->Admit(key);
    for (auto& evicted : admission.evicted) {
      if (evicted.close) evicted.close();
    }
    if (admission.admitted) {
      const auto now = SteadyClock::now();
      auto slot = std::make_shared<ConnectionSlot>(connections_, admission.id, key, now + kUnjoinedLifetime);
      if (tls_) {
        auto stream = std::make_shared<TlsStream>(std::move(socket), *tls_);
        beast::get_lowest_layer(*stream).expires_at(std::min(now + kHandshakeTimeout, slot->deadline()));
        slot->OnEvict([weak = std::weak_ptr<TlsStream>(stream)] {
          if (auto s = weak.lock()) beast::get_lowest_layer(*s).close();
        });
        stream->async_handshake(asio::ssl::stream_base::server,
                                [this, stream, slot](beast::error_code handshake_ec) {
                                  if (handshake_ec) return;
                                  std::make_shared<HttpSession<TlsStream>>(std::move(*stream), *this, slot)->Start();
                                });
      } else {
        std::make_shared<HttpSession<PlainStream>>(PlainStream(std::move(socket)), *this, slot)->Start();
      }
    }
    Accept();
  });
}

void SignalingServer::AcceptLater() {
  accept_retry_.expires_after(std::chrono::milliseconds(100));
  accept_retry_.async_wait([this](boost::system::error_code ec) {
    if (!ec && acceptor_.is_open()) Accept();
  });
}

SessionId SignalingServer::Register(std::weak_ptr<Session> session) {
  const SessionId id = next_session_;
  next_session_ = SessionId(next_session_.value() + 1);
  sessions_[id] = std::move(session);
  return id;
}

void SignalingServer::Unregister(SessionId id) { sessions_.erase(id); }

MediaWorker& SignalingServer::WorkerFor(const std::string& room) { return *workers_[placement_->Place(room)]; }

void SignalingServer::ReleaseRoom(const std::string& room) {
  if (placement_) placement_->Release(room);
}

void SignalingServer::ReleaseRoomLater(const std::string& room) {
  auto timer = std::make_shared<asio::steady_timer>(io_, std::chrono::microseconds(
                                                             (kDefaultResumeGrace + TimeDelta::Seconds(1)).us()));
  timer->async_wait([this, room, timer](beast::error_code) { ReleaseRoom(room); });
}

void SignalingServer::CollectMetrics(std::function<void(std::string)> done) {
  MetricsFigures figures;
  figures.version = config_.version;
  figures.start_time_unix_s = started_unix_s_;
  figures.tcp_connections = connections_->total();
  figures.signaling_sessions = sessions_.size();
  figures.whip_sessions = whip_.size();
  for (size_t i = 0; i < workers_.size(); ++i) figures.rooms.push_back(placement_ ? placement_->rooms_on(i) : 0);
  server::CollectMetrics(io_, workers_, std::move(figures), std::move(done));
}

void SignalingServer::Deliver(SessionId session, std::string message) {
  asio::post(io_, [this, session, message = std::move(message)]() mutable {
    auto it = sessions_.find(session);
    if (it == sessions_.end()) return;
    if (auto s = it->second.lock()) s->Write(std::move(message));
  });
}

void SignalingServer::Close(SessionId session) {
  asio::post(io_, [this, session] {
    auto it = sessions_.find(session);
    if (it == sessions_.end()) return;
    if (auto s = it->second.lock()) s->CloseAfterWrites();
  });
}

// ---- AddressKey, ConnectionTable, RoomPlacement

std::string AddressKey(const asio::ip::address& address) {
  if (address.is_v4()) return address.to_string();
  const auto v6 = address.to_v6();
  if (v6.is_v4_mapped()) return asio::ip::make_address_v4(asio::ip::v4_mapped, v6).to_string();
  auto bytes = v6.to_bytes();
  std::fill(bytes.begin() + 8, bytes.end(), uint8_t{0});
  return asio::ip::address_v6(bytes).to_string() + "/64";
}

size_t ConnectionTable::count(const std::string& address_key) const {
  auto it = per_key_.find(address_key);
  return it == per_key_.end() ? 0 : it->second;
}

std::optional<ConnectionState> ConnectionTable::state(Id id) const {
  auto it = entries_.find(id);
  if (it == entries_.end()) return std::nullopt;
  return it->second.state;
}

std::optional<ConnectionTable::Id> ConnectionTable::OldestIdle(const std::string* key) const {
  for (const auto& [id, entry] : entries_) {
    if (entry.state == ConnectionState::kIdle && (key == nullptr || entry.key == *key)) return id;
  }
  return std::nullopt;
}

std::optional<ConnectionTable::Id> ConnectionTable::FairVictim(size_t newcomer_count) const {
  std::optional<Id> victim;
  size_t victim_count = 0;
  for (const auto& [id, entry] : entries_) {  // oldest first: ties keep the oldest
    if (entry.state == ConnectionState::kJoined) continue;
    const size_t holds = count(entry.key);
    if (holds >= newcomer_count + 2 && holds > victim_count) {
      victim = id;
      victim_count = holds;
    }
  }
  return victim;
}

ConnectionTable::Evicted ConnectionTable::Evict(Id id) {
  Evicted evicted{id, std::move(entries_.at(id).close)};
  Remove(id);
  return evicted;
}

ConnectionTable::Admission ConnectionTable::Admit(const std::string& address_key) {
  Admission result;
  size_t mine = count(address_key);
  std::optional<Id> own_idle;
  if (mine >= limits_.max_per_address) {
    own_idle = OldestIdle(&address_key);
    if (!own_idle) return result;
    --mine;
  }
  std::optional<Id> victim;
  if (total() - (own_idle ? 1 : 0) >= limits_.max_total) {
    victim = OldestIdle(nullptr);
    if (!victim) victim = FairVictim(mine);
    if (!victim) return result;
  }
  if (own_idle) result.evicted.push_back(Evict(*own_idle));
  if (victim) result.evicted.push_back(Evict(*victim));
  result.admitted = true;
  result.id = next_id_++;
  entries_.emplace(result.id, Entry{address_key, ConnectionState::kOpening, {}});
  ++per_key_[address_key];
  return result;
}

void ConnectionTable::SetState(Id id, ConnectionState state) {
  if (auto it = entries_.find(id); it != entries_.end()) it->second.state = state;
}

void ConnectionTable::SetCloser(Id id, std::function<void()> close) {
  if (auto it = entries_.find(id); it != entries_.end()) it->second.close = std::move(close);
}

void ConnectionTable::Remove(Id id) {
  auto it = entries_.find(id);
  if (it == entries_.end()) return;
  if (auto key = per_key_.find(it->second.key); key != per_key_.end() && --key->second == 0) per_key_.erase(key);
  entries_.erase(it);
}

size_t RoomPlacement::Place(const std::string& room) {
  auto [it, fresh] = rooms_.try_emplace(room, Placed{0, 0});
  if (fresh) {
    size_t best = 0;
    for (size_t w = 1; w < rooms_per_worker_.size(); ++w) {
      if (rooms_per_worker_[w] < rooms_per_worker_[best] ||
          (rooms_per_worker_[w] == rooms_per_worker_[best] && sessions_per_worker_[w] < sessions_per_worker_[best])) {
        best = w;
      }
    }
    it->second.worker = best;
    ++rooms_per_worker_[best];
  }
  ++it->second.sessions;
  ++sessions_per_worker_[it->second.worker];
  return it->second.worker;
}

void RoomPlacement::Release(const std::string& room) {
  auto it = rooms_.find(room);
  if (it == rooms_.end()) return;
  --sessions_per_worker_[it->second.worker];
  if (--it->second.sessions == 0) {
    --rooms_per_worker_[it->second.worker];
    rooms_.erase(it);
  }
}

}  // namespace aegis::server
