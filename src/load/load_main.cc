// aegis-load: N rooms x P publishers x S subscribers against an Aegis server,
// each a real participant (its own token, signaling WebSocket, publisher and
// subscriber connections with DTLS-SRTP), all in one process on one event
// loop. Progress once a second on stderr; the figures as one JSON document on
// stdout. See kUsage.
#include <sys/resource.h>

#include <algorithm>
#include <cctype>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <iterator>

#include "base/hex.h"
#include "crypto/secure_random.h"
#include "dtls/certificate.h"
#include "load/aegis_peer.h"
#include "load/janus_http_link.h"
#include "load/janus_peer.h"
#include "load/load_options.h"
#include "load/load_report.h"
#include "load/metrics_scrape.h"
#include "store/data_folder.h"

#ifndef AEGIS_VERSION
#define AEGIS_VERSION "dev"
#endif

namespace asio = boost::asio;
using namespace aegis;
using namespace aegis::load;

namespace {

volatile std::sig_atomic_t g_stop = 0;
void OnSignal(int) { g_stop = 1; }

int64_t UnixNow() {
  return std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count();
}

std::optional<auth::ApiSecret> LoadSecret(const LoadOptions& o, std::string& error) {
  if (!o.data_dir.empty()) {
    auto data = store::DataFolder::Open(o.data_dir);
    if (!data) return error = "cannot open the data folder: " + data.error().message, std::nullopt;
    auto key = data->CurrentApiKey();
    if (!key) return error = "no API key in the data folder: " + key.error().message, std::nullopt;
    auto secret = auth::ApiSecret::FromBytes(key->secret.view());
    if (!secret) return error = "the stored API key is unusable", std::nullopt;
    return std::move(*secret);
  }
  std::ifstream in(o.secret_file);
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  if (!in.good() && !in.eof()) return error = "cannot read " + o.secret_file, std::nullopt;
  std::string hex;
  for (char c : text) {
    if (!std::isspace(static_cast<unsigned char>(c))) hex += c;
  }
  auto bytes = FromHex(hex);
  if (!bytes) return error = o.secret_file + ": not hex text", std::nullopt;
  auto secret = auth::ApiSecret::FromBytes(*bytes);
  if (!secret) return error = o.secret_file + ": the secret must be 32-64 bytes", std::nullopt;
  return std::move(*secret);
}

// Room r's participants: its publishers, then subscribers first..last-1.
void AddRoom(LoadLoop& loop, const LoadOptions& o, size_t r, size_t first_sub, size_t last_sub, bool publishers) {
  const std::string room = o.room_prefix + "-" + std::to_string(r);
  if (publishers) {
    for (size_t i = 0; i < o.publishers; ++i) {
      loop.Add({r, room, room + "-pub" + std::to_string(i), PeerRole::kPublisher});
    }
  }
  for (size_t i = first_sub; i < last_sub; ++i) {
    loop.Add({r, room, room + "-sub" + std::to_string(i), PeerRole::kSubscriber});
  }
}

// The token file's text without surrounding white space; nullopt if unreadable.
std::optional<std::string> ReadToken(const std::string& path) {
  std::ifstream in(path);
  if (!in) return std::nullopt;
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  const size_t first = text.find_first_not_of(" \t\r\n");
  if (first == std::string::npos) return std::string();
  return text.substr(first, text.find_last_not_of(" \t\r\n") - first + 1);
}

class Runner {
 public:
  // `metrics`: the server's /metrics, scraped around every measured window (or null).
  Runner(LoadLoop& loop, const LoadOptions& o, asio::io_context& io, const ScrapeTarget* metrics)
      : loop_(loop), o_(o), io_(io), metrics_(metrics) {}

