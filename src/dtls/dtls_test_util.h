// Test helpers: certificates, and a client/server pair connected in memory
// and run in simulated time (FakeClock), with an optional lossy link.
#pragma once

#include <gtest/gtest.h>

#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <vector>

#include "base/random.h"
#include "base/time.h"
#include "dtls/certificate.h"
#include "dtls/dtls_endpoint.h"
#include "dtls/ssl_ctx.h"

namespace aegis::dtls::testing {

inline constexpr std::chrono::sys_seconds kWallNow{std::chrono::seconds(1'767'225'600)};  // 2026-01-01

inline std::shared_ptr<const Certificate> NewCertificate(uint64_t seed) {
  SeededRandom rng(seed);
  auto cert = Certificate::Generate(rng, kWallNow);
  EXPECT_NE(cert, nullptr);
  return cert;
}

// Two certificates made once per test binary: generation is not what these
// tests exercise.
inline std::shared_ptr<const Certificate> ClientCertificate() {
  static auto cert = NewCertificate(1);
  return cert;
}
inline std::shared_ptr<const Certificate> ServerCertificate() {
  static auto cert = NewCertificate(2);
  return cert;
}

inline std::shared_ptr<const DtlsContext> Context(std::shared_ptr<const Certificate> cert,
                                                  std::vector<SrtpProfile> profiles = {}) {
  ContextOptions options;
  if (!profiles.empty()) options.srtp_profiles = std::move(profiles);
  auto ctx = DtlsContext::Create(std::move(cert), options);
  EXPECT_NE(ctx, nullptr);
  return ctx;
}

inline std::unique_ptr<DtlsEndpoint> Endpoint(std::shared_ptr<const DtlsContext> ctx, DtlsRole role,
                                              const Fingerprint& remote) {
  DtlsConfig config;
  config.role = role;
  config.remote_fingerprint = remote;
  auto ep = DtlsEndpoint::Create(std::move(ctx), config);
  EXPECT_TRUE(ep.ok());
  return ep.ok() ? std::move(ep).value() : nullptr;
}

// Client and server exchanging datagrams instantly; `drop` decides per
// datagram whether the link loses it.
class DtlsPair {
 public:
  using DropFn = std::function<bool(bool from_client, const std::vector<uint8_t>& datagram)>;

  DtlsPair(std::shared_ptr<const DtlsContext> client_ctx, std::shared_ptr<const DtlsContext> server_ctx,
           std::optional<Fingerprint> client_expects = std::nullopt,
           std::optional<Fingerprint> server_expects = std::nullopt)
      : client(Endpoint(client_ctx, DtlsRole::kClient,
                        client_expects.value_or(server_ctx->certificate().fingerprint()))),
        server(Endpoint(server_ctx, DtlsRole::kServer,
                        server_expects.value_or(client_ctx->certificate().fingerprint()))) {}

  DtlsPair()
      : DtlsPair(Context(ClientCertificate()), Context(ServerCertificate())) {}

  void Start() {
    server->Start(clock.Now());
    client->Start(clock.Now());
  }

  // Moves every queued datagram once in each direction; true if any moved.
  bool ExchangeOnce() {
    bool moved = false;
    while (auto d = client->PollTransmit()) {
      moved = true;
      ++sent_by_client;
      if (!drop || !drop(true, *d)) server->HandleInput(*d, clock.Now());
    }
    while (auto d = server->PollTransmit()) {
      moved = true;
      ++sent_by_server;
      if (!drop || !drop(false, *d)) client->HandleInput(*d, clock.Now());
    }
    Collect();
    return moved;
  }

  // Runs until both sides are past the handshake (or `limit` of simulated
  // time passed), advancing the clock to the next timeout when idle.
  void RunHandshake(TimeDelta limit = TimeDelta::Seconds(60)) {
    Timestamp end = clock.Now() + limit;
    for (int i = 0; i < 100'000; ++i) {
      if (ExchangeOnce()) continue;
      if (Settled()) return;
      std::optional<Timestamp> next = Earliest(client->NextTimeout(), server->NextTimeout());
      if (!next || *next > end) return;
      if (*next > clock.Now()) clock.Advance(*next - clock.Now());
      client->HandleTimeout(clock.Now());
      server->HandleTimeout(clock.Now());
    }
    ADD_FAILURE() << "RunHandshake did not settle";
  }

  bool Settled() const { return client->state() != DtlsState::kHandshaking && server->state() != DtlsState::kHandshaking; }

  void Collect() {
    while (auto e = client->PollEvent()) client_events.push_back(std::move(*e));
    while (auto e = server->PollEvent()) server_events.push_back(std::move(*e));
  }

  FakeClock clock;
  std::unique_ptr<DtlsEndpoint> client;
  std::unique_ptr<DtlsEndpoint> server;
  DropFn drop;
  std::vector<DtlsEvent> client_events;
  std::vector<DtlsEvent> server_events;
  int sent_by_client = 0;
  int sent_by_server = 0;

 private:
  static std::optional<Timestamp> Earliest(std::optional<Timestamp> a, std::optional<Timestamp> b) {
    if (!a) return b;
    if (!b) return a;
    return std::min(*a, *b);
  }
};

template <typename T>
const T* Find(const std::vector<DtlsEvent>& events) {
  for (const auto& e : events) {
    if (const T* t = std::get_if<T>(&e)) return t;
  }
  return nullptr;
}

template <typename T>
int Count(const std::vector<DtlsEvent>& events) {
  int n = 0;
  for (const auto& e : events) n += std::holds_alternative<T>(e) ? 1 : 0;
  return n;
}

inline std::vector<uint8_t> Bytes(std::span<const uint8_t> s) { return {s.begin(), s.end()}; }

}  // namespace aegis::dtls::testing
