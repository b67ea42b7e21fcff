// aegis-bot: joins a room with a token, publishes a test pattern (Opus-like
// audio 50 packets/s, VP8-like video at a bitrate) and prints per-track
// receive statistics once a second and on exit. The I/O shell around
// aegis::client::Client: one WebSocket (Boost.Beast, ws:// or wss://), one UDP
// socket per peer connection, a 5 ms tick.
//
// The payloads are not decodable media: audio is 80 bytes of a constant
// pattern per 20 ms (PT 111, 960 ticks), video a VP8 payload descriptor
// (S bit on the first packet of a frame) followed by filler, 30 frames/s.
#include <utility>

#include <boost/asio.hpp>
#include <boost/beast.hpp>
#include <boost/beast/websocket.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/ssl.hpp>
#include <boost/beast/websocket/ssl.hpp>
#include <openssl/evp.h>
#include <openssl/x509.h>

#include <cctype>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <deque>
#include <string>

#include "client/client.h"
#include "crypto/secure_random.h"
#include "dtls/certificate.h"

#ifndef AEGIS_VERSION
#define AEGIS_VERSION "dev"
#endif

namespace asio = boost::asio;
namespace beast = boost::beast;
using asio::ip::udp;
using aegis::Timestamp;
using aegis::TimeDelta;
using aegis::client::Client;
using aegis::client::Connection;

namespace {

constexpr const char* kUsage =
    "usage: aegis-bot --url ws://HOST:PORT/PATH --room ROOM --token TOKEN [options]\n"
    "\n"
    "Joins an Aegis room as a native client, publishes a test pattern and prints\n"
    "per-track receive statistics once a second and on exit.\n"
    "\n"
    "options:\n"
    "  --url URL          signaling WebSocket, ws:// or wss://\n"
    "  --tls-fingerprint F  wss://: accept exactly the server certificate with this SHA-256\n"
    "                     fingerprint (as aegis serve prints it), e.g. a self-signed one;\n"
    "                     without it the certificate must chain to a system CA (or\n"
    "                     --ca-file) and name the URL's host\n"
    "  --ca-file PEM      wss://: trust these CA certificates too\n"
    "  --room ROOM        the room to join (must match the token's room)\n"
    "  --token TOKEN      an access token (aegis token create)\n"
    "  --seconds N        leave after N seconds (default: run until interrupted)\n"
    "  --video-kbps N     video test pattern bitrate (default 300)\n"
    "  --no-publish       receive only\n"
    "  --help             this text\n"
    "  --version          print the version\n"
    "\n"
    "The test pattern is not decodable media: Opus-like packets (50/s) and\n"
    "VP8-like packets (30 frames/s). E2EE-required rooms refuse the bot.\n"
    "Exit status: 0 after --seconds, 1 on a refusal or failure, 2 on bad usage.\n";

volatile std::sig_atomic_t g_stop = 0;
void OnSignal(int) { g_stop = 1; }

Timestamp Now() {
  return Timestamp::Micros(
      std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::steady_clock::now().time_since_epoch())
          .count());
}

struct Url {
  bool tls = false;
  std::string host, port, path;
};

std::optional<Url> ParseUrl(const std::string& url) {
  Url u;
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

// "AB:CD:..." upper case, colons; "sha-256 " and case are ignored on input.
std::string NormalizeFingerprint(std::string f) {
  if (f.rfind("sha-256 ", 0) == 0 || f.rfind("SHA-256 ", 0) == 0) f = f.substr(8);
  for (auto& c : f) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return f;
}

std::string LeafFingerprint(X509* cert) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int size = 0;
  if (!cert || X509_digest(cert, EVP_sha256(), digest, &size) != 1) return "";
  std::string out;
  char hex[4];
  for (unsigned i = 0; i < size; ++i) {
    std::snprintf(hex, sizeof hex, i ? ":%02X" : "%02X", digest[i]);
    out += hex;
  }
  return out;
}

void PrintStats(const Client& client, double elapsed_s, bool final) {
  std::printf("%s t=%.1fs sent=%llu srtp_errors=%llu tracks=%zu\n", final ? "final" : "stats", elapsed_s,
              static_cast<unsigned long long>(client.packets_sent()),
              static_cast<unsigned long long>(client.srtp_errors()), client.receive_stats().size());
  for (const auto& t : client.receive_stats()) {
    std::printf("  track ssrc=%u participant=%s track=%s kind=%s packets=%llu bytes=%llu lost=%llu\n", t.ssrc,
                t.participant_id.empty() ? "?" : t.participant_id.c_str(), t.track_id.empty() ? "?" : t.track_id.c_str(),
                t.payload_type == Client::kOpusPayloadType ? "audio" : "video",
                static_cast<unsigned long long>(t.packets), static_cast<unsigned long long>(t.bytes),
                static_cast<unsigned long long>(t.lost));
  }
  std::fflush(stdout);
}

}  // namespace

