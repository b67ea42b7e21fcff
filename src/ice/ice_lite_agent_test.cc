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

// The peer's answer to one of the server's own checks.
std::vector<uint8_t> Answer(const stun::TransactionId& id, const std::string& password = kClient.pwd,
                            stun::MessageClass cls = stun::MessageClass::kSuccessResponse) {
  stun::MessageBuilder b({stun::method::kBinding, cls}, id);
  b.Add(stun::XorMappedAddress{TransportAddress::Ipv4({198, 18, 0, 1}, 3478)});
  b.AddMessageIntegrity(stun::ShortTermKey(password));
  b.AddFingerprint();
  return std::move(b).Take();
}

bool IsRequest(const StunTransmit& t) {
  auto m = stun::Message::Parse(t.bytes);
  return m.ok() && m->type == stun::MessageType{stun::method::kBinding, stun::MessageClass::kRequest};
}

class IceLiteAgentTest : public ::testing::Test {
 protected:
  // Drains what the agent sends; its own checks are kept in requests_.
  void Drain() {
    while (auto t = agent_.PollTransmit()) {
      if (IsRequest(*t)) {
        requests_.push_back(*t);
      } else {
        responses_.push_back(*t);
      }
    }
  }
  // Answers, from `at`, every check the server sent there (as the peer's
  // full agent does); returns how many.
  int AnswerChecksTo(const TransportAddress& at, const std::string& password = kClient.pwd) {
    Drain();
    int n = 0;
    auto pending = std::move(requests_);
    requests_.clear();
    for (const auto& r : pending) {
      if (r.to != at) {
        requests_.push_back(r);
        continue;
      }
      agent_.HandleStun(Answer(stun::Message::Parse(r.bytes)->transaction_id, password), at, now_);
      last_answered_ = now_;
      ++n;
    }
    Drain();
    return n;
  }
  // A nominating check from `at`, answered: `at` is selected.
  void Select(const TransportAddress& at, uint8_t id_seed = 1) {
    agent_.HandleStun(Check({.id_seed = id_seed}), at, now_);
    ASSERT_GE(AnswerChecksTo(at), 1);
    ASSERT_EQ(agent_.selected(), at);
  }
  // Advances time in 100 ms steps; `answer` (if set) answers every check.
  void RunFor(TimeDelta d, std::optional<TransportAddress> answer = std::nullopt) {
    const Timestamp end = now_ + d;
    while (now_ < end) {
      now_ += TimeDelta::Millis(100);
      agent_.HandleTimeout(now_);
      if (answer) AnswerChecksTo(*answer);
      Drain();
    }
  }

  SeededRandom rng_{3};
  IceLiteAgent agent_{kServer, kClient, rng_};
  Timestamp now_ = Timestamp::Millis(5000);
  std::vector<StunTransmit> requests_;
  std::vector<StunTransmit> responses_;
  Timestamp last_answered_;
};

TEST_F(IceLiteAgentTest, AnswersAValidCheckAndSelectsTheNominatedAddressOnceItAnswers) {
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

  // The nomination alone selects nothing: the server checks the address.
  EXPECT_FALSE(agent_.selected().has_value());
  EXPECT_FALSE(agent_.PollEvent().has_value());
  EXPECT_EQ(AnswerChecksTo(kPeer), 1);
  ASSERT_EQ(agent_.selected(), kPeer);
  auto event = agent_.PollEvent();
  ASSERT_TRUE(event.has_value());
  EXPECT_EQ(std::get<SelectedAddressChanged>(*event).address, kPeer);
  EXPECT_TRUE(agent_.CanSend(now_));
  EXPECT_EQ(agent_.stats().checks_answered, 1u);
  EXPECT_EQ(agent_.stats().verifications_succeeded, 1u);
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
  check[0] = 0x01;  // type 0x0101: a Binding success response to no check the server sent
  check[1] = 0x01;
  agent_.HandleStun(check, kPeer, now_);
  check[0] = 0x00;  // type 0x0011: a Binding indication
  check[1] = 0x11;
  agent_.HandleStun(check, kPeer, now_);
  EXPECT_EQ(agent_.stats().dropped_unparseable, 1u);
  EXPECT_EQ(agent_.stats().dropped_unexpected_response, 1u);
  EXPECT_EQ(agent_.stats().dropped_not_binding_request, 1u);
  EXPECT_FALSE(agent_.PollTransmit().has_value());
}

