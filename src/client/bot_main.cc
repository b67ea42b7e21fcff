// aegis-bot: joins a room with a token, publishes a test pattern (Opus-like
// audio 50 packets/s, VP8-like video at a bitrate) and prints per-track
// receive statistics once a second and on exit. The I/O shell around
// aegis::client::Client: one WebSocket (client/ws_channel.h, ws:// or wss://),
// one UDP socket per peer connection, a 5 ms tick.
//
// The payloads are not decodable media: audio is 80 bytes of a constant
// pattern per 20 ms (PT 111, 960 ticks), video a VP8 payload descriptor
// (S bit on the first packet of a frame) followed by filler, 30 frames/s.
#include <utility>

#include <boost/asio.hpp>
#include <boost/asio/ssl.hpp>

#include <chrono>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>

#include "client/client.h"
#include "client/ws_channel.h"
#include "crypto/secure_random.h"
#include "dtls/certificate.h"

#ifndef AEGIS_VERSION
#define AEGIS_VERSION "dev"
#endif

namespace asio = boost::asio;
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
      tls_fingerprint = aegis::client::NormalizeFingerprint(value());
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
  auto url = aegis::client::WsUrl::Parse(url_text);
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
  std::optional<asio::ssl::context> tls_context;
  try {
    if (url->tls) tls_context.emplace(aegis::client::MakeTlsClientContext(ca_file));
  } catch (const std::exception& e) {
    std::fprintf(stderr, "aegis-bot: cannot read --ca-file %s: %s\n", ca_file.c_str(), e.what());
    return 1;
  }
  udp::socket sockets[2] = {udp::socket(io), udp::socket(io)};
  for (auto& s : sockets) {
    s.open(udp::v4());
    s.bind(udp::endpoint(udp::v4(), 0));
    s.non_blocking(true);
  }
  // Signaling: the join goes out once the WebSocket is open.
  aegis::client::WsChannel channel(io, tls_context ? &*tls_context : nullptr, *url,
                                   aegis::client::WsOptions{tls_fingerprint, std::nullopt});
  bool ws_closed = false;
  bool connect_failed = false;
  channel.on_message = [&](std::string_view text) { client.HandleSignal(text, Now()); };
  channel.on_close = [&](const std::string& error, bool was_open) {
    ws_closed = true;
    if (!was_open) {
      std::fprintf(stderr, "aegis-bot: cannot connect to %s: %s\n", url_text.c_str(), error.c_str());
      connect_failed = true;
      io.stop();
    }
  };
  channel.Send(client.Start());
  channel.Connect();
  // Media waits until the signaling connection is up.
  while (!channel.is_open() && !connect_failed && !g_stop && io.run_one() > 0) {
  }
  if (connect_failed) return 1;
  if (!channel.is_open()) return 1;

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
    while (auto s = client.PollSignal()) channel.Send(std::move(*s));
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
    timer.async_wait([&](boost::system::error_code) { tick(); });
  };
  tick();
  io.run();
  PrintStats(client, static_cast<double>((Now() - start).us()) / 1e6, true);
  return exit_code;
}
