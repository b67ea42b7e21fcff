#include "server/signaling_server.h"

#include <boost/beast.hpp>
#include <boost/beast/ssl.hpp>
#include <boost/beast/websocket/ssl.hpp>

#include <chrono>
#include <cstdio>
#include <deque>
#include <functional>

#include "http/http_policy.h"
#include "server/http_routes.h"
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
// WebSocket), so the server counts every open connection, idle ones too,
// in total and per peer address. The counts are shared: handlers still
// queued when the server is destroyed release their slots after it.
class ConnectionSlot {
 public:
  ConnectionSlot(std::shared_ptr<ConnectionCounts> counts, std::string address)
      : counts_(std::move(counts)), address_(std::move(address)) {
    ++counts_->total;
    ++counts_->per_address[address_];
  }
  ~ConnectionSlot() {
    --counts_->total;
    if (--counts_->per_address[address_] == 0) counts_->per_address.erase(address_);
  }
  ConnectionSlot(const ConnectionSlot&) = delete;
  ConnectionSlot& operator=(const ConnectionSlot&) = delete;

 private:
  std::shared_ptr<ConnectionCounts> counts_;
  std::string address_;
};
using Slot = std::shared_ptr<ConnectionSlot>;
using TlsStream = beast::ssl_stream<beast::tcp_stream>;

