#include "load/load_report.h"

#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <iterator>
#include <sstream>

namespace aegis::load {

double RoundTo(double v, int decimals) {
  const double scale = std::pow(10.0, decimals);
  return std::round(v * scale) / scale;
}

double OwnCpuSeconds() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  auto s = [](const timeval& t) { return static_cast<double>(t.tv_sec) + static_cast<double>(t.tv_usec) / 1e6; };
  return s(u.ru_utime) + s(u.ru_stime);
}

std::optional<double> ProcessCpuSeconds(int pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
  std::string line;
  if (!std::getline(in, line)) return std::nullopt;
  const size_t paren = line.rfind(')');  // the command name may hold spaces
  if (paren == std::string::npos) return std::nullopt;
  std::istringstream fields(line.substr(paren + 1));
  std::string field;
  double utime = 0, stime = 0;
  // After ')': field 3 (state) is index 0, utime (14) is 11, stime (15) is 12.
  for (int i = 0; i <= 12 && fields >> field; ++i) {
    if (i == 11) utime = std::stod(field);
    if (i == 12) stime = std::stod(field);
  }
  if (!fields) return std::nullopt;
  return (utime + stime) / static_cast<double>(sysconf(_SC_CLK_TCK));
}

std::optional<ProcessMemory> ReadProcessMemory(int pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/status");
  if (!in) return std::nullopt;
  const std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  return ParseProcessMemory(text);
}

std::vector<CoreTicks> ReadCoreTicks() {
  std::ifstream in("/proc/stat");
  std::vector<CoreTicks> cores;
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("cpu", 0) != 0 || line.size() < 4 || !std::isdigit(static_cast<unsigned char>(line[3]))) continue;
    std::istringstream fields(line);
    std::string name;
    uint64_t v[8] = {};  // user nice system idle iowait irq softirq steal
    fields >> name;
    for (auto& x : v) fields >> x;
    cores.push_back({v[0] + v[1] + v[2] + v[5] + v[6] + v[7], v[0] + v[1] + v[2] + v[3] + v[4] + v[5] + v[6] + v[7]});
  }
  return cores;
}

UdpDrops ReadUdpDrops() {
  std::ifstream in("/proc/net/snmp");
  std::string names, values;
  while (std::getline(in, names)) {
    if (names.rfind("Udp: ", 0) != 0 || !std::getline(in, values)) continue;
    std::istringstream n(names), v(values);
    std::string name, value;
    UdpDrops d;
    while (n >> name && v >> value) {
      if (name == "RcvbufErrors") d.receive_buffer = std::stoull(value);
      if (name == "SndbufErrors") d.send_buffer = std::stoull(value);
    }
    return d;
  }
  return {};
}

namespace {

double Ms(int64_t us) { return static_cast<double>(us) / 1000.0; }


StreamTotals Minus(const std::map<uint32_t, StreamTotals>& after, const std::map<uint32_t, StreamTotals>& before,
                   uint32_t id) {
  auto a = after.find(id);
  if (a == after.end()) return {};
  auto b = before.find(id);
  return b == before.end() ? a->second : a->second - b->second;
}

}  // namespace

nlohmann::json StreamJson(const StreamTotals& t, double seconds) {
  nlohmann::json j;
  j["expected"] = t.expected;
  j["received"] = t.received;
  j["lost"] = t.lost();
  j["loss_percent"] = RoundTo(t.loss_percent(), 3);
  j["reordered"] = t.reordered;
  j["duplicates"] = t.duplicates;
  j["latency_p50_ms"] = Ms(t.latency.Percentile(0.50));
  j["latency_p99_ms"] = Ms(t.latency.Percentile(0.99));
  j["latency_max_ms"] = Ms(t.latency.Percentile(1.0));
  j["rx_packets_per_s"] = seconds > 0 ? RoundTo(static_cast<double>(t.received) / seconds, 1) : 0.0;
  j["rx_mbit_per_s"] = seconds > 0 ? RoundTo(static_cast<double>(t.bytes) * 8 / seconds / 1e6, 3) : 0.0;
  return j;
}

