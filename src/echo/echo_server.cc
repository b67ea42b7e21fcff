#include "echo/echo_server.h"

#include <boost/beast.hpp>

#include <chrono>

#include "base/hex.h"
#include "dtls/certificate.h"
#include "http/http_policy.h"
#include "http/static_files.h"
#include "netio/udp_address.h"
#include "rtp/demux.h"
#include "sdp/sdp_parser.h"
#include "sdp/sdp_serializer.h"
#include "stun/message.h"

namespace aegis::echo {
using netio::ToEndpoint;
using netio::ToTransportAddress;
namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using asio::ip::tcp;
using asio::ip::udp;

namespace {

constexpr size_t kMaxSessions = 64;
constexpr int kMaxAddressesPerSession = 8;
constexpr size_t kMaxOfferBytes = 64 * 1024;

// One HTTP/1.1 connection: read a request, answer it, repeat.
class HttpConnection : public std::enable_shared_from_this<HttpConnection> {
 public:
  HttpConnection(tcp::socket socket, EchoServer& server) : stream_(std::move(socket)), server_(server) {}

  void Read() {
    parser_.emplace();
    parser_->body_limit(kMaxOfferBytes);
    stream_.expires_after(std::chrono::seconds(30));
    http::async_read(stream_, buffer_, *parser_,
                     [self = shared_from_this()](beast::error_code ec, size_t) { self->OnRead(ec); });
  }

 private:
  void OnRead(beast::error_code ec) {
    if (ec) return;  // closed, timed out or malformed: drop the connection
    const auto& req = parser_->get();
    std::string target(req.target());
    EchoServer::HttpResult result;
    if (req.method() == http::verb::post && target == "/whip") {
      // Only application/sdp: a cross-site "simple" POST (text/plain) from
      // some web page must not be able to create sessions.
      if (req[http::field::content_type] != "application/sdp") {
        result = {415, "text/plain; charset=utf-8", "Content-Type must be application/sdp\n", ""};
      } else {
        result = server_.HandleWhipOffer(req.body());
      }
    } else if (req.method() == http::verb::delete_ && target.starts_with("/whip/")) {
      result = server_.HandleWhipDelete(target.substr(6));
    } else if (req.method() == http::verb::get) {
      result = server_.HandleStatic(target);
    } else {
      result = {405, "text/plain; charset=utf-8", "method not allowed\n", ""};
    }
    auto res = std::make_shared<http::response<http::string_body>>(static_cast<http::status>(result.status),
                                                                    req.version());
    res->set(http::field::server, "aegis-echo");
    res->set(http::field::content_type, result.content_type);
    for (const auto& [name, value] : aegis::http::SecurityHeaders()) res->set(name, value);
    if (!result.location.empty()) res->set(http::field::location, result.location);
    res->keep_alive(req.keep_alive());
    res->body() = std::move(result.body);
    res->prepare_payload();
    http::async_write(stream_, *res, [self = shared_from_this(), res](beast::error_code write_ec, size_t) {
      if (!write_ec && res->keep_alive()) self->Read();
    });
  }

