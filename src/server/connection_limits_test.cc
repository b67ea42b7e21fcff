// The signaling server's admission policy without sockets: per-address
// limits keyed by IPv4 address or IPv6 /64, idle keep-alive connections
// giving way, fairness when the server is full (one source cannot keep the
// slots a client from elsewhere needs; a joined WebSocket is never closed
// for a newcomer), and rooms spread over the media workers.
#include "server/signaling_server.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <string>
#include <vector>

namespace aegis::server {
namespace {

using boost::asio::ip::make_address;
using Id = ConnectionTable::Id;

std::string Key(const char* address) { return AddressKey(make_address(address)); }

TEST(AddressKey, Ipv4IsTheAddressAndIpv6IsItsSlash64) {
  EXPECT_EQ(Key("192.0.2.1"), "192.0.2.1");
  EXPECT_NE(Key("192.0.2.1"), Key("192.0.2.2"));
  EXPECT_EQ(Key("127.0.0.2"), "127.0.0.2");
  // Every address of one /64 is one peer: a host that owns a /64 cannot
  // take a slot per address.
  EXPECT_EQ(Key("2001:db8:1:2::1"), "2001:db8:1:2::/64");
  EXPECT_EQ(Key("2001:db8:1:2:aaaa:bbbb:cccc:dddd"), "2001:db8:1:2::/64");
  EXPECT_EQ(Key("2001:db8:1:2:ffff:ffff:ffff:ffff"), "2001:db8:1:2::/64");
  EXPECT_NE(Key("2001:db8:1:3::1"), Key("2001:db8:1:2::1"));
  EXPECT_EQ(Key("fd00:aa::1"), "fd00:aa::/64");
  EXPECT_EQ(Key("fd00:aa::ffff"), Key("fd00:aa::1"));
  EXPECT_EQ(Key("::1"), "::/64");
  // An IPv4 client on a dual-stack socket counts as its IPv4 address.
  EXPECT_EQ(Key("::ffff:192.0.2.7"), "192.0.2.7");
  EXPECT_NE(Key("::ffff:192.0.2.7"), Key("::ffff:192.0.2.8"));
}

// A table whose closers record what was closed.
class ConnectionTableTest : public ::testing::Test {
 protected:
  explicit ConnectionTableTest(ConnectionLimits limits = {10, 4}) : table_(limits) {}

  // Admits one connection from `key` and puts it in `state`; 0 if refused.
  Id Open(const std::string& key, ConnectionState state = ConnectionState::kOpening) {
    auto admission = table_.Admit(key);
    for (auto& e : admission.evicted) {
      EXPECT_TRUE(e.close != nullptr);
      if (e.close) e.close();
    }
    if (!admission.admitted) return 0;
    table_.SetState(admission.id, state);
    const Id id = admission.id;
    table_.SetCloser(id, [this, id] { closed_.push_back(id); });
    return id;
  }

