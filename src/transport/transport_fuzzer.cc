// Feeds arbitrary datagrams to a server-side PeerTransport in each of its
// states: fresh (no ICE yet), ICE nominated with DTLS under way, and fully
// connected with SRTP keys. Clock and ICE randomness are fixed; the real
// client that brings the server into a state runs in simulated time.
//
// Input: [state selector][then records of: source selector, 2-byte length, bytes].
// Invariants checked: no crash; nothing is ever sent to an address that did
// not pass an ICE check; media from the fuzzer's addresses never decrypts
// (it cannot know the keys).
#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <memory>

#include "dtls/certificate.h"
#include "transport/peer_transport.h"
#include "transport/simulated_network.h"

using namespace aegis;
using namespace aegis::transport;

namespace {

const ice::IceCredentials kServerIce{"srvufrag", "serverPassword0123456789abcdef"};
const ice::IceCredentials kClientIce{"cliufrag", "clientPassword0123456789abcdef"};
const TransportAddress kServerAddr = TransportAddress::Ipv4({127, 0, 0, 1}, 3478);
const TransportAddress kClientAddr = TransportAddress::Ipv4({127, 0, 0, 2}, 50000);

struct Contexts {
  std::shared_ptr<const dtls::DtlsContext> server, client;
};

const Contexts& GetContexts() {
  static const Contexts contexts = [] {
    SeededRandom rng(1);
    auto now = std::chrono::floor<std::chrono::seconds>(std::chrono::system_clock::now());
    return Contexts{dtls::DtlsContext::Create(dtls::Certificate::Generate(rng, now)),
                    dtls::DtlsContext::Create(dtls::Certificate::Generate(rng, now))};
  }();
  return contexts;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 1) return 0;
  const auto& ctx = GetContexts();
  SeededRandom rng(7);
  SeededRandom server_rng(8);
  Timestamp now = Timestamp::Millis(1'000'000);

  PeerTransportConfig s;
  s.rng = &server_rng;
  s.local_ice = kServerIce;
  s.remote_ice = kClientIce;
  s.dtls_role = dtls::DtlsRole::kServer;
  s.remote_fingerprint = ctx.client->certificate().fingerprint();
  s.dtls_context = ctx.server;
  auto server = std::move(PeerTransport::Create(s, now)).value();

  PeerTransportConfig c;
  c.ice_role = IceRole::kControlling;
  c.local_ice = kClientIce;
  c.remote_ice = kServerIce;
  c.remote_candidates = {kServerAddr};
  c.rng = &rng;
  c.dtls_role = dtls::DtlsRole::kClient;
  c.remote_fingerprint = ctx.server->certificate().fingerprint();
  c.dtls_context = ctx.client;
  auto client = std::move(PeerTransport::Create(c, now)).value();

  // Bring the server to the chosen state with the real client.
  const int target = data[0] % 3;  // 0 fresh, 1 ICE nominated, 2 connected
  for (int step = 0; step < 400 && target > 0; ++step) {
    if (target == 1 && server->remote_address()) break;
    if (target == 2 && server->state() == TransportState::kConnected &&
        client->state() == TransportState::kConnected) {
      break;
    }
    while (auto d = client->PollTransmit()) {
      std::vector<uint8_t> bytes = std::move(d->bytes);
      server->HandleDatagram(bytes, kClientAddr, now);
    }
    while (auto d = server->PollTransmit()) {
      std::vector<uint8_t> bytes = std::move(d->bytes);
      client->HandleDatagram(bytes, kServerAddr, now);
    }
    while (server->PollEvent()) {
    }
    while (client->PollEvent()) {
    }
    now += TimeDelta::Millis(10);
    server->HandleTimeout(now);
    client->HandleTimeout(now);
  }

  uint64_t rtp_before = server->stats().rtp_received + server->stats().rtcp_received;
  size_t pos = 1;
  std::vector<uint8_t> buffer;
  while (pos + 3 <= size) {
    uint8_t source = data[pos];
    size_t len = (size_t{data[pos + 1]} << 8 | data[pos + 2]) % 2048;
    pos += 3;
    if (len > size - pos) len = size - pos;
    buffer.assign(data + pos, data + pos + len);
    pos += len;
    // Half the datagrams claim to come from the real client's address.
    auto from = (source & 1) ? kClientAddr : TransportAddress::Ipv4({127, 0, 0, static_cast<uint8_t>(3 + (source >> 1) % 4)}, 9999);
    server->HandleDatagram(buffer, from, now);
    now += TimeDelta::Millis(source % 64);
    server->HandleTimeout(now);
    while (auto d = server->PollTransmit()) {
      // STUN answers go only to checks that carried the password, and DTLS
      // and media only to the nominated address: here, only the real client.
      // In the fresh state nothing may be sent at all (the fuzzer cannot
      // produce a valid check).
      if (target == 0 || !(d->to == kClientAddr)) abort();
    }
    while (server->PollEvent()) {
    }
  }
  // Without the SRTP keys no fuzzed packet can authenticate.
  if (server->stats().rtp_received + server->stats().rtcp_received != rtp_before) abort();
  return 0;
}
