#include "app/token_command.h"

#include <vector>

#include "auth/api_secret.h"
#include "auth/claims.h"
#include "auth/jwt.h"
#include "store/data_folder.h"

namespace aegis::app {
namespace {

constexpr const char* kTokenUsage =
    "usage: aegis token create --room R --identity I [--ttl 10m] [--no-publish] [--no-subscribe]\n"
    "                          [--admin] [--name N] [--data DIR]\n"
    "  --room R        room the token admits to: 1-64 of A-Z a-z 0-9 _ -\n"
    "  --identity I    participant id: 1-128 of A-Z a-z 0-9 and - _ . @ : + |\n"
    "  --ttl T         lifetime: e.g. 90s, 10m, 2h (at most 24h; default 10m)\n"
    "  --no-publish    do not grant publishing media\n"
    "  --no-subscribe  do not grant receiving media\n"
    "  --admin         grant room administration\n"
    "  --name N        display name shown to others (1-64 bytes of UTF-8 text)\n"
    "  --data DIR      data folder (default ./aegis-data; created on first run)\n"
    "usage: aegis token revoke --room R (--identity I | --jti J) [--data DIR]\n"
    "  --identity I    every token of I for room R issued until now is refused from now on\n"
    "  --jti J         the token with this id (printed by create in the audit log) is refused\n"
    "  A running aegis serve on the same data folder ends the matching sessions within 1 s.\n";

struct Options {
  std::string room;
  std::string identity;
  int64_t ttl_s = kDefaultTokenTtlSeconds;
  auth::Grants grants{.publish = true, .subscribe = true, .room_admin = false};
  std::optional<std::string> name;
  std::string data_dir = kDefaultDataFolder;
};

CommandOutput Usage(std::string message) {
  return CommandOutput{2, "", "aegis token: " + message + "\n" + kTokenUsage};
}

// Fills `options` from `args`; an error message on failure.
std::optional<std::string> ParseCreateArgs(std::span<const std::string_view> args, Options& options) {
  std::vector<std::string_view> seen;
  bool have_room = false;
  bool have_identity = false;
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string_view flag = args[i];
    for (std::string_view s : seen) {
      if (s == flag) return "option " + std::string(flag) + " given twice";
    }
    seen.push_back(flag);
    if (flag == "--no-publish") {
      options.grants.publish = false;
      continue;
    }
    if (flag == "--no-subscribe") {
      options.grants.subscribe = false;
      continue;
    }
    if (flag == "--admin") {
      options.grants.room_admin = true;
      continue;
    }
    const bool takes_value =
        flag == "--room" || flag == "--identity" || flag == "--ttl" || flag == "--name" || flag == "--data";
    if (!takes_value) return "unknown option '" + std::string(flag) + "'";
    if (i + 1 >= args.size()) return "option " + std::string(flag) + " needs a value";
    const std::string_view value = args[++i];
    if (flag == "--room") {
      options.room = value;
      have_room = true;
    } else if (flag == "--identity") {
      options.identity = value;
      have_identity = true;
    } else if (flag == "--ttl") {
      auto ttl = ParseTtlSeconds(value);
      if (!ttl) return "invalid --ttl '" + std::string(value) + "': use e.g. 90s, 10m or 2h, at most 24h";
      options.ttl_s = *ttl;
    } else if (flag == "--name") {
      options.name = std::string(value);
    } else {
      if (value.empty()) return "--data needs a folder";
      options.data_dir = value;
    }
  }
  if (!have_room) return std::string("--room is required");
  if (!have_identity) return std::string("--identity is required");
  return std::nullopt;
}

// Claims rules live in auth; this turns a refusal into a message naming the option.
std::string ClaimsMessage(auth::TokenError e, const Options& o) {
  switch (e) {
    case auth::TokenError::kInvalidRoom:
      return "invalid room id '" + o.room + "': must be 1-64 characters of A-Z a-z 0-9 _ -";
    case auth::TokenError::kInvalidIdentity:
      return "invalid identity '" + o.identity + "': must be 1-128 characters of A-Z a-z 0-9 and - _ . @ : + |";
    case auth::TokenError::kInvalidDisplayName:
      return "invalid --name: must be 1-64 bytes of UTF-8 text without control characters";
    default: return "cannot mint token: " + std::string(auth::ToString(e));
  }
}

CommandOutput Create(std::span<const std::string_view> args, RandomSource& random, int64_t now_unix_s) {
  Options options;
  if (auto error = ParseCreateArgs(args, options)) return Usage(*error);

  auth::Claims claims;
  claims.identity = options.identity;
  claims.room = options.room;
  claims.grants = options.grants;
  claims.display_name = options.name;
  claims.issued_at = now_unix_s;
  claims.not_before = now_unix_s;
  claims.expires_at = now_unix_s + options.ttl_s;
  claims.token_id = auth::NewTokenId(random);
  if (auto valid = auth::ValidateClaims(claims); !valid) return Usage(ClaimsMessage(valid.error(), options));

  auto data = store::DataFolder::Open(options.data_dir, random, now_unix_s);
  if (!data) return CommandOutput{1, "", "aegis token: " + data.error().message + "\n"};
  CommandOutput result;
  if (data->created_api_key()) {
    result.err = "aegis token: created data folder " + data->path() + " with a new API key\n";
  }
  auto key = data->CurrentApiKey();
  if (!key) return CommandOutput{1, "", "aegis token: " + key.error().message + "\n"};
  auto secret = auth::ApiSecret::FromBytes(key->secret.view());
  if (!secret) return CommandOutput{1, "", "aegis token: stored API key is unusable\n"};
  auto token = auth::MintToken(claims, *secret);
  if (!token) {
    return CommandOutput{1, "", "aegis token: cannot mint token: " + std::string(auth::ToString(token.error())) + "\n"};
  }

  // Minting is recorded (never the token itself: it is a bearer credential).
  const std::string detail = "key=" + key->key_id + " room=" + claims.room + " identity=" + claims.identity +
                             " ttl=" + std::to_string(options.ttl_s) + "s jti=" + *claims.token_id;
  if (auto logged = data->AppendAudit(now_unix_s, "cli", "token.create", detail); !logged) {
    return CommandOutput{1, "", "aegis token: cannot write the audit log: " + logged.error().message + "\n"};
  }
  result.out = *token + "\n";
  return result;
}

CommandOutput Revoke(std::span<const std::string_view> args, RandomSource& random, int64_t now_unix_s) {
  store::Revocation revocation;
  revocation.time_unix_s = now_unix_s;
  std::string data_dir = kDefaultDataFolder;
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string_view flag = args[i];
    if (flag != "--room" && flag != "--identity" && flag != "--jti" && flag != "--data") {
      return Usage("unknown option '" + std::string(flag) + "'");
    }
    if (i + 1 >= args.size()) return Usage("option " + std::string(flag) + " needs a value");
    const std::string value(args[++i]);
    if (flag == "--room") revocation.room_id = value;
    if (flag == "--identity") revocation.identity = value;
    if (flag == "--jti") revocation.token_id = value;
    if (flag == "--data") data_dir = value;
  }
  if (revocation.room_id.empty()) return Usage("--room is required");
  if (revocation.identity.has_value() == revocation.token_id.has_value()) {
    return Usage("give exactly one of --identity and --jti");
  }
  // The same character rules as tokens, so a typo cannot revoke nothing silently.
  auth::Claims probe;
  probe.room = revocation.room_id;
  probe.identity = revocation.identity.value_or("x");
  probe.not_before = now_unix_s;
  probe.expires_at = now_unix_s + 1;
  if (auto valid = auth::ValidateClaims(probe); !valid) {
    Options named;
    named.room = probe.room;
    named.identity = probe.identity;
    return Usage(ClaimsMessage(valid.error(), named));
  }
  auto data = store::DataFolder::Open(data_dir, random, now_unix_s);
  if (!data) return CommandOutput{1, "", "aegis token: " + data.error().message + "\n"};
  auto seq = data->AddRevocation(revocation, "cli");
  if (!seq) return CommandOutput{1, "", "aegis token: cannot store the revocation: " + seq.error().message + "\n"};
  return CommandOutput{0,
                       "revoked in room " + revocation.room_id +
                           (revocation.identity ? ": every token of identity " + *revocation.identity + " issued until now"
                                                : ": token " + *revocation.token_id) +
                           "\n",
                       ""};
}

