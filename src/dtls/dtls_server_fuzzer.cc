// Fuzzes a server DtlsEndpoint (fixed certificate, fixed expected client
// fingerprint, FakeClock). Two modes, by the first byte:
//
// Raw (bit 7 clear; every input written by dtls_seed_writer): a sequence of
// datagrams, each a 16-bit big-endian length (below 0x8000) and that many
// bytes; the clock advances 50 ms after each. Invariants: never crashes,
// never sends a datagram over the MTU or an unbounded number of them, and
// never connects (no input can prove possession of the client's key).
//
// Client-driven (bit 7 set): a real client holding the key the server
// expects runs the handshake, so inputs get past authentication and reach
// the connected state. The rest of the input is records [op][len][len bytes]:
//   op % 8 == 0: a raw datagram to the server
//             1: the client's next datagram, XORed with the bytes
//             2: the client's next datagram is lost
//             3: the client's next datagram arrives twice
//             4: advance time by (first byte + 1) * 10 ms
//             5: the client sends the bytes as application data
//             6: the server sends the bytes as application data
//             7: deliver everything queued both ways
// The server's datagrams reach the client intact and in order.
// Oracle (abort with a message):
//  - the server connects only to the client's certificate, and then the
//    client connects too (unless its own handshake timed out), with the
//    same SRTP profile and keys;
//  - each side's application data is, in order, what the other sent: never
//    invented, altered or repeated (a datagram delivered twice is a replay);
//    all of it unless a datagram was lost, altered or injected;
//  - with no datagram altered or injected, the handshake completes.
#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <deque>
#include <optional>
#include <vector>

#include "base/byte_reader.h"
#include "base/random.h"
#include "base/time.h"
#include "dtls/certificate.h"
#include "dtls/dtls_endpoint.h"

using namespace aegis;
using namespace aegis::dtls;

