#include "client/ws_channel.h"

#include <cctype>
#include <cstdio>

#include <boost/asio/connect.hpp>
#include <boost/asio/ssl/host_name_verification.hpp>
#include <boost/beast/core/buffers_to_string.hpp>
#include <boost/beast/websocket/ssl.hpp>
#include <openssl/evp.h>
#include <openssl/x509.h>

#include "base/hex.h"

namespace aegis::client {

namespace asio = boost::asio;
namespace beast = boost::beast;

namespace {

std::string LeafFingerprint(X509* cert) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int size = 0;
  if (!cert || X509_digest(cert, EVP_sha256(), digest, &size) != 1) return "";
  return ToColonHex({digest, size});
}

}  // namespace

std::optional<WsUrl> WsUrl::Parse(const std::string& url) {
  WsUrl u;
  std::string rest;
  if (url.rfind("ws://", 0) == 0) {
    rest = url.substr(5);
  } else if (url.rfind("wss://", 0) == 0) {
    rest = url.substr(6);
    u.tls = true;
  } else {
    return std::nullopt;
  }
  const size_t slash = rest.find('/');
  u.path = slash == std::string::npos ? "/" : rest.substr(slash);
  std::string hostport = rest.substr(0, slash);
  const size_t colon = hostport.rfind(':');
  if (colon == std::string::npos) {
    u.host = hostport;
    u.port = u.tls ? "443" : "80";
  } else {
    u.host = hostport.substr(0, colon);
    u.port = hostport.substr(colon + 1);
  }
  if (u.host.empty() || u.port.empty()) return std::nullopt;
  return u;
}

std::string NormalizeFingerprint(std::string f) {
  if (f.rfind("sha-256 ", 0) == 0 || f.rfind("SHA-256 ", 0) == 0) f = f.substr(8);
  for (auto& c : f) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return f;
}

asio::ssl::context MakeTlsClientContext(const std::string& ca_file) {
  asio::ssl::context context(asio::ssl::context::tls_client);
  context.set_verify_mode(asio::ssl::verify_peer);
  context.set_default_verify_paths();
  if (!ca_file.empty()) context.load_verify_file(ca_file);
  return context;
}

CertificateCheck ServerCertificateCheck(const std::string& host, const std::string& pinned_fingerprint,
                                        std::string* mismatch) {
  if (pinned_fingerprint.empty()) return asio::ssl::host_name_verification(host);
  // Pinned: exactly this leaf certificate, whoever issued it.
  return [pinned_fingerprint, mismatch](bool, asio::ssl::verify_context& vc) {
    X509_STORE_CTX* store = vc.native_handle();
    if (X509_STORE_CTX_get_error_depth(store) != 0) return true;
    const std::string got = LeafFingerprint(X509_STORE_CTX_get_current_cert(store));
    if (got == pinned_fingerprint) return true;
    if (mismatch) *mismatch = got;
    return false;
  };
}

WsChannel::WsChannel(asio::io_context& io, asio::ssl::context* tls, WsUrl url, WsOptions options)
    : io_(io), tls_(tls), url_(std::move(url)), options_(std::move(options)), resolver_(io) {}

WsChannel::~WsChannel() = default;

WsChannel::Tcp::socket& WsChannel::Lowest() {
  return plain_ ? plain_->next_layer() : beast::get_lowest_layer(*secure_);
}

void WsChannel::Fail(const std::string& error) {
  if (closed_) return;
  closed_ = true;
  const bool was_open = open_;
  open_ = false;
  boost::system::error_code ignored;
  if (plain_ || secure_) Lowest().close(ignored);
  if (on_close) on_close(error, was_open);
}

void WsChannel::Connect() {
  if (url_.tls) {
    if (!tls_) return Fail("wss:// without a TLS context");
    secure_.emplace(io_, *tls_);
    auto& ssl = secure_->next_layer();
    ssl.set_verify_callback(ServerCertificateCheck(url_.host, options_.pinned_fingerprint, &pinned_mismatch_));
    boost::system::error_code ec;
    asio::ip::make_address(url_.host, ec);
    if (ec) SSL_set_tlsext_host_name(ssl.native_handle(), url_.host.c_str());  // SNI for names
  } else {
    plain_.emplace(io_);
  }
  resolver_.async_resolve(url_.host, url_.port, [this](beast::error_code ec, Tcp::resolver::results_type results) {
    if (ec || results.empty()) return Fail(ec ? ec.message() : "no address");
    const Tcp::endpoint to = results.begin()->endpoint();
    Tcp::socket& socket = Lowest();
    if (options_.bind_address) {
      // Bound before connecting: one source address per participant (per-address limits).
      boost::system::error_code bind_ec;
      socket.open(to.protocol(), bind_ec);
      if (!bind_ec) socket.bind(Tcp::endpoint(*options_.bind_address, 0), bind_ec);
      if (bind_ec) return Fail("cannot bind " + options_.bind_address->to_string() + ": " + bind_ec.message());
    }
    socket.async_connect(to, [this](beast::error_code connect_ec) {
      if (connect_ec) return Fail(connect_ec.message());
      OnConnected();
    });
  });
}

void WsChannel::OnConnected() {
  const std::string host = url_.host + ":" + url_.port;
  if (plain_) {
    plain_->async_handshake(host, url_.path, [this](beast::error_code ec) {
      if (ec) return Fail(ec.message());
      OnOpen();
    });
    return;
  }
  secure_->next_layer().async_handshake(asio::ssl::stream_base::client, [this, host](beast::error_code ec) {
    if (ec) {
      if (!pinned_mismatch_.empty()) {
        return Fail("the server's certificate is SHA-256 " + pinned_mismatch_ + ", not the --tls-fingerprint given");
      }
      return Fail(ec.message());
    }
    secure_->async_handshake(host, url_.path, [this](beast::error_code ws_ec) {
      if (ws_ec) return Fail(ws_ec.message());
      OnOpen();
    });
  });
}

void WsChannel::OnOpen() {
  if (closed_) return;
  open_ = true;
  if (plain_) plain_->text(true);
  if (secure_) secure_->text(true);
  if (on_open) on_open();
  ReadNext();
  Flush();
}

void WsChannel::ReadNext() {
  auto done = [this](beast::error_code ec, size_t) {
    if (ec) return Fail(ec.message());
    const std::string text = beast::buffers_to_string(read_buffer_.data());
    read_buffer_.consume(read_buffer_.size());
    if (on_message) on_message(text);
    if (!closed_) ReadNext();
  };
  if (plain_) {
    plain_->async_read(read_buffer_, std::move(done));
  } else {
    secure_->async_read(read_buffer_, std::move(done));
  }
}

void WsChannel::Send(std::string text) {
  if (closed_) return;
  writes_.push_back(std::move(text));
  Flush();
}

void WsChannel::Flush() {
  if (!open_ || writing_ || writes_.empty()) return;
  writing_ = true;
  auto done = [this](beast::error_code ec, size_t) {
    writing_ = false;
    if (ec) return Fail(ec.message());
    writes_.pop_front();
    Flush();
  };
  if (plain_) {
    plain_->async_write(asio::buffer(writes_.front()), std::move(done));
  } else {
    secure_->async_write(asio::buffer(writes_.front()), std::move(done));
  }
}

void WsChannel::Close() {
  if (closed_) return;
  closed_ = true;
  open_ = false;
  boost::system::error_code ignored;
  resolver_.cancel();
  if (plain_ || secure_) Lowest().close(ignored);
}

}  // namespace aegis::client
