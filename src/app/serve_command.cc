#include "app/serve_command.h"

#include <utility>  // Boost 1.74 asio/awaitable.hpp uses std::exchange without it

#include <boost/asio.hpp>

#include <chrono>
#include <cstdio>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <tuple>

#include "app/self_check.h"
#include "app/serve_cluster.h"
#include "auth/api_secret.h"
#include "auth/claims.h"
#include "crypto/secure_random.h"
#include "dtls/certificate.h"
#include "server/media_worker.h"
#include "server/metrics.h"
#include "server/secret_file.h"
#include "server/server_options.h"
#include "server/signaling_server.h"
#include "server/store_revocations.h"
#include "server/store_room_rules.h"
#include "store/audit_recorder.h"
#include "server/tls_identity.h"
#include "store/data_folder.h"

namespace aegis::app {
namespace asio = boost::asio;

namespace {

int Fail(const std::string& message) {
  std::fprintf(stderr, "aegis serve: %s\n", message.c_str());
  return 1;
}

// The data folder's tamper-evident audit log (docs/audit.md) behind the
// server's AuditSink; failures go to stderr and are counted.
class StoreAuditSink final : public server::AuditSink {
 public:
  explicit StoreAuditSink(store::AuditRecorder& recorder) : recorder_(recorder) {}
  void Record(std::string_view actor, std::string_view action, std::string_view detail) override {
    if (auto r = recorder_.Record(actor, action, detail); !r) {
      std::fprintf(stderr, "aegis: audit: %s\n", r.error().message.c_str());
    }
  }

