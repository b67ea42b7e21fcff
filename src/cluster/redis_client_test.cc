// RedisClient and the node registry against a real redis-server.
#include <gtest/gtest.h>

#include <mutex>
#include <thread>
#include <vector>

#include <boost/asio.hpp>

#include "cluster/node_heartbeat.h"
#include "cluster/node_registry.h"
#include "cluster/redis_client.h"
#include "cluster/redis_test_server.h"
#include "cluster/revocation_feed.h"

namespace aegis::cluster {
namespace {

using namespace std::chrono_literals;
using testing::RedisServerOptions;
using testing::RedisTestServer;

NodeRecord Record(std::string id, int64_t participants = 0) {
  NodeRecord r;
  r.id = std::move(id);
  r.signaling_url = "https://10.0.0.1:443";
  r.media_addresses = {"10.0.0.1"};
  r.version = "0.1.0";
  r.max_participants = 1000;
  r.participants = participants;
  return r;
}

RedisEndpoint EndpointOf(const RedisTestServer& server) {
  RedisEndpoint e = ParseRedisUrl(server.url()).value();
  e.password = server.options().password;
  e.ca_file = server.ca_file();
  return e;
}

std::unique_ptr<RedisClient> ConnectOrFail(const RedisEndpoint& endpoint) {
  auto client = RedisClient::Connect(endpoint, 2s);
  EXPECT_TRUE(client.ok()) << (client.ok() ? "" : client.error());
  return client.ok() ? std::move(client.value()) : nullptr;
}

class RedisClientTest : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_TRUE(server_.running()) << server_.error(); }
  RedisTestServer server_;
};

TEST_F(RedisClientTest, AuthenticatesWithTheAclUser) {
  auto client = ConnectOrFail(EndpointOf(server_));
  ASSERT_TRUE(client);
  auto pong = client->Command({"PING"});
  ASSERT_TRUE(pong.ok()) << pong.error();
  EXPECT_EQ(pong.value().text, "PONG");
  auto who = client->Command({"ACL", "WHOAMI"});
  ASSERT_TRUE(who.ok());
  EXPECT_EQ(who.value().text, "aegis");
}

TEST_F(RedisClientTest, AWrongPasswordIsRefusedWithTheFix) {
  RedisEndpoint e = EndpointOf(server_);
  e.password = "not-the-password";
  auto client = RedisClient::Connect(e, 2s);
  ASSERT_FALSE(client.ok());
  EXPECT_NE(client.error().find("refused user 'aegis'"), std::string::npos) << client.error();
  EXPECT_NE(client.error().find("password file"), std::string::npos) << client.error();
}

TEST_F(RedisClientTest, WithoutCredentialsNothingCanBeWritten) {
  RedisEndpoint e = EndpointOf(server_);
  e.user.clear();
  e.password.clear();
  auto client = ConnectOrFail(e);  // the connection itself opens
  ASSERT_TRUE(client);
  auto registered = RegisterNode(*client, Record("n1"), 5s);
  ASSERT_FALSE(registered.ok());
  EXPECT_NE(registered.error().find("NOAUTH"), std::string::npos) << registered.error();
}

TEST_F(RedisClientTest, NodesAppearAndDisappearWithTheirTtl) {
  auto client = ConnectOrFail(EndpointOf(server_));
  ASSERT_TRUE(client);
  NodeRecord a = Record("node-a", 9);
  NodeRecord b = a;
  b.id = "node-b";
  ASSERT_TRUE(RegisterNode(*client, a, 10s).ok());
  ASSERT_TRUE(RegisterNode(*client, b, 300ms).ok());
  auto nodes = ListNodes(*client);
  ASSERT_TRUE(nodes.ok()) << nodes.error();
  ASSERT_EQ(nodes.value().size(), 2u);
  EXPECT_EQ(nodes.value()[0].id, "node-a");
  EXPECT_EQ(nodes.value()[0].participants, 9);
  EXPECT_EQ(nodes.value()[1].id, "node-b");
  // node-b stops heart-beating: gone once its TTL passes.
  std::this_thread::sleep_for(700ms);
  nodes = ListNodes(*client);
  ASSERT_TRUE(nodes.ok());
  ASSERT_EQ(nodes.value().size(), 1u);
  EXPECT_EQ(nodes.value()[0].id, "node-a");
  ASSERT_TRUE(DeregisterNode(*client, "node-a").ok());
  nodes = ListNodes(*client);
  ASSERT_TRUE(nodes.ok());
  EXPECT_TRUE(nodes.value().empty());
}

