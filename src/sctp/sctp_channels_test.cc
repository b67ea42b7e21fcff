// Data channels end to end between two associations in simulated time:
// opening from either side (RFC 8832 §6), messages of every PPID (RFC 8831
// §6.6), unordered and partially reliable channels, closing by stream reset
// (RFC 8831 §6.7), and the DCEP procedures that must close a stream
// without an ACK (fixture "constructed_invalid_must_close_no_ack").
#include <gtest/gtest.h>

#include <algorithm>
#include <fstream>

#include <nlohmann/json.hpp>

#include "base/hex.h"
#include "sctp/sctp_association.h"
#include "sctp/sctp_test_harness.h"

namespace aegis::sctp {
namespace {

using testing::Bytes;
using testing::ClientConfig;
using testing::Endpoint;
using testing::Pattern;
using testing::ServerConfig;
using testing::SimulatedPair;

ChannelOptions Options(std::string label, ChannelReliability reliability = {}, std::string protocol = "") {
  ChannelOptions o;
  o.label = std::move(label);
  o.protocol = std::move(protocol);
  o.reliability = reliability;
  return o;
}

uint16_t Open(SimulatedPair& p, Endpoint& opener, Endpoint& peer, const ChannelOptions& options) {
  auto id = opener.assoc->OpenChannel(options);
  EXPECT_TRUE(id.ok());
  if (!id.ok()) return 0;
  const size_t a = opener.Count<ChannelOpened>(), b = peer.Count<ChannelOpened>();
  EXPECT_TRUE(p.RunUntil([&] { return opener.Count<ChannelOpened>() > a && peer.Count<ChannelOpened>() > b; }));
  return *id;
}

std::vector<uint8_t> FixtureBytes(const std::string& section, const std::string& name) {
  std::ifstream in(std::string(AEGIS_TESTDATA_DIR) + "/protocol_constants_5764_7983_8831_8832.json");
  const auto doc = nlohmann::json::parse(in);
  return FromHex(doc["rfc8831_8832_datachannel"][section][name].get<std::string>()).value();
}

TEST(DataChannels, OpenFromEachSideWithParityAndProperties) {
  SimulatedPair p;
  ASSERT_TRUE(p.Handshake());
  const uint16_t c = Open(p, p.client, p.server, Options("chat", {}, "json"));
  const uint16_t s = Open(p, p.server, p.client, Options("k\xc3\xa4" "fer"));
  EXPECT_EQ(c % 2, 0);  // DTLS client: even (RFC 8832 §6)
  EXPECT_EQ(s % 2, 1);  // DTLS server: odd

  const auto at_server = p.server.All<ChannelOpened>();
  ASSERT_EQ(at_server.size(), 2u);
  EXPECT_EQ(at_server[0].stream_id, c);
  EXPECT_EQ(at_server[0].label, "chat");
  EXPECT_EQ(at_server[0].protocol, "json");
  EXPECT_FALSE(at_server[0].locally_initiated);
  EXPECT_EQ(at_server[0].reliability, ChannelReliability{});
  EXPECT_EQ(at_server[1].stream_id, s);
  EXPECT_TRUE(at_server[1].locally_initiated);

  const auto at_client = p.client.All<ChannelOpened>();
  ASSERT_EQ(at_client.size(), 2u);
  EXPECT_TRUE(at_client[0].locally_initiated);
  EXPECT_EQ(at_client[1].label, "k\xc3\xa4" "fer");
  EXPECT_FALSE(at_client[1].locally_initiated);
  ASSERT_NE(p.client.assoc->channel(c), nullptr);
  EXPECT_EQ(p.client.assoc->channel(c)->state, ChannelState::kOpen);
  EXPECT_EQ(p.server.assoc->channel(s)->state, ChannelState::kOpen);
}

TEST(DataChannels, StringBinaryEmptyAndLargeMessagesBothWays) {
  SimulatedPair p;
  ASSERT_TRUE(p.Handshake());
  const uint16_t c = Open(p, p.client, p.server, Options("c"));
  const uint16_t s = Open(p, p.server, p.client, Options("s"));
  const auto big = Pattern(64 * 1024, 9);
  ASSERT_TRUE(p.client.assoc->SendText(c, "hello").ok());
  ASSERT_TRUE(p.client.assoc->Send(c, big, true).ok());
  ASSERT_TRUE(p.client.assoc->SendText(c, "").ok());
  ASSERT_TRUE(p.client.assoc->Send(c, {}, true).ok());
  ASSERT_TRUE(p.server.assoc->Send(s, big, true).ok());
  ASSERT_TRUE(p.server.assoc->SendText(s, "world").ok());
  ASSERT_TRUE(p.RunUntil([&] { return p.server.Count<Message>() == 4 && p.client.Count<Message>() == 2; }));

  const auto got = p.server.MessagesOn(c);
  ASSERT_EQ(got.size(), 4u);
  EXPECT_FALSE(got[0].binary);
  EXPECT_EQ(got[0].data, Bytes("hello"));
  EXPECT_TRUE(got[1].binary);
  EXPECT_EQ(got[1].data, big);
  EXPECT_FALSE(got[2].binary);  // PPID 56: the zero byte is not data
  EXPECT_TRUE(got[2].data.empty());
  EXPECT_TRUE(got[3].binary);   // PPID 57
  EXPECT_TRUE(got[3].data.empty());
  const auto back = p.client.MessagesOn(s);
  ASSERT_EQ(back.size(), 2u);
  EXPECT_EQ(back[0].data, big);
  EXPECT_EQ(back[1].data, Bytes("world"));
  EXPECT_EQ(p.client.assoc->stats().messages_sent, 4u);
  EXPECT_EQ(p.server.assoc->stats().messages_received, 4u);
}

TEST(DataChannels, MessagesSentRightAfterOpenArriveAfterTheOpen) {
  SimulatedPair p;
  ASSERT_TRUE(p.Handshake());
  auto id = p.client.assoc->OpenChannel(Options("eager", {.ordered = false}));
  ASSERT_TRUE(id.ok());
  // RFC 8832 §6: allowed before the ACK, and sent ordered until then.
  ASSERT_TRUE(p.client.assoc->SendText(*id, "first").ok());
  ASSERT_TRUE(p.RunUntil([&] { return p.server.Count<Message>() == 1; }));
  ASSERT_EQ(p.server.events.size(), 3u);  // Connected, ChannelOpened, Message
  EXPECT_TRUE(std::holds_alternative<ChannelOpened>(p.server.events[1]));
  EXPECT_EQ(p.server.All<Message>()[0].data, Bytes("first"));
}

TEST(DataChannels, UnorderedChannelDeliversEverythingOutOfOrderUnderLoss) {
  SimulatedPair::Options o;
  o.loss = 0.10;
  o.seed = 11;
  SimulatedPair p(o);
  ASSERT_TRUE(p.Handshake());
  const uint16_t unordered = Open(p, p.client, p.server, Options("u", {.ordered = false}));
  const uint16_t ordered = Open(p, p.client, p.server, Options("o"));
  EXPECT_FALSE(p.server.All<ChannelOpened>()[0].reliability.ordered);
  constexpr int kCount = 60;
  for (int i = 0; i < kCount; ++i) {
    const std::vector<uint8_t> one = {static_cast<uint8_t>(i)};
    ASSERT_TRUE(p.client.assoc->Send(unordered, one, true).ok());
    ASSERT_TRUE(p.client.assoc->Send(ordered, one, true).ok());
  }
  ASSERT_TRUE(p.RunUntil([&] {
    return p.server.MessagesOn(unordered).size() == kCount && p.server.MessagesOn(ordered).size() == kCount;
  }, TimeDelta::Seconds(120)));
  std::vector<uint8_t> u, ord;
  for (const auto& m : p.server.MessagesOn(unordered)) u.push_back(m.data[0]);
  for (const auto& m : p.server.MessagesOn(ordered)) ord.push_back(m.data[0]);
  EXPECT_FALSE(std::is_sorted(u.begin(), u.end()));  // a retransmitted message came late
  std::sort(u.begin(), u.end());
  for (int i = 0; i < kCount; ++i) {
    EXPECT_EQ(u[i], i);
    EXPECT_EQ(ord[i], i);  // the ordered channel kept its order
  }
}

TEST(DataChannels, PartialReliabilityGivesUpButKeepsGoing) {
  SimulatedPair::Options o;
  o.loss = 0.25;
  o.seed = 5;
  SimulatedPair p(o);
  ASSERT_TRUE(p.Handshake());
  const ChannelReliability rexmit0{.ordered = false, .policy = ReliabilityPolicy::kMaxRetransmits, .value = 0};
  const ChannelReliability lifetime{.ordered = true, .policy = ReliabilityPolicy::kMaxLifetime, .value = 50};
  const uint16_t lossy = Open(p, p.client, p.server, Options("rtx0", rexmit0));
  const uint16_t timed = Open(p, p.client, p.server, Options("ttl", lifetime));
  const auto opened = p.server.All<ChannelOpened>();
  EXPECT_EQ(opened[0].reliability, rexmit0);
  EXPECT_EQ(opened[1].reliability, lifetime);
  constexpr int kCount = 100;
  for (int i = 0; i < kCount; ++i) {
    ASSERT_TRUE(p.client.assoc->Send(lossy, Pattern(800, static_cast<uint8_t>(i)), true).ok());
    ASSERT_TRUE(p.client.assoc->Send(timed, Pattern(800, static_cast<uint8_t>(i)), true).ok());
    p.RunFor(TimeDelta::Millis(20));
  }
  p.RunFor(TimeDelta::Seconds(10));
  const auto lossy_got = p.server.MessagesOn(lossy);
  const auto timed_got = p.server.MessagesOn(timed);
  EXPECT_LT(lossy_got.size(), size_t{kCount});   // some were abandoned...
  EXPECT_GT(lossy_got.size(), size_t{kCount} / 2);  // ...but most arrived
  EXPECT_LT(timed_got.size(), size_t{kCount});
  EXPECT_GT(p.client.assoc->stats().messages_abandoned, 0u);
  // What arrived is intact, and the timed channel kept its order.
  for (const auto& m : lossy_got) EXPECT_EQ(m.data, Pattern(800, m.data[0]));
  for (size_t i = 1; i < timed_got.size(); ++i) EXPECT_LT(timed_got[i - 1].data[0], timed_got[i].data[0]);
  // The channels still work: a last message on each gets through eventually
  // or is abandoned, and the association stays up.
  EXPECT_EQ(p.client.assoc->state(), SctpAssociation::State::kConnected);
  EXPECT_EQ(p.server.assoc->state(), SctpAssociation::State::kConnected);
}

TEST(DataChannels, CloseResetsBothDirectionsAndFreesTheStream) {
  SimulatedPair p;
  ASSERT_TRUE(p.Handshake());
  const uint16_t id = Open(p, p.client, p.server, Options("x"));
  ASSERT_TRUE(p.client.assoc->SendText(id, "last words").ok());
  ASSERT_TRUE(p.client.assoc->CloseChannel(id).ok());
  EXPECT_EQ(p.client.assoc->SendText(id, "too late").error(), SctpError::kChannelClosing);
  EXPECT_EQ(p.client.assoc->CloseChannel(id).error(), SctpError::kChannelClosing);
  ASSERT_TRUE(p.RunUntil([&] { return p.client.Count<ChannelClosed>() == 1 && p.server.Count<ChannelClosed>() == 1; }));
  EXPECT_EQ(p.server.All<Message>().back().data, Bytes("last words"));  // delivered before the reset
  EXPECT_EQ(p.client.All<ChannelClosed>()[0].stream_id, id);
  EXPECT_EQ(p.server.All<ChannelClosed>()[0].stream_id, id);
  EXPECT_EQ(p.client.assoc->channel(id), nullptr);
  EXPECT_EQ(p.server.assoc->channel(id), nullptr);
  EXPECT_EQ(p.client.assoc->SendText(id, "gone").error(), SctpError::kNoSuchChannel);
}

TEST(DataChannels, ClosedStreamIdIsReused) {
  // With one stream id per side, the next open must reuse the freed one.
  SctpConfig small = ClientConfig();
  small.max_streams = 2;  // ids 0 (ours) and 1 (theirs)
  SctpConfig small_server = ServerConfig();
  small_server.max_streams = 2;
  SimulatedPair q(small, small_server, {});
  ASSERT_TRUE(q.Handshake());
  const uint16_t first = Open(q, q.client, q.server, Options("a"));
  EXPECT_EQ(q.client.assoc->OpenChannel(Options("b")).error(), SctpError::kNoStreamAvailable);
  ASSERT_TRUE(q.client.assoc->CloseChannel(first).ok());
  ASSERT_TRUE(q.RunUntil([&] { return q.server.Count<ChannelClosed>() == 1; }));
  q.RunFor(TimeDelta::Seconds(1));
  EXPECT_EQ(Open(q, q.client, q.server, Options("c")), first);
}

TEST(DataChannels, PeerInitiatedCloseIsReciprocated) {
  SimulatedPair p;
  ASSERT_TRUE(p.Handshake());
  const uint16_t id = Open(p, p.client, p.server, Options("x"));
  ASSERT_TRUE(p.server.assoc->CloseChannel(id).ok());
  ASSERT_TRUE(p.RunUntil([&] { return p.client.Count<ChannelClosed>() == 1 && p.server.Count<ChannelClosed>() == 1; }));
  EXPECT_EQ(p.client.assoc->channel_count(), 0u);
  EXPECT_EQ(p.server.assoc->channel_count(), 0u);
  ASSERT_TRUE(p.RunUntil([&] { return p.client.assoc->stats().streams_reset == 1 && p.server.assoc->stats().streams_reset == 1; }));
}

// Sends raw DCEP bytes from the client on `stream` and lets the server react.
void SendRawOpen(SimulatedPair& p, uint16_t stream, std::vector<uint8_t> bytes, bool unordered = false) {
  SctpAssociationTestPeer::SendRawDcep(*p.client.assoc, stream, std::move(bytes), unordered);
  p.RunFor(TimeDelta::Seconds(2));
}

TEST(DataChannels, EveryMalformedOpenIsClosedWithoutAck) {
  SimulatedPair p;
  ASSERT_TRUE(p.Handshake());
  std::ifstream in(std::string(AEGIS_TESTDATA_DIR) + "/protocol_constants_5764_7983_8831_8832.json");
  const auto doc = nlohmann::json::parse(in);
  uint16_t stream = 0;
  uint64_t expected_rejects = 0;
  for (const auto& [name, value] : doc["rfc8831_8832_datachannel"]["constructed_invalid_must_close_no_ack"].items()) {
    const auto bytes = FromHex(value.get<std::string>());
    if (!bytes) continue;  // the procedure cases have their own tests below
    SendRawOpen(p, stream, *bytes);
    ++expected_rejects;
    EXPECT_EQ(p.server.assoc->stats().dcep_rejected, expected_rejects) << name;
    stream = static_cast<uint16_t>(stream + 2);
  }
  EXPECT_EQ(expected_rejects, 8u);
  EXPECT_EQ(p.server.Count<ChannelOpened>(), 0u);
  EXPECT_EQ(p.server.assoc->channel_count(), 0u);
  // No ACK came back (the client would have counted an unexpected one), and
  // the server reset each stream, the client reset its side in return.
  EXPECT_EQ(p.client.assoc->stats().dcep_unexpected_ack, 0u);
  EXPECT_EQ(p.server.assoc->stats().streams_reset, 8u);
  EXPECT_EQ(p.client.assoc->stats().streams_reset, 8u);
  EXPECT_EQ(p.server.assoc->state(), SctpAssociation::State::kConnected);
  // The valid fixtures are accepted on the same association.
  SendRawOpen(p, stream, FixtureBytes("constructed_valid", "open_rexmit3_unordered_label_x_proto_json"));
  ASSERT_EQ(p.server.Count<ChannelOpened>(), 1u);
  EXPECT_EQ(p.server.All<ChannelOpened>()[0].label, "x");
  EXPECT_EQ(p.server.All<ChannelOpened>()[0].protocol, "json");
  EXPECT_EQ(p.client.assoc->stats().dcep_unexpected_ack, 1u);  // the ACK, for an OPEN our API never made
}

TEST(DataChannels, OpenOnTheWrongParityIsRefused) {
  SimulatedPair p;
  ASSERT_TRUE(p.Handshake());
  // The client must use even ids; an OPEN on 1 is refused.
  SendRawOpen(p, 1, FixtureBytes("constructed_valid", "open_reliable_label_chat_no_protocol"));
  EXPECT_EQ(p.server.assoc->stats().dcep_rejected, 1u);
  EXPECT_EQ(p.server.Count<ChannelOpened>(), 0u);
  EXPECT_EQ(p.client.assoc->stats().dcep_unexpected_ack, 0u);
  EXPECT_EQ(p.server.assoc->stats().streams_reset, 1u);
}

TEST(DataChannels, LenientParityAcceptsAPeerOpenOnTheOtherParity) {
  SctpConfig server = ServerConfig();
  server.lenient_stream_parity = true;
  SimulatedPair p(ClientConfig(), server, {});
  ASSERT_TRUE(p.Handshake());
  SendRawOpen(p, 1, FixtureBytes("constructed_valid", "open_reliable_label_chat_no_protocol"));
  EXPECT_EQ(p.server.assoc->stats().dcep_rejected, 0u);
  EXPECT_EQ(p.server.assoc->stats().dcep_wrong_parity_accepted, 1u);
  ASSERT_EQ(p.server.Count<ChannelOpened>(), 1u);
  EXPECT_EQ(p.server.All<ChannelOpened>()[0].stream_id, 1u);
}

TEST(DataChannels, SecondOpenOnAUsedStreamClosesTheChannel) {
  SimulatedPair p;
  ASSERT_TRUE(p.Handshake());
  const uint16_t id = Open(p, p.client, p.server, Options("chat"));
  SendRawOpen(p, id, FixtureBytes("constructed_valid", "open_reliable_label_chat_no_protocol"));
  EXPECT_EQ(p.server.assoc->stats().dcep_rejected, 1u);
  EXPECT_EQ(p.server.Count<ChannelOpened>(), 1u);
  ASSERT_TRUE(p.RunUntil([&] { return p.client.Count<ChannelClosed>() == 1 && p.server.Count<ChannelClosed>() == 1; }));
}

TEST(DataChannels, UnorderedDcepIsRefused) {
  SimulatedPair p;
  ASSERT_TRUE(p.Handshake());
  SendRawOpen(p, 0, FixtureBytes("constructed_valid", "open_reliable_label_chat_no_protocol"), /*unordered=*/true);
  EXPECT_EQ(p.server.assoc->stats().dcep_rejected, 1u);
  EXPECT_EQ(p.server.Count<ChannelOpened>(), 0u);
}

TEST(DataChannels, UnknownPpidAndDataOnUnusedStreamsCloseTheStream) {
  SimulatedPair p;
  ASSERT_TRUE(p.Handshake());
  const uint16_t id = Open(p, p.client, p.server, Options("chat"));
  SctpAssociationTestPeer::SendRaw(*p.client.assoc, id, static_cast<uint32_t>(Ppid::kBinaryPartial), {1, 2});
  ASSERT_TRUE(p.RunUntil([&] { return p.server.Count<ChannelClosed>() == 1 && p.client.Count<ChannelClosed>() == 1; }));
  EXPECT_EQ(p.server.assoc->stats().messages_unknown_ppid, 1u);
  EXPECT_EQ(p.server.Count<Message>(), 0u);

  SctpAssociationTestPeer::SendRaw(*p.client.assoc, 40, static_cast<uint32_t>(Ppid::kString), Bytes("who?"));
  p.RunFor(TimeDelta::Seconds(2));
  EXPECT_EQ(p.server.assoc->stats().messages_on_unknown_stream, 1u);
  EXPECT_EQ(p.server.Count<Message>(), 0u);
  EXPECT_EQ(p.server.assoc->state(), SctpAssociation::State::kConnected);
}

TEST(DataChannels, PeerCannotMakeUsStoreUnboundedChannels) {
  SctpConfig server = ServerConfig();
  server.max_channels = 2;
  server.max_label_protocol_bytes = 16;
  SimulatedPair p(ClientConfig(), server, {});
  ASSERT_TRUE(p.Handshake());
  Open(p, p.client, p.server, Options("one"));
  auto big = p.client.assoc->OpenChannel(Options(std::string(17, 'x')));
  ASSERT_TRUE(big.ok());
  ASSERT_TRUE(p.RunUntil([&] { return p.client.Count<ChannelClosed>() == 1; }));  // refused: label too long
  EXPECT_EQ(p.client.All<ChannelClosed>()[0].stream_id, *big);
  Open(p, p.client, p.server, Options("two"));
  auto third = p.client.assoc->OpenChannel(Options("three"));
  ASSERT_TRUE(third.ok());
  ASSERT_TRUE(p.RunUntil([&] { return p.client.Count<ChannelClosed>() == 2; }));  // refused: too many
  EXPECT_EQ(p.server.assoc->stats().dcep_rejected, 2u);
  EXPECT_EQ(p.server.assoc->channel_count(), 2u);
}

TEST(DataChannels, OpenChannelValidatesItsArguments) {
  SctpConfig client = ClientConfig();
  client.max_streams = 8;  // even ids 0, 2, 4, 6
  SimulatedPair p(client, ServerConfig(), {});
  ASSERT_TRUE(p.Handshake());
  EXPECT_EQ(p.client.assoc->OpenChannel(Options("\xc3\x28")).error(), SctpError::kInvalidLabel);
  EXPECT_EQ(p.client.assoc->OpenChannel(Options("a", {}, std::string(0x10000, 'p'))).error(),
            SctpError::kInvalidLabel);
  std::vector<uint16_t> ids;
  for (int i = 0; i < 4; ++i) {
    auto id = p.client.assoc->OpenChannel(Options("c"));
    ASSERT_TRUE(id.ok());
    ids.push_back(*id);
  }
  EXPECT_EQ(ids, (std::vector<uint16_t>{0, 2, 4, 6}));
  EXPECT_EQ(p.client.assoc->OpenChannel(Options("c")).error(), SctpError::kNoStreamAvailable);
  EXPECT_EQ(p.client.assoc->Send(1, Bytes("x"), true).error(), SctpError::kNoSuchChannel);
}

}  // namespace
}  // namespace aegis::sctp
