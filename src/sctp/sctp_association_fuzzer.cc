// Fuzzes a server SctpAssociation with arbitrary SCTP packets, mixed with
// real traffic from a client association, in simulated time. Deterministic:
// usrsctp is started afresh for every input, with seeded randomness and the
// simulated wall clock (usrsctp_test_hooks.h).
//
// Input: one flags byte, then records [op][len][len bytes] (len one byte):
//   flags bit 0: complete the handshake with the real client first
//         bit 1: give fuzzed packets the right ports (else taken as is)
//         bit 2: give fuzzed packets the server's verification tag
//         bit 3: fix the CRC32c of fuzzed packets (else taken as is)
//   op % 6 == 0: a fuzzed packet to the server
//             1: the client sends the bytes as a message on its channel
//             2: advance time by (first byte + 1) ms
//             3: the next client packet is XORed with the bytes, then sent
//             4: the server opens, sends on, or closes a channel
//             5: deliver everything queued both ways
// Simulated time per input is capped, so usrsctp's global tick counter
// (never reset) grows slowly across a long fuzzing run.
//
// Oracle (abort with a message): what the client sent on its channel (an
// ordered, reliable one) is what the server delivers, in order, each message
// once, with its binary flag, and nothing on any other stream. Checked while
// no injected packet could have been taken as the client's: a fuzzed packet
// with the right ports, a valid CRC32c and a verification tag usrsctp may
// accept (its own, the client's, or 0), or an altered client packet, lifts
// it. Once the server closes the client's channel, later messages may be
// dropped (what was delivered must still be what was sent, in order);
// otherwise every message sent must be delivered.
#include <usrsctp.h>

#include <array>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <deque>
#include <memory>
#include <optional>
#include <vector>

#include "base/byte_reader.h"
#include "base/time.h"
#include "sctp/sctp_association.h"
#include "sctp/sctp_stack.h"
#include "sctp/usrsctp_test_hooks.h"

using namespace aegis;
using namespace aegis::sctp;

namespace {

constexpr TimeDelta kMaxSimulated = TimeDelta::Seconds(3);

void Fail(const char* what) {
  std::fprintf(stderr, "sctp_association_fuzzer: %s\n", what);
  abort();
}

struct Sent {
  bool binary;
  std::vector<uint8_t> data;
};

class Driver {
 public:
  Driver() {
    testing::SeedUsrsctpRandom(0xf022);
    testing::SetSimulatedWallClock(&clock_);
    stack_.emplace(clock_.Now());
    SctpConfig client;
    client.role = SctpRole::kClient;
    SctpConfig server;
    server.role = SctpRole::kServer;
    server.max_message_size = 64 * 1024;
    client_ = SctpAssociation::Create(*stack_, client);
    server_ = SctpAssociation::Create(*stack_, server);
    if (!client_ || !server_) abort();
  }
  ~Driver() {
    client_.reset();
    server_.reset();
    stack_.reset();
    testing::SetSimulatedWallClock(nullptr);
  }

  void Run(std::span<const uint8_t> data) {
    ByteReader in(data);
    const uint8_t flags = in.U8();
    if (!in.ok()) return;
    (void)server_->Connect(clock_.Now());
    if (flags & 1) Handshake();
    while (in.remaining() >= 2 && clock_.Now() - start_ < kMaxSimulated) {
      const uint8_t op = in.U8();
      const auto bytes = in.Bytes(in.U8());
      if (!in.ok()) break;
      Step(op % 6, flags, bytes);
    }
    Pump();
    Advance(TimeDelta::Millis(300));
    if (!tainted_ && !closed_) {
      // Let retransmissions and delayed SACKs finish the job.
      for (int i = 0; i < 20 && delivered_ < sent_.size(); ++i) Advance(TimeDelta::Millis(100));
      if (delivered_ != sent_.size()) Fail("a message the client sent was never delivered");
    }
    // Whatever happened, the server's books must balance.
    const SctpStats& s = server_->stats();
    if (s.packets_dropped_malformed + s.packets_dropped_wrong_port + s.packets_dropped_not_running >
        s.packets_received) {
      abort();
    }
  }

 private:
  void Handshake() {
    (void)client_->Connect(clock_.Now());
    for (int i = 0; i < 10 && client_->state() != SctpAssociation::State::kConnected; ++i) Pump();
    auto id = client_->OpenChannel({});
    if (id.ok()) client_channel_ = *id;
    Pump();
    Pump();
  }

  void Step(int op, uint8_t flags, std::span<const uint8_t> bytes) {
    switch (op) {
      case 0: {
        std::vector<uint8_t> packet(bytes.begin(), bytes.end());
        Fixup(packet, flags);
        if (MayBeAccepted(packet)) tainted_ = true;
        server_->HandleInput(packet, clock_.Now());
        DrainServer();
        break;
      }
      case 1: {
        const bool binary = !bytes.empty() && bytes[0] & 1;
        if (client_channel_ && client_->Send(*client_channel_, bytes, binary).ok()) {
          sent_.push_back({binary, {bytes.begin(), bytes.end()}});
        }
        break;
      }
      case 2:
        Advance(TimeDelta::Millis((bytes.empty() ? 0 : bytes[0]) + 1));
        break;
      case 3: {
        auto packet = client_->PollTransmit();
        if (!packet) break;
        for (size_t i = 0; i < bytes.size() && i < packet->size(); ++i) {
          (*packet)[(i * 7) % packet->size()] ^= bytes[i];
          if (bytes[i] != 0) tainted_ = true;
        }
        FixChecksum(*packet);
        ToServer(*packet);
        break;
      }
      case 4:
        ServerApi(bytes);
        break;
      case 5:
        Pump();
        break;
    }
  }

