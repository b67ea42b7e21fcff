#include "transport/peer_transport.h"

#include <gtest/gtest.h>

#include <chrono>
#include <functional>
#include <map>
#include <set>

#include "dtls/certificate.h"
#include "rtp/rtp_header.h"
#include "sctp/usrsctp_test_hooks.h"
#include "stun/integrity.h"
#include "stun/message.h"
#include "stun/message_builder.h"
#include "transport/simulated_network.h"

namespace aegis::transport {
namespace {

using testing::NetworkConditions;
using testing::SimulatedNetwork;

const ice::IceCredentials kServerIce{"srvufrag", "server-password-0123456789abcdef"};
const ice::IceCredentials kClientIce{"cliufrag", "client-password-0123456789abcdef"};
const TransportAddress kServerAddr = TransportAddress::Ipv4({127, 0, 0, 1}, 3478);
const TransportAddress kClientAddr = TransportAddress::Ipv4({127, 0, 0, 2}, 50000);
const TransportAddress kAttackerAddr = TransportAddress::Ipv4({127, 0, 0, 66}, 6666);
const TransportAddress kClientMovedAddr = TransportAddress::Ipv4({127, 0, 0, 3}, 50001);
const TransportAddress kThirdPartyAddr = TransportAddress::Ipv4({127, 0, 0, 9}, 80);

// A check as the client signs it (with the server's password, which it has
// from the server's SDP): what a participant can forge from any source.
std::vector<uint8_t> ForgedCheck(RandomSource& rng, uint32_t priority = 0x7fffffff) {
  stun::TransactionId id;
  rng.Fill(id);
  stun::MessageBuilder b({stun::method::kBinding, stun::MessageClass::kRequest}, id);
  b.Add(stun::Username{kServerIce.ufrag + ":" + kClientIce.ufrag});
  b.Add(stun::Priority{priority});
  b.Add(stun::IceControlling{7});
  b.Add(stun::UseCandidate{});
  b.AddMessageIntegrity(stun::ShortTermKey(kServerIce.pwd));
  b.AddFingerprint();
  return std::move(b).Take();
}

bool IsBindingRequest(std::span<const uint8_t> bytes) {
  auto m = stun::Message::Parse(bytes);
  return m.ok() && m->type == stun::MessageType{stun::method::kBinding, stun::MessageClass::kRequest};
}

struct Side {
  std::unique_ptr<PeerTransport> transport;
  TransportAddress address;
  std::vector<std::vector<uint8_t>> rtp;
  std::vector<std::vector<uint8_t>> rtcp;
  std::vector<TransportEvent> events;
  bool connected = false;
  std::optional<Failed> failed;
  bool closed = false;
  std::vector<DataChannelMessage> messages;
  std::vector<DataChannelOpened> opened;
  bool data_channels_ready = false;
};

// Lets usrsctp's wall clock follow the fixture's simulated time.
class FixtureClock final : public Clock {
 public:
  explicit FixtureClock(const Timestamp& now) : now_(now) {}
  Timestamp Now() const override { return now_; }

 private:
  const Timestamp& now_;
};

std::shared_ptr<const dtls::DtlsContext> MakeContext(RandomSource& rng) {
  auto cert = dtls::Certificate::Generate(rng, std::chrono::floor<std::chrono::seconds>(std::chrono::system_clock::now()));
  return dtls::DtlsContext::Create(cert);
}

std::vector<uint8_t> MakeRtp(uint16_t seq, uint32_t ssrc, size_t payload_size = 200) {
  rtp::RtpHeader h;
  h.payload_type = 96;
  h.sequence_number = seq;
  h.timestamp = seq * 3000u;
  h.ssrc = Ssrc(ssrc);
  std::vector<uint8_t> payload(payload_size, static_cast<uint8_t>(seq));
  std::vector<uint8_t> out;
  h.SerializeTo(payload, 0, out);
  return out;
}

class TransportPair : public ::testing::Test {
 protected:
  void SetUp() override {
    server_ctx_ = MakeContext(rng_);
    client_ctx_ = MakeContext(rng_);
    sctp::testing::SeedUsrsctpRandom(1);
    sctp::testing::SetSimulatedWallClock(&clock_);
    sctp_stack_ = std::make_unique<sctp::SctpStack>(now_);
  }
  void TearDown() override {
    server_.transport.reset();
    client_.transport.reset();
    sctp_stack_.reset();
    sctp::testing::SetSimulatedWallClock(nullptr);
  }

