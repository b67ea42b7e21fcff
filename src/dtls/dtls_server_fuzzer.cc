// Fuzzes a server DtlsEndpoint (fixed certificate, fixed expected client
// fingerprint, FakeClock) with a sequence of datagrams. Input format: each
// datagram is a 16-bit big-endian length and that many bytes; the clock
// advances 50 ms after each datagram. Invariants: never crashes, never sends
// a datagram over the MTU or an unbounded number of them, and never
// connects (no input can prove possession of the client's key).
#include <cstdint>
#include <cstdlib>

#include "base/byte_reader.h"
#include "base/random.h"
#include "base/time.h"
#include "dtls/certificate.h"
#include "dtls/dtls_endpoint.h"

using namespace aegis;
using namespace aegis::dtls;

namespace {

struct Fixture {
  Fixture() {
    SeededRandom rng(7);
    const std::chrono::sys_seconds now{std::chrono::seconds(1'767'225'600)};
    context = DtlsContext::Create(Certificate::Generate(rng, now));
    auto client = Certificate::Generate(rng, now);
    if (!context || !client) abort();
    client_fingerprint = client->fingerprint();
  }
  std::shared_ptr<const DtlsContext> context;
  Fingerprint client_fingerprint;
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static Fixture fixture;
  DtlsConfig config;
  config.role = DtlsRole::kServer;
  config.remote_fingerprint = fixture.client_fingerprint;
  auto server = DtlsEndpoint::Create(fixture.context, config);
  if (!server.ok()) abort();
  DtlsEndpoint& ep = **server;

  FakeClock clock;
  ep.Start(clock.Now());
  ByteReader reader({data, size});
  size_t sent = 0;
  for (int i = 0; i < 64 && !reader.empty(); ++i) {
    size_t len = reader.U16();
    auto datagram = reader.Bytes(std::min(len, reader.remaining()));
    ep.HandleInput(datagram, clock.Now());
    clock.Advance(TimeDelta::Millis(50));
    ep.HandleTimeout(clock.Now());
    while (auto d = ep.PollTransmit()) {
      if (d->size() > config.mtu) abort();
      if (++sent > 10'000) abort();
    }
    while (auto e = ep.PollEvent()) {
      if (std::holds_alternative<ConnectedEvent>(*e)) abort();
    }
  }
  // Run the clock out: the handshake must end by its deadline.
  for (int i = 0; i < 100 && ep.NextTimeout(); ++i) {
    clock.Advance(*ep.NextTimeout() - clock.Now());
    ep.HandleTimeout(clock.Now());
    while (ep.PollTransmit()) {
    }
  }
  if (ep.state() == DtlsState::kHandshaking) abort();
  return 0;
}