namespace {

// The server's figures from its /metrics: counter deltas over the window,
// gauges at its end.
nlohmann::json ServerMetricsJson(const Window& w) {
  nlohmann::json j;
  if (!w.metrics_error.empty() || !w.metrics_before || !w.metrics_after) {
    j["error"] = w.metrics_error.empty() ? "no scrape" : w.metrics_error;
    return j;
  }
  const ServerMetrics& a = *w.metrics_after;
  const ServerMetrics& b = *w.metrics_before;
  auto delta = [&](const std::string& name) { return std::max(0.0, a.Get(name) - b.Get(name)); };
  // Counts print as integers (the exposition's numbers are doubles).
  auto count = [](double v) { return static_cast<uint64_t>(std::llround(std::max(0.0, v))); };
  const double seconds = w.seconds();
  const double forwarded = delta("aegis_rtp_packets_forwarded_total");
  j["rtp_packets_received"] = count(delta("aegis_rtp_packets_received_total"));
  j["rtp_packets_forwarded"] = count(forwarded);
  j["rtp_packets_forwarded_per_s"] = seconds > 0 ? RoundTo(forwarded / seconds, 1) : 0.0;
  j["udp_datagrams_received"] = count(delta("aegis_udp_datagrams_received_total"));
  j["udp_datagrams_sent"] = count(delta("aegis_udp_datagrams_sent_total"));
  nlohmann::json dropped = nlohmann::json::object();
  for (const auto& [reason, after] : a.dropped) {
    auto before = b.dropped.find(reason);
    const double d = after - (before == b.dropped.end() ? 0 : before->second);
    if (d > 0) dropped[reason] = count(d);
  }
  j["dropped"] = std::move(dropped);
  const double busy = delta("aegis_worker_busy_seconds_total");
  const double workers = a.Get("aegis_media_workers");
  j["worker_busy_seconds"] = RoundTo(busy, 4);
  // Of the workers' whole time: 1.0 is every worker busy all the window.
  if (seconds > 0 && workers > 0) j["worker_busy_share"] = RoundTo(busy / (seconds * workers), 4);
  j["media_workers"] = count(workers);
  j["participants"] = count(a.Get("aegis_participants"));
  j["tracks"] = count(a.Get("aegis_tracks"));
  j["subscriptions"] = count(a.Get("aegis_subscriptions"));
  // The server's own delay (aegis_forward_delay_seconds): arrival at its
  // socket to the sendmmsg of each datagram that arrival caused, over the window.
  std::map<double, double> delay;
  for (const auto& [bound, after] : a.forward_delay_buckets) {
    auto before = b.forward_delay_buckets.find(bound);
    delay[bound] = std::max(0.0, after - (before == b.forward_delay_buckets.end() ? 0 : before->second));
  }
  if (!delay.empty() && delay.rbegin()->second > 0) {
    nlohmann::json d;
    d["datagrams"] = count(delay.rbegin()->second);
    for (auto [name, q] : {std::pair{"p50_ms", 0.5}, std::pair{"p99_ms", 0.99}, std::pair{"p999_ms", 0.999}}) {
      const double seconds_at = HistogramQuantile(delay, q).value_or(0);
      d[name] = std::isinf(seconds_at) ? nlohmann::json("above the largest bucket") : nlohmann::json(RoundTo(seconds_at * 1e3, 3));
    }
    if (auto at_1ms = delay.find(0.001); at_1ms != delay.end()) {
      d["within_1ms_percent"] = RoundTo(100 * at_1ms->second / delay.rbegin()->second, 3);
    }
    j["forward_delay"] = std::move(d);
  }
  if (forwarded > 0) {
    j["worker_cpu_us_per_forwarded_packet"] = RoundTo(busy * 1e6 / forwarded, 3);
    // The subscribers' count against the server's: near 1 unless packets were lost on the way.
    const double received = static_cast<double>((w.after.sum - w.before.sum).received);
    j["subscribers_received_per_forwarded"] = RoundTo(received / forwarded, 4);
  }
  if (w.metrics_malformed > 0) j["malformed_lines"] = w.metrics_malformed;
  return j;
}

}  // namespace

