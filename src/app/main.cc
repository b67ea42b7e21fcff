// aegis: the program. `aegis serve` runs the server; `aegis token create`
// mints access tokens; `aegis selfcheck` runs the power-on known-answer
// checks (serve and token run them too before doing anything).
#include <chrono>
#include <cstdio>
#include <cstring>
#include <string_view>
#include <vector>

#include "app/audit_command.h"
#include "app/cluster_command.h"
#include "app/self_check.h"
#include "app/room_command.h"
#include "app/serve_command.h"
#include "app/token_command.h"
#include "crypto/secure_random.h"

namespace {

constexpr const char* kUsage =
    "usage: aegis [serve | token | room | audit | cluster | selfcheck | version | help]\n"
    "  serve      run the server (aegis serve --help for its options)\n"
    "  selfcheck  run the known-answer checks of the crypto and protocol core\n"
    "  version    print the version\n"
    "  token      token create --room R --identity I [--ttl 10m] ...: mint an access token\n"
    "  room       room policy --room R [--e2ee required|optional]: show or set a room's policy\n"
    "             (aegis token help for all options)\n"
    "  audit      audit verify | audit tail [-n N] [--follow]: check or read the audit log\n"
    "  cluster    cluster status --redis URL ...: the nodes registered in Redis (several nodes)\n";

int SelfCheck() {
  int failed = 0;
  for (const auto& r : aegis::app::RunSelfChecks()) {
    std::printf("  %-40s %s\n", r.name.c_str(), r.passed ? "ok" : "FAILED");
    failed += r.passed ? 0 : 1;
  }
  if (failed) {
    std::printf("aegis: %d self-check(s) failed; refusing to run\n", failed);
    return 1;
  }
  std::printf("aegis: all self-checks passed\n");
  return 0;
}

int Token(int argc, char** argv) {
  // The known answers guard minting too: a broken HMAC must not sign tokens.
  for (const auto& r : aegis::app::RunSelfChecks()) {
    if (!r.passed) {
      std::fprintf(stderr, "aegis: self-check %s failed; refusing to mint tokens\n", r.name.c_str());
      return 1;
    }
  }
  std::vector<std::string_view> args(argv + 2, argv + argc);
  aegis::crypto::SecureRandom random;
  const auto now = std::chrono::duration_cast<std::chrono::seconds>(
      std::chrono::system_clock::now().time_since_epoch());
  const auto result = aegis::app::RunTokenCommand(args, random, static_cast<int64_t>(now.count()));
  std::fputs(result.err.c_str(), stderr);
  std::fputs(result.out.c_str(), stdout);
  return result.exit_code;
}

int Room(int argc, char** argv) {
  std::vector<std::string_view> args(argv + 2, argv + argc);
  aegis::crypto::SecureRandom random;
  const auto now = std::chrono::duration_cast<std::chrono::seconds>(
      std::chrono::system_clock::now().time_since_epoch());
  const auto result = aegis::app::RunRoomCommand(args, random, static_cast<int64_t>(now.count()));
  std::fputs(result.err.c_str(), stderr);
  std::fputs(result.out.c_str(), stdout);
  return result.exit_code;
}

}  // namespace

int main(int argc, char** argv) {
  const char* command = argc > 1 ? argv[1] : "help";
  if (std::strcmp(command, "serve") == 0) return aegis::app::RunServe({argv + 2, argv + argc});
  if (std::strcmp(command, "selfcheck") == 0) {
    std::printf("aegis %s: self-check\n", AEGIS_VERSION);
    return SelfCheck();
  }
  if (std::strcmp(command, "token") == 0) return Token(argc, argv);
  if (std::strcmp(command, "room") == 0) return Room(argc, argv);
  if (std::strcmp(command, "cluster") == 0) {
    std::vector<std::string_view> args(argv + 2, argv + argc);
    return aegis::app::RunClusterCommand(args);
  }
  if (std::strcmp(command, "audit") == 0) return aegis::app::RunAuditMain({argv + 2, argv + argc}, AEGIS_VERSION);
  if (std::strcmp(command, "version") == 0 || std::strcmp(command, "--version") == 0) {
    std::printf("aegis %s\n", AEGIS_VERSION);
    return 0;
  }
  const bool help = std::strcmp(command, "help") == 0 || std::strcmp(command, "--help") == 0 ||
                    std::strcmp(command, "-h") == 0;
  std::fputs(kUsage, help ? stdout : stderr);
  return help ? 0 : 2;
}