constexpr auto kHttpTimeout = std::chrono::seconds(30);
constexpr size_t kMaxRequestBody = 4096;
constexpr auto kJoinDeadline = std::chrono::seconds(10);
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
  WsSession(Stream&& stream, SignalingServer& server, std::string peer, Slot slot)
      : slot_(std::move(slot)),
        ws_(std::move(stream)),
        server_(server),
        gate_(server.config().gate, server.secret(), server.joins_per_address(), std::move(peer), clock_.Now(),
              server.room_rules()) {}

  void Run(http::request<http::string_body> request) {
    beast::get_lowest_layer(ws_).expires_never();  // the WebSocket keeps its own timeouts
    ws_.set_option(websocket::stream_base::timeout::suggested(beast::role_type::server));
    ws_.set_option(websocket::stream_base::decorator(
        [](websocket::response_type& res) { res.set(http::field::server, "aegis"); }));
    // A little over the protocol's limit, so the parser (not the frame
    // layer) reports an oversized message with its error code; anything
    // bigger ends the connection with close code 1009.
    ws_.read_message_max(signaling::kMaxMessageSize + 1024);
    ws_.async_accept(request, [self = this->shared_from_this()](beast::error_code ec) {
      if (ec) return;
      self->id_ = self->server_.Register(self);
      self->ArmJoinDeadline();
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
  // A socket that has not joined within kJoinDeadline is closed, so
  // connections without a token cannot sit on the server's slots.
  void ArmJoinDeadline() {
    join_deadline_.expires_after(kJoinDeadline);
    join_deadline_.async_wait([self = this->shared_from_this()](beast::error_code ec) {
      if (ec || self->gate_.joined() || self->closed_) return;
      self->Write(signaling::Serialize(
          signaling::ErrorMessage{signaling::ErrorCode::kNotJoined, "", "join within 10 s of connecting"}));
      self->CloseAfterWrites();
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
      worker_ = &server_.WorkerFor(join->claims.room);
      worker_->PostJoin(id_, std::move(*join));
    } else if (auto* message = std::get_if<signaling::ClientMessage>(&verdict.forward)) {
      worker_->PostMessage(id_, std::move(*message));
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
    if (worker_) worker_->PostDisconnected(id_);
    if (id_) server_.Unregister(id_);
  }

  Slot slot_;
  websocket::stream<Stream> ws_;
  SignalingServer& server_;
  SystemClock clock_;
  SessionGate gate_;
  asio::steady_timer join_deadline_{ws_.get_executor()};
  SessionId id_ = 0;
  MediaWorker* worker_ = nullptr;
  beast::flat_buffer buffer_;
  std::deque<std::string> queue_;
  size_t queued_bytes_ = 0;
  bool writing_ = false;
  bool close_requested_ = false;
  bool close_sent_ = false;
  bool closed_ = false;
  bool finished_ = false;
};

// One HTTP connection: requests until it upgrades to a WebSocket or closes.
template <class Stream>
class HttpSession final : public std::enable_shared_from_this<HttpSession<Stream>> {
 public:
  HttpSession(Stream&& stream, SignalingServer& server, Slot slot)
      : slot_(std::move(slot)), stream_(std::move(stream)), server_(server) {}

  void Read() {
    parser_.emplace();
    parser_->body_limit(kMaxRequestBody);
    parser_->header_limit(8 * 1024);
    beast::get_lowest_layer(stream_).expires_after(kHttpTimeout);
    http::async_read(stream_, buffer_, *parser_,
                     [self = this->shared_from_this()](beast::error_code ec, size_t) { self->OnRead(ec); });
  }

 private:
  void OnRead(beast::error_code ec) {
    if (ec) return;  // closed, timed out or malformed: drop the connection
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
      boost::system::error_code peer_ec;
      auto peer = Socket(stream_).remote_endpoint(peer_ec);
      std::string peer_address = peer_ec ? std::string("unknown") : peer.address().to_string();
      std::make_shared<WsSession<Stream>>(std::move(stream_), server_, std::move(peer_address), slot_)
          ->Run(std::move(request));
      return;
    }
    HttpReply reply{405, "text/plain; charset=utf-8", "method not allowed\n"};
    std::string target(request.target());
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
    res->keep_alive(request.keep_alive());
    if (request.method() != http::verb::head) res->body() = std::move(reply.body);
    res->prepare_payload();
    http::async_write(stream_, *res, [self = this->shared_from_this(), res](beast::error_code ec, size_t) {
      if (!ec && res->keep_alive()) self->Read();
    });
  }

  Slot slot_;
  Stream stream_;
  SignalingServer& server_;
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
      joins_per_address_(config_.joins_per_address, /*max_keys=*/10000) {}

SignalingServer::~SignalingServer() = default;

bool SignalingServer::Start(std::string& error) {
  if (workers_.empty()) {
    error = "no media worker";
    return false;
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
  for (auto& [id, weak] : sessions_) {
    if (auto session = weak.lock()) session->CloseAfterWrites();
  }
}

uint16_t SignalingServer::port() const { return acceptor_.local_endpoint().port(); }

void SignalingServer::Accept() {
  acceptor_.async_accept([this](boost::system::error_code ec, tcp::socket socket) {
    if (ec == asio::error::operation_aborted || !acceptor_.is_open()) return;
    // Any other error (e.g. out of file descriptors) loses one connection, not the listener.
    // Over a limit the socket is closed at once (it goes out of scope).
    boost::system::error_code peer_ec;
    const auto peer = ec ? tcp::endpoint() : socket.remote_endpoint(peer_ec);
    const std::string address = peer_ec ? std::string("unknown") : peer.address().to_string();
    const auto per_address = connections_->per_address.find(address);
    const size_t from_address = per_address == connections_->per_address.end() ? 0 : per_address->second;
    if (!ec && connections_->total < config_.max_connections &&
        from_address < config_.max_connections_per_address) {
      auto slot = std::make_shared<ConnectionSlot>(connections_, address);
      if (tls_) {
        auto stream = std::make_shared<TlsStream>(std::move(socket), *tls_);
        beast::get_lowest_layer(*stream).expires_after(kHttpTimeout);
        stream->async_handshake(asio::ssl::stream_base::server,
                                [this, stream, slot](beast::error_code handshake_ec) {
                                  if (handshake_ec) return;
                                  std::make_shared<HttpSession<TlsStream>>(std::move(*stream), *this, slot)->Read();
                                });
      } else {
        std::make_shared<HttpSession<PlainStream>>(PlainStream(std::move(socket)), *this, slot)->Read();
      }
    }
    Accept();
  });
}

SessionId SignalingServer::Register(std::weak_ptr<Session> session) {
  SessionId id = next_session_++;
  sessions_[id] = std::move(session);
  return id;
}

void SignalingServer::Unregister(SessionId id) { sessions_.erase(id); }

MediaWorker& SignalingServer::WorkerFor(const std::string& room) {
  // Rooms are pinned by name, so every participant of a room lands on the
  // same worker without any shared table.
  return *workers_[std::hash<std::string>{}(room) % workers_.size()];
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

}  // namespace aegis::server
