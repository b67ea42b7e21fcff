#include "ice/ice_lite_agent.h"

#include <gtest/gtest.h>

#include "base/random.h"
#include "stun/integrity.h"
#include "stun/message.h"
#include "stun/message_builder.h"

namespace aegis::ice {
namespace {

const IceCredentials kServer{"srvufrag", "server-password-0123456789abcdef"};
const IceCredentials kClient{"cliufrag", "client-password-0123456789abcdef"};
const TransportAddress kPeer = TransportAddress::Ipv4({127, 0, 0, 2}, 50000);
const TransportAddress kAttacker = TransportAddress::Ipv4({127, 0, 0, 3}, 40000);

struct CheckOptions {
  std::string username = "srvufrag:cliufrag";
  std::string password = kServer.pwd;
  bool use_candidate = true;
  bool controlling = true;
  bool fingerprint = true;
  uint32_t priority = 1000;
  uint8_t id_seed = 1;
};

std::vector<uint8_t> Check(const CheckOptions& o = {}) {
  stun::TransactionId id;
  id.fill(o.id_seed);
  stun::MessageBuilder b({stun::method::kBinding, stun::MessageClass::kRequest}, id);
  b.Add(stun::Username{o.username});
  b.Add(stun::Priority{o.priority});
  if (o.controlling) {
    b.Add(stun::IceControlling{42});
  } else {
    b.Add(stun::IceControlled{42});
  }
  if (o.use_candidate) b.Add(stun::UseCandidate{});
  b.AddMessageIntegrity(stun::ShortTermKey(o.password));
  if (o.fingerprint) b.AddFingerprint();
  return std::move(b).Take();
}

class IceLiteAgentTest : public ::testing::Test {
 protected:
  IceLiteAgent agent_{kServer, kClient};
  Timestamp now_ = Timestamp::Millis(5000);
};

TEST_F(IceLiteAgentTest, AnswersAValidCheckAndSelectsTheNominatedAddress) {
  agent_.HandleStun(Check(), kPeer, now_);
  auto tx = agent_.PollTransmit();
  ASSERT_TRUE(tx.has_value());
  EXPECT_EQ(tx->to, kPeer);
  auto response = stun::Message::Parse(tx->bytes);
  ASSERT_TRUE(response.ok());
  EXPECT_EQ(response->type, (stun::MessageType{stun::method::kBinding, stun::MessageClass::kSuccessResponse}));
  stun::TransactionId expected_id;
  expected_id.fill(1);
  EXPECT_EQ(response->transaction_id, expected_id);
  ASSERT_NE(response->Get<stun::XorMappedAddress>(), nullptr);
  EXPECT_EQ(response->Get<stun::XorMappedAddress>()->address, kPeer);
  // The peer checks the response with the password it knows for us.
  EXPECT_EQ(stun::VerifyMessageIntegrity(tx->bytes, stun::ShortTermKey(kServer.pwd)), stun::IntegrityStatus::kOk);
  EXPECT_EQ(stun::VerifyFingerprint(tx->bytes), stun::IntegrityStatus::kOk);

  ASSERT_EQ(agent_.selected(), kPeer);
  auto event = agent_.PollEvent();
  ASSERT_TRUE(event.has_value());
  EXPECT_EQ(std::get<SelectedAddressChanged>(*event).address, kPeer);
  EXPECT_TRUE(agent_.CanSend(now_));
  EXPECT_EQ(agent_.stats().checks_answered, 1u);
}

TEST_F(IceLiteAgentTest, WrongPasswordGetsNoResponse) {
  agent_.HandleStun(Check({.password = "not-the-password-0123456789abcd"}), kAttacker, now_);
  EXPECT_FALSE(agent_.PollTransmit().has_value());
  EXPECT_FALSE(agent_.selected().has_value());
  EXPECT_EQ(agent_.stats().dropped_bad_integrity, 1u);
}

TEST_F(IceLiteAgentTest, WrongUsernameGetsNoResponse) {
  agent_.HandleStun(Check({.username = "srvufrag:someoneelse"}), kPeer, now_);
  agent_.HandleStun(Check({.username = "otherufrag:cliufrag"}), kPeer, now_);
  agent_.HandleStun(Check({.username = "srvufrag:"}), kPeer, now_);
  EXPECT_FALSE(agent_.PollTransmit().has_value());
  EXPECT_EQ(agent_.stats().dropped_bad_username, 3u);
}

TEST_F(IceLiteAgentTest, MissingFingerprintOrControlledPeerIsRefused) {
  agent_.HandleStun(Check({.fingerprint = false}), kPeer, now_);
  agent_.HandleStun(Check({.controlling = false}), kPeer, now_);
  EXPECT_FALSE(agent_.PollTransmit().has_value());
  EXPECT_EQ(agent_.stats().dropped_bad_fingerprint, 1u);
  EXPECT_EQ(agent_.stats().dropped_role_conflict, 1u);
  EXPECT_FALSE(agent_.selected().has_value());
}

TEST_F(IceLiteAgentTest, GarbageAndResponsesAreCountedDrops) {
  const uint8_t garbage[] = {0, 1, 0, 0, 0x21, 0x12};
  agent_.HandleStun(garbage, kPeer, now_);
  auto check = Check();
  check[0] = 0x01;  // type 0x0101: a Binding success response, which a lite agent never expects
  check[1] = 0x01;
  agent_.HandleStun(check, kPeer, now_);
  EXPECT_EQ(agent_.stats().dropped_unparseable, 1u);
  EXPECT_EQ(agent_.stats().dropped_not_binding_request, 1u);
  EXPECT_FALSE(agent_.PollTransmit().has_value());
}

TEST_F(IceLiteAgentTest, CheckWithoutUseCandidateIsAnsweredButNotSelected) {
  EXPECT_FALSE(agent_.IsAuthenticated(kPeer));
  agent_.HandleStun(Check({.use_candidate = false}), kPeer, now_);
  EXPECT_TRUE(agent_.PollTransmit().has_value());
  EXPECT_FALSE(agent_.selected().has_value());
  EXPECT_TRUE(agent_.IsAuthenticated(kPeer));
  EXPECT_FALSE(agent_.IsAuthenticated(kAttacker));
  EXPECT_FALSE(agent_.CanSend(now_));
}

TEST_F(IceLiteAgentTest, ReplayedCheckFromAnotherAddressCannotStealTheNomination) {
  auto check = Check({.priority = 100});
  agent_.HandleStun(check, kPeer, now_);
  ASSERT_EQ(agent_.selected(), kPeer);
  // An on-path attacker replays the captured, validly signed check.
  agent_.HandleStun(check, kAttacker, now_);
  EXPECT_EQ(agent_.selected(), kPeer);
  EXPECT_EQ(agent_.stats().dropped_replayed, 1u);
  // A retransmission from the peer itself is still answered.
  agent_.HandleStun(check, kPeer, now_);
  EXPECT_EQ(agent_.stats().checks_answered, 2u);
}

TEST_F(IceLiteAgentTest, ReplayedCheckNeverRefreshesConsent) {
  auto check = Check();
  agent_.HandleStun(check, kPeer, now_);
  ASSERT_EQ(agent_.selected(), kPeer);
  // The peer is gone; someone replays its captured check with its address.
  for (int i = 0; i < 6; ++i) {
    now_ += TimeDelta::Seconds(5);
    agent_.HandleStun(check, kPeer, now_);
    agent_.HandleTimeout(now_);
  }
  EXPECT_FALSE(agent_.CanSend(now_));
  EXPECT_EQ(agent_.stats().checks_answered, 7u);  // answered as retransmissions, nothing more
}

TEST_F(IceLiteAgentTest, AnotherAddressTakesOverOnlyWithHigherPriorityOrAfterSilence) {
  agent_.HandleStun(Check({.priority = 100, .id_seed = 1}), kPeer, now_);
  ASSERT_EQ(agent_.selected(), kPeer);
  // Same priority from elsewhere while the peer keeps checking: no switch
  // (an old nominating check replayed after it left the transaction memory).
  now_ += TimeDelta::Seconds(1);
  agent_.HandleStun(Check({.priority = 100, .id_seed = 2}), kPeer, now_);
  agent_.HandleStun(Check({.priority = 100, .id_seed = 3}), kAttacker, now_);
  EXPECT_EQ(agent_.selected(), kPeer);
  // Once the selected address has been silent for 5 s, the new one wins
  // (the peer moved to another path).
  now_ += TimeDelta::Seconds(5);
  agent_.HandleStun(Check({.priority = 100, .id_seed = 4}), kAttacker, now_);
  EXPECT_EQ(agent_.selected(), kAttacker);
  // A higher priority wins at once.
  agent_.HandleStun(Check({.priority = 200, .id_seed = 5}), kPeer, now_);
  EXPECT_EQ(agent_.selected(), kPeer);
}

TEST_F(IceLiteAgentTest, ConsentExpiresThirtySecondsAfterTheLastValidCheck) {
  agent_.HandleStun(Check(), kPeer, now_);
  agent_.PollEvent();
  // Checks every 5 s keep consent alive.
  for (int i = 2; i < 10; ++i) {
    now_ += TimeDelta::Seconds(5);
    agent_.HandleStun(Check({.id_seed = static_cast<uint8_t>(i)}), kPeer, now_);
    agent_.HandleTimeout(now_);
    ASSERT_TRUE(agent_.CanSend(now_));
  }
  ASSERT_EQ(agent_.NextTimeout(), now_ + TimeDelta::Seconds(30));
  // Checks with a wrong password do not refresh consent.
  now_ += TimeDelta::Seconds(29);
  agent_.HandleStun(Check({.password = "wrong-password-0123456789abcdefg", .id_seed = 50}), kPeer, now_);
  agent_.HandleTimeout(now_);
  EXPECT_TRUE(agent_.CanSend(now_));
  EXPECT_FALSE(agent_.PollEvent().has_value());
  now_ += TimeDelta::Seconds(1);
  agent_.HandleTimeout(now_);
  EXPECT_FALSE(agent_.CanSend(now_));
  auto event = agent_.PollEvent();
  ASSERT_TRUE(event.has_value());
  EXPECT_TRUE(std::holds_alternative<ConsentExpired>(*event));
  // Valid checks after expiry do not silently resume sending.
  agent_.HandleStun(Check({.id_seed = 60}), kPeer, now_);
  EXPECT_FALSE(agent_.CanSend(now_));
}

TEST_F(IceLiteAgentTest, RestartSwitchesCredentials) {
  agent_.HandleStun(Check(), kPeer, now_);
  agent_.PollTransmit();
  IceCredentials new_server{"newsrvuf", "new-server-password-0123456789ab"};
  IceCredentials new_client{"newcliuf", "new-client-password-0123456789ab"};
  agent_.Restart(new_server, new_client);
  // Old credentials no longer work...
  agent_.HandleStun(Check({.id_seed = 2}), kPeer, now_);
  EXPECT_FALSE(agent_.PollTransmit().has_value());
  // ...new ones do, and may nominate a new address (e.g. after a network change).
  agent_.HandleStun(Check({.username = "newsrvuf:newcliuf", .password = new_server.pwd, .priority = 1, .id_seed = 3}),
                    kAttacker, now_);
  EXPECT_TRUE(agent_.PollTransmit().has_value());
  EXPECT_EQ(agent_.selected(), kAttacker);
}

TEST(IceCredentials, GeneratedCredentialsMeetRfcLengthsAndAlphabet) {
  SeededRandom rng(7);
  auto a = GenerateIceCredentials(rng);
  auto b = GenerateIceCredentials(rng);
  EXPECT_GE(a.ufrag.size(), 4u);
  EXPECT_GE(a.pwd.size(), 22u);
  EXPECT_NE(a, b);
  for (char c : a.ufrag + a.pwd) EXPECT_TRUE(std::isalnum(static_cast<unsigned char>(c)) || c == '+' || c == '/');
}

}  // namespace
}  // namespace aegis::ice