TEST_F(IceLiteAgentTest, BeforeAnySelectionTheFirstAddressToAnswerWinsThenOnlyNominationsMoveIt) {
  EXPECT_FALSE(agent_.IsAuthenticated(kPeer));
  // Checks without USE-CANDIDATE from two addresses: both answered, both
  // checked by the server, nothing selected yet.
  agent_.HandleStun(Check({.use_candidate = false, .id_seed = 1}), kPeer, now_);
  agent_.HandleStun(Check({.use_candidate = false, .id_seed = 2}), kAttacker, now_);
  Drain();
  EXPECT_EQ(responses_.size(), 2u);
  EXPECT_EQ(requests_.size(), 2u);
  EXPECT_FALSE(agent_.selected().has_value());
  EXPECT_FALSE(agent_.CanSend(now_));
  EXPECT_TRUE(agent_.IsAuthenticated(kPeer));
  EXPECT_TRUE(agent_.IsAuthenticated(kAttacker));
  EXPECT_FALSE(agent_.IsAuthenticated(TransportAddress::Ipv4({127, 0, 0, 4}, 1)));
  // The first to answer is selected; the other's answer moves nothing, as it
  // was not nominated.
  EXPECT_EQ(AnswerChecksTo(kAttacker), 1);
  EXPECT_EQ(agent_.selected(), kAttacker);
  EXPECT_TRUE(agent_.CanSend(now_));
  EXPECT_EQ(AnswerChecksTo(kPeer), 1);
  EXPECT_EQ(agent_.selected(), kAttacker);
  // Now a check without USE-CANDIDATE from elsewhere starts nothing; a
  // nomination does, and its answer switches.
  agent_.HandleStun(Check({.use_candidate = false, .id_seed = 3}), kPeer, now_);
  EXPECT_EQ(AnswerChecksTo(kPeer), 0);
  agent_.HandleStun(Check({.use_candidate = true, .id_seed = 4}), kPeer, now_);
  EXPECT_EQ(AnswerChecksTo(kPeer), 1);
  EXPECT_EQ(agent_.selected(), kPeer);
}

TEST_F(IceLiteAgentTest, ANominationUpgradesTheCheckAlreadyUnderWay) {
  // Two addresses checked before anything is selected; kPeer answers first.
  agent_.HandleStun(Check({.use_candidate = false, .id_seed = 1}), kAttacker, now_);
  agent_.HandleStun(Check({.use_candidate = false, .id_seed = 2}), kPeer, now_);
  ASSERT_EQ(AnswerChecksTo(kPeer), 1);
  ASSERT_EQ(agent_.selected(), kPeer);
  // kAttacker's check is still under way when the peer nominates kAttacker:
  // no second request goes out, and the one answer now switches.
  agent_.HandleStun(Check({.use_candidate = true, .id_seed = 3}), kAttacker, now_);
  Drain();
  EXPECT_EQ(requests_.size(), 1u);
  EXPECT_EQ(agent_.pending_verifications(), 1u);
  EXPECT_EQ(AnswerChecksTo(kAttacker), 1);
  EXPECT_EQ(agent_.selected(), kAttacker);
}

TEST_F(IceLiteAgentTest, ReplayedCheckFromAnotherAddressIsDroppedUnanswered) {
  auto check = Check({.priority = 100});
  agent_.HandleStun(check, kPeer, now_);
  ASSERT_EQ(AnswerChecksTo(kPeer), 1);
  ASSERT_EQ(agent_.selected(), kPeer);
  // An on-path attacker replays the captured, validly signed check: no
  // answer (nothing reflected), no check of the server's own, no selection.
  agent_.HandleStun(check, kAttacker, now_);
  Drain();
  EXPECT_EQ(agent_.selected(), kPeer);
  EXPECT_EQ(agent_.stats().dropped_replayed, 1u);
  for (const auto& t : requests_) EXPECT_NE(t.to, kAttacker);
  for (const auto& t : responses_) EXPECT_NE(t.to, kAttacker);
  EXPECT_FALSE(agent_.IsAuthenticated(kAttacker));
  // A retransmission from the peer itself is still answered.
  agent_.HandleStun(check, kPeer, now_);
  EXPECT_EQ(agent_.stats().checks_answered, 2u);
}

