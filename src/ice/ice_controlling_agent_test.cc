#include "ice/ice_controlling_agent.h"

#include <gtest/gtest.h>

#include "ice/ice_lite_agent.h"
#include "stun/integrity.h"
#include "stun/message.h"
#include "stun/message_builder.h"

namespace aegis::ice {
namespace {

const IceCredentials kServer{"srvufrag", "server-password-0123456789abcdef"};
const IceCredentials kClient{"cliufrag", "client-password-0123456789abcdef"};
const TransportAddress kServerAddr = TransportAddress::Ipv4({127, 0, 0, 1}, 3478);
const TransportAddress kClientAddr = TransportAddress::Ipv4({127, 0, 0, 2}, 50000);
const TransportAddress kWrongAddr = TransportAddress::Ipv4({127, 0, 0, 9}, 9);

// A client agent and a lite server wired back to back in simulated time.
class IcePair : public ::testing::Test {
 protected:
  IcePair()
      : client_({kClient, kServer, {kWrongAddr, kServerAddr}}, rng_), server_(kServer, kClient, server_rng_) {}

  // Moves every queued datagram across, `rounds` times; a false `deliver`
  // drops the server's responses (a server that went away).
  void Exchange(bool deliver_responses = true) {
    for (int round = 0; round < 4; ++round) {
      while (auto tx = client_.PollTransmit()) {
        if (tx->to == kServerAddr) server_.HandleStun(tx->bytes, client_addr_, now_);
      }
      while (auto tx = server_.PollTransmit()) {
        if (deliver_responses) client_.HandleStun(tx->bytes, kServerAddr, now_);
      }
    }
  }
  void RunFor(TimeDelta d, bool deliver_responses = true) {
    Timestamp end = now_ + d;
    while (now_ < end) {
      now_ += TimeDelta::Millis(10);
      client_.HandleTimeout(now_);
      server_.HandleTimeout(now_);
      Exchange(deliver_responses);
    }
  }

