// `aegis cluster status`: the live nodes registered in Redis, their load,
// and where clients and media reach them (docs/configuration.md, "Several
// nodes").
//
//   aegis cluster status [--config FILE] [--redis URL --redis-password-file FILE]
//                        [--redis-ca-file PEM] [--json]
//
// --config reads redis, redis_password_file and redis_ca_file from the
// serve configuration (flags win). Exit codes: 0 listed (also when no node
// is live); 2 bad usage; 1 Redis could not be used.
#pragma once

#include <span>
#include <string_view>

namespace aegis::app {

int RunClusterCommand(std::span<const std::string_view> args);

}  // namespace aegis::app