TEST_F(RedisClientTest, ForgedOrBrokenRecordsAreSkippedAndCounted) {
  auto client = ConnectOrFail(EndpointOf(server_));
  ASSERT_TRUE(client);
  ASSERT_TRUE(RegisterNode(*client, Record("good"), 10s).ok());
  ASSERT_TRUE(client->Command({"SET", "aegis:node:junk", "{not json"}).ok());
  // A record whose id is not the one its key names.
  NodeRecord other = Record("other");
  ASSERT_TRUE(client->Command({"SET", "aegis:node:claimed", ToJson(other)}).ok());
  size_t malformed = 0;
  auto nodes = ListNodes(*client, &malformed);
  ASSERT_TRUE(nodes.ok());
  ASSERT_EQ(nodes.value().size(), 1u);
  EXPECT_EQ(nodes.value()[0].id, "good");
  EXPECT_EQ(malformed, 2u);
}

TEST_F(RedisClientTest, ARedisThatDiesFailsTheNextCall) {
  auto client = ConnectOrFail(EndpointOf(server_));
  ASSERT_TRUE(client);
  server_.Kill();
  auto reply = client->Command({"PING"});
  ASSERT_FALSE(reply.ok());
  EXPECT_FALSE(client->connected());
  EXPECT_FALSE(client->Command({"PING"}).ok());
}

// Waits up to `limit` for `condition`, polling every 20 ms.
template <typename Condition>
bool Eventually(Condition condition, std::chrono::milliseconds limit) {
  const auto end = std::chrono::steady_clock::now() + limit;
  while (std::chrono::steady_clock::now() < end) {
    if (condition()) return true;
    std::this_thread::sleep_for(20ms);
  }
  return condition();
}

TEST_F(RedisClientTest, TheHeartbeatKeepsTheRecordAndSurvivesARedisRestart) {
  RedisEndpoint endpoint = EndpointOf(server_);
  auto first = ConnectOrFail(endpoint);
  ASSERT_TRUE(first);
  NodeRecord record = Record("beating", 1);
  ASSERT_TRUE(RegisterNode(*first, record, 500ms).ok());
  std::mutex log_mutex;
  std::vector<std::string> log;
  HeartbeatConfig config;
  config.endpoint = endpoint;
  config.interval = 100ms;
  config.ttl = 500ms;
  config.timeout = 500ms;
  NodeHeartbeat heartbeat(config, record,
                          [&](const std::string& line) {
                            std::lock_guard lock(log_mutex);
                            log.push_back(line);
                          });
  heartbeat.Start(std::move(first));
  auto reader = ConnectOrFail(endpoint);
  ASSERT_TRUE(reader);
  auto participants = [&]() -> int64_t {
    auto nodes = ListNodes(*reader);
    return nodes.ok() && nodes.value().size() == 1 ? nodes.value()[0].participants : -1;
  };
  // Outlives its 500 ms TTL because it is renewed, and carries updates.
  std::this_thread::sleep_for(800ms);
  EXPECT_EQ(participants(), 1);
  record.participants = 7;
  heartbeat.Update(record);
  EXPECT_TRUE(Eventually([&] { return participants() == 7; }, 1s));
  EXPECT_TRUE(heartbeat.healthy());

  const int port = server_.port();
  server_.Kill();
  EXPECT_TRUE(Eventually([&] { return !heartbeat.healthy(); }, 2s));
  RedisServerOptions same_port;
  same_port.port = port;
  RedisTestServer again(same_port);
  ASSERT_TRUE(again.running()) << again.error();
  EXPECT_TRUE(Eventually([&] { return heartbeat.healthy(); }, 3s));
  auto reader2 = ConnectOrFail(endpoint);
  ASSERT_TRUE(reader2);
  auto nodes = ListNodes(*reader2);
  ASSERT_TRUE(nodes.ok());
  ASSERT_EQ(nodes.value().size(), 1u);
  EXPECT_EQ(nodes.value()[0].participants, 7);
  // A clean stop removes the record at once.
  heartbeat.Stop();
  nodes = ListNodes(*reader2);
  ASSERT_TRUE(nodes.ok());
  EXPECT_TRUE(nodes.value().empty());
  std::lock_guard lock(log_mutex);
  ASSERT_EQ(log.size(), 2u);
  EXPECT_EQ(log[0].rfind("lost Redis: ", 0), 0u) << log[0];
  EXPECT_EQ(log[1], "Redis back: node beating registered again");
}

