// `aegis token create`: mint an access token (auth/jwt.h) with the data
// folder's current API key and print it on stdout.
//
//   aegis token create --room R --identity I [--ttl 10m] [--no-publish]
//                      [--no-subscribe] [--admin] [--name N] [--data DIR]
//
// Arguments are checked before the data folder is touched, so a typo never
// creates a folder. Exit codes: 0 token printed; 2 bad usage (unknown or
// repeated option, bad room/identity/name/ttl); 1 the data folder or
// database could not be used. Only the token goes to stdout.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "base/random.h"

namespace aegis::app {

inline constexpr int64_t kMaxTokenTtlSeconds = 24 * 60 * 60;
inline constexpr int64_t kDefaultTokenTtlSeconds = 10 * 60;
inline constexpr const char* kDefaultDataFolder = "./aegis-data";

// "90s", "10m", "2h": a positive decimal integer (no sign, no spaces) and one
// unit; nullopt for anything else or above kMaxTokenTtlSeconds.
std::optional<int64_t> ParseTtlSeconds(std::string_view text);

struct CommandOutput {
  int exit_code = 0;
  std::string out;  // for stdout
  std::string err;  // for stderr
};

// `args` are the words after "token" (e.g. {"create", "--room", "R", ...}).
// `random` draws the jti (and a first API key); `now_unix_s` is wall-clock time.
CommandOutput RunTokenCommand(std::span<const std::string_view> args, RandomSource& random, int64_t now_unix_s);

}  // namespace aegis::app