int main(int argc, char** argv) {
  std::string url_text, room, token, tls_fingerprint, ca_file;
  double seconds = -1;
  int video_kbps = 300;
  bool publish = true;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    auto value = [&]() -> std::string {
      if (i + 1 >= argc) {
        std::fprintf(stderr, "aegis-bot: %s needs a value\n%s", a.c_str(), kUsage);
        std::exit(2);
      }
      return argv[++i];
    };
    if (a == "--help" || a == "-h") {
      std::fputs(kUsage, stdout);
      return 0;
    } else if (a == "--version") {
      std::printf("aegis-bot %s\n", AEGIS_VERSION);
      return 0;
    } else if (a == "--url") {
      url_text = value();
    } else if (a == "--tls-fingerprint") {
      tls_fingerprint = NormalizeFingerprint(value());
    } else if (a == "--ca-file") {
      ca_file = value();
    } else if (a == "--room") {
      room = value();
    } else if (a == "--token") {
      token = value();
    } else if (a == "--seconds") {
      seconds = std::atof(value().c_str());
    } else if (a == "--video-kbps") {
      video_kbps = std::atoi(value().c_str());
    } else if (a == "--no-publish") {
      publish = false;
    } else {
      std::fprintf(stderr, "aegis-bot: unknown option %s\n%s", a.c_str(), kUsage);
      return 2;
    }
  }
  auto url = ParseUrl(url_text);
  if (!url || room.empty() || token.empty()) {
    std::fprintf(stderr, "aegis-bot: --url ws://... or wss://..., --room and --token are required\n%s", kUsage);
    return 2;
  }
  std::signal(SIGINT, OnSignal);
  std::signal(SIGTERM, OnSignal);

  aegis::crypto::SecureRandom rng;
  auto cert = aegis::dtls::Certificate::Generate(
      rng, std::chrono::floor<std::chrono::seconds>(std::chrono::system_clock::now()));
  aegis::client::ClientConfig config;
  config.room = room;
  config.token = token;
  config.dtls_context = aegis::dtls::DtlsContext::Create(cert);
  config.rng = &rng;
  config.publish_audio = publish;
  config.publish_video = publish;
  Client client(std::move(config));

  asio::io_context io;
  asio::ssl::context tls_context(asio::ssl::context::tls_client);
  std::optional<beast::websocket::stream<asio::ip::tcp::socket>> plain;
  std::optional<beast::websocket::stream<beast::ssl_stream<asio::ip::tcp::socket>>> secure;
  std::string pinned_mismatch;
  udp::socket sockets[2] = {udp::socket(io), udp::socket(io)};
  try {
    asio::ip::tcp::resolver resolver(io);
    auto endpoints = resolver.resolve(url->host, url->port);
    if (url->tls) {
      tls_context.set_verify_mode(asio::ssl::verify_peer);
      if (!ca_file.empty()) tls_context.load_verify_file(ca_file);
      if (!tls_fingerprint.empty()) {
        // Pinned: exactly this leaf certificate, whoever issued it.
        tls_context.set_verify_callback([&](bool, asio::ssl::verify_context& vc) {
          X509_STORE_CTX* store = vc.native_handle();
          if (X509_STORE_CTX_get_error_depth(store) != 0) return true;
          const std::string got = LeafFingerprint(X509_STORE_CTX_get_current_cert(store));
          if (got == tls_fingerprint) return true;
          pinned_mismatch = got;
          return false;
        });
      } else {
        tls_context.set_default_verify_paths();
        tls_context.set_verify_callback(asio::ssl::host_name_verification(url->host));
      }
      secure.emplace(io, tls_context);
      boost::system::error_code ec;
      asio::ip::make_address(url->host, ec);
      if (ec) SSL_set_tlsext_host_name(secure->next_layer().native_handle(), url->host.c_str());  // SNI for names
      asio::connect(beast::get_lowest_layer(*secure), endpoints);
      secure->next_layer().handshake(asio::ssl::stream_base::client);
      secure->handshake(url->host + ":" + url->port, url->path);
    } else {
      plain.emplace(io);
      asio::connect(plain->next_layer(), endpoints);
      plain->handshake(url->host + ":" + url->port, url->path);
    }
    for (auto& s : sockets) {
      s.open(udp::v4());
      s.bind(udp::endpoint(udp::v4(), 0));
      s.non_blocking(true);
    }
  } catch (const std::exception& e) {
    if (!pinned_mismatch.empty()) {
      std::fprintf(stderr, "aegis-bot: cannot connect to %s: the server's certificate is SHA-256 %s, not the --tls-fingerprint given\n",
                   url_text.c_str(), pinned_mismatch.c_str());
    } else {
      std::fprintf(stderr, "aegis-bot: cannot connect to %s: %s\n", url_text.c_str(), e.what());
    }
    return 1;
  }
  auto ws_write = [&](asio::const_buffer buffer, auto handler) {
    if (plain) {
      plain->text(true);
      plain->async_write(buffer, std::move(handler));
    } else {
      secure->text(true);
      secure->async_write(buffer, std::move(handler));
    }
  };
  auto ws_read = [&](beast::flat_buffer& buffer, auto handler) {
    if (plain) {
      plain->async_read(buffer, std::move(handler));
    } else {
      secure->async_read(buffer, std::move(handler));
    }
  };

  // Signaling: one async read at a time; writes queued, one in flight.
  std::deque<std::string> writes;
  bool writing = false;
  bool ws_closed = false;
  beast::flat_buffer read_buffer;
  std::function<void()> flush_writes = [&] {
    if (writing || writes.empty() || ws_closed) return;
    writing = true;
    ws_write(asio::buffer(writes.front()), [&](beast::error_code ec, size_t) {
      writing = false;
      if (ec) {
        ws_closed = true;
        return;
      }
      writes.pop_front();
      flush_writes();
    });
  };
  std::function<void()> read_next = [&] {
    ws_read(read_buffer, [&](beast::error_code ec, size_t) {
      if (ec) {
        ws_closed = true;
        return;
      }
      const std::string text = beast::buffers_to_string(read_buffer.data());
      read_buffer.consume(read_buffer.size());
      client.HandleSignal(text, Now());
      read_next();
    });
  };
  writes.push_back(client.Start());
  flush_writes();
  read_next();

  const Timestamp start = Now();
  Timestamp next_audio = start, next_video = start, next_stats = start + TimeDelta::Seconds(1);
  const std::vector<uint8_t> audio_payload(80, 0xA5);
  const size_t frame_bytes = std::max<size_t>(100, static_cast<size_t>(video_kbps) * 1000 / 8 / 30);
  int exit_code = 0;
  bool reported_join = false;
  std::array<uint8_t, 2048> buffer;

  asio::steady_timer timer(io);
  std::function<void()> tick = [&] {
    const Timestamp now = Now();
    // Datagrams in.
    for (int i = 0; i < 2; ++i) {
      for (;;) {
        udp::endpoint from;
        boost::system::error_code ec;
        const size_t n = sockets[i].receive_from(asio::buffer(buffer), from, 0, ec);
        if (ec) break;
        auto addr = aegis::stun::TransportAddress::FromString(from.address().to_string(), from.port());
        if (!addr) continue;
        client.HandleDatagram(static_cast<Connection>(i), std::span<uint8_t>(buffer.data(), n), *addr, now);
      }
    }
    client.HandleTimeout(now);
    if (!reported_join && client.state() == aegis::client::ClientState::kJoined) {
      reported_join = true;
      std::printf("joined room %s as %s\n", room.c_str(), client.participant_id().c_str());
      std::fflush(stdout);
    }
    // Test pattern.
    if (publish && client.publisher_connected()) {
      while (next_audio <= now) {
        client.SendAudio(audio_payload, 960, now);
        next_audio += TimeDelta::Millis(20);
      }
      while (next_video <= now) {
        for (size_t off = 0, first = 1; off < frame_bytes; off += 1100, first = 0) {
          const size_t len = std::min<size_t>(1100, frame_bytes - off);
          std::vector<uint8_t> p(len + 1, 0x80);
          p[0] = first ? 0x10 : 0x00;  // VP8 payload descriptor: S bit, partition 0
          client.SendVideo(p, off + len >= frame_bytes, first ? 3000 : 0, now);
        }
        next_video += TimeDelta::Micros(33'333);
      }
    } else {
      next_audio = next_video = now;
    }
    // Out.
    while (auto s = client.PollSignal()) writes.push_back(std::move(*s));
    flush_writes();
    while (auto d = client.PollTransmit()) {
      boost::system::error_code ec;
      const udp::endpoint to(asio::ip::make_address(d->to.IpString(), ec), d->to.port);
      if (ec) continue;
      sockets[static_cast<int>(d->connection)].send_to(asio::buffer(d->bytes), to, 0, ec);
    }
    if (now >= next_stats) {
      PrintStats(client, static_cast<double>((now - start).us()) / 1e6, false);
      next_stats += TimeDelta::Seconds(1);
    }
    if (client.state() == aegis::client::ClientState::kFailed) {
      std::fprintf(stderr, "aegis-bot: refused: %s: %s\n", client.error()->code.c_str(),
                   client.error()->message.c_str());
      exit_code = 1;
      io.stop();
      return;
    }
    if (ws_closed) {
      std::fprintf(stderr, "aegis-bot: the signaling connection closed\n");
      exit_code = 1;
      io.stop();
      return;
    }
    if (g_stop || (seconds >= 0 && (now - start).us() >= static_cast<int64_t>(seconds * 1e6))) {
      io.stop();
      return;
    }
    timer.expires_after(std::chrono::milliseconds(5));
    timer.async_wait([&](beast::error_code) { tick(); });
  };
  tick();
  io.run();
  PrintStats(client, static_cast<double>((Now() - start).us()) / 1e6, true);
  return exit_code;
}
