#include "load/load_options.h"

#include <cstdio>
#include <cstdlib>
#include <random>

#include "load/metrics_scrape.h"

namespace aegis::load {
namespace {

constexpr const char* kUsage =
    "usage: aegis-load --url wss://HOST:PORT/ws (--data DIR | --secret-file FILE) [options]\n"
    "       aegis-load --target janus --janus-url http://HOST:PORT/janus [options]\n"
    "\n"
    "Load generator: N rooms x P publishers x S subscribers against an Aegis server,\n"
    "each a real participant (its own token, signaling WebSocket, publisher and\n"
    "subscriber connections, DTLS-SRTP), all in this one process. Publishers send\n"
    "Opus-like audio (50 packets/s) and VP8-like video; subscribers measure loss,\n"
    "reordering, one-way latency (send stamps in the payloads, this process's clock)\n"
    "and receive rate. A progress line each second on stderr; the figures as one JSON\n"
    "document on stdout. scripts/capacity.sh runs it against a server in its own\n"
    "network namespace.\n"
    "\n"
    "target:\n"
    "  --url URL              signaling WebSocket, ws:// (loopback) or wss://\n"
    "  --tls-fingerprint F    wss://: trust exactly the certificate with this SHA-256\n"
    "                         fingerprint (as aegis serve prints it)\n"
    "  --ca-file PEM          wss://: trust these CA certificates too\n"
    "  --data DIR             the server's data folder: its API key mints the tokens\n"
    "  --secret-file FILE     or the API secret itself, as hex text (32-64 bytes)\n"
    "  --server-pid PID       report the server process's CPU time and resident memory\n"
    "                         (from /proc): before the first join, once connected, at the\n"
    "                         end; the growth per participant and per track\n"
    "  --metrics-url URL      the server's /metrics (https://HOST:PORT/metrics, the same\n"
    "                         trust as --url): its own counters per measured window\n"
    "                         (RTP received/forwarded, drops, worker CPU, gauges)\n"
    "  --metrics-token-file F the bearer token of aegis serve --metrics-token-file\n"
    "                         (needed unless the server sees a loopback client)\n"
    "  --target aegis|janus   janus: the same load against a Janus videoroom over its\n"
    "                         HTTP API (bench/janus/); --url, --data, --secret-file\n"
    "                         are not used then\n"
    "  --janus-url URL        http://HOST:PORT/janus\n"
    "  --janus-room N         the first Janus room id; room r is N + r (default 1)\n"
    "load:\n"
    "  --rooms N              rooms (default 1)\n"
    "  --publishers N         publishers per room, audio + video each (default 1)\n"
    "  --subscribers N        subscribers per room (default 2)\n"
    "  --duration S           measured seconds after everyone connected (default 20)\n"
    "  --video-kbps N         video bitrate per publisher (default 1200)\n"
    "  --fps N                video frames per second (default 30)\n"
    "  --keyframe-interval-ms N  (default 2000; a keyframe is 5x a delta frame)\n"
    "  --packet-bytes N       largest video RTP payload (default 1200)\n"
    "  --tick-us N            the send loop's period: what every publisher has due\n"
    "                         leaves together each tick (default 2000)\n"
    "  --pacing-factor X      video leaves at X times its bitrate, as a browser's pacer\n"
    "                         sends it (default 2.5); 0: each frame in one burst\n"
    "  --audio-bytes N        audio RTP payload (default 100)\n"
    "  --source-ip IP         bind participant k to IP + (k mod --source-count): the\n"
    "  --source-count N       server limits joins and connections per address\n"
    "                         (10 joins at once, then 1/s); default: any address\n"
    "  --room-prefix P        room names P-0, P-1, ... (default load-<random>)\n"
    "  --connect-timeout S    seconds for a step's participants to connect (default 30)\n"
    "  --idle                 publishers join and connect but send no media for\n"
    "                         --duration (the server's memory of idle participants);\n"
    "                         then they send for another --duration (its growth with\n"
    "                         media). Not with --ramp\n"
    "ramp:\n"
    "  --ramp                 add --ramp-step subscribers to every room per step until a\n"
    "                         step fails; report the largest load that passed\n"
    "  --ramp-by rooms        add --ramp-step rooms (P publishers + S subscribers each)\n"
    "  --ramp-step N          (default: --subscribers, or --rooms)\n"
    "  --ramp-max N           subscribers per room, or rooms (default 256-P, or 64)\n"
    "  --step-seconds S       measured seconds per step (default 5)\n"
    "  --max-loss-percent X   a step passes below this loss (default 0.5)\n"
    "  --max-p99-ms X         and below this p99 one-way latency (default 50)\n"
    "other:\n"
    "  --quiet                no progress lines\n"
    "  --help                 this text\n"
    "  --version              print the version\n"
    "\n"
    "Exit status: 0 with media received (--ramp: a passing step; --idle: in the media\n"
    "window), 1 on a failure (a participant did not connect, nothing received), 2 on\n"
    "bad usage.\n";

int Usage(const std::string& message) {
  std::fprintf(stderr, "aegis-load: %s\n%s", message.c_str(), kUsage);
  return 2;
}

std::optional<double> Number(const std::string& text, double min, double max) {
  char* end = nullptr;
  const double v = std::strtod(text.c_str(), &end);
  if (text.empty() || *end != '\0' || !(v >= min && v <= max)) return std::nullopt;
  return v;
}

}  // namespace

std::optional<int> ParseLoadOptions(int argc, char** argv, LoadOptions& o, const char* version) {
  std::string source_ip;
  size_t source_count = 1;
  bool have_step = false, have_max = false;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    if (a == "--help" || a == "-h") {
      std::fputs(kUsage, stdout);
      return 0;
    }
    if (a == "--version") {
      std::printf("aegis-load %s\n", version);
      return 0;
    }
    if (a == "--quiet") {
      o.quiet = true;
      continue;
    }
    if (a == "--ramp") {
      o.ramp = true;
      continue;
    }
    if (a == "--idle") {
      o.idle = true;
      continue;
    }
    if (i + 1 >= argc) return Usage(a.rfind("--", 0) == 0 ? a + " needs a value" : "unknown argument " + a);
    const std::string v = argv[++i];
    auto num = [&](double min, double max) -> std::optional<double> { return Number(v, min, max); };
    std::optional<double> n;
    if (a == "--target" && (v == "aegis" || v == "janus")) {
      o.janus = v == "janus";
    } else if (a == "--janus-url") {
      o.janus_url_text = v;
    } else if (a == "--janus-room" && (n = num(1, 1e15))) {
      o.janus_room = static_cast<uint64_t>(*n);
    } else if (a == "--url") {
      o.url_text = v;
    } else if (a == "--tls-fingerprint") {
      o.tls_fingerprint = client::NormalizeFingerprint(v);
    } else if (a == "--ca-file") {
      o.ca_file = v;
    } else if (a == "--data") {
      o.data_dir = v;
    } else if (a == "--secret-file") {
      o.secret_file = v;
    } else if (a == "--server-pid" && (n = num(1, 1 << 30))) {
      o.server_pid = static_cast<int>(*n);
    } else if (a == "--metrics-url") {
      o.metrics_url_text = v;
    } else if (a == "--metrics-token-file") {
      o.metrics_token_file = v;
    } else if (a == "--rooms" && (n = num(1, 10000))) {
      o.rooms = static_cast<size_t>(*n);
    } else if (a == "--publishers" && (n = num(1, 256))) {
      o.publishers = static_cast<size_t>(*n);
    } else if (a == "--subscribers" && (n = num(0, 256))) {
      o.subscribers = static_cast<size_t>(*n);
    } else if (a == "--duration" && (n = num(1, 3600))) {
      o.duration_s = *n;
    } else if (a == "--video-kbps" && (n = num(0, 100000))) {
      o.media.video = *n > 0;
      o.media.video_bitrate_bps = static_cast<int64_t>(*n * 1000);
    } else if (a == "--fps" && (n = num(1, 120))) {
      o.media.video_fps = static_cast<int>(*n);
    } else if (a == "--keyframe-interval-ms" && (n = num(1, 600000))) {
      o.media.keyframe_interval_ms = static_cast<int64_t>(*n);
    } else if (a == "--tick-us" && (n = num(100, 100000))) {
      o.tick_us = static_cast<int64_t>(*n);
    } else if (a == "--pacing-factor" && (n = num(0, 100))) {
      o.media.pacing_factor = *n;
    } else if (a == "--packet-bytes" && (n = num(100, 1400))) {
      o.media.max_packet_bytes = static_cast<size_t>(*n);
    } else if (a == "--audio-bytes" && (n = num(0, 1200))) {
      o.media.audio = *n > 0;
      o.media.audio_payload_bytes = static_cast<size_t>(*n);
    } else if (a == "--source-ip") {
      source_ip = v;
    } else if (a == "--source-count" && (n = num(1, 65536))) {
      source_count = static_cast<size_t>(*n);
    } else if (a == "--room-prefix") {
      o.room_prefix = v;
    } else if (a == "--connect-timeout" && (n = num(1, 600))) {
      o.connect_timeout_s = static_cast<int>(*n);
    } else if (a == "--ramp-by" && (v == "rooms" || v == "subscribers")) {
      o.ramp_by_rooms = v == "rooms";
    } else if (a == "--ramp-step" && (n = num(1, 10000))) {
      o.ramp_step = static_cast<size_t>(*n);
      have_step = true;
    } else if (a == "--ramp-max" && (n = num(1, 10000))) {
      o.ramp_max = static_cast<size_t>(*n);
      have_max = true;
    } else if (a == "--step-seconds" && (n = num(1, 600))) {
      o.step_seconds = *n;
    } else if (a == "--max-loss-percent" && (n = num(0, 100))) {
      o.ramp_max_loss_percent = *n;
    } else if (a == "--max-p99-ms" && (n = num(0, 100000))) {
      o.ramp_max_p99_ms = *n;
    } else {
      return Usage("unknown option or bad value: " + a + " " + v);
    }
  }
  if (o.janus) {
    auto url = janus::JanusUrl::Parse(o.janus_url_text);
    if (!url) return Usage("--target janus needs --janus-url http://HOST:PORT/PATH");
    o.janus_url = *url;
  } else {
    auto url = client::WsUrl::Parse(o.url_text);
    if (!url) return Usage("--url ws://... or wss://... is required");
    o.url = *url;
    if (o.data_dir.empty() == o.secret_file.empty()) return Usage("give one of --data and --secret-file");
  }
  if (!o.metrics_url_text.empty()) {
    o.metrics_url = ParseMetricsUrl(o.metrics_url_text);
    if (!o.metrics_url) return Usage("--metrics-url: https://HOST:PORT/metrics or http://...");
  } else if (!o.metrics_token_file.empty()) {
    return Usage("--metrics-token-file needs --metrics-url");
  }
  if (o.idle && o.ramp) return Usage("--idle and --ramp do not go together");
  if (!o.media.audio && !o.media.video) return Usage("no media: --audio-bytes 0 and --video-kbps 0");
  if (!source_ip.empty()) {
    boost::system::error_code ec;
    auto first = boost::asio::ip::make_address_v4(source_ip, ec);
    if (ec) return Usage("--source-ip: not an IPv4 address: " + source_ip);
    for (size_t k = 0; k < source_count; ++k) {
      o.source_addresses.push_back(boost::asio::ip::address_v4(first.to_uint() + static_cast<uint32_t>(k)));
    }
  }
  if (o.room_prefix.empty()) {
    std::random_device rd;
    char tag[16];
    std::snprintf(tag, sizeof tag, "%06x", rd() & 0xffffff);
    o.room_prefix = std::string("load-") + tag;
  }
  if (!have_step) o.ramp_step = o.ramp_by_rooms ? o.rooms : std::max<size_t>(1, o.subscribers);
  if (!have_max) o.ramp_max = o.ramp_by_rooms ? 64 : 256 - std::min<size_t>(o.publishers, 255);
  return std::nullopt;
}

