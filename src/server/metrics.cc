#include "server/metrics.h"

#include <sys/resource.h>
#include <unistd.h>

#include <array>
#include <fstream>
#include <functional>

#include "crypto/hash.h"
#include "server/metrics_text.h"
#include "server/secret_file.h"
#include "server/whip.h"

namespace aegis::server {
namespace {

using Type = MetricsText::Type;
constexpr auto kCounter = Type::kCounter;
constexpr auto kGauge = Type::kGauge;

// One family with a sample per worker that answered, labelled worker="i".
void PerWorker(MetricsText& out, const MetricsFigures& f, std::string_view name, Type type, std::string_view help,
               const std::function<uint64_t(const WorkerSnapshot&)>& value) {
  out.Family(name, type, help);
  for (size_t i = 0; i < f.workers.size(); ++i) {
    if (!f.workers[i]) continue;
    const std::string worker = std::to_string(i);
    out.Sample(value(*f.workers[i]), {{"worker", worker}});
  }
}

// Drops, one sample per reason and worker.
struct DropReason {
  std::string_view reason;
  uint64_t (*value)(const WorkerSnapshot&);
};
constexpr DropReason kDrops[] = {
    {"unrouted_datagram", [](const WorkerSnapshot& w) { return w.conference.datagrams_unrouted; }},
    {"check_not_relayed", [](const WorkerSnapshot& w) { return w.conference.checks_not_relayed; }},
    {"datagram_truncated", [](const WorkerSnapshot& w) { return w.io.datagrams_truncated; }},
    // A peer connection's own checks (transport/peer_transport.h).
    {"srtp_auth_failed", [](const WorkerSnapshot& w) { return w.transport.dropped_srtp; }},
    {"media_wrong_source", [](const WorkerSnapshot& w) { return w.transport.dropped_media_wrong_source; }},
    {"media_before_dtls", [](const WorkerSnapshot& w) { return w.transport.dropped_media_not_ready; }},
    {"dtls_unauthenticated_source", [](const WorkerSnapshot& w) { return w.transport.dropped_dtls_unauthenticated; }},
    {"demux_unknown", [](const WorkerSnapshot& w) { return w.transport.dropped_demux; }},
    {"turn_channel_data", [](const WorkerSnapshot& w) { return w.transport.dropped_turn; }},
    {"subscriber_not_connected", [](const WorkerSnapshot& w) { return w.conference.rtp_dropped_not_connected; }},
    {"rtp_on_subscriber_connection", [](const WorkerSnapshot& w) { return w.conference.rtp_on_subscriber_connection; }},
    {"rtp_unknown_participant", [](const WorkerSnapshot& w) { return w.sfu.rtp_dropped_unknown_participant; }},
    {"rtp_malformed", [](const WorkerSnapshot& w) { return w.sfu.rtp_dropped_malformed; }},
    {"rtp_spoofed_ssrc", [](const WorkerSnapshot& w) { return w.sfu.rtp_dropped_spoofed_ssrc; }},
    {"rtp_unannounced_ssrc", [](const WorkerSnapshot& w) { return w.sfu.rtp_dropped_unannounced_ssrc; }},
    {"rtp_payload_type", [](const WorkerSnapshot& w) { return w.sfu.rtp_dropped_payload_type; }},
    {"rtp_muted", [](const WorkerSnapshot& w) { return w.sfu.rtp_dropped_muted; }},
    {"rtp_unmapped_payload_type", [](const WorkerSnapshot& w) { return w.sfu.rtp_unmapped_payload_type; }},
    {"rtcp_unknown_participant", [](const WorkerSnapshot& w) { return w.sfu.rtcp_dropped_unknown_participant; }},
    {"rtcp_malformed", [](const WorkerSnapshot& w) { return w.sfu.rtcp_dropped_malformed; }},
    {"keyframe_request_unknown_ssrc", [](const WorkerSnapshot& w) { return w.sfu.keyframe_requests_unknown_ssrc; }},
    {"nack_unknown_ssrc", [](const WorkerSnapshot& w) { return w.sfu.nacks_unknown_ssrc; }},
    {"sender_report_unknown_ssrc", [](const WorkerSnapshot& w) { return w.sfu.sender_reports_unknown_ssrc; }},
    {"rtx_padding", [](const WorkerSnapshot& w) { return w.sfu.rtx_dropped_padding; }},
    {"rtx_duplicate", [](const WorkerSnapshot& w) { return w.sfu.rtx_dropped_duplicate; }},
};

void ProcessFamilies(MetricsText& out, const MetricsFigures& f) {
  out.Family("aegis_build_info", kGauge, "Always 1; the version of the running server is its label.");
  out.Sample(uint64_t{1}, {{"version", f.version}});
  out.Family("aegis_start_time_seconds", kGauge, "When the server started, in seconds since the Unix epoch.");
  out.Sample(static_cast<double>(f.start_time_unix_s));
  out.Family("process_cpu_seconds_total", kCounter, "CPU time of the whole process, user and system, in seconds.");
  out.Sample(f.process_cpu_seconds);
  out.Family("process_resident_memory_bytes", kGauge, "Resident set size of the process, in bytes.");
  out.Sample(f.resident_bytes);
  out.Family("aegis_signaling_tcp_connections", kGauge,
             "Open TCP connections of the signaling listener (HTTP, TLS handshakes, WebSockets).");
  out.Sample(f.tcp_connections);
  out.Family("aegis_signaling_sessions", kGauge, "Signaling WebSockets past the upgrade, and WHIP/WHEP sessions.");
  out.Sample(f.signaling_sessions);
  out.Family("aegis_whip_sessions", kGauge, "WHIP and WHEP sessions.");
  out.Sample(f.whip_sessions);
  out.Family("aegis_media_workers", kGauge, "Media worker threads.");
  out.Sample(static_cast<uint64_t>(f.workers.size()));
  out.Family("aegis_worker_up", kGauge, "1 if the worker answered this scrape in time, else 0 (its samples are left out).");
  for (size_t i = 0; i < f.workers.size(); ++i) {
    out.Sample(uint64_t{f.workers[i] ? 1u : 0u}, {{"worker", std::to_string(i)}});
  }
  out.Family("aegis_rooms", kGauge, "Rooms with at least one open connection, by the worker they are placed on.");
  for (size_t i = 0; i < f.rooms.size(); ++i) out.Sample(f.rooms[i], {{"worker", std::to_string(i)}});
}

}  // namespace

void ReadProcessFigures(MetricsFigures& figures) {
  if (rusage usage{}; getrusage(RUSAGE_SELF, &usage) == 0) {
    auto seconds = [](const timeval& t) { return static_cast<double>(t.tv_sec) + static_cast<double>(t.tv_usec) / 1e6; };
    figures.process_cpu_seconds = seconds(usage.ru_utime) + seconds(usage.ru_stime);
  }
  std::ifstream statm("/proc/self/statm");
  uint64_t size_pages = 0, resident_pages = 0;
  if (statm >> size_pages >> resident_pages) {
    figures.resident_bytes = resident_pages * static_cast<uint64_t>(sysconf(_SC_PAGESIZE));
  }
}

std::string RenderMetrics(const MetricsFigures& f) {
  MetricsText out;
  ProcessFamilies(out, f);
  using W = const WorkerSnapshot&;
  PerWorker(out, f, "aegis_participants", kGauge, "Participants on the worker (joined, in a lobby, or WHIP/WHEP).",
            [](W w) { return w.participants; });
  PerWorker(out, f, "aegis_tracks", kGauge, "Published tracks on the worker.", [](W w) { return w.tracks; });
  PerWorker(out, f, "aegis_subscriptions", kGauge, "Tracks being forwarded, one per (subscriber, track).",
            [](W w) { return w.subscriptions; });
  PerWorker(out, f, "aegis_joins_total", kCounter, "Joins accepted.", [](W w) { return w.conference.joins; });
  PerWorker(out, f, "aegis_leaves_total", kCounter, "Participants removed, for any reason.",
            [](W w) { return w.conference.leaves; });
  PerWorker(out, f, "aegis_transports_failed_total", kCounter, "Peer connections that failed (ICE, DTLS, consent).",
            [](W w) { return w.conference.transports_failed; });
  PerWorker(out, f, "aegis_ice_restarts_total", kCounter,
            "ICE restarts (a client's network changed): new credentials, same DTLS and SRTP.",
            [](W w) { return w.conference.ice_restarts; });
  // The worker's UDP socket: every datagram (STUN, DTLS, SRTP, SRTCP).
  PerWorker(out, f, "aegis_udp_datagrams_received_total", kCounter, "UDP datagrams the worker received.",
            [](W w) { return w.io.datagrams_received; });
  PerWorker(out, f, "aegis_udp_received_bytes_total", kCounter, "UDP payload bytes the worker received.",
            [](W w) { return w.io.bytes_received; });
  PerWorker(out, f, "aegis_udp_datagrams_sent_total", kCounter, "UDP datagrams the worker sent.",
            [](W w) { return w.io.datagrams_sent; });
  PerWorker(out, f, "aegis_udp_sent_bytes_total", kCounter, "UDP payload bytes the worker sent.",
            [](W w) { return w.io.bytes_sent; });
  // Media, after SRTP.
  PerWorker(out, f, "aegis_rtp_packets_received_total", kCounter, "RTP packets from publishers, after SRTP.",
            [](W w) { return w.sfu.rtp_received; });
  PerWorker(out, f, "aegis_rtp_packets_accepted_total", kCounter, "RTP packets that passed every check of the router.",
            [](W w) { return w.sfu.rtp_accepted; });
  PerWorker(out, f, "aegis_rtp_packets_forwarded_total", kCounter, "RTP packets sent to subscribers (one per copy).",
            [](W w) { return w.conference.rtp_forwarded; });
  PerWorker(out, f, "aegis_rtcp_packets_received_total", kCounter, "RTCP packets from anyone, after SRTCP.",
            [](W w) { return w.sfu.rtcp_received; });
  PerWorker(out, f, "aegis_rtcp_packets_sent_total", kCounter, "RTCP packets the router sent (forwarded or its own).",
            [](W w) { return w.sfu.rtcp_sent; });
  out.Family("aegis_dropped_total", kCounter, "Packets dropped, by reason.");
  for (size_t i = 0; i < f.workers.size(); ++i) {
    if (!f.workers[i]) continue;
    const std::string worker = std::to_string(i);
    for (const auto& drop : kDrops) out.Sample(drop.value(*f.workers[i]), {{"worker", worker}, {"reason", drop.reason}});
  }
  PerWorker(out, f, "aegis_nacks_received_total", kCounter, "NACKs from subscribers about their own streams.",
            [](W w) { return w.sfu.nacks_received; });
  PerWorker(out, f, "aegis_retransmissions_sent_total", kCounter,
            "RTX packets sent to subscribers from the packet cache, answering their NACKs.",
            [](W w) { return w.sfu.retransmissions_sent; });
  out.Family("aegis_retransmissions_skipped_total", kCounter,
             "Packets a subscriber NACKed that were not retransmitted, by reason.");
  for (size_t i = 0; i < f.workers.size(); ++i) {
    if (!f.workers[i]) continue;
    const std::string worker = std::to_string(i);
    const sfu::SfuStats& s = f.workers[i]->sfu;
    out.Sample(s.retransmissions_not_cached, {{"worker", worker}, {"reason", "not_cached"}});
    out.Sample(s.retransmissions_rate_limited, {{"worker", worker}, {"reason", "rate_limited"}});
    out.Sample(s.retransmissions_not_negotiated, {{"worker", worker}, {"reason", "not_negotiated"}});
  }
  PerWorker(out, f, "aegis_nacks_sent_total", kCounter, "NACKs the SFU sent to publishers for holes in their video.",
            [](W w) { return w.sfu.nacks_sent; });
  PerWorker(out, f, "aegis_nack_sequences_requested_total", kCounter,
            "Sequence numbers in the NACKs sent to publishers, retries included.",
            [](W w) { return w.sfu.nack_sequences_requested; });
  PerWorker(out, f, "aegis_rtx_received_total", kCounter,
            "RTX packets from publishers, unwrapped and forwarded like media.",
            [](W w) { return w.sfu.rtx_received; });
  PerWorker(out, f, "aegis_upstream_packets_recovered_total", kCounter,
            "Packets missing from a publisher's stream that arrived after all (mostly by RTX).",
            [](W w) { return w.sfu.upstream_packets_recovered; });
  PerWorker(out, f, "aegis_keyframe_requests_received_total", kCounter, "PLIs and FIR entries from subscribers.",
            [](W w) { return w.sfu.keyframe_requests_received; });
  PerWorker(out, f, "aegis_keyframe_requests_forwarded_total", kCounter,
            "PLIs sent to publishers: at once, or held by the throttle and sent when its interval passed.",
            [](W w) { return w.sfu.keyframe_requests_forwarded + w.sfu.keyframe_requests_deferred_sent; });
  PerWorker(out, f, "aegis_keyframe_requests_throttled_total", kCounter, "Keyframe requests held by the throttle.",
            [](W w) { return w.sfu.keyframe_requests_throttled; });
  PerWorker(out, f, "aegis_sender_reports_received_total", kCounter, "RTCP sender reports from publishers.",
            [](W w) { return w.sfu.sender_reports_received; });
  PerWorker(out, f, "aegis_sender_reports_forwarded_total", kCounter, "Rewritten sender reports sent to subscribers.",
            [](W w) { return w.sfu.sender_reports_forwarded; });
  PerWorker(out, f, "aegis_receiver_reports_sent_total", kCounter, "Receiver reports the SFU generated.",
            [](W w) { return w.sfu.receiver_reports_sent; });
  PerWorker(out, f, "aegis_rembs_sent_total", kCounter,
            "Bitrate limits (REMB) asked of publishers: the lowest any subscriber's loss or queue allows.",
            [](W w) { return w.sfu.rembs_sent; });
  PerWorker(out, f, "aegis_transport_feedback_total", kCounter,
            "Transport-wide congestion feedback from subscribers (arrival times the SFU's delay-based estimate reads).",
            [](W w) { return w.sfu.transport_feedback_received; });
  PerWorker(out, f, "aegis_transport_feedback_sent_total", kCounter,
            "Transport-wide congestion feedback sent to publishers (--publisher-transport-cc on).",
            [](W w) { return w.sfu.transport_feedback_sent; });
  // ICE-TCP (server/media_tcp.h).
  PerWorker(out, f, "aegis_ice_tcp_connections", kGauge, "Open ICE-TCP connections.", [](W w) { return w.tcp.open; });
  PerWorker(out, f, "aegis_ice_tcp_packets_received_total", kCounter, "Packets (RFC 4571 frames) read from ICE-TCP connections.",
            [](W w) { return w.tcp.packets_received; });
  PerWorker(out, f, "aegis_ice_tcp_packets_sent_total", kCounter, "Packets queued to ICE-TCP connections.",
            [](W w) { return w.tcp.packets_sent; });
  PerWorker(out, f, "aegis_ice_tcp_send_dropped_total", kCounter,
            "Packets for an ICE-TCP connection whose write queue was full (or which was gone).",
            [](W w) { return w.tcp.send_dropped; });
  out.Family("aegis_ice_tcp_closed_total", kCounter,
             "ICE-TCP connections closed (or refused when accepted), by reason.");
  for (size_t i = 0; i < f.workers.size(); ++i) {
    if (!f.workers[i]) continue;
    const std::string worker = std::to_string(i);
    const auto& t = f.workers[i]->tcp;
    for (const auto& [reason, n] : {std::pair{"refused", t.refused}, std::pair{"unrouted", t.closed_unrouted},
                                    std::pair{"idle", t.closed_idle}, std::pair{"oversized", t.closed_oversized},
                                    std::pair{"by_peer", t.closed_by_peer}}) {
      out.Sample(n, {{"worker", worker}, {"reason", reason}});
    }
  }
  out.Family("aegis_subscriptions_refused_total", kCounter, "Subscriptions refused, by reason.");
  for (size_t i = 0; i < f.workers.size(); ++i) {
    if (!f.workers[i]) continue;
    const std::string worker = std::to_string(i);
    const auto& w = *f.workers[i];
    out.Sample(w.conference.subscriptions_refused_full, {{"worker", worker}, {"reason", "subscriber_full"}});
    out.Sample(w.sfu.subscriptions_refused_cross_room, {{"worker", worker}, {"reason", "cross_room"}});
    out.Sample(w.sfu.subscriptions_refused_self, {{"worker", worker}, {"reason", "self"}});
  }
  out.Family("aegis_worker_busy_seconds_total", kCounter,
             "CPU time of the worker's thread (user and system): time spent handling events, not waiting.");
  for (size_t i = 0; i < f.workers.size(); ++i) {
    if (f.workers[i]) out.Sample(f.workers[i]->busy_seconds, {{"worker", std::to_string(i)}});
  }
  out.Family("aegis_worker_queue_delay_seconds", kGauge,
             "How long this scrape's request waited in the worker's queue behind earlier handlers.");
  for (size_t i = 0; i < f.workers.size(); ++i) {
    if (f.workers[i]) out.Sample(f.workers[i]->queue_delay_seconds, {{"worker", std::to_string(i)}});
  }
  out.Family("aegis_forward_delay_seconds", MetricsText::Type::kHistogram,
             "From a datagram's arrival at the worker's socket (kernel timestamp) to the sendmmsg that handed "
             "each datagram it caused (forwarded media, replies) back to the kernel.");
  std::array<double, DelayHistogram::kBoundsNs.size()> bounds{};
  for (size_t b = 0; b < bounds.size(); ++b) bounds[b] = static_cast<double>(DelayHistogram::kBoundsNs[b]) / 1e9;
  for (size_t i = 0; i < f.workers.size(); ++i) {
    if (!f.workers[i]) continue;
    const DelayHistogram& h = f.workers[i]->forward_delay;
    std::array<uint64_t, DelayHistogram::kBoundsNs.size()> cumulative{};
    uint64_t running = 0;
    for (size_t b = 0; b < cumulative.size(); ++b) cumulative[b] = running += h.counts[b];
    out.Histogram(bounds, cumulative, static_cast<double>(h.sum_ns) / 1e9, h.count, {{"worker", std::to_string(i)}});
  }
  PerWorker(out, f, "aegis_worker_receive_wakeups_total", kCounter,
            "Receive handler runs (each drains the socket): received datagrams / this = datagrams per wakeup.",
            [](W w) { return w.io.receive_wakeups; });
  return out.Take();
}

std::optional<http::HttpReply> CheckMetricsAccess(bool from_this_machine, std::string_view authorization,
                                                  const std::string& token) {
  if (!authorization.empty() && !token.empty()) {
    // Digests of both: equal lengths, so the comparison's time says nothing
    // about the token's length either.
    const auto presented = BearerToken(authorization).value_or("");
    auto digest = [](std::string_view s) {
      return crypto::Digest(crypto::HashAlgorithm::kSha256,
                            {std::span(reinterpret_cast<const uint8_t*>(s.data()), s.size())});
    };
    if (!presented.empty() && crypto::ConstantTimeEquals(digest(presented), digest(token))) return std::nullopt;
  } else if (from_this_machine) {
    return std::nullopt;
  }
  if (token.empty()) return http::HttpReply{403, "text/plain; charset=utf-8", "forbidden\n", {}};
  http::HttpReply unauthorized{401, "text/plain; charset=utf-8", "unauthorized\n", {}};
  unauthorized.headers.emplace_back("WWW-Authenticate", "Bearer realm=\"aegis-metrics\"");
  return unauthorized;
}

std::optional<std::string> LoadMetricsToken(const std::string& path, std::string& token) {
  return LoadSecretLine(path, "metrics token", token);
}

}  // namespace aegis::server