TEST_F(RedisClientTest, RevocationsReachTheOtherNodesOnly) {
  RedisEndpoint endpoint = EndpointOf(server_);
  // An entry from before the feeds start is not replayed.
  auto writer = ConnectOrFail(endpoint);
  ASSERT_TRUE(writer);
  auto old_args = RevocationXadd({.origin = "y", .room = "old", .identity = "i", .token_id = std::nullopt,
                                  .time_unix_s = 1});
  std::vector<std::string_view> old_views(old_args.begin(), old_args.end());
  ASSERT_TRUE(writer->Command(old_views).ok());

  std::mutex mutex;
  std::vector<SharedRevocation> at_x, at_y;
  auto feed = [&](const std::string& node, std::vector<SharedRevocation>& into) {
    RevocationFeed::Config config;
    config.endpoint = endpoint;
    config.node_id = node;
    config.block = 50ms;
    return std::make_unique<RevocationFeed>(config, [&](SharedRevocation r) {
      std::lock_guard lock(mutex);
      into.push_back(std::move(r));
    });
  };
  auto x = feed("x", at_x);
  auto y = feed("y", at_y);
  ASSERT_TRUE(x->Start().ok());
  ASSERT_TRUE(y->Start().ok());
  // An entry another writer got wrong (no identity, no jti) is passed over.
  ASSERT_TRUE(writer->Command({"XADD", kRevocationStream, "*", "origin", "z", "room", "R", "time", "5"}).ok());
  const SharedRevocation by_jti{.origin = "y", .room = "R", .identity = std::nullopt, .token_id = "jti-1",
                                .time_unix_s = 1765000000};
  y->Publish(by_jti);
  EXPECT_TRUE(Eventually([&] { std::lock_guard lock(mutex); return at_x.size() == 1; }, 2s));
  std::this_thread::sleep_for(200ms);
  std::lock_guard lock(mutex);
  ASSERT_EQ(at_x.size(), 1u);
  EXPECT_EQ(at_x[0], by_jti);
  EXPECT_TRUE(at_y.empty());  // its own is not applied twice
  EXPECT_EQ(y->published(), 1u);
}