nlohmann::json OptionsJson(const LoadOptions& o) {
  nlohmann::json j;
  j["target"] = o.janus ? "janus" : "aegis";
  j["url"] = o.janus ? o.janus_url_text : o.url_text;
  if (o.janus) j["janus_first_room"] = o.janus_room;
  j["rooms"] = o.rooms;
  j["publishers_per_room"] = o.publishers;
  j["subscribers_per_room"] = o.subscribers;
  j["duration_seconds"] = o.duration_s;
  j["audio"] = o.media.audio ? nlohmann::json{{"packets_per_s", 50}, {"payload_bytes", o.media.audio_payload_bytes}}
                             : nlohmann::json(nullptr);
  j["video"] = o.media.video ? nlohmann::json{{"bitrate_kbps", o.media.video_bitrate_bps / 1000},
                                              {"fps", o.media.video_fps},
                                              {"keyframe_interval_ms", o.media.keyframe_interval_ms},
                                              {"keyframe_size_factor", o.media.keyframe_size_factor},
                                              {"max_packet_bytes", o.media.max_packet_bytes},
                                              {"pacing_factor", o.media.pacing_factor}}
                             : nlohmann::json(nullptr);
  j["source_addresses"] = o.source_addresses.size();
  j["room_prefix"] = o.room_prefix;
  j["idle"] = o.idle;
  j["tick_us"] = o.tick_us;
  if (o.metrics_url) j["metrics_url"] = o.metrics_url_text;
  if (o.ramp) {
    j["ramp"] = {{"by", o.ramp_by_rooms ? "rooms" : "subscribers"}, {"step", o.ramp_step}, {"max", o.ramp_max},
                 {"step_seconds", o.step_seconds}};
  }
  return j;
}

}  // namespace aegis::load
