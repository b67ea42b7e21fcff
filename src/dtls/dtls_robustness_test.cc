// Hostile and careless input: junk, floods, early data, caps, closing.
#include <gtest/gtest.h>
#include <malloc.h>

#include "dtls/dtls_record.h"
#include "dtls/dtls_test_util.h"

namespace aegis::dtls {
namespace {

using namespace testing;

// Datagrams that must be dropped before OpenSSL sees them, with the counter
// each one must bump.
struct Junk {
  std::vector<uint8_t> bytes;
  uint64_t DtlsStats::*counter;
};

std::vector<Junk> JunkDatagrams() {
  std::vector<uint8_t> short_handshake = {22, 0xfe, 0xfd, 0, 0, 0, 0, 0, 0, 0, 9, 0, 1, 0xff};
  std::vector<uint8_t> overrun = {22, 0xfe, 0xfd, 0, 0, 0, 0, 0, 0, 0, 9, 0x01, 0x00, 1, 2, 3};
  std::vector<uint8_t> bad_version = {22, 0x03, 0x03, 0, 0, 0, 0, 0, 0, 0, 9, 0, 0};
  return {
      {{}, &DtlsStats::dropped_empty_or_oversized},
      {std::vector<uint8_t>(4000, 22), &DtlsStats::dropped_empty_or_oversized},
      {{0x00, 0x01, 0x00, 0x08, 0x21, 0x12, 0xa4, 0x42}, &DtlsStats::dropped_not_dtls},  // STUN
      {{0x80, 0x6f, 0x12, 0x34, 0, 0, 0, 1, 0, 0, 0, 2}, &DtlsStats::dropped_not_dtls},  // RTP
      {{0xff}, &DtlsStats::dropped_not_dtls},
      {{22}, &DtlsStats::dropped_malformed},
      {{22, 0xfe, 0xfd, 0, 0}, &DtlsStats::dropped_malformed},
      {short_handshake, &DtlsStats::dropped_malformed},
      {overrun, &DtlsStats::dropped_malformed},
      {bad_version, &DtlsStats::dropped_malformed},
      {{63, 0xfe, 0xfd, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0}, &DtlsStats::dropped_malformed},
  };
}

TEST(DtlsRobustness, JunkIsDroppedAndCountedAndHandshakeStillCompletes) {
  DtlsPair pair;
  auto junk = JunkDatagrams();
  auto feed_junk = [&](DtlsEndpoint& ep) {
    for (const auto& j : junk) {
      uint64_t before = ep.stats().*j.counter;
      ep.HandleInput(j.bytes, pair.clock.Now());
      EXPECT_EQ(ep.stats().*j.counter, before + 1);
    }
    EXPECT_FALSE(ep.PollTransmit());  // junk is never answered
  };
  feed_junk(*pair.server);  // before anything
  pair.client->Start(pair.clock.Now());
  auto hello = pair.client->PollTransmit();
  ASSERT_TRUE(hello);
  feed_junk(*pair.client);  // client waiting for the server's first flight
  pair.server->HandleInput(*hello, pair.clock.Now());
  std::vector<std::vector<uint8_t>> server_flight;
  while (auto d = pair.server->PollTransmit()) server_flight.push_back(*d);
  ASSERT_FALSE(server_flight.empty());
  feed_junk(*pair.server);  // server waiting for the client's second flight
  // A truncated copy of a real ClientHello is malformed too.
  std::vector<uint8_t> cut(hello->begin(), hello->begin() + hello->size() / 2);
  pair.server->HandleInput(cut, pair.clock.Now());
  EXPECT_EQ(pair.server->stats().dropped_malformed, 2 * 6u + 1);
  for (const auto& d : server_flight) pair.client->HandleInput(d, pair.clock.Now());
  pair.RunHandshake();
  EXPECT_EQ(pair.client->state(), DtlsState::kConnected);
  EXPECT_EQ(pair.server->state(), DtlsState::kConnected);
  EXPECT_EQ(pair.client->stats().retransmissions + pair.server->stats().retransmissions, 0u);
  feed_junk(*pair.client);  // after connecting
  feed_junk(*pair.server);
  EXPECT_EQ(pair.client->state(), DtlsState::kConnected);
}

// The same ClientHello under a new record sequence number each time, so that
// record-level replay detection cannot be what stops it.
std::vector<uint8_t> WithSequence(std::vector<uint8_t> datagram, uint64_t seq) {
  for (int i = 0; i < 6; ++i) datagram[5 + i] = static_cast<uint8_t>(seq >> (8 * (5 - i)));
  return datagram;
}

size_t HeapInUse() { return mallinfo2().uordblks; }

TEST(DtlsRobustness, ClientHelloFloodNeitherGrowsMemoryNorBreaksTheConnection) {
  DtlsPair pair;
  pair.client->Start(pair.clock.Now());
  auto hello = pair.client->PollTransmit();
  ASSERT_TRUE(hello);
  pair.server->HandleInput(*hello, pair.clock.Now());
  std::vector<std::vector<uint8_t>> server_flight;
  while (auto d = pair.server->PollTransmit()) server_flight.push_back(*d);
  ASSERT_FALSE(server_flight.empty());

  auto flood = [&](uint64_t first_seq) {
    size_t heap_before = HeapInUse();
    for (uint64_t i = 0; i < 1000; ++i) {
      pair.server->HandleInput(WithSequence(*hello, first_seq + i), pair.clock.Now());
    }
    // glibc only: under a sanitizer's allocator mallinfo2 stays flat anyway.
    EXPECT_LT(HeapInUse(), heap_before + 16 * 1024);
    EXPECT_FALSE(pair.server->PollTransmit()) << "flood must not be answered";
    EXPECT_TRUE(pair.server->NextTimeout() || pair.server->state() == DtlsState::kConnected);
  };
  flood(1);  // mid-handshake
  EXPECT_EQ(pair.server->stats().dropped_repeated_client_hello, 1000u);
  EXPECT_EQ(pair.server->state(), DtlsState::kHandshaking);

  for (const auto& d : server_flight) pair.client->HandleInput(d, pair.clock.Now());
  pair.RunHandshake();
  ASSERT_EQ(pair.client->state(), DtlsState::kConnected);
  ASSERT_EQ(pair.server->state(), DtlsState::kConnected);
  EXPECT_EQ(pair.client->stats().retransmissions + pair.server->stats().retransmissions, 0u);

  flood(5000);  // after connecting
  EXPECT_EQ(pair.server->stats().dropped_repeated_client_hello, 2000u);
  EXPECT_EQ(pair.server->state(), DtlsState::kConnected);
  const uint8_t msg[] = {1, 2, 3};
  ASSERT_TRUE(pair.client->SendApplicationData(msg).ok());
  pair.ExchangeOnce();
  auto* got = Find<ApplicationDataEvent>(pair.server_events);
  ASSERT_TRUE(got);
  EXPECT_EQ(got->data, Bytes(msg));
}

TEST(DtlsRobustness, ApplicationDataBeforeHandshakeCompletesIsDropped) {
  DtlsPair pair;
  pair.client->Start(pair.clock.Now());
  auto hello = pair.client->PollTransmit();
  ASSERT_TRUE(hello);
  std::vector<uint8_t> app;
  DtlsRecordHeader{23, 0xfefd, 1, 0, 40}.SerializeTo(app);
  app.resize(app.size() + 40, 0xab);
  pair.server->HandleInput(app, pair.clock.Now());
  EXPECT_EQ(pair.server->stats().dropped_early_application_data, 1u);
  // Glued in front of a real ClientHello: only the application data goes.
  std::vector<uint8_t> glued = app;
  glued.insert(glued.end(), hello->begin(), hello->end());
  pair.server->HandleInput(glued, pair.clock.Now());
  EXPECT_EQ(pair.server->stats().dropped_early_application_data, 2u);
  EXPECT_TRUE(pair.server->PollTransmit());  // the ClientHello was answered
  pair.RunHandshake();
  EXPECT_EQ(pair.server->state(), DtlsState::kConnected);
  EXPECT_EQ(Count<ApplicationDataEvent>(pair.server_events), 0);
}

TEST(DtlsConnected, ApplicationDataBothWays) {
  DtlsPair pair;
  pair.Start();
  pair.RunHandshake();
  ASSERT_EQ(pair.client->state(), DtlsState::kConnected);
  // Before Connected nothing could be sent; now up to the record limit can.
  size_t max = pair.client->max_application_data_size();
  EXPECT_GT(max, 1100u);
  EXPECT_LE(max, 1200u - 13u);
  std::vector<uint8_t> big(max, 0x5a), small = {'h', 'i'};
  ASSERT_TRUE(pair.client->SendApplicationData(big).ok());
  ASSERT_TRUE(pair.server->SendApplicationData(small).ok());
  auto too_big = pair.client->SendApplicationData(std::vector<uint8_t>(max + 1));
  ASSERT_FALSE(too_big.ok());
  EXPECT_EQ(too_big.error(), SendError::kTooLarge);
  size_t largest = 0;
  pair.drop = [&](bool, const std::vector<uint8_t>& d) {
    largest = std::max(largest, d.size());
    return false;
  };
  pair.ExchangeOnce();
  EXPECT_LE(largest, 1200u);
  auto* at_server = Find<ApplicationDataEvent>(pair.server_events);
  auto* at_client = Find<ApplicationDataEvent>(pair.client_events);
  ASSERT_TRUE(at_server && at_client);
  EXPECT_EQ(at_server->data, big);
  EXPECT_EQ(at_client->data, small);
}

TEST(DtlsConnected, SendBeforeConnectedIsRefused) {
  DtlsPair pair;
  pair.client->Start(pair.clock.Now());
  const uint8_t msg[] = {1};
  auto r = pair.client->SendApplicationData(msg);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error(), SendError::kNotConnected);
}

TEST(DtlsConnected, CloseNotifyClosesBothSides) {
  DtlsPair pair;
  pair.Start();
  pair.RunHandshake();
  pair.client_events.clear();
  pair.server_events.clear();
  pair.client->Close();
  EXPECT_EQ(pair.client->state(), DtlsState::kClosed);
  auto close_notify = pair.client->PollTransmit();
  ASSERT_TRUE(close_notify);
  EXPECT_EQ((*close_notify)[0], 21);  // an (encrypted) alert record
  pair.server->HandleInput(*close_notify, pair.clock.Now());
  pair.Collect();
  EXPECT_EQ(pair.server->state(), DtlsState::kClosed);
  EXPECT_EQ(Count<ClosedEvent>(pair.client_events), 1);
  EXPECT_EQ(Count<ClosedEvent>(pair.server_events), 1);
  // The server answers with its own close_notify, which the closed client ignores.
  auto reply = pair.server->PollTransmit();
  ASSERT_TRUE(reply);
  pair.client->HandleInput(*reply, pair.clock.Now());
  EXPECT_EQ(pair.client->stats().dropped_inactive, 1u);
  const uint8_t msg[] = {1};
  EXPECT_FALSE(pair.server->SendApplicationData(msg).ok());
  EXPECT_FALSE(pair.client->SendApplicationData(msg).ok());
}

TEST(DtlsConnected, CloseBeforePollingDropsTheKeys) {
  DtlsPair pair;
  pair.Start();
  for (int i = 0; i < 10; ++i) {  // exchange without collecting events
    while (auto d = pair.client->PollTransmit()) pair.server->HandleInput(*d, pair.clock.Now());
    while (auto d = pair.server->PollTransmit()) pair.client->HandleInput(*d, pair.clock.Now());
  }
  ASSERT_EQ(pair.server->state(), DtlsState::kConnected);
  pair.server->Close();
  auto e = pair.server->PollEvent();
  ASSERT_TRUE(e);
  EXPECT_TRUE(std::holds_alternative<ClosedEvent>(*e));
  EXPECT_FALSE(pair.server->PollEvent());
}

TEST(DtlsConnected, MemoryForTheOwnerIsCapped) {
  DtlsPair pair;
  pair.Start();
  pair.RunHandshake();
  ASSERT_EQ(pair.client->state(), DtlsState::kConnected);
  // The owner never drains the outgoing queue: sends stop at the cap.
  std::vector<uint8_t> chunk(1000, 1);
  int total_sent = 0;
  for (int round = 0; round < 2; ++round) {
    int sent = 0;
    for (; sent < 10'000; ++sent) {
      auto r = pair.client->SendApplicationData(chunk);
      if (!r.ok()) {
        EXPECT_EQ(r.error(), SendError::kBufferFull);
        break;
      }
    }
    EXPECT_GT(sent, 200);
    EXPECT_LT(sent, 300);  // 256 KiB of ~1 KiB records
    total_sent += sent;
    // The owner never polls events: application data past the cap is dropped.
    int delivered = 0;
    while (auto d = pair.client->PollTransmit()) {
      pair.server->HandleInput(*d, pair.clock.Now());
      ++delivered;
    }
    EXPECT_EQ(delivered, sent);
  }
  EXPECT_GT(pair.server->stats().dropped_application_data, 0u);
  int events = 0;
  while (pair.server->PollEvent()) ++events;
  EXPECT_LE(events * 1000, 256 * 1024);
  EXPECT_EQ(static_cast<uint64_t>(events) + pair.server->stats().dropped_application_data,
            static_cast<uint64_t>(total_sent));
}

TEST(DtlsConnected, InputAfterFailureIsIgnored) {
  DtlsPair pair(Context(ClientCertificate()), Context(ServerCertificate()),
                Fingerprint::Of(crypto::HashAlgorithm::kSha256, ClientCertificate()->der()));
  pair.Start();
  pair.RunHandshake();
  ASSERT_EQ(pair.client->state(), DtlsState::kFailed);
  uint64_t before = pair.client->stats().dropped_inactive;
  const uint8_t hs[] = {22, 0xfe, 0xfd, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0};
  pair.client->HandleInput(hs, pair.clock.Now());
  pair.client->HandleTimeout(pair.clock.Now() + TimeDelta::Seconds(100));
  EXPECT_EQ(pair.client->stats().dropped_inactive, before + 1);
  EXPECT_FALSE(pair.client->PollTransmit());
  EXPECT_FALSE(pair.client->NextTimeout());
}

TEST(DtlsEndpointCreate, RejectsMissingContextAndBadConfig) {
  DtlsConfig config;
  config.remote_fingerprint = ServerCertificate()->fingerprint();
  auto no_ctx = DtlsEndpoint::Create(nullptr, config);
  ASSERT_FALSE(no_ctx.ok());
  EXPECT_EQ(no_ctx.error(), CreateError::kNoCertificate);
  EXPECT_EQ(DtlsContext::Create(nullptr), nullptr);

  auto ctx = Context(ClientCertificate());
  DtlsConfig no_fp;
  EXPECT_EQ(DtlsEndpoint::Create(ctx, no_fp).error(), CreateError::kBadConfig);
  DtlsConfig tiny_mtu = config;
  tiny_mtu.mtu = 100;
  EXPECT_EQ(DtlsEndpoint::Create(ctx, tiny_mtu).error(), CreateError::kBadConfig);
}

}  // namespace
}  // namespace aegis::dtls
