// aegis: the program. Today it runs its power-on self-checks and reports the
// protocol core it carries; `aegis serve` arrives with the server layer.
#include <cstdio>
#include <cstring>

#include "app/self_check.h"

namespace {

constexpr const char* kUsage =
    "usage: aegis [selfcheck | version | help]\n"
    "  selfcheck  run the known-answer checks of the crypto and protocol core (default)\n"
    "  version    print the version\n";

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

}  // namespace

int main(int argc, char** argv) {
  const char* command = argc > 1 ? argv[1] : "selfcheck";
  if (std::strcmp(command, "selfcheck") == 0) {
    std::printf("aegis %s: self-check\n", AEGIS_VERSION);
    return SelfCheck();
  }
  if (std::strcmp(command, "version") == 0) {
    std::printf("aegis %s\n", AEGIS_VERSION);
    return 0;
  }
  std::fputs(kUsage, std::strcmp(command, "help") == 0 ? stdout : stderr);
  return std::strcmp(command, "help") == 0 ? 0 : 2;
}