nlohmann::json WindowJson(const Window& w, const std::vector<PeerSpec>& publishers, bool per_stream) {
  const double seconds = w.seconds();
  nlohmann::json j;
  j["seconds"] = RoundTo(seconds, 3);
  j["participants"] = w.after.participants;
  j["connected"] = w.after.connected;
  j["failed"] = w.after.failed;
  if (!w.after.errors.empty()) j["errors"] = w.after.errors;
  j["receiving_streams"] = w.after.receiving_streams;
  const uint64_t sent = w.after.packets_sent - w.before.packets_sent;
  j["tx_packets"] = sent;
  j["tx_packets_per_s"] = seconds > 0 ? RoundTo(static_cast<double>(sent) / seconds, 1) : 0.0;
  j["send_errors"] = w.after.send_errors - w.before.send_errors;
  j["srtp_errors"] = w.after.srtp_errors - w.before.srtp_errors;
  // In the generator's namespace: a lost packet counted here was dropped by this host, not the server.
  j["load_udp_receive_buffer_drops"] = w.udp_after.receive_buffer - w.udp_before.receive_buffer;
  j["load_udp_send_buffer_drops"] = w.udp_after.send_buffer - w.udp_before.send_buffer;
  j["aggregate"] = StreamJson(w.after.sum - w.before.sum, seconds);
  j["load_cpu_seconds"] = RoundTo(w.load_cpu_s, 3);
  j["load_cpu_percent_of_one_core"] = seconds > 0 ? RoundTo(100 * w.load_cpu_s / seconds, 1) : 0.0;
  if (const uint64_t got = (w.after.sum - w.before.sum).received; got > 0) {
    // The generator's own cost: near the server's per forwarded packet (both run SRTP per packet).
    j["load_cpu_us_per_received_packet"] = RoundTo(w.load_cpu_s * 1e6 / static_cast<double>(got), 3);
  }
  if (w.server_cpu_s) {
    j["server_cpu_seconds"] = RoundTo(*w.server_cpu_s, 3);
    j["server_cpu_percent_of_one_core"] = seconds > 0 ? RoundTo(100 * *w.server_cpu_s / seconds, 1) : 0.0;
    const uint64_t received = (w.after.sum - w.before.sum).received;
    if (received > 0) j["server_cpu_us_per_received_packet"] = RoundTo(*w.server_cpu_s * 1e6 / static_cast<double>(received), 3);
  }
  if (w.metrics_before || !w.metrics_error.empty()) j["server_metrics"] = ServerMetricsJson(w);
  if (!w.cores_after.empty() && w.cores_after.size() == w.cores_before.size()) {
    nlohmann::json cores = nlohmann::json::array();
    double busy_s = 0;
    const double hz = static_cast<double>(sysconf(_SC_CLK_TCK));
    for (size_t c = 0; c < w.cores_after.size(); ++c) {
      const double busy = static_cast<double>(w.cores_after[c].busy - w.cores_before[c].busy);
      const double total = static_cast<double>(w.cores_after[c].total - w.cores_before[c].total);
      cores.push_back(total > 0 ? RoundTo(100 * busy / total, 1) : 0.0);
      busy_s += busy / hz;
    }
    j["core_busy_percent"] = std::move(cores);
    // What neither process used: other processes, and kernel work not charged to either.
    const double other = busy_s - w.load_cpu_s - w.server_cpu_s.value_or(0);
    j["other_cpu_percent_of_one_core"] = seconds > 0 ? RoundTo(100 * std::max(0.0, other) / seconds, 1) : 0.0;
  }
  nlohmann::json rooms = nlohmann::json::array();
  for (size_t r = 0; r < w.after.rooms.size(); ++r) {
    const RoomTotals& a = w.after.rooms[r];
    const RoomTotals none;
    const RoomTotals& b = r < w.before.rooms.size() ? w.before.rooms[r] : none;
    nlohmann::json room;
    room["room_index"] = r;
    room["aggregate"] = StreamJson(a.sum - b.sum, seconds);
    if (per_stream) {
      nlohmann::json streams = nlohmann::json::array();
      for (const auto& [id, totals] : a.streams) {
        nlohmann::json s = StreamJson(Minus(a.streams, b.streams, id), seconds);
        s["stream_id"] = id;
        s["kind"] = id % 2 ? "video" : "audio";
        if (id / 2 < publishers.size()) s["publisher"] = publishers[id / 2].identity;
        streams.push_back(std::move(s));
      }
      room["streams"] = std::move(streams);
    }
    rooms.push_back(std::move(room));
  }
  j["rooms"] = std::move(rooms);
  return j;
}

namespace {

nlohmann::json Bytes(const std::optional<ProcessMemory>& m) {
  return m ? nlohmann::json(m->rss_bytes) : nlohmann::json(nullptr);
}

// (to - from) / n bytes, whole; null when a sample is missing or n is 0.
nlohmann::json PerEach(const std::optional<ProcessMemory>& from, const std::optional<ProcessMemory>& to, size_t n) {
  if (!from || !to || n == 0) return nullptr;
  const double delta = static_cast<double>(to->rss_bytes) - static_cast<double>(from->rss_bytes);
  return static_cast<int64_t>(std::llround(delta / static_cast<double>(n)));
}

nlohmann::json Delta(const std::optional<ProcessMemory>& from, const std::optional<ProcessMemory>& to) {
  if (!from || !to) return nullptr;
  return static_cast<int64_t>(to->rss_bytes) - static_cast<int64_t>(from->rss_bytes);
}

}  // namespace

