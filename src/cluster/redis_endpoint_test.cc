#include "cluster/redis_endpoint.h"

#include <gtest/gtest.h>

namespace aegis::cluster {
namespace {

TEST(RedisEndpointTest, ParsesUrls) {
  auto plain = ParseRedisUrl("redis://aegis@127.0.0.1:6380");
  ASSERT_TRUE(plain.ok());
  EXPECT_EQ(plain->user, "aegis");
  EXPECT_EQ(plain->host, "127.0.0.1");
  EXPECT_EQ(plain->port, "6380");
  EXPECT_FALSE(plain->tls);
  auto tls = ParseRedisUrl("rediss://node@[2001:db8::7]/");
  ASSERT_TRUE(tls.ok());
  EXPECT_TRUE(tls->tls);
  EXPECT_EQ(tls->host, "2001:db8::7");
  EXPECT_EQ(tls->port, "6379");
  auto bare = ParseRedisUrl("redis://localhost");
  ASSERT_TRUE(bare.ok());
  EXPECT_EQ(bare->user, "");
}

TEST(RedisEndpointTest, RefusesBadUrlsAndPasswordsInThem) {
  EXPECT_FALSE(ParseRedisUrl("http://x").ok());
  EXPECT_FALSE(ParseRedisUrl("redis://").ok());
  EXPECT_FALSE(ParseRedisUrl("redis://h:0").ok());
  EXPECT_FALSE(ParseRedisUrl("redis://h:70000").ok());
  EXPECT_FALSE(ParseRedisUrl("redis://h/2").ok());
  EXPECT_FALSE(ParseRedisUrl("redis://[::1").ok());
  auto secret = ParseRedisUrl("redis://user:hunter2@h");
  ASSERT_FALSE(secret.ok());
  EXPECT_NE(secret.error().find("redis_password_file"), std::string::npos);
}

TEST(RedisEndpointTest, MultiNodeNeedsAUserAPasswordAndTlsOffLoopback) {
  RedisEndpoint e = *ParseRedisUrl("redis://127.0.0.1");
  e.password = "pw";
  EXPECT_NE(CheckRedisSecurity(e), std::nullopt);  // no user
  e.user = "aegis";
  EXPECT_EQ(CheckRedisSecurity(e), std::nullopt);
  e.password.clear();
  EXPECT_NE(CheckRedisSecurity(e), std::nullopt);  // no password
  RedisEndpoint remote = *ParseRedisUrl("redis://aegis@10.0.0.5");
  remote.password = "pw";
  auto refused = CheckRedisSecurity(remote);
  ASSERT_NE(refused, std::nullopt);
  EXPECT_NE(refused->find("rediss://"), std::string::npos);
  RedisEndpoint remote_tls = *ParseRedisUrl("rediss://aegis@10.0.0.5");
  remote_tls.password = "pw";
  EXPECT_EQ(CheckRedisSecurity(remote_tls), std::nullopt);
}

TEST(RedisEndpointTest, OnlyLoopbackAddressesCountAsLoopback) {
  EXPECT_TRUE(IsLoopbackRedisHost("localhost"));
  EXPECT_TRUE(IsLoopbackRedisHost("127.0.0.1"));
  EXPECT_TRUE(IsLoopbackRedisHost("127.8.9.10"));
  EXPECT_TRUE(IsLoopbackRedisHost("::1"));
  // A name that merely starts like one resolves wherever its owner says.
  EXPECT_FALSE(IsLoopbackRedisHost("127.0.0.1.attacker.example"));
  EXPECT_FALSE(IsLoopbackRedisHost("127.example"));
  EXPECT_FALSE(IsLoopbackRedisHost("10.0.0.5"));
  RedisEndpoint e = *ParseRedisUrl("redis://aegis@127.0.0.1.attacker.example");
  e.password = "pw";
  EXPECT_NE(CheckRedisSecurity(e), std::nullopt);  // plain TCP to it is refused
}

}  // namespace
}  // namespace aegis::cluster
