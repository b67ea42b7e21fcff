// A deliberate data race, so the TSan run shows it can fail: two threads
// write one plain int with no synchronisation (tsan_detects_a_race).
#include <cstdio>
#include <string_view>
#include <thread>

namespace {
int counter = 0;
}

int main(int argc, char** argv) {
  for (int i = 1; i < argc; ++i) {
    const std::string_view a = argv[i];
    if (a == "--help") {
      std::puts("tsan_race_probe: two threads race on one int (for the TSan test's own check)");
      return 0;
    }
    if (a == "--version") {
      std::puts("tsan_race_probe 1.0");
      return 0;
    }
  }
  std::thread other([] { ++counter; });
  ++counter;
  other.join();
  std::printf("%d\n", counter);
  return 0;
}