nlohmann::json ServerMemoryJson(const MemorySamples& m) {
  nlohmann::json j;
  j["source"] = "VmRSS (and VmHWM for the peak) of /proc/PID/status";
  j["idle"] = m.idle;
  j["participants"] = m.publishers + m.subscribers;
  j["publishers"] = m.publishers;
  j["subscribers"] = m.subscribers;
  j["published_tracks"] = m.published_tracks;
  j["forwarded_streams"] = m.forwarded_streams;
  j["rss_before_join_bytes"] = Bytes(m.before_join);
  j["rss_publishers_connected_bytes"] = Bytes(m.publishers_connected);
  j["rss_all_connected_bytes"] = Bytes(m.connected);
  j["rss_end_of_run_bytes"] = Bytes(m.end);
  if (m.idle) j["rss_end_of_media_window_bytes"] = Bytes(m.media_end);
  j["rss_after_close_bytes"] = Bytes(m.after_close);
  const auto& last = m.after_close ? m.after_close : m.media_end ? m.media_end : m.end;
  j["peak_rss_bytes"] = last ? nlohmann::json(last->peak_rss_bytes) : nlohmann::json(nullptr);
  j["rss_delta_connected_bytes"] = Delta(m.before_join, m.connected);
  j["server_rss_per_participant_bytes"] = PerEach(m.before_join, m.connected, m.publishers + m.subscribers);
  // Split by role: a publisher's share includes its announced tracks, a subscriber's its subscriptions.
  j["server_rss_per_publisher_bytes"] = PerEach(m.before_join, m.publishers_connected, m.publishers);
  j["server_rss_per_subscriber_bytes"] = PerEach(m.publishers_connected, m.connected, m.subscribers);
  if (m.idle) {
    // A track's state beyond its announcement is what media adds: the media window's growth.
    j["rss_delta_media_bytes"] = Delta(m.end, m.media_end);
    j["server_rss_per_track_bytes"] = PerEach(m.end, m.media_end, m.published_tracks);
    j["server_rss_per_forwarded_stream_bytes"] = PerEach(m.end, m.media_end, m.forwarded_streams);
    j["per_track_derivation"] =
        "growth of VmRSS from the end of the idle window to the end of the media window (same participants, "
        "publishers now sending), divided by published tracks and, separately, by forwarded (subscriber, track) "
        "streams; the idle figures already include every track's announcement and subscription";
  }
  return j;
}

namespace {

// ", server cpu X%, cores busy A% B%" when known.
std::string Others(const Window& w) {
  std::string out;
  char part[64];
  const double seconds = w.seconds();
  if (w.server_cpu_s && seconds > 0) {
    std::snprintf(part, sizeof part, "  server cpu %.0f%%", 100 * *w.server_cpu_s / seconds);
    out += part;
  }
  if (!w.cores_after.empty() && w.cores_after.size() == w.cores_before.size()) {
    out += "  cores busy";
    for (size_t c = 0; c < w.cores_after.size(); ++c) {
      const double total = static_cast<double>(w.cores_after[c].total - w.cores_before[c].total);
      const double busy = static_cast<double>(w.cores_after[c].busy - w.cores_before[c].busy);
      std::snprintf(part, sizeof part, " %.0f%%", total > 0 ? 100 * busy / total : 0.0);
      out += part;
    }
  }
  return out;
}

}  // namespace

std::string ProgressLine(const Window& w) {
  const double seconds = w.seconds();
  const StreamTotals t = w.after.sum - w.before.sum;
  char line[512];
  std::snprintf(line, sizeof line,
                "connected %zu/%zu%s  tx %.0f pkt/s  rx %.0f pkt/s %.1f Mbit/s  loss %.2f%%  p50 %.2f ms  p99 %.2f ms"
                "  load cpu %.0f%%%s",
                w.after.connected, w.after.participants,
                w.after.failed ? (" (" + std::to_string(w.after.failed) + " failed)").c_str() : "",
                seconds > 0 ? static_cast<double>(w.after.packets_sent - w.before.packets_sent) / seconds : 0.0,
                seconds > 0 ? static_cast<double>(t.received) / seconds : 0.0,
                seconds > 0 ? static_cast<double>(t.bytes) * 8 / seconds / 1e6 : 0.0, t.loss_percent(),
                Ms(t.latency.Percentile(0.5)), Ms(t.latency.Percentile(0.99)),
                seconds > 0 ? 100 * w.load_cpu_s / seconds : 0.0, Others(w).c_str());
  return line;
}

}  // namespace aegis::load
