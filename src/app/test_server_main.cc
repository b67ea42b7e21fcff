// aegis-test-server: `aegis serve` with the test hooks of
// app/test_hooks_impl.h, for the E2EE interop tests. Never shipped: it
// captures media payloads and can swap identity keys on purpose.
//
//   aegis-test-server serve [--test-capture FILE] [--test-substitute-identity-key] <aegis serve options>
#include <cstdio>
#include <string>
#include <string_view>
#include <vector>

#include "app/serve_command.h"
#include "app/test_hooks_impl.h"

namespace {
constexpr const char* kUsage =
    "usage: aegis-test-server serve [--test-capture FILE] [--test-substitute-identity-key] <aegis serve options>\n"
    "  A TEST BUILD of aegis serve; never run it for real calls.\n"
    "  --test-capture FILE               write every publisher RTP packet, key blob relayed and participant\n"
    "                                    removed to FILE as JSON lines (bounded)\n"
    "  --test-substitute-identity-key    announce a fresh identity key for a room's second joiner\n";
}  // namespace

int main(int argc, char** argv) {
  const std::string_view first = argc > 1 ? argv[1] : "";
  if (first == "--help" || first == "help" || first == "-h") {
    std::fputs(kUsage, stdout);
    return 0;
  }
  if (first == "--version" || first == "version") {
    std::printf("aegis-test-server %s\n", AEGIS_VERSION);
    return 0;
  }
  if (first != "serve") {
    std::fputs(kUsage, stderr);
    return 2;
  }
  std::vector<std::string_view> args;
  std::string capture;
  bool substitute = false;
  for (int i = 2; i < argc; ++i) {
    std::string_view a = argv[i];
    if (a == "--test-capture" && i + 1 < argc) {
      capture = argv[++i];
    } else if (a == "--test-substitute-identity-key") {
      substitute = true;
    } else {
      args.push_back(a);
    }
  }
  std::printf("aegis-test-server: TEST BUILD%s%s\n", capture.empty() ? "" : ", capturing payloads",
              substitute ? ", substituting the second joiner's identity key" : "");
  aegis::app::CaptureAndSubstituteHooks hooks(capture, substitute);
  return aegis::app::RunServe(args, &hooks);
}
