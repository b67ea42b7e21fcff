// Server-side CPU per completed DTLS-SRTP handshake, with an in-memory
// client/server pair. Only the server engine's calls (create, Start,
// HandleInput, PollTransmit, PollEvent, destruction) are timed, with the
// thread CPU clock, and reported as the iteration time.
//   dtls_handshake_bench --benchmark_repetitions=5
#include <benchmark/benchmark.h>
#include <time.h>

#include "base/random.h"
#include "dtls/certificate.h"
#include "dtls/dtls_endpoint.h"

using namespace aegis;
using namespace aegis::dtls;

namespace {

double ThreadCpuSeconds() {
  timespec ts{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) * 1e-9;
}

struct Identities {
  Identities() {
    SeededRandom rng(1);
    const std::chrono::sys_seconds now{std::chrono::seconds(1'767'225'600)};
    client_cert = Certificate::Generate(rng, now);
    server_cert = Certificate::Generate(rng, now);
    client_ctx = DtlsContext::Create(client_cert);
    server_ctx = DtlsContext::Create(server_cert);
  }
  std::shared_ptr<const Certificate> client_cert, server_cert;
  std::shared_ptr<const DtlsContext> client_ctx, server_ctx;
};

std::unique_ptr<DtlsEndpoint> Make(std::shared_ptr<const DtlsContext> ctx, DtlsRole role, const Fingerprint& fp) {
  DtlsConfig config;
  config.role = role;
  config.remote_fingerprint = fp;
  return std::move(DtlsEndpoint::Create(std::move(ctx), config)).value();
}

void BM_ServerHandshakeCpu(benchmark::State& state) {
  static Identities ids;
  int64_t handshakes = 0;
  for (auto _ : state) {
    double server_cpu = 0;
    auto timed = [&](auto&& f) {
      double t0 = ThreadCpuSeconds();
      f();
      server_cpu += ThreadCpuSeconds() - t0;
    };
    FakeClock clock;
    std::unique_ptr<DtlsEndpoint> server;
    timed([&] {
      server = Make(ids.server_ctx, DtlsRole::kServer, ids.client_cert->fingerprint());
      server->Start(clock.Now());
    });
    auto client = Make(ids.client_ctx, DtlsRole::kClient, ids.server_cert->fingerprint());
    client->Start(clock.Now());
    for (int round = 0; round < 10; ++round) {
      while (auto d = client->PollTransmit()) timed([&] { server->HandleInput(*d, clock.Now()); });
      std::vector<std::vector<uint8_t>> out;
      timed([&] {
        while (auto d = server->PollTransmit()) out.push_back(std::move(*d));
      });
      for (auto& d : out) client->HandleInput(d, clock.Now());
      if (server->state() == DtlsState::kConnected && client->state() == DtlsState::kConnected) break;
    }
    bool connected = false;
    timed([&] {
      while (auto e = server->PollEvent()) connected |= std::holds_alternative<ConnectedEvent>(*e);
      server.reset();
    });
    if (!connected) {
      state.SkipWithError("handshake did not complete");
      break;
    }
    ++handshakes;
    state.SetIterationTime(server_cpu);
  }
  state.counters["handshakes"] = static_cast<double>(handshakes);
}
BENCHMARK(BM_ServerHandshakeCpu)->UseManualTime()->Unit(benchmark::kMicrosecond);

// Wall time of a whole handshake, both engines on one thread, for context.
void BM_FullHandshakeBothSides(benchmark::State& state) {
  static Identities ids;
  for (auto _ : state) {
    FakeClock clock;
    auto server = Make(ids.server_ctx, DtlsRole::kServer, ids.client_cert->fingerprint());
    auto client = Make(ids.client_ctx, DtlsRole::kClient, ids.server_cert->fingerprint());
    server->Start(clock.Now());
    client->Start(clock.Now());
    for (int round = 0; round < 10 && client->state() != DtlsState::kConnected; ++round) {
      while (auto d = client->PollTransmit()) server->HandleInput(*d, clock.Now());
      while (auto d = server->PollTransmit()) client->HandleInput(*d, clock.Now());
    }
    if (client->state() != DtlsState::kConnected) state.SkipWithError("handshake did not complete");
  }
}
BENCHMARK(BM_FullHandshakeBothSides)->Unit(benchmark::kMicrosecond);

void BM_CertificateGenerate(benchmark::State& state) {
  SeededRandom rng(3);
  const std::chrono::sys_seconds now{std::chrono::seconds(1'767'225'600)};
  for (auto _ : state) benchmark::DoNotOptimize(Certificate::Generate(rng, now));
}
BENCHMARK(BM_CertificateGenerate)->Unit(benchmark::kMicrosecond);

}  // namespace

BENCHMARK_MAIN();
