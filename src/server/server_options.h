// Everything `aegis serve` can be told, with embedded defaults that need no
// configuration: loopback plain HTTP on 127.0.0.1:8080, data in
// ./aegis-data, one media worker per core from UDP 40000 up. A TOML file (--config) and
// command-line flags set the same keys; flags win. docs/configuration.md
// lists them.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace aegis::server {

// std::thread::hardware_concurrency(), at least 1 (it may report 0) and at
// most 64 (the --media-workers range).
int DefaultMediaWorkers();

struct ServeOptions {
  std::string listen_host = "127.0.0.1";
  uint16_t listen_port = 8080;
  std::string data_dir = "aegis-data";
  std::string web_dir;  // empty: the web/ folder the binary was built with
  int media_workers = DefaultMediaWorkers();  // one per core
  uint16_t media_port = 40000;           // worker i listens on media_port + i; 0: any free port
  bool media_tcp = true;                 // ICE-TCP on the same port numbers (media_tcp.h)
  bool publisher_transport_cc = false;   // transport-wide feedback to publishers (ConferenceConfig)
  std::string media_host;                // UDP bind address; empty: the listen address
  std::vector<std::string> announce;     // addresses put in SDP candidates (public IPs behind NAT)
  std::string tls_cert;                  // PEM files; empty on a non-loopback listener: generated in data_dir
  std::string tls_key;
  bool tls = false;                      // serve HTTPS even on loopback
  int64_t token_leeway_s = 30;
  int64_t max_participants_per_room = 64;
  bool dev = false;                      // POST /api/dev-token; honoured on loopback only
  int64_t max_connections = 1000;  // TCP connections in all; also each media worker's participant cap
  int64_t max_connections_per_address = 32;  // raise it behind a reverse proxy (one address for all)
  int64_t max_audio_tracks = 4;          // published tracks per participant, per kind (1-16)
  int64_t max_video_tracks = 4;
  // MLS cipher suite of E2EE rooms (docs/protocol.md §7): 1 or 83 (X-Wing).
  int64_t mls_suite = 83;
  // Web origins ("https://studio.example.com") whose pages may use WHIP
  // (CORS, docs/protocol.md §1b); none by default.
  std::vector<std::string> whip_cors_origins;
  // A file holding the bearer token that opens GET /metrics beyond this
  // machine (server/metrics.h); empty: /metrics answers loopback peers only.
  std::string metrics_token_file;
  // TURN relays offered in `joined` (server/session_gate.h TurnConfig);
  // both or neither.
  std::vector<std::string> turn_urls;
  std::string turn_secret_file;
  int64_t turn_ttl_s = 3600;
  // Where the relays send from (their relayed addresses), for relay-only
  // rooms; empty: the IP addresses the TURN URLs name (TurnRelayIps).
  std::vector<std::string> turn_relay_ips;
  // Several nodes (docs/configuration.md, "Several nodes"): Redis's URL
  // (redis://USER@HOST:PORT, rediss:// for TLS); empty: one node, no Redis.
  std::string redis;
  std::string redis_password_file;
  std::string redis_ca_file;
  std::string node_id;     // default: this machine's host name
  std::string public_url;  // how clients reach this node; default: the listen URL
};

// The addresses relay-only rooms accept media from: --turn-relay-ip, or
// else the hosts of the --turn-url URLs that are IP addresses (a name is
// not resolved: what it resolves to may change). Empty: relay-only rooms
// refuse joins.
std::vector<std::string> TurnRelayIps(const ServeOptions& options);

// Reads flags into `options` (after any --config file, which is read first
// wherever it appears). Returns an error message, or nullopt.
std::optional<std::string> ParseServeArgs(const std::vector<std::string_view>& args, ServeOptions& options);

// Reads a TOML file's keys into `options`; unknown keys are errors (a typo
// must not silently fall back to a default).
std::optional<std::string> LoadServeConfig(const std::string& path, ServeOptions& options);

// Whether `host` is a loopback address (127.0.0.0/8, ::1, "localhost").
bool IsLoopbackHost(std::string_view host);

extern const char* const kServeUsage;

}  // namespace aegis::server
