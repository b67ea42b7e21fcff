// The ICE-lite agent under path-hijack attacks (return routability, RFC 8445
// §7.2.5 / RFC 7675 §5.1): a participant that knows its own connection's
// password and spoofs a third party's address, and an on-path observer that
// replays captured checks, after any delay. The rule under test: media is
// only ever sent to an address that answered the server's own check, and
// consent lives only on answers to the server's checks from that address.
#include <gtest/gtest.h>

#include <algorithm>
#include <set>
#include <vector>

#include "base/random.h"
#include "ice/ice_lite_agent.h"
#include "stun/integrity.h"
#include "stun/message.h"
#include "stun/message_builder.h"

namespace aegis::ice {
namespace {

const IceCredentials kServer{"srvufrag", "server-password-0123456789abcdef"};
const IceCredentials kClient{"cliufrag", "client-password-0123456789abcdef"};
const TransportAddress kServerAddr = TransportAddress::Ipv4({198, 18, 0, 1}, 40000);
const TransportAddress kPeer = TransportAddress::Ipv4({192, 0, 2, 2}, 50000);
const TransportAddress kPeerMoved = TransportAddress::Ipv4({192, 0, 2, 77}, 50123);
const TransportAddress kVictim = TransportAddress::Ipv4({203, 0, 113, 9}, 80);  // a third party
const TransportAddress kAttacker = TransportAddress::Ipv4({198, 51, 100, 66}, 6666);

std::vector<uint8_t> Check(uint64_t id_seed, uint32_t priority = 1000, bool use_candidate = true) {
  stun::TransactionId id;
  for (size_t i = 0; i < id.size(); ++i) id[i] = static_cast<uint8_t>(id_seed >> (8 * (i % 8))) ^ static_cast<uint8_t>(i);
  stun::MessageBuilder b({stun::method::kBinding, stun::MessageClass::kRequest}, id);
  b.Add(stun::Username{kServer.ufrag + ":" + kClient.ufrag});
  b.Add(stun::Priority{priority});
  b.Add(stun::IceControlling{42});
  if (use_candidate) b.Add(stun::UseCandidate{});
  b.AddMessageIntegrity(stun::ShortTermKey(kServer.pwd));  // what the client knows from the server's SDP
  b.AddFingerprint();
  return std::move(b).Take();
}

// A Binding success response to `request_id` as a full ICE agent sends it,
// signed with `password` (the client's own one when the client answers).
std::vector<uint8_t> Response(const stun::TransactionId& request_id, const TransportAddress& mapped,
                              const std::string& password = kClient.pwd) {
  stun::MessageBuilder b({stun::method::kBinding, stun::MessageClass::kSuccessResponse}, request_id);
  b.Add(stun::XorMappedAddress{mapped});
  b.AddMessageIntegrity(stun::ShortTermKey(password));
  b.AddFingerprint();
  return std::move(b).Take();
}

bool IsRequest(const std::vector<uint8_t>& bytes) {
  auto m = stun::Message::Parse(bytes);
  return m.ok() && m->type == stun::MessageType{stun::method::kBinding, stun::MessageClass::kRequest};
}

bool IsStun(const std::vector<uint8_t>& bytes) { return stun::Message::Parse(bytes).ok(); }

class IceHijackTest : public ::testing::Test {
 protected:
  // Delivers a datagram to the agent, then drains what it sends: a request
  // to an address in `live_` is answered as the client's full agent would
  // (same transaction id, signed with the client's password).
  void Deliver(const std::vector<uint8_t>& bytes, const TransportAddress& from) {
    agent_.HandleStun(bytes, from, now_);
    Drain();
  }
  void Drain() {
    while (auto tx = agent_.PollTransmit()) {
      sent_.push_back(*tx);
      if (IsRequest(tx->bytes) && Live(tx->to)) {
        answers_due_.push_back({tx->to, Response(stun::Message::Parse(tx->bytes)->transaction_id, kServerAddr)});
      }
    }
    while (auto e = agent_.PollEvent()) {
      if (std::holds_alternative<ConsentExpired>(*e)) ++consent_expired_events_;
    }
  }
  // Advances time in 10 ms steps; answers travel one step.
  void RunFor(TimeDelta d) {
    const Timestamp end = now_ + d;
    while (now_ < end) {
      now_ += TimeDelta::Millis(10);
      auto due = std::move(answers_due_);
      answers_due_.clear();
      for (auto& [from, bytes] : due) {
        if (Live(from)) agent_.HandleStun(bytes, from, now_);
      }
      agent_.HandleTimeout(now_);
      Drain();
    }
  }
  // The peer at kPeer nominates itself and answers: selected.
  void Connect() {
    live_ = {kPeer};
    Deliver(Check(next_id_++), kPeer);
    RunFor(TimeDelta::Millis(100));
    ASSERT_EQ(agent_.selected(), kPeer);
    ASSERT_TRUE(agent_.CanSend(now_));
  }
  size_t SentTo(const TransportAddress& to, bool (*what)(const std::vector<uint8_t>&)) const {
    size_t n = 0;
    for (const auto& t : sent_) n += t.to == to && what(t.bytes);
    return n;
  }

