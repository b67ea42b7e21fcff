#include "cluster/redis_client.h"

#include <utility>  // Boost 1.74 asio/awaitable.hpp uses std::exchange without it

#include <boost/asio.hpp>
#include <boost/asio/ssl.hpp>

#include <array>
#include <optional>

namespace aegis::cluster {
namespace asio = boost::asio;
using tcp = asio::ip::tcp;

struct RedisClient::Io {
  asio::io_context context;
  asio::ssl::context tls_context{asio::ssl::context::tls_client};
  asio::ssl::stream<tcp::socket> stream{context, tls_context};
  bool tls = false;
  bool open = false;
  std::chrono::milliseconds timeout{0};
  RespReader reader;

  // Runs the posted operation to completion or the timeout; on a timeout
  // the socket is closed (which completes the operation with an error).
  bool RunBounded(const bool& done) {
    context.restart();
    context.run_for(timeout);
    if (!done) {
      boost::system::error_code ignored;
      stream.next_layer().close(ignored);
      context.restart();
      context.run();  // let the cancelled handlers finish
      open = false;
      return false;
    }
    return true;
  }

  Result<void, std::string> Write(const std::string& bytes) {
    bool done = false;
    boost::system::error_code error;
    auto handler = [&](boost::system::error_code ec, size_t) { error = ec; done = true; };
    if (tls) asio::async_write(stream, asio::buffer(bytes), handler);
    else asio::async_write(stream.next_layer(), asio::buffer(bytes), handler);
    if (!RunBounded(done)) return Err{std::string("no answer from Redis within the timeout")};
    if (error) {
      open = false;
      return Err{std::string("writing to Redis: " + error.message())};
    }
    return {};
  }

  Result<RespReply, std::string> ReadReply() {
    std::array<uint8_t, 16384> buffer;
    while (true) {
      auto next = reader.Next();
      if (!next.ok()) {
        open = false;
        return Err{std::string("Redis sent a ") + ToString(next.error())};
      }
      if (next.value()) return std::move(*next.value());
      bool done = false;
      boost::system::error_code error;
      size_t got = 0;
      auto handler = [&](boost::system::error_code ec, size_t n) { error = ec; got = n; done = true; };
      if (tls) stream.async_read_some(asio::buffer(buffer), handler);
      else stream.next_layer().async_read_some(asio::buffer(buffer), handler);
      if (!RunBounded(done)) return Err{std::string("no answer from Redis within the timeout")};
      if (error) {
        open = false;
        return Err{error == asio::error::eof ? std::string("Redis closed the connection")
                                             : "reading from Redis: " + error.message()};
      }
      reader.Feed(std::span<const uint8_t>(buffer.data(), got));
    }
  }
};

RedisClient::RedisClient(std::unique_ptr<Io> io) : io_(std::move(io)) {}
RedisClient::~RedisClient() = default;

bool RedisClient::connected() const { return io_->open; }

Result<std::unique_ptr<RedisClient>, std::string> RedisClient::Connect(const RedisEndpoint& endpoint,
                                                                        std::chrono::milliseconds timeout) {
  auto io = std::make_unique<Io>();
  io->timeout = timeout;
  io->tls = endpoint.tls;
  const std::string where = "Redis at " + endpoint.host + ":" + endpoint.port;
  boost::system::error_code ec;
  if (endpoint.tls) {
    // On the stream: its SSL object was made from the context already and
    // keeps the mode it had then (the trusted store is shared, so the CA
    // files below still count).
    io->stream.set_verify_mode(asio::ssl::verify_peer | asio::ssl::verify_fail_if_no_peer_cert);
    io->tls_context.set_default_verify_paths(ec);
    if (!endpoint.ca_file.empty()) {
      io->tls_context.load_verify_file(endpoint.ca_file, ec);
      if (ec) return Err{std::string("cannot read the Redis CA file " + endpoint.ca_file + ": " + ec.message())};
    }
    io->stream.set_verify_callback(asio::ssl::host_name_verification(endpoint.host));
    if (!SSL_set_tlsext_host_name(io->stream.native_handle(), endpoint.host.c_str())) {
      return Err{std::string("cannot set the TLS server name for Redis")};
    }
  }

  tcp::resolver resolver(io->context);
  auto addresses = resolver.resolve(endpoint.host, endpoint.port, ec);
  if (ec) return Err{std::string("cannot resolve " + where + ": " + ec.message())};
  bool done = false;
  boost::system::error_code error;
  asio::async_connect(io->stream.next_layer(), addresses, [&](boost::system::error_code e, const tcp::endpoint&) {
    error = e;
    done = true;
  });
  if (!io->RunBounded(done)) return Err{std::string("cannot reach " + where + ": no answer within the timeout")};
  if (error) return Err{std::string("cannot reach " + where + ": " + error.message() + " (is redis-server running there?)")};
  if (endpoint.tls) {
    done = false;
    io->stream.async_handshake(asio::ssl::stream_base::client, [&](boost::system::error_code e) {
      error = e;
      done = true;
    });
    if (!io->RunBounded(done)) return Err{std::string("TLS handshake with " + where + ": no answer within the timeout")};
    if (error) {
      return Err{"TLS handshake with " + where + " failed: " + error.message() +
                 " (is its certificate for this host name, from a CA in redis_ca_file?)"};
    }
  }
  io->open = true;
  auto client = std::unique_ptr<RedisClient>(new RedisClient(std::move(io)));
  if (!endpoint.user.empty() || !endpoint.password.empty()) {
    auto auth = endpoint.user.empty() ? client->Command({"AUTH", endpoint.password})
                                      : client->Command({"AUTH", endpoint.user, endpoint.password});
    if (!auth.ok()) return Err{std::string("authenticating to " + where + ": " + auth.error())};
    if (!auth.value().IsOk()) {
      return Err{where + " refused user '" + endpoint.user + "' (" + auth.value().text +
                 "): check the user in the Redis URL and the password file"};
    }
  }
  return client;
}

Result<RespReply, std::string> RedisClient::Command(std::span<const std::string_view> args) {
  if (!io_->open) return Err{std::string("not connected to Redis")};
  if (auto written = io_->Write(EncodeCommand(args)); !written.ok()) return Err{written.error()};
  return io_->ReadReply();
}

}  // namespace aegis::cluster
