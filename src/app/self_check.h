// Power-on known-answer checks: before aegis handles any traffic it proves
// that the crypto and protocol code it was built with produce the published
// answers on this machine (a broken OpenSSL build, a miscompile or a CPU
// fault must stop the program, not weaken calls silently).
#pragma once

#include <string>
#include <vector>

namespace aegis::app {

struct CheckResult {
  std::string name;
  bool passed = false;
};

std::vector<CheckResult> RunSelfChecks();

}  // namespace aegis::app