bool IsHelp(std::string_view a) { return a == "help" || a == "--help" || a == "-h"; }

}  // namespace

std::optional<int64_t> ParseTtlSeconds(std::string_view text) {
  if (text.size() < 2 || text.size() > 7) return std::nullopt;  // up to 6 digits and a unit
  int64_t unit = 0;
  switch (text.back()) {
    case 's': unit = 1; break;
    case 'm': unit = 60; break;
    case 'h': unit = 3600; break;
    default: return std::nullopt;
  }
  int64_t value = 0;
  for (char c : text.substr(0, text.size() - 1)) {
    if (c < '0' || c > '9') return std::nullopt;
    value = value * 10 + (c - '0');
  }
  const int64_t seconds = value * unit;
  if (seconds <= 0 || seconds > kMaxTokenTtlSeconds) return std::nullopt;
  return seconds;
}

CommandOutput RunTokenCommand(std::span<const std::string_view> args, RandomSource& random, int64_t now_unix_s) {
  if (args.empty()) return Usage("missing subcommand");
  if (IsHelp(args[0]) || (args.size() > 1 && IsHelp(args[1]))) return CommandOutput{0, kTokenUsage, ""};
  if (args[0] == "--version" || (args.size() > 1 && args[1] == "--version")) {
    return CommandOutput{0, std::string("aegis token ") + AEGIS_VERSION + "\n", ""};
  }
  if (args[0] == "create") return Create(args.subspan(1), random, now_unix_s);
  if (args[0] == "revoke") return Revoke(args.subspan(1), random, now_unix_s);
  return Usage("unknown subcommand '" + std::string(args[0]) + "'");
}

}  // namespace aegis::app
