// Writes the seed corpus of dtls_server_fuzzer: datagrams our own client
// engine really sends, in the fuzzer's input format (each datagram preceded
// by its 16-bit big-endian length).
//   dtls_seed_writer <dir>
#include <cstdio>
#include <fstream>
#include <string>
#include <vector>

#include "base/byte_writer.h"
#include "base/random.h"
#include "dtls/certificate.h"
#include "dtls/dtls_endpoint.h"

using namespace aegis;
using namespace aegis::dtls;

namespace {

using Datagrams = std::vector<std::vector<uint8_t>>;

bool Write(const std::string& dir, const char* name, const Datagrams& datagrams) {
  std::vector<uint8_t> out;
  ByteWriter w(out);
  for (const auto& d : datagrams) {
    w.U16(static_cast<uint16_t>(d.size()));
    w.Bytes(d);
  }
  std::ofstream f(dir + "/" + name, std::ios::binary);
  f.write(reinterpret_cast<const char*>(out.data()), static_cast<std::streamsize>(out.size()));
  return static_cast<bool>(f);
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: %s <corpus dir>\n", argv[0]);
    return 2;
  }
  SeededRandom rng(1);
  const std::chrono::sys_seconds now{std::chrono::seconds(1'767'225'600)};
  auto client_cert = Certificate::Generate(rng, now);
  auto server_cert = Certificate::Generate(rng, now);
  auto client_ctx = DtlsContext::Create(client_cert);
  auto server_ctx = DtlsContext::Create(server_cert);
  if (!client_ctx || !server_ctx) return 1;
  DtlsConfig cc, sc;
  cc.role = DtlsRole::kClient;
  cc.remote_fingerprint = server_cert->fingerprint();
  sc.role = DtlsRole::kServer;
  sc.remote_fingerprint = client_cert->fingerprint();
  auto client = DtlsEndpoint::Create(client_ctx, cc);
  auto server = DtlsEndpoint::Create(server_ctx, sc);
  if (!client.ok() || !server.ok()) return 1;

  // Run a real handshake, recording each client flight.
  FakeClock clock;
  (*client)->Start(clock.Now());
  (*server)->Start(clock.Now());
  std::vector<Datagrams> flights;
  for (int i = 0; i < 10; ++i) {
    Datagrams flight;
    while (auto d = (*client)->PollTransmit()) {
      flight.push_back(*d);
      (*server)->HandleInput(*d, clock.Now());
    }
    if (!flight.empty()) flights.push_back(flight);
    while (auto d = (*server)->PollTransmit()) (*client)->HandleInput(*d, clock.Now());
  }
  if (flights.size() < 2 || (*client)->state() != DtlsState::kConnected) return 1;

  const Datagrams& hello = flights[0];
  Datagrams hello_then_second = hello;
  hello_then_second.insert(hello_then_second.end(), flights[1].begin(), flights[1].end());
  Datagrams hello_twice = hello;
  hello_twice.insert(hello_twice.end(), hello.begin(), hello.end());
  bool ok = Write(argv[1], "client_hello", hello) && Write(argv[1], "client_hello_and_second_flight", hello_then_second) &&
            Write(argv[1], "client_hello_twice", hello_twice);
  std::printf("wrote %zu-byte ClientHello and a %zu-datagram second flight\n", hello[0].size(), flights[1].size());
  return ok ? 0 : 1;
}
