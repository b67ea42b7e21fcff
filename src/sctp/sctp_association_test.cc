// The association as a transport: handshake, loss, timers on the injected
// clock, size limits, bounded buffers, garbage input, shutdown. Two
// associations talk over SimulatedPair's in-memory link in simulated time.
#include "sctp/sctp_association.h"

#include <gtest/gtest.h>

#include "sctp/sctp_test_harness.h"

namespace aegis::sctp {
namespace {

using testing::Bytes;
using testing::ClientConfig;
using testing::Endpoint;
using testing::Pattern;
using testing::ServerConfig;
using testing::SimulatedPair;

ChannelOptions Labeled(std::string label) {
  ChannelOptions o;
  o.label = std::move(label);
  return o;
}

// Opens a reliable channel from `opener` and runs until both sides report it.
uint16_t OpenChannel(SimulatedPair& p, Endpoint& opener, Endpoint& peer, ChannelOptions options = {}) {
  auto id = opener.assoc->OpenChannel(options);
  EXPECT_TRUE(id.ok());
  if (!id.ok()) return 0;
  const size_t before_opener = opener.Count<ChannelOpened>();
  const size_t before_peer = peer.Count<ChannelOpened>();
  EXPECT_TRUE(p.RunUntil([&] {
    return opener.Count<ChannelOpened>() > before_opener && peer.Count<ChannelOpened>() > before_peer;
  }));
  return *id;
}

TEST(SctpAssociation, HandshakeCompletes) {
  SimulatedPair p;
  EXPECT_EQ(p.client.assoc->NextTimeout(), std::nullopt);  // idle until Connect()
  ASSERT_TRUE(p.Handshake());
  EXPECT_EQ(p.client.assoc->state(), SctpAssociation::State::kConnected);
  EXPECT_EQ(p.server.assoc->state(), SctpAssociation::State::kConnected);
  EXPECT_EQ(p.client.Count<Connected>(), 1u);
  EXPECT_EQ(p.server.Count<Connected>(), 1u);
  ASSERT_TRUE(p.client.assoc->NextTimeout().has_value());
  EXPECT_LE(*p.client.assoc->NextTimeout(), p.now() + SctpStack::kDefaultTick);
  EXPECT_GT(p.client.assoc->stats().packets_sent, 0u);
  EXPECT_EQ(p.stack().foreign_thread_outputs(), 0u);
  EXPECT_EQ(p.stack().association_count(), 2u);
  EXPECT_EQ(p.client.assoc->Connect(p.now()).error(), SctpError::kAlreadyStarted);
}

TEST(SctpAssociation, SeededRandomnessReplaysTheHandshakeExactly) {
  auto first_init = [](uint64_t seed) {
    SimulatedPair::Options o;
    o.seed = seed;
    SimulatedPair p(o);
    EXPECT_TRUE(p.client.assoc->Connect(p.now()).ok());
    auto init = p.client.assoc->PollTransmit();
    EXPECT_TRUE(init.has_value());
    return init.value_or(std::vector<uint8_t>{});
  };
  const uint64_t calls_before = testing::UsrsctpRandomCalls();
  const auto a = first_init(42);
  EXPECT_GT(testing::UsrsctpRandomCalls(), calls_before);  // usrsctp used our source
  ASSERT_GE(a.size(), 16u);
  EXPECT_EQ(a[12], 0x01);  // an INIT chunk
  EXPECT_EQ(first_init(42), a);
  EXPECT_NE(first_init(43), a);  // the initiate tag comes from the seed
}

TEST(SctpAssociation, NothingRunsBeforeConnect) {
  SimulatedPair p;
  EXPECT_EQ(p.client.assoc->OpenChannel({}).error(), SctpError::kNotConnected);
  const std::vector<uint8_t> data = {1, 2, 3};
  EXPECT_EQ(p.client.assoc->Send(0, data, true).error(), SctpError::kNotConnected);
  std::vector<uint8_t> packet(28, 0);
  packet[1] = 0x88, packet[0] = 0x13, packet[3] = 0x88, packet[2] = 0x13;  // ports 5000 -> 5000
  p.server.assoc->HandleInput(packet, p.now());
  EXPECT_EQ(p.server.assoc->stats().packets_dropped_not_running, 1u);
  EXPECT_FALSE(p.server.assoc->PollTransmit().has_value());
}

TEST(SctpAssociation, TimersFollowTheInjectedClock) {
  SimulatedPair p;
  ASSERT_TRUE(p.Handshake());
  const uint16_t id = OpenChannel(p, p.client, p.server);
  // Lose the next DATA packet once; its retransmission must wait for the
  // retransmission timer (RTO.min 250 ms) in simulated time.
  bool dropped = false;
  Timestamp dropped_at;
  std::vector<Timestamp> seen_after;
  p.filter = [&](bool from_client, std::vector<uint8_t>& packet) {
    if (!from_client || packet.size() < 13 || packet[12] != 0x00) return true;  // DATA chunk first
    if (!dropped) {
      dropped = true;
      dropped_at = p.now();
      return false;
    }
    seen_after.push_back(p.now());
    return true;
  };
  ASSERT_TRUE(p.client.assoc->SendText(id, "once").ok());
  ASSERT_TRUE(p.RunUntil([&] { return p.server.Count<Message>() == 1; }, TimeDelta::Seconds(10)));
  ASSERT_TRUE(dropped);
  ASSERT_FALSE(seen_after.empty());
  EXPECT_GE(seen_after.front() - dropped_at, TimeDelta::Millis(250));
  EXPECT_LE(seen_after.front() - dropped_at, TimeDelta::Millis(1100));
}

TEST(SctpAssociation, CompletesUnderTenPercentLoss) {
  SimulatedPair::Options o;
  o.loss = 0.10;
  o.seed = 7;
  SimulatedPair p(o);
  ASSERT_TRUE(p.Handshake());
  const uint16_t from_client = OpenChannel(p, p.client, p.server, Labeled("c"));
  const uint16_t from_server = OpenChannel(p, p.server, p.client, Labeled("s"));
  std::vector<std::vector<uint8_t>> sent;
  for (int i = 0; i < 40; ++i) {
    sent.push_back(Pattern(i % 10 == 9 ? 64 * 1024 : 100 + i * 37, static_cast<uint8_t>(i)));
    ASSERT_TRUE(p.client.assoc->Send(from_client, sent.back(), true).ok());
    ASSERT_TRUE(p.server.assoc->Send(from_server, sent.back(), true).ok());
  }
  ASSERT_TRUE(p.RunUntil([&] {
    return p.server.MessagesOn(from_client).size() == sent.size() &&
           p.client.MessagesOn(from_server).size() == sent.size();
  }, TimeDelta::Seconds(300)));
  for (size_t i = 0; i < sent.size(); ++i) {
    EXPECT_EQ(p.server.MessagesOn(from_client)[i].data, sent[i]) << i;
    EXPECT_EQ(p.client.MessagesOn(from_server)[i].data, sent[i]) << i;
  }
  EXPECT_GT(p.packets_lost, 10u);
}

TEST(SctpAssociation, PacketsFitTheConfiguredMtu) {
  SimulatedPair p;
  ASSERT_TRUE(p.Handshake());
  const uint16_t id = OpenChannel(p, p.client, p.server);
  ASSERT_TRUE(p.client.assoc->Send(id, Pattern(200 * 1024, 1), true).ok());
  ASSERT_TRUE(p.RunUntil([&] { return p.server.Count<Message>() == 1; }));
  EXPECT_EQ(p.server.All<Message>()[0].data, Pattern(200 * 1024, 1));
  EXPECT_GT(p.largest_packet, 1000u);
  EXPECT_LE(p.largest_packet, SctpConfig{}.socket.path_mtu + 12);
}

TEST(SctpAssociation, OversizeOutgoingIsRefused) {
  SimulatedPair p;
  ASSERT_TRUE(p.Handshake());
  const uint16_t id = OpenChannel(p, p.client, p.server);
  const size_t max = p.client.assoc->max_outbound_message_size();
  EXPECT_EQ(max, 256u * 1024);
  EXPECT_EQ(p.client.assoc->Send(id, Pattern(max + 1, 0), true).error(), SctpError::kMessageTooLarge);
  EXPECT_EQ(p.client.assoc->stats().outbound_oversize_refused, 1u);
  ASSERT_TRUE(p.client.assoc->Send(id, Pattern(max, 3), true).ok());
  ASSERT_TRUE(p.RunUntil([&] { return p.server.Count<Message>() == 1; }));
  EXPECT_EQ(p.server.All<Message>()[0].data, Pattern(max, 3));
}

TEST(SctpAssociation, OversizeIncomingIsDroppedAndCounted) {
  SctpConfig server = ServerConfig();
  server.max_message_size = 1000;
  SimulatedPair p(ClientConfig(), server, {});
  ASSERT_TRUE(p.Handshake());
  const uint16_t id = OpenChannel(p, p.client, p.server);
  ASSERT_TRUE(p.client.assoc->Send(id, Pattern(5000, 1), true).ok());
  ASSERT_TRUE(p.client.assoc->Send(id, Pattern(1001, 2), true).ok());
  ASSERT_TRUE(p.client.assoc->Send(id, Pattern(1000, 3), true).ok());
  ASSERT_TRUE(p.RunUntil([&] { return p.server.Count<Message>() == 1; }));
  p.RunFor(TimeDelta::Seconds(1));
  ASSERT_EQ(p.server.Count<Message>(), 1u);
  EXPECT_EQ(p.server.All<Message>()[0].data, Pattern(1000, 3));
  EXPECT_EQ(p.server.assoc->stats().inbound_oversize_dropped, 2u);
  EXPECT_EQ(p.server.assoc->state(), SctpAssociation::State::kConnected);
}

TEST(SctpAssociation, OutboundQueueIsBounded) {
  SctpConfig client = ClientConfig();
  client.max_queued_bytes = 64 * 1024;
  client.socket.send_buffer_bytes = 64 * 1024;
  SimulatedPair p(client, ServerConfig(), {});
  ASSERT_TRUE(p.Handshake());
  const uint16_t id = OpenChannel(p, p.client, p.server);
  std::vector<std::vector<uint8_t>> accepted;
  size_t refused = 0;
  for (int i = 0; i < 40; ++i) {
    auto m = Pattern(16 * 1024, static_cast<uint8_t>(i));
    auto r = p.client.assoc->Send(id, m, true);
    if (r.ok()) {
      accepted.push_back(std::move(m));
    } else {
      EXPECT_EQ(r.error(), SctpError::kQueueFull);
      ++refused;
    }
    EXPECT_LE(p.client.assoc->buffered_bytes(), 64u * 1024);
  }
  EXPECT_GT(refused, 0u);
  EXPECT_GE(accepted.size(), 4u);
  EXPECT_EQ(p.client.assoc->stats().outbound_queue_full_refused, refused);
  ASSERT_TRUE(p.RunUntil([&] { return p.server.Count<Message>() == accepted.size(); }));
  for (size_t i = 0; i < accepted.size(); ++i) EXPECT_EQ(p.server.All<Message>()[i].data, accepted[i]);
  EXPECT_EQ(p.client.assoc->buffered_bytes(), 0u);
}

TEST(SctpAssociation, UnpolledEventsPushBackInsteadOfGrowing) {
  SctpConfig server = ServerConfig();
  server.max_pending_event_bytes = 32 * 1024;
  SimulatedPair p(ClientConfig(), server, {});
  ASSERT_TRUE(p.Handshake());
  const uint16_t id = OpenChannel(p, p.client, p.server);
  p.server.poll_events = false;
  const size_t polled_before = p.server.Count<Message>();
  for (int i = 0; i < 100; ++i) ASSERT_TRUE(p.client.assoc->Send(id, Pattern(4096, static_cast<uint8_t>(i)), true).ok());
  p.RunFor(TimeDelta::Seconds(5));
  EXPECT_GT(p.server.assoc->stats().events_paused, 0u);
  p.server.poll_events = true;
  ASSERT_TRUE(p.RunUntil([&] { return p.server.Count<Message>() == polled_before + 100; }));
  for (int i = 0; i < 100; ++i) {
    EXPECT_EQ(p.server.All<Message>()[polled_before + i].data, Pattern(4096, static_cast<uint8_t>(i)));
  }
}

TEST(SctpAssociation, GarbageIsDroppedWithoutBreakingTheAssociation) {
  SimulatedPair p;
  ASSERT_TRUE(p.Handshake());
  const uint16_t id = OpenChannel(p, p.client, p.server);
  // A real packet from the client, to corrupt.
  std::vector<uint8_t> real;
  p.filter = [&](bool from_client, std::vector<uint8_t>& packet) {
    if (from_client && real.empty()) real = packet;
    return true;
  };
  ASSERT_TRUE(p.client.assoc->SendText(id, "before").ok());
  ASSERT_TRUE(p.RunUntil([&] { return p.server.Count<Message>() == 1; }));
  ASSERT_FALSE(real.empty());
  p.filter = nullptr;

  auto& server = *p.server.assoc;
  const SctpStats before = server.stats();
  server.HandleInput({}, p.now());
  server.HandleInput(std::vector<uint8_t>{0x13, 0x88, 0x13}, p.now());
  server.HandleInput(std::vector<uint8_t>(70000, 0xab), p.now());
  std::vector<uint8_t> wrong_port = real;
  wrong_port[1] ^= 1;
  server.HandleInput(wrong_port, p.now());
  std::vector<uint8_t> bad_crc = real;
  bad_crc.back() ^= 0x55;
  server.HandleInput(bad_crc, p.now());
  SeededRandom rng(99);
  for (int i = 0; i < 50; ++i) {
    std::vector<uint8_t> junk(12 + rng.U32() % 300);
    rng.Fill(junk);
    junk[0] = 0x13, junk[1] = 0x88, junk[2] = 0x13, junk[3] = 0x88;  // right ports
    server.HandleInput(junk, p.now());
  }
  EXPECT_EQ(server.stats().packets_dropped_malformed - before.packets_dropped_malformed, 3u);
  EXPECT_EQ(server.stats().packets_dropped_wrong_port - before.packets_dropped_wrong_port, 1u);
  EXPECT_EQ(server.stats().packets_received - before.packets_received, 55u);
  EXPECT_EQ(server.state(), SctpAssociation::State::kConnected);

  ASSERT_TRUE(p.client.assoc->SendText(id, "after").ok());
  ASSERT_TRUE(p.RunUntil([&] { return p.server.Count<Message>() == 2; }));
  EXPECT_EQ(p.server.All<Message>()[1].data, Bytes("after"));
  EXPECT_EQ(p.server.Count<Failed>(), 0u);
  EXPECT_EQ(p.client.Count<Failed>(), 0u);
}

TEST(SctpAssociation, GracefulShutdownClosesBothSides) {
  SimulatedPair p;
  ASSERT_TRUE(p.Handshake());
  const uint16_t id = OpenChannel(p, p.client, p.server);
  ASSERT_TRUE(p.client.assoc->Send(id, Pattern(50000, 1), true).ok());
  p.client.assoc->Shutdown();
  EXPECT_EQ(p.client.assoc->SendText(id, "late").error(), SctpError::kNotConnected);
  ASSERT_TRUE(p.RunUntil([&] { return p.client.Count<Closed>() == 1 && p.server.Count<Closed>() == 1; }));
  ASSERT_EQ(p.server.Count<Message>(), 1u);  // what was queued before SHUTDOWN still arrived
  EXPECT_EQ(p.server.All<Message>()[0].data, Pattern(50000, 1));
  EXPECT_EQ(p.client.assoc->state(), SctpAssociation::State::kClosed);
  EXPECT_EQ(p.client.assoc->NextTimeout(), std::nullopt);
  EXPECT_EQ(p.server.assoc->NextTimeout(), std::nullopt);
  EXPECT_EQ(p.server.Count<Failed>(), 0u);
}

TEST(SctpAssociation, AbortIsSeenByThePeer) {
  SimulatedPair p;
  ASSERT_TRUE(p.Handshake());
  p.server.assoc->Abort();
  EXPECT_EQ(p.server.assoc->state(), SctpAssociation::State::kClosed);
  ASSERT_TRUE(p.RunUntil([&] { return p.client.Count<Failed>() == 1; }, TimeDelta::Seconds(5)));
  EXPECT_EQ(p.client.All<Failed>()[0].reason, FailureReason::kConnectionLost);
  EXPECT_EQ(p.client.assoc->state(), SctpAssociation::State::kFailed);
}

TEST(SctpAssociation, HandshakeGivesUpWithoutAPeer) {
  SimulatedPair p;
  p.filter = [](bool, std::vector<uint8_t>&) { return false; };
  const Timestamp start = p.now();
  ASSERT_TRUE(p.client.assoc->Connect(p.now()).ok());
  ASSERT_TRUE(p.RunUntil([&] { return p.client.Count<Failed>() == 1; }, TimeDelta::Seconds(600)));
  EXPECT_EQ(p.client.All<Failed>()[0].reason, FailureReason::kCannotStart);
  // Eight INIT retransmissions with RTO doubling from 1 s up to 10 s: about
  // a minute of simulated time, all driven by HandleTimeout.
  EXPECT_GE(p.now() - start, TimeDelta::Seconds(50));
  EXPECT_LE(p.now() - start, TimeDelta::Seconds(90));
  EXPECT_GT(p.client.assoc->stats().packets_sent, 8u);
  EXPECT_GT(testing::SimulatedWallClockReads(), 0u);
}

}  // namespace
}  // namespace aegis::sctp
