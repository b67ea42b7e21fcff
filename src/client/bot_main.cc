// aegis-bot: joins a room with a token, publishes a test pattern (a 440 Hz
// tone in Opus, moving bars in VP8 at 320x240, 30 frames/s: real media a
// browser decodes, src/media) and prints per-track receive statistics once
// a second and on exit, with what it decoded of each track. The I/O shell
// around aegis::client::Client: one WebSocket (client/ws_channel.h, ws:// or
// wss://), one UDP socket per peer connection, a 5 ms tick.
#include <map>
#include <memory>
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
#include "media/opus_decoder.h"
#include "media/opus_encoder.h"
#include "media/test_pattern.h"
#include "media/vp8_decoder.h"
#include "media/vp8_encoder.h"
#include "media/vp8_packetizer.h"

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
    "Joins an Aegis room as a native client, publishes a test pattern (a tone in\n"
    "Opus, moving bars in VP8 at 320x240, 30 frames/s) and prints per-track receive\n"
    "statistics once a second and on exit, with the frames it decoded of each.\n"
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
    "  --video-kbps N     video bitrate, 30-5000 (default 300)\n"
    "  --no-publish       receive only\n"
    "  --help             this text\n"
    "  --version          print the version\n"
    "\n"
    "The server's keyframe requests (PLI, FIR) are honoured. E2EE-required rooms\n"
    "refuse the bot.\n"
    "Exit status: 0 after --seconds, 1 on a refusal or failure, 2 on bad usage.\n";

volatile std::sig_atomic_t g_stop = 0;
void OnSignal(int) { g_stop = 1; }

Timestamp Now() {
  return Timestamp::Micros(
      std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::steady_clock::now().time_since_epoch())
          .count());
}

// What the bot made of each received track (by SSRC).
struct Decoded {
  std::map<uint32_t, std::unique_ptr<aegis::media::Vp8Decoder>> video;
  std::map<uint32_t, std::unique_ptr<aegis::media::OpusAudioDecoder>> audio;

  void OnFrame(const aegis::client::ReceivedFrame& frame) {
    if (frame.video) {
      auto& decoder = video[frame.ssrc];
      if (!decoder) {
        if (auto made = aegis::media::Vp8Decoder::Create(); made.ok()) decoder = std::move(*made);
      }
      if (decoder) decoder->Decode(frame.data, frame.keyframe);
    } else {
      auto& decoder = audio[frame.ssrc];
      if (!decoder) {
        if (auto made = aegis::media::OpusAudioDecoder::Create(); made.ok()) decoder = std::move(*made);
      }
      if (decoder) decoder->Decode(frame.data);
    }
  }
  std::string Describe(uint32_t ssrc) const {
    char text[96] = "";
    if (auto v = video.find(ssrc); v != video.end() && v->second) {
      std::snprintf(text, sizeof text, " decoded=%llu size=%dx%d decode_errors=%llu",
                    static_cast<unsigned long long>(v->second->frames_decoded()), v->second->width(),
                    v->second->height(), static_cast<unsigned long long>(v->second->errors()));
    } else if (auto a = audio.find(ssrc); a != audio.end() && a->second) {
      std::snprintf(text, sizeof text, " decoded=%llu level=%.0fdBFS decode_errors=%llu",
                    static_cast<unsigned long long>(a->second->packets_decoded()), a->second->last_level_dbfs(),
                    static_cast<unsigned long long>(a->second->errors()));
    }
    return text;
  }
};

void PrintStats(const Client& client, const Decoded& decoded, double elapsed_s, bool final) {
  std::printf("%s t=%.1fs sent=%llu srtp_errors=%llu tracks=%zu\n", final ? "final" : "stats", elapsed_s,
              static_cast<unsigned long long>(client.packets_sent()),
              static_cast<unsigned long long>(client.srtp_errors()), client.receive_stats().size());
  for (const auto& t : client.receive_stats()) {
    std::printf("  track ssrc=%u participant=%s track=%s kind=%s packets=%llu bytes=%llu lost=%llu%s\n", t.ssrc,
                t.participant_id.empty() ? "?" : t.participant_id.c_str(), t.track_id.empty() ? "?" : t.track_id.c_str(),
                t.payload_type == Client::kOpusPayloadType ? "audio" : "video",
                static_cast<unsigned long long>(t.packets), static_cast<unsigned long long>(t.bytes),
                static_cast<unsigned long long>(t.lost), decoded.Describe(t.ssrc).c_str());
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
      if (video_kbps < 30 || video_kbps > 5000) {
        std::fprintf(stderr, "aegis-bot: --video-kbps must be 30-5000\n%s", kUsage);
        return 2;
      }
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
  Decoded decoded;
  client.on_frame = [&](const aegis::client::ReceivedFrame& frame) { decoded.OnFrame(frame); };
  auto video_encoder = aegis::media::Vp8Encoder::Create({.width = 320, .height = 240, .fps = 30,
                                                         .target_kbps = video_kbps, .keyframe_interval = 90});
  auto audio_encoder = aegis::media::OpusAudioEncoder::Create();
  if (!video_encoder.ok() || !audio_encoder.ok()) {
    std::fprintf(stderr, "aegis-bot: cannot set up the encoders: %s\n",
                 (!video_encoder.ok() ? video_encoder.error() : audio_encoder.error()).c_str());
    return 1;
  }
  client.on_keyframe_request = [&] { (*video_encoder)->RequestKeyframe(); };
  aegis::media::TestPatternVideo pattern(320, 240);
  aegis::media::TestToneAudio tone;

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
  uint64_t video_frame_index = 0;
  uint32_t video_timestamp_step = 0;  // 90 kHz ticks since the last frame sent (dropped ones add up)
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
        if (auto packet = (*audio_encoder)->Encode(tone.Next()); packet.ok()) client.SendAudio(*packet, 960, now);
        next_audio += TimeDelta::Millis(20);
      }
      while (next_video <= now) {
        video_timestamp_step += 3000;
        auto frame = (*video_encoder)->Encode(pattern.Render(video_frame_index++));
        if (frame.ok() && !frame->data.empty()) {
          const auto payloads = aegis::media::PacketizeVp8(frame->data);
          for (size_t i = 0; i < payloads.size(); ++i) {
            client.SendVideo(payloads[i], i + 1 == payloads.size(), i == 0 ? video_timestamp_step : 0, now);
          }
          video_timestamp_step = 0;
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
      PrintStats(client, decoded, static_cast<double>((now - start).us()) / 1e6, false);
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
  PrintStats(client, decoded, static_cast<double>((Now() - start).us()) / 1e6, true);
  return exit_code;
}