  void Create(const dtls::Fingerprint& server_expects, const dtls::Fingerprint& client_expects,
              bool data_channels = false) {
    PeerTransportConfig s;
    s.ice_role = IceRole::kLite;
    s.local_ice = kServerIce;
    s.remote_ice = kClientIce;
    s.dtls_role = dtls::DtlsRole::kServer;
    s.remote_fingerprint = server_expects;
    s.dtls_context = server_ctx_;
    if (data_channels) {
      s.sctp_stack = sctp_stack_.get();
      s.sctp = sctp::SctpConfig{};
    }
    server_.transport = std::move(PeerTransport::Create(s, now_)).value();
    server_.address = kServerAddr;

    PeerTransportConfig c;
    c.ice_role = IceRole::kControlling;
    c.local_ice = kClientIce;
    c.remote_ice = kServerIce;
    c.remote_candidates = {kServerAddr};
    c.rng = &rng_;
    c.dtls_role = dtls::DtlsRole::kClient;
    c.remote_fingerprint = client_expects;
    c.dtls_context = client_ctx_;
    if (data_channels) {
      c.sctp_stack = sctp_stack_.get();
      c.sctp = sctp::SctpConfig{};
    }
    client_.transport = std::move(PeerTransport::Create(c, now_)).value();
    client_.address = kClientAddr;
  }
  void CreateMatching(bool data_channels = false) {
    Create(client_ctx_->certificate().fingerprint(), server_ctx_->certificate().fingerprint(), data_channels);
  }

  void Flush(Side& side) {
    while (auto d = side.transport->PollTransmit()) {
      if (&side == &client_ && client_gone_) continue;  // it vanished: nothing it sends arrives
      net_.Send(side.address, d->to, std::move(d->bytes), now_);
    }
    while (auto e = side.transport->PollEvent()) {
      if (std::holds_alternative<Connected>(*e)) side.connected = true;
      if (auto* f = std::get_if<Failed>(&*e)) side.failed = *f;
      if (std::holds_alternative<Closed>(*e)) side.closed = true;
      if (auto* m = std::get_if<DataChannelMessage>(&*e)) side.messages.push_back(*m);
      if (auto* o = std::get_if<DataChannelOpened>(&*e)) side.opened.push_back(*o);
      if (std::holds_alternative<DataChannelsReady>(*e)) side.data_channels_ready = true;
      side.events.push_back(std::move(*e));
    }
  }

  void Step() {
    while (auto d = net_.Deliver(now_)) {
      const bool to_client = d->to == client_.address && !client_gone_ && !drop_to_client_;
      if (d->to != kServerAddr && !to_client) {
        stray_.push_back(std::move(*d));  // for an address nobody listens on (or no longer)
        continue;
      }
      if (d->to == kServerAddr && d->from == client_.address) {
        if (!first_from_.count(d->from.port)) first_from_[d->from.port] = now_;
        if (IsBindingRequest(d->bytes)) client_checks_.push_back(d->bytes);
      }
      Side& to = d->to == kServerAddr ? server_ : client_;
      auto got = to.transport->HandleDatagram(d->bytes, d->from, now_);
      if (got.kind == Received::Kind::kRtp) to.rtp.emplace_back(got.packet.begin(), got.packet.end());
      if (got.kind == Received::Kind::kRtcp) to.rtcp.emplace_back(got.packet.begin(), got.packet.end());
    }
    Flush(server_);
    Flush(client_);
    Timestamp next = now_ + TimeDelta::Millis(10);
    for (auto t : {net_.NextDelivery(), server_.transport->NextTimeout(), client_.transport->NextTimeout()}) {
      if (t && *t < next) next = *t;
    }
    now_ = std::max(next, now_ + TimeDelta::Micros(1));
    server_.transport->HandleTimeout(now_);
    client_.transport->HandleTimeout(now_);
    Flush(server_);
    Flush(client_);
  }

  bool RunUntil(const std::function<bool()>& done, TimeDelta limit) {
    Timestamp end = now_ + limit;
    while (now_ < end) {
      if (done()) return true;
      Step();
    }
    return done();
  }
  void RunFor(TimeDelta d) {
    RunUntil([] { return false; }, d);
  }