TEST_F(IceLiteAgentTest, ChecksNeverRefreshConsentOnlyAnswersToTheServersChecksDo) {
  Select(kPeer);
  // The peer's checks keep coming, fresh and replayed, but nobody answers
  // the server's consent checks: consent ends 30 s after the last answer.
  auto check = Check({.id_seed = 7});
  for (int i = 0; i < 6; ++i) {
    RunFor(TimeDelta::Seconds(5));
    agent_.HandleStun(check, kPeer, now_);
    agent_.HandleStun(Check({.id_seed = static_cast<uint8_t>(10 + i)}), kPeer, now_);
    agent_.HandleTimeout(now_);
  }
  EXPECT_FALSE(agent_.CanSend(now_));
  EXPECT_EQ(agent_.stats().checks_answered, 13u);  // every one answered, nothing more
  EXPECT_FALSE(requests_.empty());                  // the consent checks that went unanswered
}

TEST_F(IceLiteAgentTest, AnotherAddressTakesOverOnlyOnceItAnswers) {
  Select(kPeer);
  // The peer nominates another of its addresses, at any priority: the
  // server checks it, and switches when it answers.
  agent_.HandleStun(Check({.priority = 1, .id_seed = 2}), kAttacker, now_);
  EXPECT_EQ(agent_.selected(), kPeer);
  EXPECT_EQ(AnswerChecksTo(kAttacker), 1);
  EXPECT_EQ(agent_.selected(), kAttacker);
  // An answer for kAttacker's check arriving from kPeer would not count; a
  // nomination of kPeer again does once kPeer answers.
  agent_.HandleStun(Check({.priority = 1, .id_seed = 3}), kPeer, now_);
  Drain();
  ASSERT_FALSE(requests_.empty());
  agent_.HandleStun(Answer(stun::Message::Parse(requests_.back().bytes)->transaction_id), kAttacker, now_);
  EXPECT_EQ(agent_.selected(), kAttacker);
  EXPECT_EQ(AnswerChecksTo(kPeer), 1);
  EXPECT_EQ(agent_.selected(), kPeer);
}

TEST_F(IceLiteAgentTest, ForgedAnswersSelectNothingAndLeaveTheRealCheckPending) {
  agent_.HandleStun(Check(), kPeer, now_);
  Drain();
  ASSERT_EQ(requests_.size(), 1u);
  const auto id = stun::Message::Parse(requests_[0].bytes)->transaction_id;
  stun::TransactionId other = id;
  other[0] ^= 1;
  agent_.HandleStun(Answer(id, kServer.pwd), kPeer, now_);    // signed with the wrong password
  agent_.HandleStun(Answer(other), kPeer, now_);              // another transaction
  agent_.HandleStun(Answer(id), kAttacker, now_);             // from elsewhere
  auto unsigned_answer = Answer(id);
  unsigned_answer[unsigned_answer.size() - 20] ^= 1;          // altered inside MESSAGE-INTEGRITY
  agent_.HandleStun(unsigned_answer, kPeer, now_);
  EXPECT_FALSE(agent_.selected().has_value());
  EXPECT_EQ(agent_.stats().dropped_bad_response, 2u);
  EXPECT_EQ(agent_.stats().dropped_unexpected_response, 2u);
  EXPECT_FALSE(agent_.IsAuthenticated(kAttacker));
  // The real answer still selects.
  agent_.HandleStun(Answer(id), kPeer, now_);
  EXPECT_EQ(agent_.selected(), kPeer);
  // An error answer (signed) ends a check without selecting.
  agent_.HandleStun(Check({.id_seed = 2}), kAttacker, now_);
  Drain();
  agent_.HandleStun(Answer(stun::Message::Parse(requests_.back().bytes)->transaction_id, kClient.pwd,
                           stun::MessageClass::kErrorResponse),
                    kAttacker, now_);
  EXPECT_EQ(agent_.stats().dropped_error_response, 1u);
  EXPECT_EQ(agent_.selected(), kPeer);
  EXPECT_EQ(agent_.pending_verifications(), 0u);
}