  ConnectionTable table_;
  std::vector<Id> closed_;
};

TEST_F(ConnectionTableTest, PerAddressLimitCountsEveryOpenConnection) {
  for (int i = 0; i < 4; ++i) EXPECT_NE(Open("a", ConnectionState::kWebSocket), 0u);
  EXPECT_EQ(table_.count("a"), 4u);
  EXPECT_EQ(Open("a"), 0u);  // refused: four unjoined WebSockets
  EXPECT_TRUE(closed_.empty());
  EXPECT_NE(Open("b"), 0u);  // another address is not affected
  EXPECT_EQ(table_.total(), 5u);
}

TEST_F(ConnectionTableTest, IdleKeepAliveConnectionsGiveWayToANewcomerOfTheirAddress) {
  // An office behind one NAT: its browsers' idle keep-alive connections
  // fill the address's slots, yet one more colleague can connect, and the
  // oldest idle connection is the one closed.
  std::vector<Id> idle;
  for (int i = 0; i < 4; ++i) idle.push_back(Open("office", ConnectionState::kIdle));
  const Id newcomer = Open("office");
  ASSERT_NE(newcomer, 0u);
  EXPECT_EQ(closed_, std::vector<Id>{idle[0]});
  EXPECT_EQ(table_.count("office"), 4u);
  EXPECT_FALSE(table_.state(idle[0]).has_value());
  // Requests in flight and joined sockets are never closed for a newcomer
  // of the same address.
  table_.SetState(idle[1], ConnectionState::kRequest);
  table_.SetState(idle[2], ConnectionState::kJoined);
  table_.SetState(idle[3], ConnectionState::kWebSocket);
  EXPECT_EQ(Open("office"), 0u);
  EXPECT_EQ(closed_.size(), 1u);
}

TEST_F(ConnectionTableTest, WhenFullAnIdleConnectionAnywhereGoesFirst) {
  for (int i = 0; i < 4; ++i) Open("a", ConnectionState::kWebSocket);
  for (int i = 0; i < 3; ++i) Open("b", ConnectionState::kJoined);
  const Id idle = Open("c", ConnectionState::kIdle);
  Open("c", ConnectionState::kJoined);
  Open("d", ConnectionState::kJoined);
  ASSERT_EQ(table_.total(), 10u);
  EXPECT_NE(Open("e"), 0u);
  EXPECT_EQ(closed_, std::vector<Id>{idle});
  EXPECT_EQ(table_.total(), 10u);
}

TEST_F(ConnectionTableTest, WhenFullTheBiggestHoldersOldestUnjoinedConnectionMakesRoom) {
  std::vector<Id> a, b;
  for (int i = 0; i < 4; ++i) a.push_back(Open("a", ConnectionState::kWebSocket));
  for (int i = 0; i < 3; ++i) b.push_back(Open("b", ConnectionState::kWebSocket));
  for (int i = 0; i < 3; ++i) Open("c" + std::to_string(i), ConnectionState::kJoined);
  ASSERT_EQ(table_.total(), 10u);
  // A client from elsewhere gets in: "a" holds the most slots, and gives
  // its oldest unjoined one.
  const Id client = Open("client");
  ASSERT_NE(client, 0u);
  EXPECT_EQ(closed_, std::vector<Id>{a[0]});
  // "a" and "b" now hold 3 each; "a" coming back may take "b"'s oldest (3 >=
  // 3 + 2 is false): refused, and the client's slot is safe.
  EXPECT_EQ(Open("a"), 0u);
  EXPECT_EQ(Open("b"), 0u);
  EXPECT_EQ(closed_.size(), 1u);
  EXPECT_TRUE(table_.state(client).has_value());
  // A second client from elsewhere (holding 0) still gets a slot, from the
  // biggest holders, "a" and "b" with 3 each: the oldest, a[1].
  EXPECT_NE(Open("client2"), 0u);
  EXPECT_EQ(closed_.back(), a[1]);
}

TEST_F(ConnectionTableTest, JoinedWebSocketsAreNeverEvicted) {
  for (int i = 0; i < 4; ++i) Open("a", ConnectionState::kJoined);
  for (int i = 0; i < 4; ++i) Open("b", ConnectionState::kJoined);
  Open("c", ConnectionState::kJoined);
  Open("d", ConnectionState::kJoined);
  EXPECT_EQ(Open("e"), 0u);
  EXPECT_TRUE(closed_.empty());
  EXPECT_EQ(table_.total(), 10u);
}

TEST_F(ConnectionTableTest, EveryUnjoinedStateCanBeEvictedButOnlyFromABiggerHolder) {
  for (auto state : {ConnectionState::kOpening, ConnectionState::kRequest, ConnectionState::kWebSocket}) {
    ConnectionTable table({3, 8});
    std::vector<Id> ids;
    for (int i = 0; i < 3; ++i) {
      auto admission = table.Admit("a");
      ASSERT_TRUE(admission.admitted);
      table.SetState(admission.id, state);
      ids.push_back(admission.id);
    }
    auto admission = table.Admit("b");
    ASSERT_TRUE(admission.admitted);
    ASSERT_EQ(admission.evicted.size(), 1u);
    EXPECT_EQ(admission.evicted[0].id, ids[0]);
    EXPECT_EQ(table.count("a"), 2u);
    // b holds 1, a holds 2: 2 >= 1 + 2 is false, b's next is refused.
    EXPECT_FALSE(table.Admit("b").admitted);
  }
}

TEST_F(ConnectionTableTest, RemoveIsIdempotentAndFreesTheSlot) {
  const Id id = Open("a");
  table_.Remove(id);
  table_.Remove(id);
  EXPECT_EQ(table_.total(), 0u);
  EXPECT_EQ(table_.count("a"), 0u);
  table_.SetState(id, ConnectionState::kJoined);  // a connection already gone: nothing happens
  EXPECT_FALSE(table_.state(id).has_value());
}

// The attack of issue 9 item 3 at the server's real limits: a source with
// many addresses holds every slot it can, unjoined, and reconnects as soon
// as one is closed; a client from another address still gets in, and the
// source cannot take the client's slot back.
TEST(ConnectionTableAttack, OneSourceHoldingEverySlotStillLeavesRoomForAClient) {
  ConnectionTable table({1000, 32});
  int attacker_addresses = 0;
  for (int a = 0; table.total() < 1000; ++a, ++attacker_addresses) {
    for (int i = 0; i < 32 && table.total() < 1000; ++i) {
      auto admission = table.Admit("10.0." + std::to_string(a) + ".1");
      ASSERT_TRUE(admission.admitted);
      ASSERT_TRUE(admission.evicted.empty());
      table.SetState(admission.id, i % 2 ? ConnectionState::kWebSocket : ConnectionState::kOpening);
    }
  }
  EXPECT_EQ(attacker_addresses, 32);
  // Its 33rd address holds nothing yet, so it gets a slot from the biggest
  // holder, like any newcomer: the server is full, and stays full.
  auto client = table.Admit("192.0.2.50");
  ASSERT_TRUE(client.admitted);
  EXPECT_EQ(client.evicted.size(), 1u);
  auto socket = table.Admit("192.0.2.50");  // the page's WebSocket
  ASSERT_TRUE(socket.admitted);
  table.SetState(socket.id, ConnectionState::kWebSocket);
  // The source reconnects from every address it has, again and again.
  for (int round = 0; round < 3; ++round) {
    for (int a = 0; a < attacker_addresses; ++a) table.Admit("10.0." + std::to_string(a) + ".1");
  }
  EXPECT_TRUE(table.state(client.id).has_value());
  EXPECT_TRUE(table.state(socket.id).has_value());
  table.SetState(socket.id, ConnectionState::kJoined);
  EXPECT_EQ(table.total(), 1000u);
}

TEST(ConnectionTableAttack, AnIpv6HostCannotTakeASlotPerAddressOfItsSlash64) {
  ConnectionTable table({1000, 32});
  int admitted = 0;
  for (int i = 1; i <= 100; ++i) {
    char address[64];
    std::snprintf(address, sizeof address, "2001:db8:77:1:%x::%x", i, i);
    if (table.Admit(Key(address)).admitted) ++admitted;
  }
  EXPECT_EQ(admitted, 32);
  EXPECT_TRUE(table.Admit(Key("2001:db8:77:2::1")).admitted);  // the next /64 is someone else
}

TEST(RoomPlacement, RoomsSpreadOverTheWorkersAndStayWhileJoined) {
  RoomPlacement placement(2);
  const size_t a = placement.Place("A");
  const size_t b = placement.Place("B");
  EXPECT_NE(a, b);  // two rooms, two workers, whatever their names hash to
  EXPECT_EQ(placement.Place("A"), a);
  EXPECT_EQ(placement.Place("B"), b);
  EXPECT_EQ(placement.rooms_on(0), 1u);
  EXPECT_EQ(placement.rooms_on(1), 1u);
  // A third room goes where fewer participants are: A has 2, B will have 3.
  placement.Place("B");
  const size_t c = placement.Place("C");
  EXPECT_EQ(c, a);
  // A room stays on its worker until its last connection has gone.
  placement.Release("B");
  placement.Release("B");
  EXPECT_EQ(placement.Place("B"), b);
  for (int i = 0; i < 2; ++i) placement.Release("B");
  EXPECT_EQ(placement.rooms_on(b), 0u);
  placement.Release("B");  // more releases than places: ignored
  EXPECT_EQ(placement.Place("D"), b);
}

TEST(RoomPlacement, OneWorkerTakesEveryRoom) {
  RoomPlacement placement(1);
  EXPECT_EQ(placement.Place("A"), 0u);
  EXPECT_EQ(placement.Place("B"), 0u);
  EXPECT_EQ(placement.rooms_on(0), 2u);
}

}  // namespace
}  // namespace aegis::server