  void ServerApi(std::span<const uint8_t> bytes) {
    const uint8_t what = bytes.empty() ? 0 : bytes[0];
    const uint16_t stream = bytes.size() > 1 ? bytes[1] : 0;
    if (what % 3 == 0) {
      ChannelOptions o;
      o.reliability.ordered = (what & 4) == 0;
      if (what & 8) o.reliability.policy = ReliabilityPolicy::kMaxRetransmits;
      (void)server_->OpenChannel(o);
    } else if (what % 3 == 1) {
      (void)server_->Send(stream, bytes.subspan(bytes.size() > 2 ? 2 : bytes.size()), true);
    } else {
      if (stream == client_channel_) closed_ = true;
      (void)server_->CloseChannel(stream);
    }
  }

  // Verification tags, learned from INIT (the client's) and INIT-ACK (the
  // server's) chunks (RFC 9260 §3.3.2-3).
  void LearnTag(const std::vector<uint8_t>& packet, uint8_t chunk_type) {
    if (packet.size() < 20 || packet[12] != chunk_type) return;
    std::array<uint8_t, 4> tag;
    std::memcpy(tag.data(), packet.data() + 16, 4);
    tags_.push_back(tag);
    if (chunk_type == 0x02) std::memcpy(server_tag_, tag.data(), 4);
  }

  // Whether usrsctp might take this packet: right ports, valid CRC32c and a
  // tag it knows (its own, its peer's for the T bit, or 0 for INIT).
  bool MayBeAccepted(const std::vector<uint8_t>& packet) const {
    if (packet.size() < 12 || packet[0] != 0x13 || packet[1] != 0x88 || packet[2] != 0x13 || packet[3] != 0x88) {
      return false;
    }
    std::vector<uint8_t> copy = packet;
    FixChecksum(copy);
    if (std::memcmp(copy.data() + 8, packet.data() + 8, 4) != 0) return false;
    for (const auto& tag : tags_) {
      if (std::memcmp(tag.data(), packet.data() + 4, 4) == 0) return true;
    }
    return false;
  }

  void Fixup(std::vector<uint8_t>& packet, uint8_t flags) {
    if (packet.size() < 12) return;
    if (flags & 2) packet[0] = 0x13, packet[1] = 0x88, packet[2] = 0x13, packet[3] = 0x88;
    if (flags & 4) std::memcpy(packet.data() + 4, server_tag_, 4);
    if (flags & 8) FixChecksum(packet);
  }

  static void FixChecksum(std::vector<uint8_t>& packet) {
    if (packet.size() < 12) return;
    std::memset(packet.data() + 8, 0, 4);
    const uint32_t crc = usrsctp_crc32c(packet.data(), packet.size());
    std::memcpy(packet.data() + 8, &crc, 4);  // usrsctp returns it in wire order
  }

  void ToServer(const std::vector<uint8_t>& packet) {
    LearnTag(packet, 0x01);
    server_->HandleInput(packet, clock_.Now());
  }

  void Pump() {
    Advance(TimeDelta::Millis(5));
    while (auto p = client_->PollTransmit()) ToServer(*p);
    DrainServer();
    while (client_->PollEvent()) {
    }
  }

  void DrainServer() {
    while (auto p = server_->PollTransmit()) {
      LearnTag(*p, 0x02);
      client_->HandleInput(*p, clock_.Now());
    }
    while (auto e = server_->PollEvent()) {
      if (const auto* m = std::get_if<Message>(&*e)) Delivered(*m);
    }
  }

  // Checks one message the server delivered against what the client sent.
  void Delivered(const Message& m) {
    if (tainted_) return;
    if (m.stream_id != client_channel_) Fail("a message on a stream the client never sent on");
    if (delivered_ >= sent_.size()) Fail("more messages delivered than the client sent");
    const Sent& expected = sent_[delivered_++];
    if (m.binary != expected.binary || m.data != expected.data) {
      Fail("a delivered message is not the next one the client sent");
    }
  }

  void Advance(TimeDelta d) {
    const Timestamp end = clock_.Now() + d;
    while (clock_.Now() < end) {
      Timestamp next = end;
      if (auto t = server_->NextTimeout()) next = std::min(next, *t);
      if (auto t = client_->NextTimeout()) next = std::min(next, *t);
      if (next > clock_.Now()) clock_.Advance(next - clock_.Now());
      server_->HandleTimeout(clock_.Now());
      client_->HandleTimeout(clock_.Now());
      while (auto p = client_->PollTransmit()) ToServer(*p);
      DrainServer();
    }
  }

  FakeClock clock_;
  const Timestamp start_ = clock_.Now();
  std::optional<SctpStack> stack_;
  std::unique_ptr<SctpAssociation> client_;
  std::unique_ptr<SctpAssociation> server_;
  std::optional<uint16_t> client_channel_;
  uint8_t server_tag_[4] = {0, 0, 0, 0};
  std::vector<std::array<uint8_t, 4>> tags_ = {{0, 0, 0, 0}};
  // The oracle's books: what the client sent, how much of it the server
  // delivered, and whether anything let it off.
  std::vector<Sent> sent_;
  size_t delivered_ = 0;
  bool tainted_ = false;
  bool closed_ = false;
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  Driver driver;
  driver.Run({data, size});
  return 0;
}
