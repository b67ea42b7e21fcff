// Room placement against a real redis-server: two nodes placing the same
// rooms at the same moment agree, a dead node's rooms move, renewals hold.
#include "cluster/room_placement.h"

#include <gtest/gtest.h>

#include <barrier>
#include <thread>

#include "cluster/redis_test_server.h"

namespace aegis::cluster {
namespace {

using namespace std::chrono_literals;

NodeRecord Node(std::string id, int64_t participants, double busy = 0) {
  NodeRecord n;
  n.id = std::move(id);
  n.max_participants = 100;
  n.participants = participants;
  n.worker_busy = busy;
  return n;
}

TEST(LeastLoadedTest, LowestShareThenBusyThenId) {
  EXPECT_EQ(LeastLoaded({}), std::nullopt);
  EXPECT_EQ(LeastLoaded({Node("a", 50), Node("b", 10), Node("c", 30)}), "b");
  EXPECT_EQ(LeastLoaded({Node("a", 10, 0.5), Node("b", 10, 0.2)}), "b");
  EXPECT_EQ(LeastLoaded({Node("b", 10), Node("a", 10)}), "a");
  NodeRecord full = Node("big", 50);
  full.max_participants = 1000;  // 5 % used
  EXPECT_EQ(LeastLoaded({Node("small", 10), full}), "big");
}

class RoomPlacementTest : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_TRUE(server_.running()) << server_.error(); }
  std::unique_ptr<RedisClient> Connect() {
    RedisEndpoint e = ParseRedisUrl(server_.url()).value();
    e.password = server_.options().password;
    auto client = RedisClient::Connect(e, 2s);
    EXPECT_TRUE(client.ok()) << (client.ok() ? "" : client.error());
    return client.ok() ? std::move(client.value()) : nullptr;
  }
  testing::RedisTestServer server_;
};

TEST_F(RoomPlacementTest, TwoFirstJoinsAtOnceAgree) {
  auto via_a = Connect();
  auto via_b = Connect();
  ASSERT_TRUE(via_a && via_b);
  // Each node's view of the registry differs (each thinks the other is
  // less loaded), as it may between heartbeats.
  const std::vector<NodeRecord> seen_by_a = {Node("a", 20), Node("b", 10)};
  const std::vector<NodeRecord> seen_by_b = {Node("a", 10), Node("b", 20)};
  constexpr int kRooms = 50;
  std::vector<std::string> placed_a(kRooms), placed_b(kRooms);
  std::barrier step(2);  // both ask for each room at the same moment
  auto place_all = [&step](RedisClient& redis, const std::vector<NodeRecord>& view, std::vector<std::string>& out) {
    for (int i = 0; i < kRooms; ++i) {
      step.arrive_and_wait();
      auto where = PlaceRoom(redis, "room-" + std::to_string(i), view, 30s);
      out[i] = where.ok() ? where.value() : "error: " + where.error();
    }
  };
  std::thread a([&] { place_all(*via_a, seen_by_a, placed_a); });
  std::thread b([&] { place_all(*via_b, seen_by_b, placed_b); });
  a.join();
  b.join();
  int on_a = 0;
  for (int i = 0; i < kRooms; ++i) {
    EXPECT_EQ(placed_a[i], placed_b[i]) << "room-" << i;
    EXPECT_TRUE(placed_a[i] == "a" || placed_a[i] == "b") << placed_a[i];
    on_a += placed_a[i] == "a";
  }
  std::printf("50 rooms placed concurrently from two views: %d on a, %d on b, all agreed\n", on_a, kRooms - on_a);
}

TEST_F(RoomPlacementTest, ARoomOfADeadNodeMovesOnce) {
  auto via_a = Connect();
  auto via_b = Connect();
  ASSERT_TRUE(via_a && via_b);
  auto first = PlaceRoom(*via_a, "standup", {Node("dead", 0), Node("a", 50), Node("b", 60)}, 30s);
  ASSERT_TRUE(first.ok());
  EXPECT_EQ(first.value(), "dead");
  // "dead" left the registry; two nodes find out at once, each would pick itself.
  std::string moved_a, moved_b;
  std::thread a([&] { moved_a = PlaceRoom(*via_a, "standup", {Node("a", 0), Node("b", 5)}, 30s).value(); });
  std::thread b([&] { moved_b = PlaceRoom(*via_b, "standup", {Node("a", 5), Node("b", 0)}, 30s).value(); });
  a.join();
  b.join();
  EXPECT_EQ(moved_a, moved_b);
  EXPECT_NE(moved_a, "dead");
  // A live holder is kept, whoever is less loaded now.
  auto again = PlaceRoom(*via_a, "standup", {Node("a", 99), Node("b", 99), Node("c", 0)}, 30s);
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again.value(), moved_a);
  EXPECT_EQ(PlaceRoom(*via_a, "standup", {}, 30s).ok(), false);  // no live node at all
}

TEST_F(RoomPlacementTest, ThePlacementExpiresUnlessItsNodeRenewsIt) {
  auto redis = Connect();
  ASSERT_TRUE(redis);
  ASSERT_EQ(PlaceRoom(*redis, "kept", {Node("a", 0)}, 300ms).value(), "a");
  ASSERT_EQ(PlaceRoom(*redis, "left", {Node("a", 0)}, 300ms).value(), "a");
  for (int i = 0; i < 4; ++i) {
    std::this_thread::sleep_for(150ms);
    auto renewed = RenewRoom(*redis, "kept", "a", 300ms);
    ASSERT_TRUE(renewed.ok()) << renewed.error();
    EXPECT_TRUE(renewed.value());
  }
  auto other = RenewRoom(*redis, "kept", "b", 300ms);  // not b's to renew
  ASSERT_TRUE(other.ok());
  EXPECT_FALSE(other.value());
  EXPECT_EQ(redis->Command({"GET", RoomKey("kept")}).value().text, "a");
  EXPECT_EQ(redis->Command({"GET", RoomKey("left")}).value().type, RespReply::Type::kNil);
  // The room emptied and expired: the next first join places it afresh.
  EXPECT_EQ(PlaceRoom(*redis, "left", {Node("b", 0)}, 300ms).value(), "b");
}

}  // namespace
}  // namespace aegis::cluster