  SeededRandom rng_{5};
  IceLiteAgent agent_{kServer, kClient, rng_};
  Timestamp now_ = Timestamp::Millis(5000);
  std::vector<TransportAddress> live_;
  bool Live(const TransportAddress& a) const { return std::find(live_.begin(), live_.end(), a) != live_.end(); }
  std::vector<std::pair<TransportAddress, std::vector<uint8_t>>> answers_due_;
  std::vector<StunTransmit> sent_;
  int consent_expired_events_ = 0;
  uint64_t next_id_ = 1;
};

TEST_F(IceHijackTest, FirstNominationWaitsForTheAddressToAnswerTheServersCheck) {
  Deliver(Check(1), kPeer);  // nobody answers yet
  EXPECT_FALSE(agent_.selected().has_value()) << "selected on the check alone";
  EXPECT_FALSE(agent_.CanSend(now_));
  // The server's own check: "<client ufrag>:<server ufrag>", signed with the
  // client's password, ICE-CONTROLLED with a tie-breaker, PRIORITY, FINGERPRINT.
  const StunTransmit* request = nullptr;
  for (const auto& t : sent_) {
    if (t.to == kPeer && IsRequest(t.bytes)) request = &t;
  }
  ASSERT_NE(request, nullptr) << "the server sent no Binding request of its own";
  auto m = stun::Message::Parse(request->bytes);
  ASSERT_TRUE(m.ok());
  ASSERT_NE(m->Get<stun::Username>(), nullptr);
  EXPECT_EQ(m->Get<stun::Username>()->value, "cliufrag:srvufrag");
  EXPECT_EQ(stun::VerifyMessageIntegrity(request->bytes, stun::ShortTermKey(kClient.pwd)), stun::IntegrityStatus::kOk);
  EXPECT_EQ(stun::VerifyFingerprint(request->bytes), stun::IntegrityStatus::kOk);
  EXPECT_TRUE(m->Has<stun::IceControlled>());
  EXPECT_FALSE(m->Has<stun::IceControlling>());
  EXPECT_FALSE(m->Has<stun::UseCandidate>());
  EXPECT_TRUE(m->Has<stun::Priority>());
  // Once the address answers, it is selected.
  live_ = {kPeer};
  agent_.HandleStun(Response(m->transaction_id, kServerAddr), kPeer, now_);
  Drain();
  EXPECT_EQ(agent_.selected(), kPeer);
  EXPECT_TRUE(agent_.CanSend(now_));
}

TEST_F(IceHijackTest, SpoofedHigherPriorityChecksFromAThirdPartyMoveNothing) {
  Connect();
  // The participant knows its connection's password: it signs checks with
  // the highest priority and the victim's address as their source.
  for (int i = 0; i < 20; ++i) {
    Deliver(Check(1000 + i, 0x7fffffff), kVictim);
    // It guesses at the server's check to the victim and answers for it,
    // from its own address and (spoofed) from the victim's.
    stun::TransactionId guess;
    rng_.Fill(guess);
    agent_.HandleStun(Response(guess, kServerAddr), kVictim, now_);
    for (const auto& t : sent_) {
      if (t.to == kVictim && IsRequest(t.bytes)) {
        // Seen on the path to the victim, answered from elsewhere.
        agent_.HandleStun(Response(stun::Message::Parse(t.bytes)->transaction_id, kServerAddr), kAttacker, now_);
      }
    }
    Drain();
    RunFor(TimeDelta::Millis(500));
    ASSERT_EQ(agent_.selected(), kPeer) << "check " << i << " moved the media to the victim";
  }
  EXPECT_TRUE(agent_.CanSend(now_));
  // The victim got STUN only (answers to "its" checks and at most the
  // server's own checks), never anything else.
  for (const auto& t : sent_) {
    if (t.to == kVictim) {
      EXPECT_TRUE(IsStun(t.bytes));
    }
  }
}

TEST_F(IceHijackTest, ChecksFromAnAddressThatNeverAnswersDoNotKeepConsent) {
  Connect();
  RunFor(TimeDelta::Seconds(20));
  ASSERT_TRUE(agent_.CanSend(now_));
  // The real client is gone. The attacker keeps signing fresh checks, every
  // 5 s, from the victim's address and from the client's own old address.
  const Timestamp gone = now_;
  live_.clear();
  while (now_ - gone < TimeDelta::Seconds(60)) {
    Deliver(Check(next_id_++, 0x7fffffff), kVictim);
    Deliver(Check(next_id_++, 0x7fffffff), kPeer);
    RunFor(TimeDelta::Seconds(5));
    if (now_ - gone > TimeDelta::Seconds(30)) {
      ASSERT_FALSE(agent_.CanSend(now_)) << "consent kept alive " << (now_ - gone).ms() << " ms after the client left";
    }
  }
  EXPECT_EQ(consent_expired_events_, 1);
  EXPECT_NE(agent_.selected(), kVictim);
}

TEST_F(IceHijackTest, ReplayedChecksAfterAnyDelayNeverMoveOrKeepTheNomination) {
  Connect();
  // The victim's client checks every 2.5 s for over five minutes; an on-path
  // observer records every check.
  std::vector<std::vector<uint8_t>> captured;
  for (int i = 0; i < 130; ++i) {
    captured.push_back(Check(next_id_++));
    Deliver(captured.back(), kPeer);
    RunFor(TimeDelta::Millis(2500));
  }
  ASSERT_EQ(agent_.selected(), kPeer);
  // The client goes silent. From 5 s on the observer replays, from its own
  // address and from the client's: the oldest checks (over 300 s old), then
  // the most recent ones.
  const Timestamp gone = now_;
  live_.clear();
  RunFor(TimeDelta::Seconds(5));
  size_t next = 0;
  while (now_ - gone < TimeDelta::Seconds(70)) {
    const auto& replay = captured[next++ % captured.size()];
    Deliver(replay, kAttacker);
    Deliver(replay, kPeer);
    Deliver(captured[captured.size() - 1 - (next % 8)], kAttacker);
    RunFor(TimeDelta::Millis(500));
    ASSERT_NE(agent_.selected(), kAttacker) << "a replay moved the nomination";
    if (now_ - gone > TimeDelta::Seconds(30)) {
      ASSERT_FALSE(agent_.CanSend(now_)) << "replays kept consent " << (now_ - gone).ms() << " ms after the client left";
    }
  }
  EXPECT_EQ(agent_.selected(), kPeer);
  EXPECT_EQ(consent_expired_events_, 1);
  EXPECT_EQ(SentTo(kAttacker, IsStun), SentTo(kAttacker, [](const std::vector<uint8_t>&) { return true; }));
}

TEST_F(IceHijackTest, ARealAddressChangeSwitchesWithinTwoSeconds) {
  Connect();
  RunFor(TimeDelta::Seconds(3));
  Deliver(Check(next_id_++), kPeer);  // the last check from the old address
  RunFor(TimeDelta::Seconds(1));
  // The client moved (e.g. Wi-Fi to mobile): a lower-priority path, and the
  // old address is gone.
  live_ = {kPeerMoved};
  const Timestamp moved = now_;
  while (agent_.selected() != kPeerMoved && now_ - moved < TimeDelta::Seconds(10)) {
    Deliver(Check(next_id_++, 100), kPeerMoved);
    RunFor(TimeDelta::Millis(500));
  }
  ASSERT_EQ(agent_.selected(), kPeerMoved);
  EXPECT_LE((now_ - moved).ms(), 2000);
  EXPECT_TRUE(agent_.CanSend(now_));
}

TEST_F(IceHijackTest, TheServersCheckToASilentAddressIsSentFourTimesAndAbandoned) {
  Connect();
  sent_.clear();
  const Timestamp start = now_;
  Deliver(Check(next_id_++), kVictim);
  std::vector<Timestamp> at;
  std::set<std::vector<uint8_t>> ids;
  for (int i = 0; i < 400; ++i) {  // 4 s
    for (const auto& t : sent_) {
      if (t.to == kVictim && IsRequest(t.bytes)) {
        at.push_back(now_);
        auto m = stun::Message::Parse(t.bytes);
        ids.insert({m->transaction_id.begin(), m->transaction_id.end()});
      }
    }
    sent_.clear();
    RunFor(TimeDelta::Millis(10));
  }
  // RFC 8489 style: one transaction, the RTO doubling from 250 ms.
  ASSERT_EQ(at.size(), 4u);
  EXPECT_EQ(ids.size(), 1u);
  EXPECT_EQ((at[0] - start).ms(), 0);
  EXPECT_NEAR(static_cast<double>((at[1] - start).ms()), 250, 10);
  EXPECT_NEAR(static_cast<double>((at[2] - start).ms()), 750, 10);
  EXPECT_NEAR(static_cast<double>((at[3] - start).ms()), 1750, 10);
  EXPECT_EQ(agent_.pending_verifications(), 0u);
  EXPECT_EQ(agent_.stats().verifications_timed_out, 1u);
  // A later nomination from there tries again.
  Deliver(Check(next_id_++), kVictim);
  EXPECT_EQ(agent_.pending_verifications(), 1u);
}

TEST_F(IceHijackTest, AFloodOfNominationsKeepsPendingChecksAndMemoryBounded) {
  Connect();
  sent_.clear();
  // 20,000 fresh, correctly signed nominations from 20,000 addresses in 2 s.
  for (uint32_t i = 0; i < 20'000; ++i) {
    const auto from = TransportAddress::Ipv4({10, static_cast<uint8_t>(i >> 16), static_cast<uint8_t>(i >> 8),
                                              static_cast<uint8_t>(i)},
                                             static_cast<uint16_t>(1000 + i % 50000));
    Deliver(Check(1'000'000 + i, 0x7fffffff), from);
    ASSERT_LE(agent_.pending_verifications(), IceLiteAgent::kMaxPendingVerifications);
    ASSERT_LE(agent_.remembered_transactions(), IceLiteAgent::kRememberedTransactions);
    if (i % 100 == 0) RunFor(TimeDelta::Millis(10));
  }
  // The server's own checks went to at most 4 addresses per 2.75 s, 4
  // transmissions each; everything else it sent was one answer per check.
  std::vector<TransportAddress> checked;
  size_t requests = 0;
  for (const auto& t : sent_) {
    if (!IsRequest(t.bytes) || t.to == kPeer) continue;
    ++requests;
    if (std::find(checked.begin(), checked.end(), t.to) == checked.end()) checked.push_back(t.to);
  }
  EXPECT_LE(checked.size(), 4u);
  EXPECT_LE(requests, 16u);
  EXPECT_GT(agent_.stats().verifications_refused_busy, 19'000u);
  EXPECT_EQ(agent_.selected(), kPeer);
  EXPECT_TRUE(agent_.CanSend(now_));
  // Once the flood stops, a real move is followed again.
  RunFor(TimeDelta::Seconds(3));
  EXPECT_EQ(agent_.pending_verifications(), 0u);
  live_ = {kPeerMoved};
  Deliver(Check(next_id_++), kPeerMoved);
  RunFor(TimeDelta::Millis(100));
  EXPECT_EQ(agent_.selected(), kPeerMoved);
}

TEST_F(IceHijackTest, ANominationWhoseCheckWasLostIsCheckedAgainOnTheNextCheck) {
  // aioice nominates once (regular nomination), then sends plain consent
  // checks: if the server's check to it was lost, a later check retries.
  Deliver(Check(next_id_++), kPeer);  // nobody answers: lost
  RunFor(TimeDelta::Seconds(3));
  ASSERT_EQ(agent_.stats().verifications_timed_out, 1u);
  live_ = {kPeer};
  Deliver(Check(next_id_++, 1000, /*use_candidate=*/false), kPeer);
  RunFor(TimeDelta::Millis(100));
  EXPECT_EQ(agent_.selected(), kPeer);
  // Once something is selected, only a nomination starts a check elsewhere.
  live_ = {kPeer, kPeerMoved};
  Deliver(Check(next_id_++, 1000, /*use_candidate=*/true), kPeerMoved);
  RunFor(TimeDelta::Millis(100));
  ASSERT_EQ(agent_.selected(), kPeerMoved);
  Deliver(Check(next_id_++, 1000, /*use_candidate=*/false), kPeer);
  RunFor(TimeDelta::Millis(100));
  EXPECT_EQ(agent_.selected(), kPeerMoved);
}

}  // namespace
}  // namespace aegis::ice
