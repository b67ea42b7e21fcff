// Test-only: two associations (DTLS client and server roles) joined by an
// in-memory link in simulated time, with seeded loss and a fixed one-way
// delay. Also the friend that lets tests send raw DCEP bytes.
#pragma once

#include <gtest/gtest.h>

#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "base/random.h"
#include "base/time.h"
#include "sctp/sctp_association.h"
#include "sctp/sctp_stack.h"
#include "sctp/usrsctp_test_hooks.h"

namespace aegis::sctp {

class SctpAssociationTestPeer {
 public:
  // Queues `bytes` as a PPID-50 message on `stream_id`, as is.
  static void SendRawDcep(SctpAssociation& a, uint16_t stream_id, std::vector<uint8_t> bytes,
                          bool unordered = false) {
    OutgoingMessage m;
    m.params.stream_id = stream_id;
    m.params.ppid = static_cast<uint32_t>(Ppid::kDcep);
    m.params.unordered = unordered;
    m.payload = std::move(bytes);
    a.queue_.Push(std::move(m), true);
    a.FlushOutbound();
  }
  // Queues a user message with any PPID on any stream.
  static void SendRaw(SctpAssociation& a, uint16_t stream_id, uint32_t ppid, std::vector<uint8_t> bytes) {
    OutgoingMessage m;
    m.params.stream_id = stream_id;
    m.params.ppid = ppid;
    m.payload = std::move(bytes);
    a.queue_.Push(std::move(m), true);
    a.FlushOutbound();
  }
};

namespace testing {

inline std::vector<uint8_t> Bytes(std::string_view s) { return {s.begin(), s.end()}; }

inline std::vector<uint8_t> Pattern(size_t n, uint8_t seed) {
  std::vector<uint8_t> v(n);
  for (size_t i = 0; i < n; ++i) v[i] = static_cast<uint8_t>(seed + i * 31 + (i >> 8));
  return v;
}

inline SctpConfig ClientConfig() {
  SctpConfig c;
  c.role = SctpRole::kClient;
  return c;
}
inline SctpConfig ServerConfig() {
  SctpConfig c;
  c.role = SctpRole::kServer;
  return c;
}

struct Endpoint {
  std::unique_ptr<SctpAssociation> assoc;
  std::vector<SctpEvent> events;
  bool poll_events = true;

  template <typename T>
  std::vector<T> All() const {
    std::vector<T> out;
    for (const auto& e : events) {
      if (const auto* t = std::get_if<T>(&e)) out.push_back(*t);
    }
    return out;
  }
  template <typename T>
  size_t Count() const { return All<T>().size(); }
  // Messages received on one stream, in arrival order.
  std::vector<Message> MessagesOn(uint16_t stream_id) const {
    std::vector<Message> out;
    for (const auto& m : All<Message>()) {
      if (m.stream_id == stream_id) out.push_back(m);
    }
    return out;
  }
};

class SimulatedPair {
 public:
  struct Options {
    double loss = 0.0;
    uint64_t seed = 1;
    TimeDelta one_way_delay = TimeDelta::Millis(5);
  };

  SimulatedPair(const SctpConfig& client_config, const SctpConfig& server_config, Options options)
      : options_(options), rng_(options.seed), wall_clock_(&clock_), stack_(MakeStack(options.seed, clock_.Now())) {
    client.assoc = SctpAssociation::Create(stack_, client_config);
    server.assoc = SctpAssociation::Create(stack_, server_config);
  }
  SimulatedPair() : SimulatedPair(ClientConfig(), ServerConfig(), Options{}) {}
  explicit SimulatedPair(Options options) : SimulatedPair(ClientConfig(), ServerConfig(), options) {}
  ~SimulatedPair() {
    client.assoc.reset();
    server.assoc.reset();
  }

  Timestamp now() const { return clock_.Now(); }
  SctpStack& stack() { return stack_; }

  // Both sides Connect() (server first, as a transport would once DTLS is
  // up) and run until both report Connected.
  bool Handshake(TimeDelta limit = TimeDelta::Seconds(60)) {
    if (!server.assoc->Connect(now()).ok() || !client.assoc->Connect(now()).ok()) return false;
    return RunUntil([&] { return client.Count<Connected>() == 1 && server.Count<Connected>() == 1; }, limit);
  }

  // Advances simulated time event by event until `done` or `limit` passes.
  bool RunUntil(const std::function<bool()>& done, TimeDelta limit = TimeDelta::Seconds(60)) {
    const Timestamp end = now() + limit;
    while (true) {
      Pump();
      if (done()) return true;
      if (now() >= end) return false;
      Timestamp next = end;
      for (const auto& p : in_flight_) next = std::min(next, p.at);
      for (Endpoint* e : {&client, &server}) {
        if (auto t = e->assoc->NextTimeout()) next = std::min(next, *t);
      }
      if (next > now()) clock_.Advance(next - now());
      Deliver();
      for (Endpoint* e : {&client, &server}) {
        if (auto t = e->assoc->NextTimeout(); t && *t <= now()) e->assoc->HandleTimeout(now());
      }
    }
  }
  // Runs for a fixed stretch of simulated time.
  void RunFor(TimeDelta d) { RunUntil([] { return false; }, d); }

  // Sees every packet before the link: return false to drop it.
  std::function<bool(bool from_client, std::vector<uint8_t>& packet)> filter;

  Endpoint client;
  Endpoint server;
  size_t largest_packet = 0;
  uint64_t packets_lost = 0;

 private:
  struct InFlight {
    Timestamp at;
    bool to_server;
    std::vector<uint8_t> bytes;
  };

  static SctpStack MakeStack(uint64_t seed, Timestamp now) {
    testing::SeedUsrsctpRandom(seed);
    return SctpStack(now);
  }

  // Moves everything produced so far onto the link and collects events.
  void Pump() {
    for (Endpoint* e : {&client, &server}) {
      const bool from_client = e == &client;
      while (auto p = e->assoc->PollTransmit()) {
        largest_packet = std::max(largest_packet, p->size());
        if (filter && !filter(from_client, *p)) continue;
        if (options_.loss > 0 && rng_.U32() < static_cast<uint32_t>(options_.loss * 4294967295.0)) {
          ++packets_lost;
          continue;
        }
        in_flight_.push_back({now() + options_.one_way_delay, from_client, std::move(*p)});
      }
      if (!e->poll_events) continue;
      while (auto ev = e->assoc->PollEvent()) e->events.push_back(std::move(*ev));
    }
  }

  void Deliver() {
    // In order of departure: the link never reorders.
    while (!in_flight_.empty() && in_flight_.front().at <= now()) {
      InFlight p = std::move(in_flight_.front());
      in_flight_.erase(in_flight_.begin());
      (p.to_server ? server : client).assoc->HandleInput(p.bytes, now());
    }
  }

  // usrsctp's gettimeofday() follows clock_ for the pair's lifetime.
  struct WallClockScope {
    explicit WallClockScope(const Clock* clock) { testing::SetSimulatedWallClock(clock); }
    ~WallClockScope() { testing::SetSimulatedWallClock(nullptr); }
  };

  Options options_;
  SeededRandom rng_;
  FakeClock clock_;
  WallClockScope wall_clock_;
  SctpStack stack_;
  std::vector<InFlight> in_flight_;
};

}  // namespace testing
}  // namespace aegis::sctp