namespace {

void Fail(const char* what) {
  std::fprintf(stderr, "dtls_server_fuzzer: %s\n", what);
  abort();
}

struct Fixture {
  Fixture() {
    SeededRandom rng(7);
    const std::chrono::sys_seconds now{std::chrono::seconds(1'767'225'600)};
    context = DtlsContext::Create(Certificate::Generate(rng, now));
    client_context = DtlsContext::Create(Certificate::Generate(rng, now));
    if (!context || !client_context) abort();
    client_fingerprint = client_context->certificate().fingerprint();
  }
  std::shared_ptr<const DtlsContext> context;
  std::shared_ptr<const DtlsContext> client_context;
  Fingerprint client_fingerprint;
};

const Fixture& GetFixture() {
  static const Fixture fixture;
  return fixture;
}

std::unique_ptr<DtlsEndpoint> MakeServer() {
  DtlsConfig config;
  config.role = DtlsRole::kServer;
  config.remote_fingerprint = GetFixture().client_fingerprint;
  auto server = DtlsEndpoint::Create(GetFixture().context, config);
  if (!server.ok()) abort();
  return std::move(server).value();
}

void RunRaw(ByteReader reader) {
  auto server = MakeServer();
  DtlsEndpoint& ep = *server;
  const size_t mtu = DtlsConfig{}.mtu;
  FakeClock clock;
  ep.Start(clock.Now());
  size_t sent = 0;
  for (int i = 0; i < 64 && !reader.empty(); ++i) {
    size_t len = reader.U16();
    auto datagram = reader.Bytes(std::min(len, reader.remaining()));
    ep.HandleInput(datagram, clock.Now());
    clock.Advance(TimeDelta::Millis(50));
    ep.HandleTimeout(clock.Now());
    while (auto d = ep.PollTransmit()) {
      if (d->size() > mtu) abort();
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
}

bool SameKeys(const ConnectedEvent& a, const ConnectedEvent& b) {
  auto eq = [](const crypto::SecretBytes& x, const crypto::SecretBytes& y) {
    return std::ranges::equal(x.view(), y.view());
  };
  return a.profile == b.profile && eq(a.keys.client_write_key, b.keys.client_write_key) &&
         eq(a.keys.server_write_key, b.keys.server_write_key) &&
         eq(a.keys.client_write_salt, b.keys.client_write_salt) &&
         eq(a.keys.server_write_salt, b.keys.server_write_salt);
}

// One side's view of the other's application data: what was sent, and how
// far the receiver got through it in order.
struct AppData {
  std::vector<std::vector<uint8_t>> sent;
  size_t next = 0;

  // `data` arrived: it must be a later message than the last one, in order.
  void Received(const std::vector<uint8_t>& data, bool lossless) {
    while (next < sent.size() && sent[next] != data) {
      if (lossless) Fail("application data skipped a message on a lossless path");
      ++next;
    }
    if (next == sent.size()) Fail("application data invented, repeated or out of order");
    ++next;
  }
};

class ClientDriven {
 public:
  ClientDriven() : server_(MakeServer()) {
    DtlsConfig config;
    config.role = DtlsRole::kClient;
    config.remote_fingerprint = GetFixture().context->certificate().fingerprint();
    auto client = DtlsEndpoint::Create(GetFixture().client_context, config);
    if (!client.ok()) abort();
    client_ = std::move(client).value();
    server_->Start(clock_.Now());
    client_->Start(clock_.Now());
  }

  void Run(ByteReader& in) {
    while (in.remaining() >= 2) {
      const uint8_t op = in.U8();
      const auto bytes = in.Bytes(in.U8());
      if (!in.ok()) break;
      Step(op % 8, bytes);
    }
    // Settle: deliver everything and run the timers until both are done.
    for (int i = 0; i < 40 && !(Settled()); ++i) {
      Pump();
      Advance(TimeDelta::Millis(200));
    }
    Pump();
    if (server_keys_ && client_->state() == DtlsState::kHandshaking) Fail("the server connected, the client never did");
    const bool both = server_->state() == DtlsState::kConnected && client_->state() == DtlsState::kConnected;
    if (!tampered_ && !timed_out_ && !both) Fail("a handshake with nothing altered or injected did not complete");
    if (both && to_client_.next != to_client_.sent.size()) Fail("application data to the client lost");
    if (both && !lost_ && !tampered_ && to_server_.next != to_server_.sent.size()) {
      Fail("application data to the server lost on a lossless path");
    }
  }

 private:
  bool Settled() const {
    const auto done = [](DtlsState s) { return s != DtlsState::kHandshaking && s != DtlsState::kNew; };
    return done(server_->state()) && done(client_->state()) && to_server_.next == to_server_.sent.size() &&
           to_client_.next == to_client_.sent.size();
  }

  void Step(int op, std::span<const uint8_t> bytes) {
    switch (op) {
      case 0:
        tampered_ = true;
        ToServer(bytes);
        break;
      case 1:
        if (auto d = NextClientDatagram()) {
          for (size_t i = 0; i < bytes.size() && !d->empty(); ++i) {
            (*d)[(i * 7) % d->size()] ^= bytes[i];
            if (bytes[i] != 0) tampered_ = true;
          }
          ToServer(*d);
        }
        break;
      case 2:
        if (NextClientDatagram()) lost_ = true;
        break;
      case 3:
        if (auto d = NextClientDatagram()) {
          ToServer(*d);
          ToServer(*d);
        }
        break;
      case 4:
        Advance(TimeDelta::Millis(10 * ((bytes.empty() ? 0 : bytes[0]) + 1)));
        break;
      case 5:
        Send(*client_, bytes, to_server_);
        break;
      case 6:
        Send(*server_, bytes, to_client_);
        break;
      case 7:
        Pump();
        break;
    }
  }

  static void Send(DtlsEndpoint& from, std::span<const uint8_t> bytes, AppData& books) {
    // An empty message is sent as nothing.
    if (from.SendApplicationData(bytes).ok() && !bytes.empty()) books.sent.emplace_back(bytes.begin(), bytes.end());
  }

  std::optional<std::vector<uint8_t>> NextClientDatagram() {
    while (auto d = client_->PollTransmit()) pending_.push_back(std::move(*d));
    if (pending_.empty()) return std::nullopt;
    std::vector<uint8_t> d = std::move(pending_.front());
    pending_.pop_front();
    return d;
  }

  void ToServer(std::span<const uint8_t> datagram) {
    server_->HandleInput(datagram, clock_.Now());
    DrainServer();
  }

  void DrainServer() {
    while (auto d = server_->PollTransmit()) {
      if (d->size() > DtlsConfig{}.mtu) Fail("the server sent a datagram over the MTU");
      client_->HandleInput(*d, clock_.Now());
    }
    while (auto e = server_->PollEvent()) {
      if (auto* c = std::get_if<ConnectedEvent>(&*e)) {
        if (!(c->remote_fingerprint == GetFixture().client_fingerprint)) {
          Fail("the server connected to another certificate");
        }
        server_keys_ = std::move(*c);
        CompareKeys();
      } else if (auto* a = std::get_if<ApplicationDataEvent>(&*e)) {
        to_server_.Received(a->data, !lost_ && !tampered_);
      } else if (auto* f = std::get_if<FailedEvent>(&*e)) {
        timed_out_ |= f->reason == FailureReason::kTimeout;
      }
    }
    DrainClient();
  }

  void DrainClient() {
    while (auto e = client_->PollEvent()) {
      if (auto* c = std::get_if<ConnectedEvent>(&*e)) {
        client_keys_ = std::move(*c);
        CompareKeys();
      } else if (auto* a = std::get_if<ApplicationDataEvent>(&*e)) {
        to_client_.Received(a->data, true);
      } else if (auto* f = std::get_if<FailedEvent>(&*e)) {
        timed_out_ |= f->reason == FailureReason::kTimeout;
      }
    }
  }

  void CompareKeys() const {
    if (server_keys_ && client_keys_ && !SameKeys(*server_keys_, *client_keys_)) {
      Fail("client and server connected with different SRTP keys");
    }
  }

  void Pump() {
    while (auto d = NextClientDatagram()) ToServer(*d);
    DrainServer();
  }

  void Advance(TimeDelta d) {
    clock_.Advance(d);
    server_->HandleTimeout(clock_.Now());
    client_->HandleTimeout(clock_.Now());
    DrainServer();
  }

  FakeClock clock_;
  std::unique_ptr<DtlsEndpoint> server_;
  std::unique_ptr<DtlsEndpoint> client_;
  std::deque<std::vector<uint8_t>> pending_;  // the client's datagrams not yet delivered
  std::optional<ConnectedEvent> server_keys_, client_keys_;
  AppData to_server_, to_client_;
  bool tampered_ = false;  // a datagram was injected or altered
  bool lost_ = false;      // a client datagram was lost
  bool timed_out_ = false;  // a side gave up the handshake (time or retransmission budget)
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  ByteReader reader({data, size});
  if (size > 0 && (data[0] & 0x80)) {
    reader.U8();
    ClientDriven().Run(reader);
  } else {
    RunRaw(reader);
  }
  return 0;
}
