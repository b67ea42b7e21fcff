// The forwarding path's CPU per forwarded packet: one 1,200-byte VP8 packet
// from a publisher through Conference::HandleDatagram to N subscribers
// (SRTP unprotect once, route, rewrite and SRTP protect N times). Sockets
// are left out (counted, not sent): `aegis-load` measures the whole server.
#include "bench/fanout_bench.h"

#include <benchmark/benchmark.h>

#include <cstdio>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "bench/fanout_room.h"

namespace aegis::bench {
namespace {

constexpr size_t kPayloadSize = 1200;
constexpr size_t kSubscriberCounts[] = {1, 10, 50, 200};

// Every iteration needs a packet never forwarded before (SRTP replay
// protection): each repetition records its own, outside the timed loop.
void RunForward(benchmark::State& state, FanoutRoom* room, size_t subscribers) {
  const auto count = static_cast<size_t>(state.max_iterations);
  auto packets = room->RecordVideo(count, kPayloadSize);
  if (packets.size() != count) {
    state.SkipWithError("the publisher could not send");
    return;
  }
  room->TakeSentDatagrams();
  std::vector<uint8_t> scratch;
  scratch.reserve(2048);
  size_t i = 0;
  for (auto _ : state) room->Forward(packets[i++], scratch);
  const uint64_t sent = room->TakeSentDatagrams();
  if (sent != count * subscribers) {
    std::fprintf(stderr, "forwarded %llu datagrams, expected %zu\n", static_cast<unsigned long long>(sent),
                 count * subscribers);
    state.SkipWithError("not every subscriber got every packet");
    return;
  }
  state.SetItemsProcessed(static_cast<int64_t>(sent));  // forwarded packets
  state.counters["subscribers"] = static_cast<double>(subscribers);
}

}  // namespace

int RunFanoutBench(int argc, char** argv) {
  std::vector<char*> args = {argv[0]};
  bool has_repetitions = false;
  for (int i = 1; i < argc; ++i) {
    has_repetitions |= std::string(argv[i]).rfind("--benchmark_repetitions", 0) == 0;
    args.push_back(argv[i]);
  }
  static char kRepetitions[] = "--benchmark_repetitions=3";
  if (!has_repetitions) args.push_back(kRepetitions);
  int n = static_cast<int>(args.size());
  benchmark::Initialize(&n, args.data());
  if (benchmark::ReportUnrecognizedArguments(n, args.data())) return 2;

  std::vector<std::unique_ptr<FanoutRoom>> rooms;  // set up before any timing
  for (size_t subscribers : kSubscriberCounts) {
    std::string error;
    auto room = FanoutRoom::Create(subscribers, error);
    if (!room) {
      std::fprintf(stderr, "fanout room of %zu subscribers: %s\n", subscribers, error.c_str());
      return 1;
    }
    FanoutRoom* raw = room.get();
    rooms.push_back(std::move(room));
    // ~0.5 s of work per repetition whatever the fan-out.
    const auto iterations = static_cast<benchmark::IterationCount>(200'000 / subscribers + 1000);
    benchmark::RegisterBenchmark(("forward_video_1200B/subscribers:" + std::to_string(subscribers)).c_str(),
                                 [raw, subscribers](benchmark::State& s) { RunForward(s, raw, subscribers); })
        ->Iterations(iterations)
        ->Unit(benchmark::kMicrosecond);
  }
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}

}  // namespace aegis::bench