TEST_F(IceLiteAgentTest, ConsentChecksGoToTheSelectedAddressEveryFourToSixSeconds) {
  Select(kPeer);
  requests_.clear();
  RunFor(TimeDelta::Seconds(120), kPeer);  // answered: consent holds
  EXPECT_TRUE(agent_.CanSend(now_));
  EXPECT_EQ(agent_.stats().verifications_started, 1u);
  // Count and space them: each a new transaction, sent once (RFC 7675 §5.1).
  uint64_t consent_checks = agent_.stats().requests_sent - 1;
  EXPECT_GE(consent_checks, 120u / 6);
  EXPECT_LE(consent_checks, 120u / 4 + 1);
  EXPECT_EQ(agent_.stats().responses_accepted, agent_.stats().requests_sent);
}

TEST_F(IceLiteAgentTest, ConsentExpiresThirtySecondsAfterTheLastAnswer) {
  Select(kPeer);
  agent_.PollEvent();
  RunFor(TimeDelta::Seconds(40), kPeer);
  ASSERT_TRUE(agent_.CanSend(now_));
  // The peer stops answering (its checks still arrive: they do not count).
  const Timestamp last_answer = last_answered_;
  ASSERT_LE(*agent_.NextTimeout(), last_answer + TimeDelta::Seconds(30));
  for (uint8_t i = 20; now_ + TimeDelta::Seconds(1) < last_answer + TimeDelta::Seconds(30); ++i) {
    RunFor(TimeDelta::Seconds(1));
    agent_.HandleStun(Check({.id_seed = i}), kPeer, now_);
    // Answers signed with a wrong password do not refresh consent either.
    for (const auto& r : requests_) {
      agent_.HandleStun(Answer(stun::Message::Parse(r.bytes)->transaction_id, "wrong-password-0123456789abcdefg"),
                        kPeer, now_);
    }
    ASSERT_TRUE(agent_.CanSend(now_));
  }
  EXPECT_FALSE(agent_.PollEvent().has_value());
  RunFor(TimeDelta::Seconds(1));
  EXPECT_FALSE(agent_.CanSend(now_));
  auto event = agent_.PollEvent();
  ASSERT_TRUE(event.has_value());
  EXPECT_TRUE(std::holds_alternative<ConsentExpired>(*event));
  // Neither answers nor nominations after expiry silently resume sending.
  Drain();
  for (const auto& r : requests_) {
    agent_.HandleStun(Answer(stun::Message::Parse(r.bytes)->transaction_id), kPeer, now_);
  }
  requests_.clear();
  agent_.HandleStun(Check({.id_seed = 60}), kPeer, now_);
  EXPECT_EQ(AnswerChecksTo(kPeer), 0);
  EXPECT_FALSE(agent_.CanSend(now_));
  EXPECT_FALSE(agent_.NextTimeout().has_value());
}

TEST_F(IceLiteAgentTest, RestartSwitchesCredentials) {
  Select(kPeer);
  IceCredentials new_server{"newsrvuf", "new-server-password-0123456789ab"};
  IceCredentials new_client{"newcliuf", "new-client-password-0123456789ab"};
  agent_.Restart(new_server, new_client);
  responses_.clear();
  // Old credentials no longer work...
  agent_.HandleStun(Check({.id_seed = 2}), kPeer, now_);
  Drain();
  EXPECT_TRUE(responses_.empty());
  // ...new ones do, and may nominate a new address (e.g. after a network
  // change), which must answer with the new password.
  agent_.HandleStun(Check({.username = "newsrvuf:newcliuf", .password = new_server.pwd, .priority = 1, .id_seed = 3}),
                    kAttacker, now_);
  Drain();
  EXPECT_EQ(responses_.size(), 1u);
  ASSERT_EQ(requests_.size(), 1u);
  auto request = stun::Message::Parse(requests_[0].bytes);
  ASSERT_TRUE(request.ok());
  EXPECT_EQ(request->Get<stun::Username>()->value, "newcliuf:newsrvuf");
  agent_.HandleStun(Answer(request->transaction_id, kClient.pwd), kAttacker, now_);  // the old password
  EXPECT_NE(agent_.selected(), kAttacker);
  agent_.HandleStun(Answer(request->transaction_id, new_client.pwd), kAttacker, now_);
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
