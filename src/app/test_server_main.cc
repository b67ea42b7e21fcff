// aegis-test-server: `aegis serve` with the test hooks of
// app/test_hooks_impl.h, for the E2EE interop tests. Never shipped: it
// captures media payloads and MLS messages and can substitute a KeyPackage
// on purpose.
//
//   aegis-test-server serve [--test-capture FILE] [--test-substitute-key-package FILE] <aegis serve options>
#include <cstdio>
#include <fstream>
#include <iterator>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "app/serve_command.h"
#include "app/test_hooks_impl.h"
#include "mls/mls_message.h"
#include "signaling/messages.h"

namespace {
constexpr const char* kUsage =
    "usage: aegis-test-server serve [--test-capture FILE] [--test-substitute-key-package FILE] <aegis serve options>\n"
    "  A TEST BUILD of aegis serve; never run it for real calls.\n"
    "  --test-capture FILE                 write every publisher RTP packet, MLS message relayed (per\n"
    "                                      recipient) and participant removed to FILE as JSON lines (bounded)\n"
    "  --test-substitute-key-package FILE  announce the KeyPackage in FILE (a binary MLSMessage) to the\n"
    "                                      others instead of a room's second joiner's own\n";

// The KeyPackage in `path`, or nullopt (with the reason on stderr).
std::optional<aegis::signaling::Blob> ReadKeyPackage(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    std::fprintf(stderr, "aegis-test-server: cannot read %s\n", path.c_str());
    return std::nullopt;
  }
  aegis::signaling::Blob bytes{std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
  auto parsed = aegis::mls::ParseMlsMessage(bytes);
  if (!parsed.ok() || parsed->wire_format != aegis::mls::WireFormat::kKeyPackage ||
      bytes.size() > aegis::signaling::kMaxKeyPackageSize) {
    std::fprintf(stderr, "aegis-test-server: %s does not hold an MLSMessage KeyPackage of at most %zu bytes\n",
                 path.c_str(), aegis::signaling::kMaxKeyPackageSize);
    return std::nullopt;
  }
  return bytes;
}
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
  std::optional<aegis::signaling::Blob> substitute;
  for (int i = 2; i < argc; ++i) {
    std::string_view a = argv[i];
    if (a == "--test-capture" && i + 1 < argc) {
      capture = argv[++i];
    } else if (a == "--test-substitute-key-package" && i + 1 < argc) {
      substitute = ReadKeyPackage(argv[++i]);
      if (!substitute) return 2;
    } else {
      args.push_back(a);
    }
  }
  std::printf("aegis-test-server: TEST BUILD%s%s\n", capture.empty() ? "" : ", capturing payloads and MLS messages",
              substitute ? ", substituting the second joiner's KeyPackage" : "");
  aegis::app::CaptureAndSubstituteHooks hooks(capture, std::move(substitute));
  return aegis::app::RunServe(args, &hooks);
}
