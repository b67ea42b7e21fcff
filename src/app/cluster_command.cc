#include "app/cluster_command.h"

#include <chrono>
#include <cstdio>
#include <string>

#include <nlohmann/json.hpp>

#include "cluster/node_registry.h"
#include "cluster/redis_client.h"
#include "cluster/redis_endpoint.h"
#include "server/secret_file.h"
#include "server/server_options.h"

namespace aegis::app {
namespace {

constexpr const char* kClusterUsage =
    "usage: aegis cluster status [--config FILE] [--redis URL --redis-password-file FILE]\n"
    "                            [--redis-ca-file PEM] [--json]\n"
    "  status                the live nodes in Redis: signaling URL, media addresses, rooms,\n"
    "                        participants, busiest media worker, version, last heartbeat\n"
    "  --config FILE         take redis, redis_password_file, redis_ca_file from aegis serve's\n"
    "                        configuration file\n"
    "  --redis URL           redis://USER@HOST:PORT or rediss://USER@HOST:PORT (TLS)\n"
    "  --redis-password-file FILE  the ACL user's password (one line)\n"
    "  --redis-ca-file PEM   CAs for Redis's TLS certificate besides the system's\n"
    "  --json                one JSON object: {\"nodes\": [...]}\n";

int Usage(const std::string& message) {
  std::fprintf(stderr, "aegis cluster: %s\n%s", message.c_str(), kClusterUsage);
  return 2;
}

int Fail(const std::string& message) {
  std::fprintf(stderr, "aegis cluster: %s\n", message.c_str());
  return 1;
}

}  // namespace

int RunClusterCommand(std::span<const std::string_view> args) {
  for (auto a : args) {
    if (a == "--help" || a == "-h" || a == "help") {
      std::fputs(kClusterUsage, stdout);
      return 0;
    }
    if (a == "--version") {
      std::printf("aegis cluster %s\n", AEGIS_VERSION);
      return 0;
    }
  }
  if (args.empty()) return Usage("say what: status");
  if (args[0] != "status") return Usage("unknown subcommand '" + std::string(args[0]) + "'");
  server::ServeOptions options;
  bool json = false;
  for (size_t i = 1; i < args.size(); ++i) {
    if (args[i] == "--json") {
      json = true;
      continue;
    }
    if (i + 1 >= args.size()) return Usage(std::string(args[i]) + " needs a value");
    const std::string value(args[i + 1]);
    if (args[i] == "--config") {
      if (auto bad = server::LoadServeConfig(value, options)) return Usage(*bad);
    } else if (args[i] == "--redis") {
      options.redis = value;
    } else if (args[i] == "--redis-password-file") {
      options.redis_password_file = value;
    } else if (args[i] == "--redis-ca-file") {
      options.redis_ca_file = value;
    } else {
      return Usage("unknown option " + std::string(args[i]));
    }
    ++i;
  }
  if (options.redis.empty()) return Usage("no Redis named: --redis URL or --config FILE with redis = \"...\"");
  auto endpoint = cluster::ParseRedisUrl(options.redis);
  if (!endpoint.ok()) return Usage(endpoint.error());
  if (!options.redis_password_file.empty()) {
    if (auto bad = server::LoadSecretLine(options.redis_password_file, "Redis password", endpoint->password)) {
      return Fail(*bad);
    }
  }
  endpoint->ca_file = options.redis_ca_file;
  if (auto refused = cluster::CheckRedisSecurity(*endpoint)) return Fail(*refused);
  auto redis = cluster::RedisClient::Connect(*endpoint, std::chrono::seconds(3));
  if (!redis.ok()) return Fail(redis.error());
  size_t malformed = 0;
  auto nodes = cluster::ListNodes(**redis, &malformed);
  if (!nodes.ok()) return Fail(nodes.error());

  const int64_t now_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                             std::chrono::system_clock::now().time_since_epoch())
                             .count();
  if (json) {
    nlohmann::json out = {{"nodes", nlohmann::json::array()}, {"malformed_records", malformed}};
    for (const auto& n : nodes.value()) out["nodes"].push_back(nlohmann::json::parse(cluster::ToJson(n)));
    std::printf("%s\n", out.dump().c_str());
    return 0;
  }
  std::printf("%zu node%s live in Redis at %s:%s\n", nodes.value().size(), nodes.value().size() == 1 ? "" : "s",
              endpoint->host.c_str(), endpoint->port.c_str());
  for (const auto& n : nodes.value()) {
    std::string media;
    for (const auto& a : n.media_addresses) media += (media.empty() ? "" : ",") + a;
    std::printf("  %-20s %s  rooms %lld  participants %lld/%lld  busy %.0f%%  media %s  version %s  seen %.1f s ago\n",
                n.id.c_str(), n.signaling_url.c_str(), static_cast<long long>(n.rooms),
                static_cast<long long>(n.participants), static_cast<long long>(n.max_participants),
                n.worker_busy * 100, media.c_str(), n.version.c_str(),
                static_cast<double>(now_ms - n.updated_ms) / 1000.0);
  }
  if (malformed > 0) std::printf("  (%zu record%s under aegis:node:* did not parse)\n", malformed, malformed == 1 ? "" : "s");
  return 0;
}

}  // namespace aegis::app