TEST(RevocationFeedTest, XreadRepliesParseAndOddOnesAreRefused) {
  RespReader reader;
  reader.Feed(
      "*1\r\n*2\r\n$17\r\naegis:revocations\r\n*2\r\n"
      "*2\r\n$3\r\n1-0\r\n*8\r\n$6\r\norigin\r\n$1\r\nb\r\n$4\r\nroom\r\n$1\r\nV\r\n"
      "$8\r\nidentity\r\n$6\r\nvictim\r\n$4\r\ntime\r\n$2\r\n42\r\n"
      "*2\r\n$3\r\n2-0\r\n*4\r\n$4\r\nroom\r\n$1\r\nV\r\n$4\r\ntime\r\n$2\r\nxx\r\n");
  auto reply = reader.Next();
  ASSERT_TRUE(reply.ok() && reply.value());
  auto entries = ParseRevocationXread(*reply.value());
  ASSERT_TRUE(entries);
  ASSERT_EQ(entries->size(), 2u);
  EXPECT_EQ((*entries)[0].first, "1-0");
  EXPECT_EQ((*entries)[0].second.identity, "victim");
  EXPECT_EQ((*entries)[0].second.time_unix_s, 42);
  EXPECT_EQ((*entries)[1].first, "2-0");        // passed over, but read past
  EXPECT_TRUE((*entries)[1].second.room.empty());
  RespReply nil;
  EXPECT_TRUE(ParseRevocationXread(nil) && ParseRevocationXread(nil)->empty());
  RespReply error;
  error.type = RespReply::Type::kError;
  EXPECT_FALSE(ParseRevocationXread(error));
}

TEST(RedisClientNoServerTest, NothingListeningIsAClearError) {
  RedisEndpoint e;
  e.host = "127.0.0.1";
  e.port = std::to_string(testing::FreeLoopbackPort());
  auto client = RedisClient::Connect(e, 2s);
  ASSERT_FALSE(client.ok());
  EXPECT_NE(client.error().find("cannot reach Redis at 127.0.0.1"), std::string::npos) << client.error();
}

TEST(RedisClientNoServerTest, APeerThatNeverAnswersTimesOut) {
  // Accepts the connection (the kernel does) and reads nothing.
  boost::asio::io_context io;
  boost::asio::ip::tcp::acceptor silent(io, {boost::asio::ip::make_address("127.0.0.1"), 0});
  RedisEndpoint e;
  e.host = "127.0.0.1";
  e.port = std::to_string(silent.local_endpoint().port());
  e.user = "aegis";
  e.password = "pw";
  const auto start = std::chrono::steady_clock::now();
  auto client = RedisClient::Connect(e, 300ms);
  const auto took = std::chrono::steady_clock::now() - start;
  ASSERT_FALSE(client.ok());
  EXPECT_NE(client.error().find("no answer"), std::string::npos) << client.error();
  EXPECT_LT(took, 3s);
}

class RedisTlsTest : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_TRUE(server_.running()) << server_.error(); }
  static RedisServerOptions Tls() {
    RedisServerOptions options;
    options.tls = true;
    return options;
  }
  RedisTestServer server_{Tls()};
};

TEST_F(RedisTlsTest, ConnectsOverTlsWithTheCa) {
  auto client = ConnectOrFail(EndpointOf(server_));
  ASSERT_TRUE(client);
  auto pong = client->Command({"PING"});
  ASSERT_TRUE(pong.ok()) << pong.error();
  EXPECT_EQ(pong.value().text, "PONG");
}

TEST_F(RedisTlsTest, RefusesACertificateFromAnUnknownCa) {
  RedisEndpoint e = EndpointOf(server_);
  e.ca_file.clear();  // the system CAs do not know the test CA
  auto client = RedisClient::Connect(e, 2s);
  ASSERT_FALSE(client.ok());
  EXPECT_NE(client.error().find("TLS handshake"), std::string::npos) << client.error();
}

TEST_F(RedisTlsTest, RefusesACertificateForAnotherName) {
  RedisEndpoint e = EndpointOf(server_);
  e.host = "127.0.0.2";  // also loopback (Linux answers all of 127/8), not in the certificate
  auto client = RedisClient::Connect(e, 2s);
  ASSERT_FALSE(client.ok());
  EXPECT_NE(client.error().find("TLS handshake"), std::string::npos) << client.error();
}

TEST_F(RedisTlsTest, PlainTextToTheTlsPortFails) {
  RedisEndpoint e = EndpointOf(server_);
  e.tls = false;
  auto client = RedisClient::Connect(e, 1s);
  EXPECT_FALSE(client.ok());
}

}  // namespace
}  // namespace aegis::cluster