  // Runs `seconds`, a progress line each second; the whole span as a window.
  Window Measure(double seconds, const std::string& label) {
    Window whole = Begin(/*scrape=*/true);
    Window second = Begin(false);
    const int64_t end = whole.before.at_ns + static_cast<int64_t>(seconds * 1e9);
    for (;;) {
      const int64_t now = MonotonicNs();
      if (g_stop || now >= end) break;
      const int64_t next = std::min(end, second.before.at_ns + 1'000'000'000);
      if (now < next) loop_.RunFor(TimeDelta::Micros((next - now) / 1000 + 1));
      if (MonotonicNs() < second.before.at_ns + 1'000'000'000) continue;
      End(second, false);
      if (!o_.quiet) {
        std::fprintf(stderr, "aegis-load: %s t=%.0fs %s\n", label.c_str(),
                     static_cast<double>(second.after.at_ns - whole.before.at_ns) / 1e9, ProgressLine(second).c_str());
      }
      second = Begin(false);
    }
    End(whole, /*scrape=*/true);
    return whole;
  }

  bool Connect(const std::string& label) {
    const bool ok = loop_.RunUntilConnected(TimeDelta::Seconds(o_.connect_timeout_s));
    const LoopSnapshot s = loop_.Snapshot();
    if (!o_.quiet) {
      std::fprintf(stderr, "aegis-load: %s: %zu/%zu participants connected, %zu failed\n", label.c_str(), s.connected,
                   s.participants, s.failed);
      for (const auto& [error, n] : s.errors) std::fprintf(stderr, "aegis-load:   %zu x %s\n", n, error.c_str());
    }
    return ok;
  }

 private:
  // The server's counters now, the loop running meanwhile (participants keep sending).
  void Scrape(Window& w, std::optional<ServerMetrics>& into) {
    if (!metrics_ || !w.metrics_error.empty()) return;
    bool finished = false;
    ScrapeMetrics(io_, *metrics_, [&](std::string body, std::string error) {
      finished = true;
      if (!error.empty()) {
        w.metrics_error = "GET " + o_.metrics_url_text + ": " + error;
        return;
      }
      const PromText text = ParsePrometheusText(body);
      w.metrics_malformed += text.malformed;
      into = SumServerMetrics(text);
    });
    while (!finished) loop_.RunFor(TimeDelta::Millis(1));  // the scrape times out within 3 s
  }
  // Scraped first, then the snapshot, at both ends: both spans line up.
  Window Begin(bool scrape) {
    Window w;
    if (scrape) Scrape(w, w.metrics_before);
    w.before = loop_.Snapshot();
    w.load_cpu_s = OwnCpuSeconds();  // the start, until End
    if (o_.server_pid > 0) w.server_cpu_s = ProcessCpuSeconds(o_.server_pid);
    w.cores_before = ReadCoreTicks();
    w.udp_before = ReadUdpDrops();
    return w;
  }
  void End(Window& w, bool scrape) {
    if (scrape) Scrape(w, w.metrics_after);
    w.after = loop_.Snapshot();
    w.cores_after = ReadCoreTicks();
    w.udp_after = ReadUdpDrops();
    w.load_cpu_s = OwnCpuSeconds() - w.load_cpu_s;
    if (w.server_cpu_s) {
      auto now = ProcessCpuSeconds(o_.server_pid);
      w.server_cpu_s = now ? std::optional<double>(*now - *w.server_cpu_s) : std::nullopt;
    }
  }

  LoadLoop& loop_;
  const LoadOptions& o_;
  asio::io_context& io_;
  const ScrapeTarget* metrics_;
};

bool Passes(const nlohmann::json& window, const LoadOptions& o) {
  const auto& a = window["aggregate"];
  return window["failed"] == 0 && a["received"].get<uint64_t>() > 0 &&
         a["loss_percent"].get<double>() < o.ramp_max_loss_percent &&
         a["latency_p99_ms"].get<double>() < o.ramp_max_p99_ms;
}

}  // namespace

int main(int argc, char** argv) {
  LoadOptions o;
  if (auto exit_code = ParseLoadOptions(argc, argv, o, AEGIS_VERSION)) return *exit_code;
  std::string error;
  std::optional<auth::ApiSecret> secret;
  if (!o.janus) secret = LoadSecret(o, error);
  if (!secret && !o.janus) {
    std::fprintf(stderr, "aegis-load: %s\n", error.c_str());
    return 1;
  }
  // Every participant holds a TCP connection and two UDP sockets.
  rlimit files{};
  if (getrlimit(RLIMIT_NOFILE, &files) == 0 && files.rlim_cur < files.rlim_max) {
    files.rlim_cur = files.rlim_max;
    setrlimit(RLIMIT_NOFILE, &files);
  }
  std::signal(SIGINT, OnSignal);
  std::signal(SIGTERM, OnSignal);
  std::signal(SIGPIPE, SIG_IGN);

  crypto::SecureRandom rng;
  auto cert = dtls::Certificate::Generate(rng, std::chrono::floor<std::chrono::seconds>(std::chrono::system_clock::now()));
  auto dtls_context = dtls::DtlsContext::Create(cert);  // one certificate for every participant
  asio::io_context io;
  std::optional<asio::ssl::context> tls;
  try {
    if (o.url.tls || (o.metrics_url && o.metrics_url->tls)) tls.emplace(client::MakeTlsClientContext(o.ca_file));
  } catch (const std::exception& e) {
    std::fprintf(stderr, "aegis-load: cannot read --ca-file %s: %s\n", o.ca_file.c_str(), e.what());
    return 1;
  }
  LoopConfig config;
  config.url = o.url;
  config.ws.pinned_fingerprint = o.tls_fingerprint;
  config.tls = tls ? &*tls : nullptr;
  config.source_addresses = o.source_addresses;
  config.media = o.media;
  config.tick = TimeDelta::Micros(o.tick_us);
  config.stop_requested = [] { return g_stop != 0; };
  const int64_t now_unix = UnixNow();
  if (o.janus) {
    config.make_link = [&](const LoadPeer&) { return std::make_unique<JanusHttpLink>(io, o.janus_url); };
  }
  LoadLoop loop(io, config, [&](const PeerSpec& spec) -> std::unique_ptr<LoadPeer> {
    if (o.janus) {
      return std::make_unique<JanusPeer>(spec, JanusPeerConfig{o.janus_url.path, o.janus_room + spec.room_index,
                                                               dtls_context, &rng});
    }
    return std::make_unique<AegisPeer>(spec, MintLoadToken(spec, *secret, now_unix), dtls_context, rng);
  });

  nlohmann::json out;
  out["tool"] = "aegis-load";
  out["version"] = AEGIS_VERSION;
  out["target"] = o.janus ? "janus" : "aegis";
  out["config"] = OptionsJson(o);
  std::optional<ScrapeTarget> metrics;
  if (o.metrics_url) {
    metrics.emplace();
    metrics->url = *o.metrics_url;
    metrics->tls = tls ? &*tls : nullptr;
    metrics->pinned_fingerprint = o.tls_fingerprint;
    if (!o.metrics_token_file.empty()) {
      auto token = ReadToken(o.metrics_token_file);
      if (!token) {
        std::fprintf(stderr, "aegis-load: cannot read --metrics-token-file %s\n", o.metrics_token_file.c_str());
        return 1;
      }
      metrics->token = *token;
    }
  }
  Runner runner(loop, o, io, metrics ? &*metrics : nullptr);
  const double started = OwnCpuSeconds();
  const int64_t started_ns = MonotonicNs();
  int exit_code = 0;
  // The server's memory at each milestone (--server-pid); the counts are the first step's.
  MemorySamples memory;
  memory.idle = o.idle;
  memory.publishers = o.rooms * o.publishers;
  memory.subscribers = o.rooms * o.subscribers;
  memory.published_tracks = 2 * memory.publishers;  // every publisher announces audio and video
  memory.forwarded_streams = memory.published_tracks * o.subscribers;
  auto sample = [&](std::optional<ProcessMemory>& into) {
    if (o.server_pid > 0) into = ReadProcessMemory(o.server_pid);
  };
  sample(memory.before_join);
  loop.set_media_paused(o.idle);

  // Publishers first, so subscribers find their tracks when they join.
  for (size_t r = 0; r < o.rooms; ++r) AddRoom(loop, o, r, 0, 0, true);
  bool connected = runner.Connect("publishers");
  sample(memory.publishers_connected);
  for (size_t r = 0; r < o.rooms; ++r) AddRoom(loop, o, r, 0, o.subscribers, false);
  connected = runner.Connect("subscribers") && connected;
  out["setup"] = {{"connected", connected}, {"seconds", RoundTo(static_cast<double>(MonotonicNs() - started_ns) / 1e9, 3)}};
  if (!connected) exit_code = 1;

  if (!o.ramp) {
    loop.RunFor(TimeDelta::Millis(1000));  // settle: subscribers' first keyframes
    sample(memory.connected);
    const Window w = runner.Measure(o.duration_s, o.idle ? "idle" : "run");
    sample(memory.end);
    out["result"] = WindowJson(w, loop.publishers(), /*per_stream=*/true);
    if (o.idle) {
      // The same participants with media: what tracks add once packets flow.
      loop.set_media_paused(false);
      loop.RunFor(TimeDelta::Millis(1000));
      const Window m = runner.Measure(o.duration_s, "media");
      sample(memory.media_end);
      out["media_window"] = WindowJson(m, loop.publishers(), /*per_stream=*/false);
      if (m.after.sum.received == m.before.sum.received) exit_code = 1;
    } else if (w.after.sum.received == w.before.sum.received) {
      exit_code = 1;
    }
  } else {
    nlohmann::json steps = nlohmann::json::array();
    nlohmann::json best = nullptr;
    size_t rooms = o.rooms, subscribers = o.subscribers;
    for (int step = 0; !g_stop; ++step) {
      loop.RunFor(TimeDelta::Millis(1000));
      if (step == 0) sample(memory.connected);
      const Window w = runner.Measure(o.step_seconds, "step " + std::to_string(step));
      nlohmann::json s = WindowJson(w, loop.publishers(), /*per_stream=*/false);
      s["step"] = step;
      s["rooms"] = rooms;
      s["publishers_per_room"] = o.publishers;
      s["subscribers_per_room"] = subscribers;
      s["forwarded_video_streams"] = rooms * o.publishers * subscribers;
      s["forwarded_audio_streams"] = rooms * o.publishers * subscribers;
      s["pass"] = Passes(s, o);
      steps.push_back(s);
      if (!s["pass"].get<bool>()) break;
      best = s;
      // The next step: more subscribers in every room, or more rooms.
      if (o.ramp_by_rooms) {
        if (rooms + o.ramp_step > o.ramp_max) break;
        for (size_t r = rooms; r < rooms + o.ramp_step; ++r) AddRoom(loop, o, r, 0, 0, true);
        runner.Connect("step " + std::to_string(step + 1) + " publishers");
        for (size_t r = rooms; r < rooms + o.ramp_step; ++r) AddRoom(loop, o, r, 0, subscribers, false);
        rooms += o.ramp_step;
      } else {
        if (subscribers + o.ramp_step > o.ramp_max) break;
        for (size_t r = 0; r < rooms; ++r) AddRoom(loop, o, r, subscribers, subscribers + o.ramp_step, false);
        subscribers += o.ramp_step;
      }
      runner.Connect("step " + std::to_string(step + 1));
    }
    out["ramp"] = {{"by", o.ramp_by_rooms ? "rooms" : "subscribers"},
                   {"criteria", {{"max_loss_percent", o.ramp_max_loss_percent}, {"max_p99_ms", o.ramp_max_p99_ms}}},
                   {"steps", steps},
                   {"largest_passing", best}};
    if (best.is_null()) exit_code = 1;
    sample(memory.end);
  }
  loop.CloseAll();
  loop.RunFor(TimeDelta::Millis(100));  // the closes go out
  if (o.server_pid > 0) {
    loop.RunFor(TimeDelta::Millis(900));  // the server lets them go
    sample(memory.after_close);
    out["server_memory"] = ServerMemoryJson(memory);
  }
  out["duration_seconds"] = RoundTo(static_cast<double>(MonotonicNs() - started_ns) / 1e9, 3);
  out["load_cpu_seconds_total"] = RoundTo(OwnCpuSeconds() - started, 3);
  out["exit_code"] = exit_code;
  std::cout << out.dump(2) << std::endl;
  return exit_code;
}
