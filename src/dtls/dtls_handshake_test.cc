// Two engines connected in memory, in simulated time.
#include <gtest/gtest.h>

#include "dtls/dtls_test_util.h"

namespace aegis::dtls {
namespace {

using namespace testing;

void ExpectSameKeys(const ConnectedEvent& a, const ConnectedEvent& b, size_t key, size_t salt) {
  EXPECT_EQ(a.profile, b.profile);
  EXPECT_EQ(a.keys.client_write_key.size(), key);
  EXPECT_EQ(a.keys.server_write_key.size(), key);
  EXPECT_EQ(a.keys.client_write_salt.size(), salt);
  EXPECT_EQ(a.keys.server_write_salt.size(), salt);
  EXPECT_EQ(Bytes(a.keys.client_write_key.view()), Bytes(b.keys.client_write_key.view()));
  EXPECT_EQ(Bytes(a.keys.server_write_key.view()), Bytes(b.keys.server_write_key.view()));
  EXPECT_EQ(Bytes(a.keys.client_write_salt.view()), Bytes(b.keys.client_write_salt.view()));
  EXPECT_EQ(Bytes(a.keys.server_write_salt.view()), Bytes(b.keys.server_write_salt.view()));
  // The two directions get different keys.
  EXPECT_NE(Bytes(a.keys.client_write_key.view()), Bytes(a.keys.server_write_key.view()));
  EXPECT_NE(Bytes(a.keys.client_write_salt.view()), Bytes(a.keys.server_write_salt.view()));
}

TEST(DtlsHandshake, CompletesWithIdenticalKeysAndPreferredProfile) {
  DtlsPair pair;
  pair.Start();
  pair.RunHandshake();
  ASSERT_EQ(pair.client->state(), DtlsState::kConnected);
  ASSERT_EQ(pair.server->state(), DtlsState::kConnected);
  auto* c = Find<ConnectedEvent>(pair.client_events);
  auto* s = Find<ConnectedEvent>(pair.server_events);
  ASSERT_TRUE(c && s);
  EXPECT_EQ(c->profile, SrtpProfile::kAeadAes128Gcm);
  EXPECT_EQ(static_cast<uint16_t>(c->profile), 0x0007);
  ExpectSameKeys(*c, *s, 16, 12);
  EXPECT_EQ(c->remote_fingerprint, ServerCertificate()->fingerprint());
  EXPECT_EQ(s->remote_fingerprint, ClientCertificate()->fingerprint());
  // Without loss nothing was retransmitted and no time had to pass.
  EXPECT_EQ(pair.client->stats().retransmissions, 0u);
  EXPECT_EQ(pair.server->stats().retransmissions, 0u);
  EXPECT_FALSE(pair.client->NextTimeout().has_value());
  EXPECT_FALSE(pair.server->NextTimeout().has_value());
}

TEST(DtlsHandshake, DatagramsRespectMtu) {
  DtlsPair pair;
  size_t largest = 0;
  pair.drop = [&](bool, const std::vector<uint8_t>& d) {
    largest = std::max(largest, d.size());
    return false;
  };
  pair.Start();
  pair.RunHandshake();
  ASSERT_EQ(pair.client->state(), DtlsState::kConnected);
  EXPECT_GT(largest, 0u);
  EXPECT_LE(largest, 1200u);
}

struct ProfileCase {
  std::vector<SrtpProfile> client;
  std::vector<SrtpProfile> server;
  SrtpProfile expected;
  size_t key, salt;
};

class DtlsProfileTest : public ::testing::TestWithParam<ProfileCase> {};

TEST_P(DtlsProfileTest, NegotiatesExpectedProfile) {
  const ProfileCase& pc = GetParam();
  DtlsPair pair(Context(ClientCertificate(), pc.client), Context(ServerCertificate(), pc.server));
  pair.Start();
  pair.RunHandshake();
  auto* c = Find<ConnectedEvent>(pair.client_events);
  auto* s = Find<ConnectedEvent>(pair.server_events);
  ASSERT_TRUE(c && s);
  EXPECT_EQ(c->profile, pc.expected);
  ExpectSameKeys(*c, *s, pc.key, pc.salt);
}

INSTANTIATE_TEST_SUITE_P(
    Profiles, DtlsProfileTest,
    ::testing::Values(
        // A client that offers only CM-80 (like aiortc) gets CM-80.
        ProfileCase{{SrtpProfile::kAes128CmHmacSha1_80}, {}, SrtpProfile::kAes128CmHmacSha1_80, 16, 14},
        ProfileCase{{SrtpProfile::kAeadAes256Gcm}, {}, SrtpProfile::kAeadAes256Gcm, 32, 12},
        // The server's preference wins over the client's order.
        ProfileCase{{SrtpProfile::kAes128CmHmacSha1_80, SrtpProfile::kAeadAes128Gcm},
                    {},
                    SrtpProfile::kAeadAes128Gcm,
                    16,
                    12},
        ProfileCase{{}, {SrtpProfile::kAeadAes256Gcm, SrtpProfile::kAes128CmHmacSha1_80},
                    SrtpProfile::kAeadAes256Gcm, 32, 12}));

TEST(DtlsHandshake, NoCommonSrtpProfileFailsWithoutKeys) {
  DtlsPair pair(Context(ClientCertificate(), {SrtpProfile::kAes128CmHmacSha1_80}),
                Context(ServerCertificate(), {SrtpProfile::kAeadAes128Gcm}));
  pair.Start();
  pair.RunHandshake();
  EXPECT_EQ(Count<ConnectedEvent>(pair.client_events) + Count<ConnectedEvent>(pair.server_events), 0);
  auto* cf = Find<FailedEvent>(pair.client_events);
  auto* sf = Find<FailedEvent>(pair.server_events);
  ASSERT_TRUE(cf && sf);
  EXPECT_EQ(cf->reason, FailureReason::kNoSrtpProfile);
  EXPECT_EQ(sf->reason, FailureReason::kNoSrtpProfile);
}

Fingerprint OtherFingerprint() {
  static auto other = NewCertificate(99);
  return other->fingerprint();
}

TEST(DtlsHandshake, ClientRejectsServerCertificateNotMatchingFingerprint) {
  DtlsPair pair(Context(ClientCertificate()), Context(ServerCertificate()), OtherFingerprint());
  pair.Start();
  pair.RunHandshake();
  EXPECT_EQ(pair.client->state(), DtlsState::kFailed);
  EXPECT_EQ(pair.server->state(), DtlsState::kFailed);
  auto* cf = Find<FailedEvent>(pair.client_events);
  auto* sf = Find<FailedEvent>(pair.server_events);
  ASSERT_TRUE(cf && sf);
  EXPECT_EQ(cf->reason, FailureReason::kFingerprintMismatch);
  // The client told the server with a bad_certificate alert (42).
  EXPECT_EQ(sf->reason, FailureReason::kPeerAlert);
  EXPECT_EQ(sf->alert, 42);
  EXPECT_EQ(Count<ConnectedEvent>(pair.client_events) + Count<ConnectedEvent>(pair.server_events), 0);
}

TEST(DtlsHandshake, ServerRejectsClientCertificateNotMatchingFingerprint) {
  DtlsPair pair(Context(ClientCertificate()), Context(ServerCertificate()), std::nullopt, OtherFingerprint());
  pair.Start();
  pair.RunHandshake();
  auto* cf = Find<FailedEvent>(pair.client_events);
  auto* sf = Find<FailedEvent>(pair.server_events);
  ASSERT_TRUE(cf && sf);
  EXPECT_EQ(sf->reason, FailureReason::kFingerprintMismatch);
  EXPECT_EQ(cf->reason, FailureReason::kPeerAlert);
  EXPECT_EQ(Count<ConnectedEvent>(pair.client_events) + Count<ConnectedEvent>(pair.server_events), 0);
}

TEST(DtlsHandshake, FingerprintWithOtherHashIsChecked) {
  auto sha384 = Fingerprint::Of(crypto::HashAlgorithm::kSha384, ServerCertificate()->der());
  ASSERT_TRUE(sha384);
  DtlsPair pair(Context(ClientCertificate()), Context(ServerCertificate()), *sha384);
  pair.Start();
  pair.RunHandshake();
  auto* c = Find<ConnectedEvent>(pair.client_events);
  ASSERT_TRUE(c);
  EXPECT_EQ(c->remote_fingerprint, *sha384);
}

TEST(DtlsHandshake, CompletesWhenEveryThirdDatagramIsLost) {
  DtlsPair pair;
  int n = 0;
  pair.drop = [&](bool, const std::vector<uint8_t>&) { return ++n % 3 == 0; };
  pair.Start();
  pair.RunHandshake();
  ASSERT_EQ(pair.client->state(), DtlsState::kConnected);
  ASSERT_EQ(pair.server->state(), DtlsState::kConnected);
  auto* c = Find<ConnectedEvent>(pair.client_events);
  auto* s = Find<ConnectedEvent>(pair.server_events);
  ASSERT_TRUE(c && s);
  ExpectSameKeys(*c, *s, 16, 12);
  EXPECT_GT(pair.client->stats().retransmissions + pair.server->stats().retransmissions, 0u);
}

TEST(DtlsHandshake, CompletesUnderLossAtEveryPhase) {
  // Drop the k-th datagram for each k: every single loss point recovers.
  for (int k = 1; k <= 8; ++k) {
    DtlsPair pair;
    int n = 0;
    pair.drop = [&](bool, const std::vector<uint8_t>&) { return ++n == k; };
    pair.Start();
    pair.RunHandshake();
    EXPECT_EQ(pair.client->state(), DtlsState::kConnected) << "k=" << k;
    EXPECT_EQ(pair.server->state(), DtlsState::kConnected) << "k=" << k;
  }
}

TEST(DtlsHandshake, ServerReplaysLastFlightWhenItWasLost) {
  DtlsPair pair;
  bool dropped = false;
  // The server's last flight starts with ChangeCipherSpec (content type 20).
  pair.drop = [&](bool from_client, const std::vector<uint8_t>& d) {
    if (!from_client && !dropped && d[0] == 20) return dropped = true;
    return false;
  };
  pair.Start();
  pair.RunHandshake();
  ASSERT_TRUE(dropped);
  EXPECT_EQ(pair.client->state(), DtlsState::kConnected);
  EXPECT_EQ(pair.server->state(), DtlsState::kConnected);
  EXPECT_GE(pair.client->stats().retransmissions, 1u);
  EXPECT_GE(pair.server->stats().final_flight_replays, 1u);
}

TEST(DtlsHandshake, RetransmissionFollowsInjectedClockOnly) {
  FakeClock clock;
  auto client = Endpoint(Context(ClientCertificate()), DtlsRole::kClient, ServerCertificate()->fingerprint());
  client->Start(clock.Now());
  auto hello = client->PollTransmit();
  ASSERT_TRUE(hello);
  EXPECT_EQ((*hello)[0], 22);
  EXPECT_FALSE(client->PollTransmit());
  ASSERT_EQ(client->NextTimeout(), clock.Now() + TimeDelta::Millis(200));

  // Real time passes, the fake clock does not: nothing is re-sent, whatever
  // else happens (timeouts, junk input).
  // The epoch-1 record passes the engine's checks and reaches OpenSSL, whose
  // read path checks its own (real-clock) timer: that must not retransmit.
  std::vector<uint8_t> epoch1 = {22, 0xfe, 0xfd, 0, 1, 0, 0, 0, 0, 0, 9, 0, 32};
  epoch1.resize(epoch1.size() + 32, 0x42);
  for (int i = 0; i < 50; ++i) {
    client->HandleTimeout(clock.Now());
    const uint8_t junk[] = {22, 0xfe, 0xfd, 0, 0, 0, 0, 0, 0, 0, 9, 0, 1, 0xff};
    client->HandleInput(junk, clock.Now());
    client->HandleInput(epoch1, clock.Now());
  }
  EXPECT_EQ(client->stats().dropped_malformed, 50u);
  EXPECT_EQ(client->state(), DtlsState::kHandshaking);
  EXPECT_FALSE(client->PollTransmit());

  clock.Advance(TimeDelta::Millis(199));
  client->HandleTimeout(clock.Now());
  EXPECT_FALSE(client->PollTransmit());

  // Each deadline re-sends the same ClientHello, waiting twice as long after.
  TimeDelta wait = TimeDelta::Millis(200);
  Timestamp sent = clock.Now() - TimeDelta::Millis(199);
  for (int i = 1; i <= 5; ++i) {
    clock.Advance(sent + wait - clock.Now());
    client->HandleTimeout(clock.Now());
    auto again = client->PollTransmit();
    ASSERT_TRUE(again) << i;
    EXPECT_EQ(*again, *hello);
    EXPECT_EQ(client->stats().retransmissions, static_cast<uint64_t>(i));
    sent = clock.Now();
    wait = std::min(wait * 2, TimeDelta::Seconds(4));
    EXPECT_EQ(client->NextTimeout(), sent + wait);
  }
}

TEST(DtlsHandshake, UnansweredClientTimesOut) {
  FakeClock clock;
  Timestamp start = clock.Now();
  auto client = Endpoint(Context(ClientCertificate()), DtlsRole::kClient, ServerCertificate()->fingerprint());
  client->Start(clock.Now());
  int sent = 0;
  for (int i = 0; i < 1000 && client->NextTimeout(); ++i) {
    while (client->PollTransmit()) ++sent;
    clock.Advance(*client->NextTimeout() - clock.Now());
    client->HandleTimeout(clock.Now());
  }
  EXPECT_EQ(client->state(), DtlsState::kFailed);
  auto e = client->PollEvent();
  ASSERT_TRUE(e);
  ASSERT_TRUE(std::holds_alternative<FailedEvent>(*e));
  EXPECT_EQ(std::get<FailedEvent>(*e).reason, FailureReason::kTimeout);
  EXPECT_LE(clock.Now() - start, TimeDelta::Seconds(30));
  EXPECT_GT(clock.Now() - start, TimeDelta::Seconds(20));
  EXPECT_EQ(sent, 1 + static_cast<int>(client->stats().retransmissions));
  EXPECT_LE(client->stats().retransmissions, 10u);
  EXPECT_FALSE(client->NextTimeout());
}

TEST(DtlsHandshake, ServerWithoutClientTimesOut) {
  FakeClock clock;
  auto server = Endpoint(Context(ServerCertificate()), DtlsRole::kServer, ClientCertificate()->fingerprint());
  server->Start(clock.Now());
  ASSERT_EQ(server->NextTimeout(), clock.Now() + TimeDelta::Seconds(30));
  clock.Advance(TimeDelta::Seconds(30));
  server->HandleTimeout(clock.Now());
  auto e = server->PollEvent();
  ASSERT_TRUE(e && std::holds_alternative<FailedEvent>(*e));
  EXPECT_EQ(std::get<FailedEvent>(*e).reason, FailureReason::kTimeout);
  EXPECT_FALSE(server->PollTransmit());
}

}  // namespace
}  // namespace aegis::dtls
