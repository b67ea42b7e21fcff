#include "load/janus_http_link.h"

#include <chrono>

#include <boost/asio/connect.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/write.hpp>

namespace aegis::load {

namespace beast = boost::beast;
namespace http = beast::http;
using tcp = boost::asio::ip::tcp;

JanusHttpLink::JanusHttpLink(boost::asio::io_context& io, janus::JanusUrl url)
    : url_(std::move(url)), polls_(std::make_shared<Lane>(io)), posts_(std::make_shared<Lane>(io)) {}

JanusHttpLink::~JanusHttpLink() {
  *alive_ = false;
  Close();
}

void JanusHttpLink::Connect() {
  // The benchmark gives an address, so this does not wait on DNS.
  tcp::resolver resolver(posts_->stream.get_executor());
  boost::system::error_code ec;
  endpoints_ = resolver.resolve(url_.host, url_.port, ec);
  if (ec || endpoints_.empty()) return Fail("janus http: cannot resolve " + url_.host + ": " + ec.message());
  resolved_ = true;
  Next(posts_);
  Next(polls_);
}

void JanusHttpLink::Send(SignalMessage message) {
  if (closed_) return;
  const std::shared_ptr<Lane>& lane = message.method == "GET" ? polls_ : posts_;
  lane->queue.push_back(std::move(message));
  Next(lane);
}

void JanusHttpLink::Close() {
  if (closed_) return;
  closed_ = true;
  for (Lane* lane : {polls_.get(), posts_.get()}) {
    boost::system::error_code ignored;
    lane->stream.socket().shutdown(tcp::socket::shutdown_both, ignored);
    lane->stream.close();
    lane->queue.clear();
  }
}

void JanusHttpLink::Fail(const std::string& error) {
  if (closed_) return;
  Close();
  if (on_close) on_close(error);
}

void JanusHttpLink::Next(const std::shared_ptr<Lane>& lane) {
  if (closed_ || !resolved_ || lane->busy || lane->queue.empty()) return;
  lane->busy = true;
  const SignalMessage& m = lane->queue.front();
  lane->request = {};
  lane->request.method(m.method == "GET" ? http::verb::get : http::verb::post);
  lane->request.target(m.path);
  lane->request.version(11);
  lane->request.set(http::field::host, url_.host + ":" + url_.port);
  lane->request.keep_alive(true);
  if (m.method != "GET") {
    lane->request.set(http::field::content_type, "application/json");
    lane->request.body() = m.body;
  }
  lane->request.prepare_payload();
  if (lane->connected) return Write(lane);
  lane->stream.expires_after(std::chrono::seconds(kRequestTimeoutSeconds));
  lane->stream.async_connect(endpoints_, [this, lane, alive = alive_](boost::system::error_code ec,
                                                                      const tcp::endpoint&) {
    if (!*alive || closed_) return;
    if (ec) return Fail("janus http: cannot connect to " + url_.host + ":" + url_.port + ": " + ec.message());
    lane->connected = true;
    Write(lane);
  });
}

void JanusHttpLink::Write(const std::shared_ptr<Lane>& lane) {
  lane->stream.expires_after(std::chrono::seconds(kRequestTimeoutSeconds));
  http::async_write(lane->stream, lane->request, [this, lane, alive = alive_](boost::system::error_code ec, size_t) {
    if (!*alive || closed_) return;
    if (ec) return Fail("janus http: write: " + ec.message());
    lane->response = {};
    http::async_read(lane->stream, lane->buffer, lane->response,
                     [this, lane, alive](boost::system::error_code read_ec, size_t) {
                       if (!*alive || closed_) return;
                       if (read_ec) return Fail("janus http: read: " + read_ec.message());
                       lane->queue.pop_front();
                       lane->busy = false;
                       if (!lane->response.keep_alive()) {
                         lane->stream.close();
                         lane->connected = false;
                       }
                       const int status = static_cast<int>(lane->response.result_int());
                       std::string body = std::move(lane->response.body());
                       if (on_message) on_message(body, status);
                       if (*alive) Next(lane);
                     });
  });
}

}  // namespace aegis::load
