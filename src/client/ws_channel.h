// The signaling WebSocket of a native client (docs/protocol.md §1), ws:// or
// wss://, asynchronous on a Boost.Asio io_context so one thread can carry many
// of them (aegis-load) or one (aegis-bot). Text frames in and out; writes are
// queued, one in flight.
//
// wss:// trusts either exactly one certificate, pinned by its SHA-256
// fingerprint as `aegis serve` prints it (e.g. its self-signed one), or a
// chain to a system CA / --ca-file that names the URL's host.
#pragma once

#include <deque>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/address.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/ssl/verify_context.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/ssl/ssl_stream.hpp>
#include <boost/beast/websocket/stream.hpp>

namespace aegis::client {

struct WsUrl {
  bool tls = false;
  std::string host, port, path;
  // ws://HOST[:PORT][/PATH] or wss://...; nullopt otherwise.
  static std::optional<WsUrl> Parse(const std::string& url);
};

// "AB:CD:..." upper case with colons; a "sha-256 " prefix and case are ignored.
std::string NormalizeFingerprint(std::string fingerprint);

struct WsOptions {
  std::string pinned_fingerprint;  // normalized; empty: verify the chain and host name
  std::optional<boost::asio::ip::address> bind_address;  // local address of the TCP connection
};

// A TLS client context for wss:// channels (shareable among them): peer
// verification on, the system CAs and `ca_file` (if not empty) trusted.
// Throws boost::system::system_error if ca_file cannot be read.
boost::asio::ssl::context MakeTlsClientContext(const std::string& ca_file);

// The certificate check of a TLS connection to `host` (for set_verify_callback):
// exactly the pinned leaf if `pinned_fingerprint` (normalized) is not empty,
// the one seen instead going to *mismatch; else a chain that names `host`.
// Shared with aegis-load's /metrics scrape (src/load/metrics_scrape.cc).
using CertificateCheck = std::function<bool(bool, boost::asio::ssl::verify_context&)>;
CertificateCheck ServerCertificateCheck(const std::string& host, const std::string& pinned_fingerprint,
                                        std::string* mismatch);

class WsChannel {
 public:
  // `tls` must outlive the channel; null is fine for ws://.
  WsChannel(boost::asio::io_context& io, boost::asio::ssl::context* tls, WsUrl url, WsOptions options);
  ~WsChannel();
  WsChannel(const WsChannel&) = delete;
  WsChannel& operator=(const WsChannel&) = delete;

  std::function<void()> on_open;
  std::function<void(std::string_view text)> on_message;
  // Once: the connection failed (`was_open` false: it never opened) or closed.
  std::function<void(const std::string& error, bool was_open)> on_close;

  void Connect();
  // Queued until open; dropped once closed.
  void Send(std::string text);
  void Close();
  bool is_open() const { return open_; }

 private:
  using Tcp = boost::asio::ip::tcp;
  using Plain = boost::beast::websocket::stream<Tcp::socket>;
  using Secure = boost::beast::websocket::stream<boost::beast::ssl_stream<Tcp::socket>>;
  Tcp::socket& Lowest();
  void OnConnected();
  void OnOpen();
  void ReadNext();
  void Flush();
  void Fail(const std::string& error);

  boost::asio::io_context& io_;
  boost::asio::ssl::context* tls_;
  WsUrl url_;
  WsOptions options_;
  Tcp::resolver resolver_;
  std::optional<Plain> plain_;
  std::optional<Secure> secure_;
  boost::beast::flat_buffer read_buffer_;
  std::deque<std::string> writes_;
  bool writing_ = false;
  bool open_ = false;
  bool closed_ = false;
  std::string pinned_mismatch_;  // the certificate seen when the pin did not match
};

}  // namespace aegis::client