 private:
  store::AuditRecorder& recorder_;
};

// Several nodes: revocations stored here because another node published
// them (ApplySharedRevocation). The store's Poll() returns them like any
// other; they were applied already and are not published again.
using RevocationKey = std::tuple<std::string, std::string, std::string, int64_t>;
RevocationKey KeyOf(const std::string& room, const std::optional<std::string>& identity,
                    const std::optional<std::string>& token_id, int64_t time) {
  return {room, identity.value_or(""), token_id.value_or(""), time};
}

// Every half second: revocations stored since the last look end the
// matching sessions on every worker (aegis token revoke promises 1 s),
// and go to the other nodes.
void PollRevocations(asio::steady_timer& timer, server::StoreRevocations& revocations,
                     std::vector<std::unique_ptr<server::MediaWorker>>& workers, ServeCluster* cluster_node,
                     std::set<RevocationKey>& imported) {
  timer.expires_after(std::chrono::milliseconds(500));
  timer.async_wait([&, cluster_node](boost::system::error_code ec) {
    if (ec) return;
    for (const auto& r : revocations.Poll()) {
      if (imported.erase(KeyOf(r.room, r.identity, r.token_id, r.revoked_at_unix_s)) > 0) continue;
      for (auto& w : workers) w->PostRevocation(r);
      if (cluster_node) {
        cluster_node->Publish(cluster::SharedRevocation{cluster_node->node_id(), r.room, r.identity, r.token_id,
                                                        r.revoked_at_unix_s});
      }
    }
    PollRevocations(timer, revocations, workers, cluster_node, imported);
  });
}

// Another node's revocation: stored here (later joins are refused, and the
// audit log says which node it came from) and applied to live sessions now.
void ApplySharedRevocation(const cluster::SharedRevocation& shared, store::DataFolder& data,
                           std::vector<std::unique_ptr<server::MediaWorker>>& workers,
                           std::set<RevocationKey>& imported) {
  // Whatever can write to Redis can write here: the names must follow the
  // token rules (as `aegis token revoke` checks them) before they are stored.
  auth::Claims probe;
  probe.room = shared.room;
  probe.identity = shared.identity.value_or("x");
  probe.token_id = shared.token_id;
  probe.not_before = 0;
  probe.expires_at = 1;
  if (!auth::ValidateClaims(probe) || shared.identity.has_value() == shared.token_id.has_value()) {
    std::fprintf(stderr, "aegis: cluster: dropped a malformed revocation from node %s\n", shared.origin.c_str());
    return;
  }
  store::Revocation stored;
  stored.room_id = shared.room;
  stored.identity = shared.identity;
  stored.token_id = shared.token_id;
  stored.time_unix_s = shared.time_unix_s;
  if (auto added = data.AddRevocation(stored, "node:" + shared.origin); !added) {
    std::fprintf(stderr, "aegis: cluster: cannot store a revocation from node %s: %s\n", shared.origin.c_str(),
                 added.error().message.c_str());
  } else {
    imported.insert(KeyOf(shared.room, shared.identity, shared.token_id, shared.time_unix_s));
  }
  const server::Revocation live{shared.room, shared.identity, shared.token_id, shared.time_unix_s};
  for (auto& w : workers) w->PostRevocation(live);
}

}  // namespace

int RunServe(const std::vector<std::string_view>& args, server::ConferenceTestHooks* test_hooks) {
  server::ServeOptions options;
  for (auto a : args) {
    if (a == "--help" || a == "-h" || a == "help") {
      std::fputs(server::kServeUsage, stdout);
      return 0;
    }
  }
  if (auto error = server::ParseServeArgs(args, options)) {
    std::fprintf(stderr, "aegis serve: %s\n%s", error->c_str(), server::kServeUsage);
    return 2;
  }
  // One line per event, visible at once even when stdout is a file or pipe.
  std::setvbuf(stdout, nullptr, _IOLBF, 0);
  for (const auto& r : RunSelfChecks()) {
    if (!r.passed) return Fail("self-check " + r.name + " failed; refusing to start");
  }
  boost::system::error_code ec;
  auto listen_address = asio::ip::make_address(
      options.listen_host == "localhost" ? std::string("127.0.0.1") : options.listen_host, ec);
  if (ec) return Fail("invalid listen address " + options.listen_host);
  const bool loopback = listen_address.is_loopback();
  // Browsers treat localhost as a secure context; anywhere else media and
  // tokens would cross the network in the clear, so TLS is not optional.
  const bool tls = options.tls || !loopback;
  if (options.web_dir.empty()) options.web_dir = AEGIS_WEB_DIR;

  crypto::SecureRandom rng;
  auto data = store::DataFolder::Open(options.data_dir);
  if (!data) return Fail("cannot open the data folder " + options.data_dir);
  auto key = data->CurrentApiKey();
  if (!key) return Fail("no usable API key in " + options.data_dir);
  auto secret = auth::ApiSecret::FromBytes(key->secret.view());
  if (!secret) return Fail("the stored API key is unusable");

  std::optional<server::TlsIdentity> tls_identity;
  if (tls) {
    std::string error;
    tls_identity = server::LoadTlsIdentity(data->path(), options.tls_cert, options.tls_key, rng, error);
    if (!tls_identity) return Fail(error);
  }
  auto dtls_context = dtls::DtlsContext::Create(
      dtls::Certificate::Generate(rng, std::chrono::floor<std::chrono::seconds>(std::chrono::system_clock::now())));
  if (!dtls_context) return Fail("cannot create the DTLS context");

  asio::io_context io;
  server::SignalingConfig signaling;
  signaling.address = listen_address;
  signaling.port = options.listen_port;
  signaling.web_dir = options.web_dir;
  signaling.dev_tokens = options.dev && loopback;
  signaling.gate.token_leeway_s = options.token_leeway_s;
  signaling.max_connections = static_cast<size_t>(options.max_connections);
  signaling.max_connections_per_address = static_cast<size_t>(options.max_connections_per_address);
  signaling.whip_cors.allowed_origins = options.whip_cors_origins;
  signaling.version = AEGIS_VERSION;
  if (!options.turn_urls.empty()) {
    signaling.gate.turn.urls = options.turn_urls;
    signaling.gate.turn.ttl_s = options.turn_ttl_s;
    if (auto bad = server::LoadSecretLine(options.turn_secret_file, "TURN secret", signaling.gate.turn.shared_secret)) {
      return Fail(*bad);
    }
  }
  if (!options.metrics_token_file.empty()) {
    if (auto bad = server::LoadMetricsToken(options.metrics_token_file, signaling.metrics_token)) return Fail(*bad);
  }
  server::SignalingServer signaling_server(io, signaling, tls_identity ? tls_identity->context.get() : nullptr,
                                           *secret);
  server::StoreRoomRules room_rules(*data);
  signaling_server.SetRoomRules(&room_rules);
  server::StoreRevocations revocations(*data);
  signaling_server.SetRevocations(&revocations);
  auto audit_recorder = store::AuditRecorder::Open(data->path());
  if (!audit_recorder) return Fail("cannot open the audit log: " + audit_recorder.error().message);
  StoreAuditSink audit(**audit_recorder);

  auto media_address = options.media_host.empty() ? listen_address : asio::ip::make_address(options.media_host, ec);
  if (ec) return Fail("invalid media address " + options.media_host);
  // A wildcard bind has no address a peer could reach us on: candidates
  // must name a real one.
  if (media_address.is_unspecified() && options.announce.empty()) {
    return Fail("media bound to " + media_address.to_string() +
                ": say which address peers reach with --announce IP (or bind --media-host to it)");
  }
  // The server's MLS external sender key: one per process, so a room's
  // members see the same signer whichever worker hosts the room.
  crypto::SecureRandom key_rng;
  auto mls_external_sender =
      std::make_shared<const mls::ExternalSenderKey>(mls::ExternalSenderKey::Generate(key_rng));
  std::vector<std::unique_ptr<server::MediaWorker>> workers;
  for (int i = 0; i < options.media_workers; ++i) {
    server::MediaWorkerConfig wc;
    wc.bind_address = media_address;
    wc.port = options.media_port == 0 ? 0 : static_cast<uint16_t>(options.media_port + i);
    wc.tcp = options.media_tcp;
    for (const auto& ip : server::TurnRelayIps(options)) wc.turn_relay_addresses.push_back(asio::ip::make_address(ip, ec));
    for (const auto& a : options.announce) {
      auto address = asio::ip::make_address(a, ec);
      if (ec) return Fail("invalid --announce address " + a);
      wc.announced_addresses.push_back(address);
    }
    wc.dtls_context = dtls_context;
    wc.test_hooks = test_hooks;
    wc.max_participants_per_room = static_cast<size_t>(options.max_participants_per_room);
    wc.max_participants = static_cast<size_t>(options.max_connections);
    wc.max_audio_tracks_per_participant = static_cast<size_t>(options.max_audio_tracks);
    wc.max_video_tracks_per_participant = static_cast<size_t>(options.max_video_tracks);
    wc.mls_suite = static_cast<uint16_t>(options.mls_suite);
    wc.publisher_transport_feedback = options.publisher_transport_cc;
    wc.mls_external_sender = mls_external_sender;
    wc.audit = &audit;
    workers.push_back(std::make_unique<server::MediaWorker>(i, wc, signaling_server));
    std::string error;
    if (!workers.back()->Start(error)) return Fail(error);
    signaling_server.AddWorker(workers.back().get());
  }
  std::string error;
  if (!signaling_server.Start(error)) return Fail(error);

  const std::string host = listen_address.is_v6() ? "[" + options.listen_host + "]" : options.listen_host;
  const std::string open_url =
      std::string(tls ? "https" : "http") + "://" + host + ":" + std::to_string(signaling_server.port());

  // Several nodes: this one registers itself in Redis and keeps its record
  // alive; without Redis at start it does not run at all.
  std::unique_ptr<ServeCluster> cluster_node;
  std::set<RevocationKey> imported_revocations;
  if (!options.redis.empty()) {
    cluster::NodeRecord record;
    record.id = options.node_id.empty() ? DefaultNodeId() : options.node_id;
    record.signaling_url = options.public_url.empty() ? open_url : options.public_url;
    if (options.announce.empty()) record.media_addresses.push_back(media_address.to_string());
    else record.media_addresses = options.announce;
    record.version = AEGIS_VERSION;
    record.max_participants = options.max_connections;
    auto started = ServeCluster::Start(options, std::move(record));
    if (!started.ok()) return Fail(started.error());
    cluster_node = std::move(started.value());
    std::vector<server::MediaWorker*> worker_pointers;
    for (auto& w : workers) worker_pointers.push_back(w.get());
    cluster_node->ReportLoad(io, worker_pointers);
    auto shared = cluster_node->ShareRevocations(io, [&](cluster::SharedRevocation r) {
      ApplySharedRevocation(r, *data, workers, imported_revocations);
    });
    if (!shared.ok()) return Fail(shared.error());
  }

  std::printf("aegis %s serving\n", AEGIS_VERSION);
  std::printf("  open      %s/\n", open_url.c_str());
  if (tls_identity) {
    std::printf("  tls       %s certificate, SHA-256 %s\n", tls_identity->generated ? "new self-signed" : "loaded",
                tls_identity->fingerprint_sha256.c_str());
  }
  std::printf("  data      %s%s\n", data->path().c_str(), data->created_api_key() ? " (new API key)" : "");
  std::printf("  workers   %zu media worker%s (rooms spread over them)\n", workers.size(),
              workers.size() == 1 ? "" : "s");
  for (const auto& w : workers) {
    std::printf("  media     udp %s:%u%s\n", media_address.to_string().c_str(), w->port(),
                options.media_tcp ? ", tcp (ICE-TCP) on the same port" : "");
  }
  std::printf("  metrics   GET /metrics from this machine%s\n",
              signaling.metrics_token.empty() ? " only" : ", or with the metrics token from anywhere");
  if (cluster_node) std::printf("  cluster   %s\n", cluster_node->describe().c_str());
  std::printf("  tokens    aegis token create --data %s --room ROOM --identity ID\n", data->path().c_str());
  if (signaling.dev_tokens) {
    std::printf("  dev       DEV TOKENS ON (--dev): POST /api/dev-token gives anyone on this machine a token;\n"
                "            the app on loopback mints its own. Never serve this listener through a proxy\n");
  } else if (options.dev) {
    std::printf("  dev       --dev ignored: dev tokens exist only on a loopback listener\n");
  }
  std::fflush(stdout);

  asio::steady_timer revocation_timer(io);
  PollRevocations(revocation_timer, revocations, workers, cluster_node.get(), imported_revocations);

  asio::signal_set signals(io, SIGINT, SIGTERM);
  asio::steady_timer grace(io);
  signals.async_wait([&](boost::system::error_code, int signal) {
    std::printf("aegis: signal %d, shutting down\n", signal);
    std::fflush(stdout);
    // Workers first: each tells its participants and closes their transports.
    for (auto& w : workers) w->Stop();
    // The others stop counting this node at once (a crash waits out the TTL).
    if (cluster_node) cluster_node->Stop();
    // Posted, so it runs after the workers' last messages (already queued on
    // this io_context by the joined worker threads) are handed to the sockets.
    asio::post(io, [&] { signaling_server.Stop(); });
    revocation_timer.cancel();
    grace.expires_after(std::chrono::seconds(2));  // let the last messages go out
    grace.async_wait([&](boost::system::error_code) { io.stop(); });
  });
  io.run();
  std::printf("aegis: stopped\n");
  return 0;
}

}  // namespace aegis::app