  TransportAddress client_addr_ = kClientAddr;  // where the client's datagrams leave from
  SeededRandom rng_{11};
  SeededRandom server_rng_{12};
  Timestamp now_ = Timestamp::Millis(1000);
  IceControllingAgent client_;
  IceLiteAgent server_;
};

TEST_F(IcePair, BothSidesSelectTheWorkingPair) {
  client_.Start(now_);
  RunFor(TimeDelta::Millis(200));
  EXPECT_EQ(client_.selected(), kServerAddr);
  EXPECT_EQ(server_.selected(), kClientAddr);
  EXPECT_TRUE(client_.CanSend(now_));
  EXPECT_TRUE(server_.CanSend(now_));
  auto event = client_.PollEvent();
  ASSERT_TRUE(event.has_value());
  EXPECT_EQ(std::get<SelectedAddressChanged>(*event).address, kServerAddr);
}

TEST_F(IcePair, RestartMovesTheServerToTheClientsNewAddress) {
  client_.Start(now_);
  RunFor(TimeDelta::Millis(200));
  ASSERT_EQ(server_.selected(), kClientAddr);
  while (client_.PollEvent()) {
  }
  // The client moved (a new network) and both sides restart with new
  // credentials, as an offer and its answer carry them.
  client_addr_ = TransportAddress::Ipv4({127, 0, 0, 3}, 50002);
  const IceCredentials server2{"srvufrg2", "server-password-2-0123456789abcd"};
  const IceCredentials client2{"cliufrg2", "client-password-2-0123456789abcd"};
  server_.Restart(server2, client2);
  client_.Restart(client2, server2, now_);
  EXPECT_EQ(client_.selected(), kServerAddr);  // media keeps its path while the checks run
  const uint64_t checks_before = client_.stats().checks_sent;
  RunFor(TimeDelta::Millis(300));
  EXPECT_GT(client_.stats().checks_sent, checks_before);
  EXPECT_EQ(server_.selected(), client_addr_);
  EXPECT_EQ(client_.selected(), kServerAddr);
  EXPECT_FALSE(client_.PollEvent().has_value());  // the server's address is the same: nothing newly selected
  // Consent carries on under the new credentials.
  RunFor(TimeDelta::Seconds(45));
  EXPECT_TRUE(client_.CanSend(now_));
  EXPECT_TRUE(server_.CanSend(now_));
  EXPECT_EQ(server_.selected(), client_addr_);
}

TEST_F(IcePair, AfterARestartOnlyAnswersUnderTheNewCredentialsCount) {
  client_.Start(now_);
  RunFor(TimeDelta::Millis(200));
  ASSERT_TRUE(client_.CanSend(now_));
  // The client restarts but the server never learns the new credentials
  // (the answer was lost): no check is answered, the old path's consent
  // runs out, and the client stops sending.
  client_.Restart({"cliufrg2", "client-password-2-0123456789abcd"}, {"srvufrg2", "server-password-2-0123456789abcd"},
                  now_);
  RunFor(TimeDelta::Seconds(10));
  EXPECT_TRUE(client_.CanSend(now_));  // still within the old path's consent
  RunFor(TimeDelta::Seconds(25));
  EXPECT_FALSE(client_.CanSend(now_));
  EXPECT_EQ(client_.stats().responses_accepted, 1u);
}

TEST_F(IcePair, ConsentChecksKeepBothSidesAliveForMinutes) {
  client_.Start(now_);
  RunFor(TimeDelta::Seconds(120));
  EXPECT_TRUE(client_.CanSend(now_));
  EXPECT_TRUE(server_.CanSend(now_));
  // About one consent check per 5 s.
  EXPECT_GT(client_.stats().checks_sent, 120u / 6);
  EXPECT_LT(client_.stats().checks_sent, 120u / 4 + 20);
}

TEST_F(IcePair, ConsentExpiresOnBothSidesWhenTheOtherGoesSilent) {
  client_.Start(now_);
  RunFor(TimeDelta::Millis(200));
  ASSERT_TRUE(client_.CanSend(now_));
  while (client_.PollEvent()) {
  }
  RunFor(TimeDelta::Seconds(29), /*deliver_responses=*/false);
  EXPECT_TRUE(client_.CanSend(now_));
  RunFor(TimeDelta::Seconds(2), false);
  EXPECT_FALSE(client_.CanSend(now_));
  auto event = client_.PollEvent();
  ASSERT_TRUE(event.has_value());
  EXPECT_TRUE(std::holds_alternative<ConsentExpired>(*event));
}

TEST_F(IcePair, ResponsesSignedWithAnotherPasswordAreRefused) {
  client_.Start(now_);
  auto check = client_.PollTransmit();
  ASSERT_TRUE(check.has_value());
  auto request = stun::Message::Parse(check->bytes);
  ASSERT_TRUE(request.ok());
  // An attacker who saw the check answers it, but cannot sign with the
  // server's password.
  stun::MessageBuilder forged({stun::method::kBinding, stun::MessageClass::kSuccessResponse},
                              request->transaction_id);
  forged.Add(stun::XorMappedAddress{kClientAddr});
  forged.AddMessageIntegrity(stun::ShortTermKey("attacker-password-0123456789abcd"));
  forged.AddFingerprint();
  client_.HandleStun(forged.bytes(), check->to, now_);
  EXPECT_EQ(client_.stats().dropped_bad_integrity, 1u);
  EXPECT_FALSE(client_.selected().has_value());
}

TEST_F(IcePair, ResponsesFromAnotherAddressOrUnknownTransactionsAreDropped) {
  client_.Start(now_);
  RunFor(TimeDelta::Millis(20));
  // Re-deliver a valid server response from a different source.
  auto check = client_.PollTransmit();
  while (check && check->to != kServerAddr) check = client_.PollTransmit();
  if (!check) {
    now_ += TimeDelta::Millis(50);
    client_.HandleTimeout(now_);
    check = client_.PollTransmit();
  }
  ASSERT_TRUE(check.has_value());
  server_.HandleStun(check->bytes, kClientAddr, now_);
  auto response = server_.PollTransmit();
  ASSERT_TRUE(response.has_value());
  client_.HandleStun(response->bytes, kWrongAddr, now_);
  EXPECT_GE(client_.stats().dropped_unexpected, 1u);
  // Delivered from the right address it is accepted once; a replay is not.
  client_.HandleStun(response->bytes, kServerAddr, now_);
  uint64_t accepted = client_.stats().responses_accepted;
  client_.HandleStun(response->bytes, kServerAddr, now_);
  EXPECT_EQ(client_.stats().responses_accepted, accepted);
}

TEST_F(IcePair, AnswersTheServersOwnChecksAndOnlyThose) {
  client_.Start(now_);
  auto server_check = [&](const std::string& username, const std::string& password, bool controlled) {
    stun::TransactionId id;
    rng_.Fill(id);
    stun::MessageBuilder b({stun::method::kBinding, stun::MessageClass::kRequest}, id);
    b.Add(stun::Username{username});
    b.Add(stun::Priority{1});
    if (controlled) {
      b.Add(stun::IceControlled{1});
    } else {
      b.Add(stun::IceControlling{1});
    }
    b.AddMessageIntegrity(stun::ShortTermKey(password));
    b.AddFingerprint();
    return std::move(b).Take();
  };
  while (client_.PollTransmit()) {
  }
  client_.HandleStun(server_check("cliufrag:srvufrag", kServer.pwd, true), kServerAddr, now_);  // not our password
  client_.HandleStun(server_check("cliufrag:other", kClient.pwd, true), kServerAddr, now_);
  client_.HandleStun(server_check("cliufrag:srvufrag", kClient.pwd, false), kServerAddr, now_);  // role conflict
  EXPECT_FALSE(client_.PollTransmit().has_value());
  EXPECT_EQ(client_.stats().dropped_bad_integrity, 1u);
  EXPECT_EQ(client_.stats().dropped_unexpected, 2u);
  auto good = server_check("cliufrag:srvufrag", kClient.pwd, true);
  client_.HandleStun(good, kServerAddr, now_);
  auto answer = client_.PollTransmit();
  ASSERT_TRUE(answer.has_value());
  EXPECT_EQ(answer->to, kServerAddr);
  auto m = stun::Message::Parse(answer->bytes);
  ASSERT_TRUE(m.ok());
  EXPECT_EQ(m->type, (stun::MessageType{stun::method::kBinding, stun::MessageClass::kSuccessResponse}));
  EXPECT_EQ(m->transaction_id, stun::Message::Parse(good)->transaction_id);
  EXPECT_EQ(stun::VerifyMessageIntegrity(answer->bytes, stun::ShortTermKey(kClient.pwd)), stun::IntegrityStatus::kOk);
  EXPECT_EQ(stun::VerifyFingerprint(answer->bytes), stun::IntegrityStatus::kOk);
  EXPECT_EQ(client_.stats().requests_answered, 1u);
}

}  // namespace
}  // namespace aegis::ice