  beast::tcp_stream stream_;
  beast::flat_buffer buffer_;
  std::optional<http::request_parser<http::string_body>> parser_;
  EchoServer& server_;
};

}  // namespace

EchoServer::EchoServer(asio::io_context& io, asio::ip::address address, uint16_t http_port, uint16_t udp_port,
                       std::string web_dir)
    : io_(io),
      address_(address),
      udp_(io),
      acceptor_(io),
      timer_(io),
      http_port_(http_port),
      udp_port_(udp_port),
      web_dir_(std::move(web_dir)) {}

EchoServer::~EchoServer() {
  sessions_.clear();  // associations go before the SCTP stack
}

bool EchoServer::Start() {
  auto cert = dtls::Certificate::Generate(rng_, std::chrono::floor<std::chrono::seconds>(std::chrono::system_clock::now()));
  dtls_context_ = dtls::DtlsContext::Create(cert);
  if (!dtls_context_) {
    std::fprintf(stderr, "aegis-echo: cannot create the DTLS context\n");
    return false;
  }
  sctp_stack_ = std::make_unique<sctp::SctpStack>(clock_.Now());
  boost::system::error_code ec;
  udp_.open(address_.is_v4() ? udp::v4() : udp::v6(), ec);
  if (!ec) udp_.bind({address_, udp_port_}, ec);
  if (ec) {
    std::fprintf(stderr, "aegis-echo: cannot bind udp %u: %s\n", udp_port_, ec.message().c_str());
    return false;
  }
  acceptor_.open(address_.is_v4() ? tcp::v4() : tcp::v6(), ec);
  if (!ec) acceptor_.set_option(asio::socket_base::reuse_address(true), ec);
  if (!ec) acceptor_.bind({address_, http_port_}, ec);
  if (!ec) acceptor_.listen(asio::socket_base::max_listen_connections, ec);
  if (ec) {
    std::fprintf(stderr, "aegis-echo: cannot listen on http %u: %s\n", http_port_, ec.message().c_str());
    return false;
  }
  ReceiveNext();
  AcceptNext();
  ArmTimer();
  return true;
}

void EchoServer::Stop() {
  Timestamp now = clock_.Now();
  for (auto& [id, entry] : sessions_) {
    entry.session->Close(now);
    Flush(*entry.session);
  }
  boost::system::error_code ec;
  acceptor_.close(ec);
  timer_.cancel();
}

uint16_t EchoServer::http_port() const { return acceptor_.local_endpoint().port(); }
uint16_t EchoServer::udp_port() const { return udp_.local_endpoint().port(); }

void EchoServer::AcceptNext() {
  acceptor_.async_accept([this](boost::system::error_code ec, tcp::socket socket) {
    if (ec == asio::error::operation_aborted) return;  // shutting down
    // Any other error (e.g. out of file descriptors) loses one connection,
    // not the listener.
    if (!ec) std::make_shared<HttpConnection>(std::move(socket), *this)->Read();
    AcceptNext();
  });
}

EchoServer::HttpResult EchoServer::HandleWhipOffer(const std::string& sdp_offer) {
  if (sessions_.size() >= kMaxSessions) return {503, "text/plain; charset=utf-8", "too many sessions\n", ""};
  auto offer = sdp::ParseSdp(sdp_offer);
  if (!offer.ok()) {
    return {400, "text/plain; charset=utf-8",
            "bad SDP: " + std::string(sdp::ToString(offer.error().error)) + " at line " +
                std::to_string(offer.error().line) + "\n",
            ""};
  }
  negotiation::LocalParameters local;
  local.ice = ice::GenerateIceCredentials(rng_);
  local.fingerprint = dtls_context_->certificate().fingerprint();
  local.candidates = {ToTransportAddress(udp_.local_endpoint())};
  local.session_id = rng_.U64() >> 2;
  auto answer = negotiation::AnswerOffer(*offer, local, rng_);
  if (!answer.ok()) {
    std::string why = answer.error().policy ? std::string(sdp::ToString(answer.error().policy->error))
                                            : "offer not acceptable";
    return {400, "text/plain; charset=utf-8", "refused: " + why + "\n", ""};
  }
  auto text = sdp::SerializeSdp(answer->sdp);
  auto session = EchoSession::Create(*answer, dtls_context_, local.ice, sctp_stack_.get(), clock_.Now());
  if (!text || !session) return {500, "text/plain; charset=utf-8", "cannot create the session\n", ""};
  // Unguessable resource ids: DELETE /whip/<id> ends a session.
  std::array<uint8_t, 16> id_bytes;
  rng_.Fill(id_bytes);
  std::string id = ToHex(id_bytes);
  id_by_ufrag_[local.ice.ufrag] = id;
  sessions_[id] = {std::move(session), local.ice.ufrag};
  return {201, "application/sdp", *text, "/whip/" + id};
}

EchoServer::HttpResult EchoServer::HandleWhipDelete(const std::string& id) {
  auto it = sessions_.find(id);
  if (it == sessions_.end()) return {404, "text/plain; charset=utf-8", "no such session\n", ""};
  it->second.session->Close(clock_.Now());
  Flush(*it->second.session);
  RemoveSession(id);
  return {200, "text/plain; charset=utf-8", "closed\n", ""};
}

EchoServer::HttpResult EchoServer::HandleStatic(const std::string& path) const {
  auto reply = aegis::http::ServeStatic(web_dir_, path);
  return {reply.status, std::move(reply.content_type), std::move(reply.body), ""};
}

void EchoServer::Report(const std::string& id, Entry& entry) {
  // One line per state change, for people and for the interop tests.
  if (!entry.reported_connected && entry.session->connected_profile()) {
    entry.reported_connected = true;
    std::printf("aegis-echo: session %s connected srtp=%s\n", id.c_str(),
                std::string(srtp::GetProfileParams(*entry.session->connected_profile()).name).c_str());
  }
  if (entry.session->finished()) {
    const auto& stats = entry.session->stats();
    std::printf("aegis-echo: session %s ended (rtp echoed %llu, messages echoed %llu)\n", id.c_str(),
                static_cast<unsigned long long>(stats.rtp_echoed),
                static_cast<unsigned long long>(stats.messages_echoed));
  }
  std::fflush(stdout);
}

void EchoServer::RemoveSession(const std::string& id) {
  auto it = sessions_.find(id);
  if (it == sessions_.end()) return;
  id_by_ufrag_.erase(it->second.ufrag);
  std::erase_if(id_by_address_, [&](const auto& kv) { return kv.second == id; });
  sessions_.erase(it);
}

void EchoServer::ReceiveNext() {
  udp_.async_receive_from(asio::buffer(rx_buffer_), rx_from_, [this](boost::system::error_code ec, size_t size) {
    if (ec == asio::error::operation_aborted) return;
    if (!ec) OnDatagram(size);
    ReceiveNext();
  });
}

EchoSession* EchoServer::FindSession(std::span<const uint8_t> datagram, const stun::TransportAddress& from) {
  // STUN checks are routed by the ufrag they name, never by address: a check
  // for one session must not reach another because of where it came from.
  // Answers to the server's own checks name no ufrag: they come from an
  // address that sent the session a valid check, routed below.
  if (rtp::Demux(datagram) == rtp::DemuxKind::kStun) {
    auto message = stun::Message::Parse(datagram);
    if (!message.ok()) return nullptr;
    const auto* username = message->Get<stun::Username>();
    if (username) {
      auto ufrag = username->value.substr(0, username->value.find(':'));
      auto it = id_by_ufrag_.find(ufrag);
      return it == id_by_ufrag_.end() ? nullptr : sessions_.at(it->second).session.get();
    }
  }
  auto it = id_by_address_.find(Key(from));
  return it == id_by_address_.end() ? nullptr : sessions_.at(it->second).session.get();
}

void EchoServer::OnDatagram(size_t size) {
  auto from = ToTransportAddress(rx_from_);
  std::span<uint8_t> datagram(rx_buffer_.data(), size);
  EchoSession* session = FindSession(datagram, from);
  if (!session) return;
  session->HandleDatagram(datagram, from, clock_.Now());
  // Addresses that proved the session's ICE password route its DTLS and
  // media. An address already routed to another live session keeps its
  // route, and each session routes a bounded number of addresses.
  if (session->transport().ice().IsAuthenticated(from) && !id_by_address_.contains(Key(from))) {
    for (auto& [id, entry] : sessions_) {
      if (entry.session.get() == session && entry.routed_addresses < kMaxAddressesPerSession) {
        id_by_address_[Key(from)] = id;
        ++entry.routed_addresses;
      }
    }
  }
  Flush(*session);
}

void EchoServer::Flush(EchoSession& session) {
  while (auto d = session.PollTransmit()) {
    boost::system::error_code ec;
    udp_.send_to(asio::buffer(d->bytes), ToEndpoint(d->to), 0, ec);  // UDP: a failed send is a lost packet
  }
}

void EchoServer::ArmTimer() {
  timer_.expires_after(std::chrono::milliseconds(10));
  timer_.async_wait([this](boost::system::error_code ec) {
    if (ec) return;
    OnTick();
    ArmTimer();
  });
}

void EchoServer::OnTick() {
  Timestamp now = clock_.Now();
  sctp_stack_->AdvanceTo(now);
  std::vector<std::string> finished;
  for (auto& [id, entry] : sessions_) {
    auto next = entry.session->NextTimeout();
    if (next && *next <= now) entry.session->HandleTimeout(now);
    Flush(*entry.session);
    Report(id, entry);
    if (entry.session->finished()) finished.push_back(id);
  }
  for (const auto& id : finished) RemoveSession(id);
}

}  // namespace aegis::echo
