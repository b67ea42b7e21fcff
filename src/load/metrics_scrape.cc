#include "load/metrics_scrape.h"

#include <cctype>
#include <chrono>
#include <memory>

#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>
#include <boost/beast/ssl/ssl_stream.hpp>

namespace aegis::load {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;

namespace {

constexpr auto kTimeout = std::chrono::seconds(3);
constexpr size_t kMaxBody = 4 << 20;  // the parser's own limit (prometheus_text.h)

struct Scrape : std::enable_shared_from_this<Scrape> {
  Scrape(asio::io_context& io, const ScrapeTarget& t, std::function<void(std::string, std::string)> d)
      : target(t), done(std::move(d)), plain(io) {
    if (t.url.tls) secure.emplace(io, *t.tls);
  }
  const ScrapeTarget& target;
  std::function<void(std::string, std::string)> done;
  beast::tcp_stream plain;
  std::optional<beast::ssl_stream<beast::tcp_stream>> secure;
  std::string mismatch;
  beast::flat_buffer buffer;
  http::request<http::string_body> request;
  std::optional<http::response_parser<http::string_body>> parser;

  beast::tcp_stream& Lowest() { return secure ? secure->next_layer() : plain; }
  void Finish(std::string body, std::string error) {
    boost::system::error_code ignored;
    Lowest().socket().shutdown(tcp::socket::shutdown_both, ignored);
    Lowest().close();
    if (done) std::exchange(done, nullptr)(std::move(body), std::move(error));
  }

  void Start() {
    tcp::resolver resolver(plain.get_executor());
    boost::system::error_code ec;
    const auto endpoints = resolver.resolve(target.url.host, target.url.port, ec);
    if (ec || endpoints.empty()) return Finish("", "cannot resolve " + target.url.host + ": " + ec.message());
    if (secure) {
      secure->set_verify_callback(
          client::ServerCertificateCheck(target.url.host, target.pinned_fingerprint, &mismatch));
      asio::ip::make_address(target.url.host, ec);
      if (ec) SSL_set_tlsext_host_name(secure->native_handle(), target.url.host.c_str());  // SNI for names
    }
    request.method(http::verb::get);
    request.target(target.url.path);
    request.version(11);
    request.set(http::field::host, target.url.host + ":" + target.url.port);
    if (!target.token.empty()) request.set(http::field::authorization, "Bearer " + target.token);
    request.keep_alive(false);
    Lowest().expires_after(kTimeout);
    Lowest().async_connect(endpoints, [self = shared_from_this()](beast::error_code e, const tcp::endpoint&) {
      if (e) return self->Finish("", "connect: " + e.message());
      if (!self->secure) return self->Write();
      self->secure->async_handshake(asio::ssl::stream_base::client, [self](beast::error_code he) {
        if (he && !self->mismatch.empty()) {
          return self->Finish("", "the server's certificate is SHA-256 " + self->mismatch + ", not the pinned one");
        }
        if (he) return self->Finish("", "TLS: " + he.message());
        self->Write();
      });
    });
  }

  void Write() {
    auto on_written = [self = shared_from_this()](beast::error_code e, size_t) {
      if (e) return self->Finish("", "write: " + e.message());
      self->Read();
    };
    if (secure) http::async_write(*secure, request, std::move(on_written));
    else http::async_write(plain, request, std::move(on_written));
  }

  void Read() {
    parser.emplace();
    parser->body_limit(kMaxBody);
    auto on_read = [self = shared_from_this()](beast::error_code e, size_t) {
      if (e) return self->Finish("", "read: " + e.message());
      auto& response = self->parser->get();
      if (response.result() != http::status::ok) {
        // The server's refusals carry a one-word body.
        std::string why = response.body().substr(0, 100);
        while (!why.empty() && std::isspace(static_cast<unsigned char>(why.back()))) why.pop_back();
        return self->Finish("", "HTTP " + std::to_string(response.result_int()) + " " + why);
      }
      self->Finish(std::move(response.body()), "");
    };
    if (secure) http::async_read(*secure, buffer, *parser, std::move(on_read));
    else http::async_read(plain, buffer, *parser, std::move(on_read));
  }
};

}  // namespace

std::optional<client::WsUrl> ParseMetricsUrl(const std::string& url) {
  // The same shape as a signaling URL; only the scheme's name differs.
  if (url.rfind("https://", 0) == 0) return client::WsUrl::Parse("wss://" + url.substr(8));
  if (url.rfind("http://", 0) == 0) return client::WsUrl::Parse("ws://" + url.substr(7));
  return std::nullopt;
}

void ScrapeMetrics(asio::io_context& io, const ScrapeTarget& target,
                   std::function<void(std::string body, std::string error)> done) {
  if (target.url.tls && !target.tls) return done("", "https:// without a TLS context");
  std::make_shared<Scrape>(io, target, std::move(done))->Start();
}

}  // namespace aegis::load
