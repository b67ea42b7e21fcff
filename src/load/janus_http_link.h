// The signaling link of a Janus peer (janus_peer.h): each SignalMessage is
// one HTTP/1.1 request to the Janus HTTP transport (Boost.Beast, plain HTTP,
// keep-alive), its response body and status go to on_message.
//
// Two connections, one request in flight on each: long polls (GET) on one,
// everything else (POST) on the other, in order, so a long poll that waits
// for events never holds up a request.
#pragma once

#include <deque>
#include <memory>
#include <string>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/string_body.hpp>

#include "load/janus_api.h"
#include "load/load_loop.h"

namespace aegis::load {

class JanusHttpLink final : public SignalLink {
 public:
  // Longer than Janus's 30 s long poll.
  static constexpr int kRequestTimeoutSeconds = 60;

  JanusHttpLink(boost::asio::io_context& io, janus::JanusUrl url);
  ~JanusHttpLink() override;

  void Connect() override;
  void Send(SignalMessage message) override;
  void Close() override;

 private:
  struct Lane {
    explicit Lane(boost::asio::io_context& io) : stream(io) {}
    boost::beast::tcp_stream stream;
    bool connected = false;
    bool busy = false;
    std::deque<SignalMessage> queue;
    boost::beast::flat_buffer buffer;
    boost::beast::http::request<boost::beast::http::string_body> request;
    boost::beast::http::response<boost::beast::http::string_body> response;
  };
  void Next(const std::shared_ptr<Lane>& lane);
  void Write(const std::shared_ptr<Lane>& lane);
  void Fail(const std::string& error);

  janus::JanusUrl url_;
  boost::asio::ip::tcp::resolver::results_type endpoints_;
  std::shared_ptr<Lane> polls_;
  std::shared_ptr<Lane> posts_;
  // Handlers still queued after the link is gone see false.
  std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);
  bool resolved_ = false;
  bool closed_ = false;
};

}  // namespace aegis::load