  bool SendRtp(Side& from, uint16_t seq, uint32_t ssrc) {
    auto packet = MakeRtp(seq, ssrc);
    size_t len = packet.size();
    packet.resize(len + PeerTransport::kMaxSrtpOverhead);
    auto out = from.transport->ProtectRtp(packet, len, now_);
    if (!out.ok()) return false;
    net_.Send(from.address, *from.transport->remote_address(), {out->begin(), out->end()}, now_);
    return true;
  }

  // An attacker's datagram, straight into the server's transport.
  void Inject(std::vector<uint8_t> bytes, const TransportAddress& from) {
    server_.transport->HandleDatagram(bytes, from, now_);
    Flush(server_);
  }
  size_t StrayTo(const TransportAddress& to, bool stun) const {
    size_t n = 0;
    for (const auto& d : stray_) n += d.to == to && (!d.bytes.empty() && d.bytes[0] < 4) == stun;
    return n;
  }

  SeededRandom rng_{2024};
  SeededRandom attacker_rng_{666};
  bool client_gone_ = false;      // the client vanished: nothing to or from it arrives
  bool drop_to_client_ = false;   // only what the server sends it is lost
  std::vector<testing::InFlight> stray_;
  std::map<uint16_t, Timestamp> first_from_;  // client port -> first datagram the server got from it
  std::vector<std::vector<uint8_t>> client_checks_;  // every check the client sent, as captured on the path
  Timestamp now_ = Timestamp::Millis(10'000);
  FixtureClock clock_{now_};
  std::unique_ptr<sctp::SctpStack> sctp_stack_;
  SimulatedNetwork net_{99};
  std::shared_ptr<const dtls::DtlsContext> server_ctx_, client_ctx_;
  Side server_, client_;
};

TEST_F(TransportPair, ConnectsAndNegotiatesAesGcm) {
  CreateMatching();
  ASSERT_TRUE(RunUntil([&] { return server_.connected && client_.connected; }, TimeDelta::Seconds(5)));
  EXPECT_EQ(server_.transport->state(), TransportState::kConnected);
  EXPECT_EQ(server_.transport->remote_address(), kClientAddr);
  EXPECT_EQ(client_.transport->remote_address(), kServerAddr);
  auto* connected = std::get_if<Connected>(&server_.events.back());
  ASSERT_NE(connected, nullptr);
  EXPECT_EQ(connected->profile, srtp::Profile::kAeadAes128Gcm);
}

TEST_F(TransportPair, MediaFlowsBothWaysUnchanged) {
  CreateMatching();
  ASSERT_TRUE(RunUntil([&] { return server_.connected && client_.connected; }, TimeDelta::Seconds(5)));
  for (uint16_t seq = 0; seq < 50; ++seq) {
    ASSERT_TRUE(SendRtp(client_, seq, 1111));
    ASSERT_TRUE(SendRtp(server_, seq, 2222));
  }
  RunFor(TimeDelta::Millis(100));
  ASSERT_EQ(server_.rtp.size(), 50u);
  ASSERT_EQ(client_.rtp.size(), 50u);
  EXPECT_EQ(server_.rtp[7], MakeRtp(7, 1111));
  EXPECT_EQ(client_.rtp[49], MakeRtp(49, 2222));
}

TEST_F(TransportPair, ConnectsAndCarriesMediaUnderLossDuplicationAndReordering) {
  net_.set_conditions({.loss = 0.10, .duplicate = 0.05, .delay = TimeDelta::Millis(20), .jitter = TimeDelta::Millis(15)});
  CreateMatching();
  ASSERT_TRUE(RunUntil([&] { return server_.connected && client_.connected; }, TimeDelta::Seconds(30)));
  for (uint16_t seq = 0; seq < 400; ++seq) {
    ASSERT_TRUE(SendRtp(client_, static_cast<uint16_t>(65300 + seq), 1111));  // across the 16-bit wrap
    if (seq % 4 == 0) RunFor(TimeDelta::Millis(5));
  }
  RunFor(TimeDelta::Millis(200));
  // About 90 % arrive; duplicates are refused by the replay window, so no
  // packet is delivered twice.
  EXPECT_GT(server_.rtp.size(), 320u);
  EXPECT_LE(server_.rtp.size(), 400u);
  std::set<uint16_t> seen;
  for (const auto& p : server_.rtp) EXPECT_TRUE(seen.insert(rtp::RtpPacketView::Parse(p)->sequence_number()).second);
  EXPECT_GT(server_.transport->stats().dropped_srtp, 0u);  // the duplicates
}

TEST_F(TransportPair, DataChannelsCarryMessagesUnderLoss) {
  net_.set_conditions({.loss = 0.10, .duplicate = 0.02, .delay = TimeDelta::Millis(20), .jitter = TimeDelta::Millis(10)});
  CreateMatching(/*data_channels=*/true);
  ASSERT_TRUE(RunUntil([&] { return server_.data_channels_ready && client_.data_channels_ready; },
                       TimeDelta::Seconds(30)));
  auto id = client_.transport->OpenDataChannel({"chat", "", {}, 256}, now_);
  ASSERT_TRUE(id.ok());
  std::vector<std::vector<uint8_t>> sent;
  for (int i = 0; i < 20; ++i) {
    std::vector<uint8_t> message(i == 10 ? 64 * 1024 : 100 + i, static_cast<uint8_t>(i));
    ASSERT_TRUE(client_.transport->SendData(*id, message, /*binary=*/true, now_).ok()) << i;
    sent.push_back(std::move(message));
    RunFor(TimeDelta::Millis(20));
  }
  ASSERT_TRUE(RunUntil([&] { return server_.messages.size() >= sent.size(); }, TimeDelta::Seconds(60)));
  ASSERT_EQ(server_.opened.size(), 1u);
  EXPECT_EQ(server_.opened[0].label, "chat");
  ASSERT_EQ(server_.messages.size(), sent.size());
  for (size_t i = 0; i < sent.size(); ++i) {
    EXPECT_EQ(server_.messages[i].data, sent[i]) << i;  // reliable and in order despite the loss
    EXPECT_TRUE(server_.messages[i].binary);
  }
  // And back the other way on the same channel.
  std::string reply = "got them all";
  ASSERT_TRUE(server_.transport
                  ->SendData(*id, {reinterpret_cast<const uint8_t*>(reply.data()), reply.size()}, false, now_)
                  .ok());
  ASSERT_TRUE(RunUntil([&] { return !client_.messages.empty(); }, TimeDelta::Seconds(20)));
  EXPECT_EQ(std::string(client_.messages[0].data.begin(), client_.messages[0].data.end()), reply);
  EXPECT_FALSE(client_.messages[0].binary);
  EXPECT_GT(net_.dropped(), 0u);
}

TEST_F(TransportPair, WrongFingerprintFailsAndNoMediaFlows) {
  // The client expects a fingerprint the server's certificate does not have.
  auto other = MakeContext(rng_);
  Create(client_ctx_->certificate().fingerprint(), other->certificate().fingerprint());
  ASSERT_TRUE(RunUntil([&] { return client_.failed.has_value(); }, TimeDelta::Seconds(10)));
  EXPECT_EQ(client_.failed->cause, FailureCause::kDtls);
  EXPECT_EQ(client_.failed->dtls_reason, dtls::FailureReason::kFingerprintMismatch);
  EXPECT_FALSE(client_.connected);
  EXPECT_FALSE(SendRtp(client_, 1, 1111));
  RunFor(TimeDelta::Seconds(2));
  EXPECT_TRUE(server_.rtp.empty());
}

TEST_F(TransportPair, ServerRejectsAClientWhoseCertificateDoesNotMatch) {
  auto other = MakeContext(rng_);
  Create(other->certificate().fingerprint(), server_ctx_->certificate().fingerprint());
  ASSERT_TRUE(RunUntil([&] { return server_.failed.has_value(); }, TimeDelta::Seconds(10)));
  EXPECT_EQ(server_.failed->dtls_reason, dtls::FailureReason::kFingerprintMismatch);
  EXPECT_FALSE(server_.connected);
}

TEST_F(TransportPair, MediaAndDtlsFromOtherAddressesAreDropped) {
  CreateMatching();
  ASSERT_TRUE(RunUntil([&] { return server_.connected && client_.connected; }, TimeDelta::Seconds(5)));
  // A genuine SRTP packet, replayed by an attacker from its own address.
  auto packet = MakeRtp(5, 1111);
  size_t len = packet.size();
  packet.resize(len + PeerTransport::kMaxSrtpOverhead);
  auto out = client_.transport->ProtectRtp(packet, len, now_);
  ASSERT_TRUE(out.ok());
  std::vector<uint8_t> copy(out->begin(), out->end());
  server_.transport->HandleDatagram(copy, kAttackerAddr, now_);
  EXPECT_EQ(server_.transport->stats().dropped_media_wrong_source, 1u);
  // DTLS from an address that never passed an ICE check.
  std::vector<uint8_t> dtls_record = {22, 0xfe, 0xfd, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0};
  server_.transport->HandleDatagram(dtls_record, kAttackerAddr, now_);
  EXPECT_EQ(server_.transport->stats().dropped_dtls_unauthenticated, 1u);
  // Bytes outside every RFC 7983 range.
  std::vector<uint8_t> junk = {200, 1, 2, 3};
  server_.transport->HandleDatagram(junk, kClientAddr, now_);
  EXPECT_EQ(server_.transport->stats().dropped_demux, 1u);
  EXPECT_TRUE(server_.rtp.empty());
  // The real peer's packet still gets through afterwards.
  net_.Send(kClientAddr, kServerAddr, {out->begin(), out->end()}, now_);
  RunFor(TimeDelta::Millis(50));
  EXPECT_EQ(server_.rtp.size(), 1u);
}

TEST_F(TransportPair, ServerStopsSendingWhenConsentLapses) {
  CreateMatching();
  ASSERT_TRUE(RunUntil([&] { return server_.connected && client_.connected; }, TimeDelta::Seconds(5)));
  RunFor(TimeDelta::Seconds(40));  // consent checks keep it alive
  ASSERT_TRUE(SendRtp(server_, 1, 2222));
  // The client vanishes: all its traffic is lost from now on.
  net_.set_conditions({.loss = 1.0});
  RunFor(TimeDelta::Seconds(31));
  ASSERT_TRUE(server_.failed.has_value());
  EXPECT_EQ(server_.failed->cause, FailureCause::kConsentExpired);
  EXPECT_FALSE(SendRtp(server_, 2, 2222));
}

TEST_F(TransportPair, GivesUpWhenIceNeverCompletes) {
  net_.set_conditions({.loss = 1.0});  // the offer came, no check ever arrives
  CreateMatching();
  RunFor(TimeDelta::Seconds(29));
  EXPECT_FALSE(server_.failed.has_value());
  ASSERT_TRUE(RunUntil([&] { return server_.failed.has_value() && client_.failed.has_value(); },
                       TimeDelta::Seconds(2)));
  EXPECT_EQ(server_.failed->cause, FailureCause::kIceTimeout);
  EXPECT_EQ(client_.failed->cause, FailureCause::kIceTimeout);
  EXPECT_FALSE(server_.transport->NextTimeout().has_value());  // nothing left to drive
}

TEST_F(TransportPair, CloseNotifyClosesThePeerAndWipesKeys) {
  CreateMatching();
  ASSERT_TRUE(RunUntil([&] { return server_.connected && client_.connected; }, TimeDelta::Seconds(5)));
  client_.transport->Close(now_);
  Flush(client_);
  ASSERT_TRUE(RunUntil([&] { return server_.closed; }, TimeDelta::Seconds(2)));
  EXPECT_EQ(server_.transport->state(), TransportState::kClosed);
  EXPECT_EQ(server_.transport->srtp_receiver(), nullptr);
  EXPECT_FALSE(SendRtp(server_, 1, 2222));
}

TEST_F(TransportPair, ServerNeverSelectsAnAddressThatCannotReceive) {
  // The client's checks reach the server, nothing the server sends reaches
  // the client: the address proved nothing, so nothing may be sent there.
  drop_to_client_ = true;
  CreateMatching();
  RunFor(TimeDelta::Seconds(10));
  ASSERT_FALSE(client_checks_.empty());
  EXPECT_FALSE(server_.transport->remote_address().has_value()) << "selected an address that never answered";
  EXPECT_EQ(StrayTo(kClientAddr, /*stun=*/false), 0u);  // no DTLS, no media
  ASSERT_TRUE(RunUntil([&] { return server_.failed.has_value(); }, TimeDelta::Seconds(25)));
  EXPECT_EQ(server_.failed->cause, FailureCause::kIceTimeout);
}

TEST_F(TransportPair, SpoofedThirdPartyChecksGetNoMediaAndNoConsent) {
  CreateMatching();
  ASSERT_TRUE(RunUntil([&] { return server_.connected && client_.connected; }, TimeDelta::Seconds(5)));
  // The participant signs checks with its connection's password, at the
  // highest priority, with a third party's address as their source.
  uint16_t seq = 0;
  for (int i = 0; i < 10; ++i) {
    Inject(ForgedCheck(attacker_rng_), kThirdPartyAddr);
    for (int k = 0; k < 5; ++k) {
      ASSERT_TRUE(SendRtp(server_, seq++, 2222));
      RunFor(TimeDelta::Millis(100));
    }
    ASSERT_EQ(server_.transport->remote_address(), kClientAddr) << "check " << i << " moved the media";
  }
  EXPECT_EQ(client_.rtp.size(), seq);  // the real client kept getting all of it
  EXPECT_GT(StrayTo(kThirdPartyAddr, /*stun=*/true), 0u);
  EXPECT_EQ(StrayTo(kThirdPartyAddr, /*stun=*/false), 0u) << "DTLS or media reached the third party";
  // The client vanishes; the attacker keeps signing fresh checks, from the
  // third party's address and from the client's old one.
  client_gone_ = true;
  const Timestamp gone = now_;
  for (int i = 0; now_ - gone < TimeDelta::Seconds(45); ++i) {
    if (i % 10 == 0) {
      Inject(ForgedCheck(attacker_rng_), kThirdPartyAddr);
      Inject(ForgedCheck(attacker_rng_), kClientAddr);
    }
    RunFor(TimeDelta::Millis(500));
    if (now_ - gone > TimeDelta::Seconds(30) + TimeDelta::Millis(500)) {
      ASSERT_TRUE(server_.failed.has_value()) << "consent kept " << (now_ - gone).ms() << " ms after the client left";
    }
  }
  ASSERT_TRUE(server_.failed.has_value());
  EXPECT_EQ(server_.failed->cause, FailureCause::kConsentExpired);
  EXPECT_FALSE(SendRtp(server_, seq, 2222));
  EXPECT_EQ(StrayTo(kThirdPartyAddr, /*stun=*/false), 0u);
}

TEST_F(TransportPair, ReplayedChecksAfterAnyDelayNeverMoveTheNominationNorKeepConsent) {
  CreateMatching();
  ASSERT_TRUE(RunUntil([&] { return server_.connected && client_.connected; }, TimeDelta::Seconds(5)));
  // Over five minutes of consent checks, captured on the path.
  RunFor(TimeDelta::Seconds(320));
  ASSERT_GT(client_checks_.size(), 50u);
  const auto captured = client_checks_;
  // The client goes silent; after 5 s the observer replays every captured
  // check, oldest first, from its own address and from the client's.
  client_gone_ = true;
  const Timestamp gone = now_;
  RunFor(TimeDelta::Seconds(5));
  for (size_t i = 0; now_ - gone < TimeDelta::Seconds(70); ++i) {
    Inject(captured[i % captured.size()], kAttackerAddr);
    Inject(captured[i % captured.size()], kClientAddr);
    RunFor(TimeDelta::Millis(500));
    ASSERT_NE(server_.transport->remote_address(), kAttackerAddr) << "a replay moved the nomination";
    if (now_ - gone > TimeDelta::Seconds(30) + TimeDelta::Millis(500)) {
      ASSERT_TRUE(server_.failed.has_value()) << "replays kept consent " << (now_ - gone).ms() << " ms";
    }
  }
  EXPECT_EQ(server_.failed->cause, FailureCause::kConsentExpired);
  EXPECT_EQ(StrayTo(kAttackerAddr, /*stun=*/false), 0u);
}

TEST_F(TransportPair, ClientThatMovesIsFollowedWithinTwoSeconds) {
  CreateMatching();
  ASSERT_TRUE(RunUntil([&] { return server_.connected && client_.connected; }, TimeDelta::Seconds(5)));
  RunFor(TimeDelta::Seconds(3));
  // A new network: the client's packets now come from another address, and
  // only that address reaches it.
  client_.address = kClientMovedAddr;
  ASSERT_TRUE(RunUntil([&] { return first_from_.count(kClientMovedAddr.port) > 0; }, TimeDelta::Seconds(10)));
  const Timestamp first = first_from_[kClientMovedAddr.port];
  ASSERT_TRUE(RunUntil([&] { return server_.transport->remote_address() == kClientMovedAddr; },
                       TimeDelta::Seconds(10)));
  EXPECT_LE((now_ - first).ms(), 2000);
  const size_t before = client_.rtp.size();
  ASSERT_TRUE(SendRtp(server_, 1, 2222));
  RunFor(TimeDelta::Millis(100));
  EXPECT_EQ(client_.rtp.size(), before + 1);
  EXPECT_FALSE(server_.failed.has_value());
}

}  // namespace
}  // namespace aegis::transport
