#include "server/server_options.h"

#include <algorithm>
#include <charconv>
#include <thread>

#include <toml++/toml.h>

#include <boost/asio/ip/address.hpp>

namespace aegis::server {

const char* const kServeUsage =
    "usage: aegis serve [--config FILE] [--listen HOST:PORT] [--data DIR] [--web DIR]\n"
    "                   [--media-workers N] [--media-port PORT] [--media-tcp on|off] [--media-host HOST]\n"
    "                   [--announce IP]... [--publisher-transport-cc on|off]\n"
    "                   [--tls] [--tls-cert PEM --tls-key PEM] [--token-leeway SECONDS]\n"
    "                   [--max-participants N] [--max-connections N] [--max-connections-per-address N]\n"
    "                   [--max-audio-tracks N] [--max-video-tracks N] [--mls-suite 1|83]\n"
    "                   [--whip-cors-origin ORIGIN]... [--metrics-token-file FILE] [--dev]\n"
    "                   [--turn-url URL]... [--turn-secret-file FILE] [--turn-ttl SECONDS]\n"
    "                   [--turn-relay-ip IP]... [--redis URL --redis-password-file FILE]\n"
    "                   [--redis-ca-file PEM] [--node-id ID] [--public-url URL]\n"
    "  --listen HOST:PORT   signaling and web app (default 127.0.0.1:8080). Plain HTTP only on\n"
    "                       loopback; any other address serves HTTPS/WSS only\n"
    "  --data DIR           data folder: SQLite database, API key, TLS certificate (default ./aegis-data)\n"
    "  --web DIR            the web app's files (default: the web/ folder of the source tree)\n"
    "  --media-workers N    media threads, one UDP port each (default: one per core)\n"
    "  --media-port PORT    first worker's UDP port; worker i uses PORT+i (default 40000; 0 = any)\n"
    "  --media-tcp on|off   ICE over TCP (RFC 6544) on the same port numbers, for clients whose\n"
    "                       network drops UDP (default on)\n"
    "  --media-host HOST    UDP bind address (default: the listen address)\n"
    "  --announce IP        address to put in ICE candidates (repeatable; default: the bound one)\n"
    "  --publisher-transport-cc on|off  report arrivals to publishers (transport-wide congestion\n"
    "                       control), so a browser sees its uplink's queue before it overflows;\n"
    "                       off by default: under random loss Chrome then sends far less\n"
    "                       (docs/configuration.md)\n"
    "  --tls                HTTPS/WSS even on loopback\n"
    "  --tls-cert/--tls-key PEM certificate chain and key (default: a self-signed one, generated\n"
    "                       in the data folder on first run; its fingerprint is printed)\n"
    "  --token-leeway S     clock skew allowed on token exp/nbf, 0-600 seconds (default 30)\n"
    "  --max-participants N per room, 1-257 (default 64)\n"
    "  --max-connections N  open TCP connections in all, and participants per media worker\n"
    "                       (default 1000)\n"
    "  --max-connections-per-address N  open TCP connections from one address, an IPv6 /64\n"
    "                       counting as one (default 32)\n"
    "  --max-audio-tracks N / --max-video-tracks N  tracks one participant may publish, per kind,\n"
    "                       1-16 (default 4 each)\n"
    "  --turn-url URL       a TURN relay offered to every participant (repeatable): turn:HOST:PORT\n"
    "                       ?transport=udp|tcp or turns:HOST:443?transport=tcp; each join gets a\n"
    "                       credential in coturn's use-auth-secret scheme (docs/configuration.md)\n"
    "  --turn-secret-file FILE  the secret shared with the relay (its static-auth-secret)\n"
    "  --turn-ttl S         how long a TURN credential lasts, 60-86400 seconds (default 3600)\n"
    "  --turn-relay-ip IP   an address the relay sends media from (its relay-ip, or its public\n"
    "                       address behind NAT); relay-only rooms take media from these only\n"
    "                       (repeatable; default: the --turn-url hosts that are IP addresses)\n"
    "  --mls-suite N        MLS cipher suite of end-to-end encrypted rooms: 83 =\n"
    "                       MLS_256_XWING_AES256GCM_SHA512_Ed25519 (post-quantum hybrid, default) or\n"
    "                       1 = MLS_128_DHKEMX25519_AES128GCM_SHA256_Ed25519\n"
    "  --whip-cors-origin ORIGIN  a web origin (scheme://host[:port]) whose pages may use the WHIP\n"
    "                       endpoints (CORS; repeatable; default none: no CORS headers)\n"
    "  --metrics-token-file FILE  GET /metrics answers requests from this machine; with this,\n"
    "                       also others that send \"Authorization: Bearer <the file's one line>\"\n"
    "                       (16-512 printable characters)\n"
    "  --redis URL          several nodes: register this node in Redis (redis://USER@HOST:PORT,\n"
    "                       rediss:// for TLS, required off loopback; docs/configuration.md)\n"
    "  --redis-password-file FILE  the ACL user's password (one line); required with --redis\n"
    "  --redis-ca-file PEM  CAs for Redis's TLS certificate besides the system's\n"
    "  --node-id ID         this node's name among the nodes (A-Z a-z 0-9 . _ -, at most 64;\n"
    "                       default: the host name)\n"
    "  --public-url URL     how clients reach this node's signaling (default: the listen URL)\n"
    "  --dev                development: POST /api/dev-token mints tokens for anyone on this\n"
    "                       machine (loopback listener and peer only, never behind a proxy)\n";

namespace {

std::optional<int64_t> ParseInt(std::string_view text, int64_t min, int64_t max) {
  int64_t v = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (ec != std::errc() || end != text.data() + text.size() || v < min || v > max) return std::nullopt;
  return v;
}

std::optional<std::string> SetListen(std::string_view value, ServeOptions& o) {
  auto colon = value.rfind(':');
  if (colon == std::string_view::npos) return "--listen needs HOST:PORT";
  auto host = value.substr(0, colon);
  if (host.size() > 2 && host.front() == '[' && host.back() == ']') host = host.substr(1, host.size() - 2);
  auto port = ParseInt(value.substr(colon + 1), 0, 65535);
  if (host.empty() || !port) return "invalid --listen '" + std::string(value) + "'";
  o.listen_host = std::string(host);
  o.listen_port = static_cast<uint16_t>(*port);
  return std::nullopt;
}

// One key, from a flag or the TOML file.
std::optional<std::string> Set(std::string_view key, std::string_view value, ServeOptions& o) {
  auto integer = [&](int64_t min, int64_t max, auto& out) -> std::optional<std::string> {
    auto v = ParseInt(value, min, max);
    if (!v) return "invalid " + std::string(key) + " '" + std::string(value) + "'";
    out = static_cast<std::remove_reference_t<decltype(out)>>(*v);
    return std::nullopt;
  };
  if (key == "listen") return SetListen(value, o);
  if (key == "data") return o.data_dir = value, std::nullopt;
  if (key == "web") return o.web_dir = value, std::nullopt;
  if (key == "media-workers") return integer(1, 64, o.media_workers);
  if (key == "media-port") return integer(0, 65535, o.media_port);
  if (key == "media-host") return o.media_host = value, std::nullopt;
  if (key == "media-tcp" || key == "publisher-transport-cc") {
    if (value != "on" && value != "off") return "invalid " + std::string(key) + " '" + std::string(value) + "' (on or off)";
    (key == "media-tcp" ? o.media_tcp : o.publisher_transport_cc) = value == "on";
    return std::nullopt;
  }
  if (key == "announce") return o.announce.emplace_back(value), std::nullopt;
  if (key == "tls-cert") return o.tls_cert = value, std::nullopt;
  if (key == "tls-key") return o.tls_key = value, std::nullopt;
  if (key == "metrics-token-file") return o.metrics_token_file = value, std::nullopt;
  if (key == "token-leeway") return integer(0, 600, o.token_leeway_s);
  if (key == "max-connections") return integer(16, 100000, o.max_connections);
  if (key == "max-connections-per-address") return integer(1, 100000, o.max_connections_per_address);
  // joined lists at most 256 others (docs/protocol.md).
  if (key == "max-participants") return integer(1, 257, o.max_participants_per_room);
  if (key == "max-audio-tracks") return integer(1, 16, o.max_audio_tracks);
  if (key == "max-video-tracks") return integer(1, 16, o.max_video_tracks);
  if (key == "whip-cors-origin") {
    // An origin as browsers send it: scheme and host, no path, nothing to trim.
    const bool scheme = value.starts_with("https://") || value.starts_with("http://");
    const auto rest = value.substr(value.find("//") + 2);
    if (!scheme || rest.empty() || rest.find_first_of("/ ?#*,") != std::string_view::npos) {
      return "invalid whip-cors-origin '" + std::string(value) + "' (scheme://host[:port])";
    }
    o.whip_cors_origins.emplace_back(value);
    return std::nullopt;
  }
  if (key == "turn-url") {
    // What browsers accept in RTCIceServer.urls (RFC 7065 turn:/turns: URIs).
    if (!(value.starts_with("turn:") || value.starts_with("turns:")) || value.find_first_of(" \"\\") != std::string_view::npos) {
      return "invalid turn-url '" + std::string(value) + "' (turn:HOST:PORT?transport=udp or turns:HOST:443?transport=tcp)";
    }
    o.turn_urls.emplace_back(value);
    return std::nullopt;
  }
  if (key == "turn-secret-file") return o.turn_secret_file = value, std::nullopt;
  if (key == "redis") {
    if (!value.starts_with("redis://") && !value.starts_with("rediss://")) {
      return "invalid redis '" + std::string(value) + "' (redis://USER@HOST:PORT or rediss://USER@HOST:PORT)";
    }
    return o.redis = value, std::nullopt;
  }
  if (key == "redis-password-file") return o.redis_password_file = value, std::nullopt;
  if (key == "redis-ca-file") return o.redis_ca_file = value, std::nullopt;
  if (key == "node-id") return o.node_id = value, std::nullopt;
  if (key == "public-url") {
    if (!value.starts_with("https://") && !value.starts_with("http://")) {
      return "invalid public-url '" + std::string(value) + "' (https://HOST[:PORT])";
    }
    return o.public_url = value, std::nullopt;
  }
  if (key == "turn-ttl") return integer(60, 86400, o.turn_ttl_s);
  if (key == "turn-relay-ip") {
    boost::system::error_code ec;
    (void)boost::asio::ip::make_address(std::string(value), ec);
    if (ec) return "invalid turn-relay-ip '" + std::string(value) + "' (an IPv4 or IPv6 address)";
    o.turn_relay_ips.emplace_back(value);
    return std::nullopt;
  }
  if (key == "mls-suite") {
    // The suites a browser's MLS library (ts-mls) offers that sign with
    // Ed25519, the server's external sender key.
    auto v = ParseInt(value, 1, 83);
    if (!v || (*v != 1 && *v != 83)) return "invalid mls-suite '" + std::string(value) + "' (1 or 83)";
    o.mls_suite = *v;
    return std::nullopt;
  }
  return "unknown option " + std::string(key);
}

}  // namespace

std::vector<std::string> TurnRelayIps(const ServeOptions& options) {
  if (!options.turn_relay_ips.empty()) return options.turn_relay_ips;
  std::vector<std::string> ips;
  for (const std::string& url : options.turn_urls) {
    // turn:HOST[:PORT][?...], turns:..., HOST an IPv6 address in brackets.
    std::string_view rest(url);
    rest.remove_prefix(std::min(rest.size(), rest.find(':') + 1));
    std::string_view host;
    if (rest.starts_with('[')) {
      host = rest.substr(1, rest.find(']') - 1);
    } else {
      host = rest.substr(0, rest.find_first_of(":?"));
    }
    boost::system::error_code ec;
    (void)boost::asio::ip::make_address(std::string(host), ec);
    if (!ec && std::find(ips.begin(), ips.end(), host) == ips.end()) ips.emplace_back(host);
  }
  return ips;
}

int DefaultMediaWorkers() { return static_cast<int>(std::clamp(std::thread::hardware_concurrency(), 1u, 64u)); }

bool IsLoopbackHost(std::string_view host) {
  if (host == "localhost") return true;
  boost::system::error_code ec;
  auto address = boost::asio::ip::make_address(std::string(host), ec);
  return !ec && address.is_loopback();
}

std::optional<std::string> LoadServeConfig(const std::string& path, ServeOptions& options) {
  toml::table parsed;
  try {
    parsed = toml::parse_file(path);
  } catch (const toml::parse_error& e) {
    return "config " + path + ": " + std::string(e.description()) + " at line " +
           std::to_string(e.source().begin.line);
  }
  for (auto&& [raw_key, node] : parsed) {
    std::string key(raw_key.str());
    std::replace(key.begin(), key.end(), '_', '-');
    std::optional<std::string> error;
    if (auto s = node.value<std::string>(); s && node.is_string()) {
      error = Set(key, *s, options);
    } else if (auto i = node.value<int64_t>(); i && node.is_integer()) {
      error = Set(key, std::to_string(*i), options);
    } else if (auto b = node.value<bool>(); b && node.is_boolean()) {
      if (key == "tls") options.tls = *b;
      else if (key == "dev") options.dev = *b;
      else if (key == "media-tcp") options.media_tcp = *b;
      else if (key == "publisher-transport-cc") options.publisher_transport_cc = *b;
      else error = "unknown or non-boolean key " + key;
    } else if (const auto* array = node.as_array(); array && key == "announce") {
      for (auto&& item : *array) {
        auto address = item.value<std::string>();
        if (!address) return "config " + path + ": announce must be a list of strings";
        options.announce.push_back(*address);
      }
    } else if (const auto* urls = node.as_array(); urls && key == "turn-url") {
      for (auto&& item : *urls) {
        auto url = item.value<std::string>();
        if (!url) return "config " + path + ": turn_url must be a list of strings";
        if (auto bad = Set(key, *url, options)) return "config " + path + ": " + *bad;
      }
    } else if (const auto* ips = node.as_array(); ips && key == "turn-relay-ip") {
      for (auto&& item : *ips) {
        auto ip = item.value<std::string>();
        if (!ip) return "config " + path + ": turn_relay_ip must be a list of strings";
        if (auto bad = Set(key, *ip, options)) return "config " + path + ": " + *bad;
      }
    } else if (const auto* origins = node.as_array(); origins && key == "whip-cors-origin") {
      for (auto&& item : *origins) {
        auto origin = item.value<std::string>();
        if (!origin) return "config " + path + ": whip_cors_origin must be a list of strings";
        if (auto bad = Set(key, *origin, options)) return "config " + path + ": " + *bad;
      }
    } else {
      error = "unsupported value for key " + key;
    }
    if (error) return "config " + path + ": " + *error;
  }
  return std::nullopt;
}

std::optional<std::string> ParseServeArgs(const std::vector<std::string_view>& args, ServeOptions& options) {
  for (size_t i = 0; i + 1 < args.size(); ++i) {
    if (args[i] == "--config") {
      if (auto error = LoadServeConfig(std::string(args[i + 1]), options)) return error;
    }
  }
  for (size_t i = 0; i < args.size(); ++i) {
    std::string_view flag = args[i];
    if (flag == "--tls") {
      options.tls = true;
      continue;
    }
    if (flag == "--dev") {
      options.dev = true;
      continue;
    }
    if (!flag.starts_with("--")) return "unexpected argument " + std::string(flag);
    if (i + 1 >= args.size()) return std::string(flag) + " needs a value";
    std::string_view value = args[++i];
    if (flag == "--config") continue;
    if (auto error = Set(flag.substr(2), value, options)) return error;
  }
  if (options.tls_cert.empty() != options.tls_key.empty()) return "--tls-cert and --tls-key go together";
  if (options.turn_urls.empty() != options.turn_secret_file.empty()) {
    return "--turn-url and --turn-secret-file go together (the relay checks credentials made with the secret)";
  }
  if (options.redis.empty() && (!options.redis_password_file.empty() || !options.redis_ca_file.empty() ||
                                 !options.node_id.empty() || !options.public_url.empty())) {
    return "--redis-password-file, --redis-ca-file, --node-id and --public-url need --redis (several nodes)";
  }
  return std::nullopt;
}

}  // namespace aegis::server
