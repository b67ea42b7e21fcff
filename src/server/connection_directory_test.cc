#include "server/connection_directory.h"

#include <gtest/gtest.h>

namespace aegis::server {
namespace {

struct Fake {
  int id = 0;
};

const Timestamp t0 = Timestamp::Millis(1'000'000);
using Directory = ConnectionDirectory<Fake>;

stun::TransportAddress Address(uint8_t host, uint16_t port = 5000) {
  return stun::TransportAddress::Ipv4({192, 0, 2, host}, port);
}

TEST(ConnectionDirectory, StunGoesByUfragOtherTrafficByAuthenticatedAddress) {
  ConnectionDirectory<Fake> directory;
  Fake a{1}, b{2};
  directory.Add("ufragA", &a);
  directory.Add("ufragB", &b);
  EXPECT_EQ(directory.FindByUfrag("ufragA"), &a);
  EXPECT_EQ(directory.FindByUfrag("ufragB"), &b);
  EXPECT_EQ(directory.FindByUfrag("ufrag"), nullptr);
  EXPECT_EQ(directory.FindByAddress(Address(1)), nullptr);  // no route before an ICE check
  directory.AddRoute(Address(1), &a, t0);
  EXPECT_EQ(directory.FindByAddress(Address(1)), &a);
  EXPECT_EQ(directory.FindByAddress(Address(1, 5001)), nullptr);  // the port is part of the address
  EXPECT_EQ(directory.size(), 2u);
}

TEST(ConnectionDirectory, ARouteInUseIsNeverTakenOver) {
  ConnectionDirectory<Fake> directory;
  Fake a{1}, b{2};
  directory.Add("ufragA", &a);
  directory.Add("ufragB", &b);
  directory.AddRoute(Address(1), &a, t0);
  directory.AddRoute(Address(1), &b, t0);
  EXPECT_EQ(directory.FindByAddress(Address(1)), &a);
  // a keeps using it: b never gets it, however long it tries.
  for (int s = 1; s <= 120; ++s) {
    const Timestamp now = t0 + TimeDelta::Seconds(s);
    directory.AddRoute(Address(1), &a, now);
    directory.AddRoute(Address(1), &b, now);
  }
  EXPECT_EQ(directory.FindByAddress(Address(1)), &a);
}

// The address a departed peer used (its NAT binding now given to someone
// else) must not stay captured by a connection that no longer hears from it.
TEST(ConnectionDirectory, ARouteIdleSinceConsentLapsedGoesToWhoeverAuthenticatesItNow) {
  ConnectionDirectory<Fake> directory;
  Fake a{1}, b{2};
  directory.Add("ufragA", &a);
  directory.Add("ufragB", &b);
  directory.AddRoute(Address(1), &a, t0);
  directory.AddRoute(Address(1), &b, t0 + Directory::kRouteIdleTimeout - TimeDelta::Millis(1));
  EXPECT_EQ(directory.FindByAddress(Address(1)), &a);
  directory.AddRoute(Address(1), &b, t0 + Directory::kRouteIdleTimeout);
  EXPECT_EQ(directory.FindByAddress(Address(1)), &b);
  // a's budget got the address back: it can route eight others.
  for (int i = 0; i < static_cast<int>(Directory::kMaxAddressesPerConnection); ++i) {
    directory.AddRoute(Address(static_cast<uint8_t>(10 + i)), &a, t0 + TimeDelta::Seconds(31));
  }
  EXPECT_EQ(directory.FindByAddress(Address(10)), &a);
  EXPECT_EQ(directory.routes(), 1 + Directory::kMaxAddressesPerConnection);
}

// A client that moves more often than the bound (a phone between networks)
// keeps being routed: its newest address displaces its own least recently
// used one, never another connection's.
TEST(ConnectionDirectory, AClientThatMovesManyTimesKeepsItsNewestRoutes) {
  ConnectionDirectory<Fake> directory;
  Fake a{1}, b{2};
  directory.Add("ufragA", &a);
  directory.Add("ufragB", &b);
  directory.AddRoute(Address(200), &b, t0);
  const size_t limit = Directory::kMaxAddressesPerConnection;
  for (size_t i = 0; i < 3 * limit; ++i) {
    const Timestamp now = t0 + TimeDelta::Seconds(static_cast<int64_t>(i));
    directory.AddRoute(Address(static_cast<uint8_t>(i + 1)), &a, now);
    EXPECT_EQ(directory.FindByAddress(Address(static_cast<uint8_t>(i + 1))), &a) << "move " << i;
  }
  EXPECT_EQ(directory.FindByAddress(Address(1)), nullptr);  // its oldest went
  EXPECT_EQ(directory.FindByAddress(Address(200)), &b);
  EXPECT_EQ(directory.routes(), limit + 1);
  // Refreshing an old address keeps it over a newer one left idle.
  const size_t first_kept = 2 * limit + 1;
  Timestamp now = t0 + TimeDelta::Seconds(100);
  directory.AddRoute(Address(static_cast<uint8_t>(first_kept)), &a, now);
  directory.AddRoute(Address(250), &a, now + TimeDelta::Seconds(1));
  EXPECT_EQ(directory.FindByAddress(Address(static_cast<uint8_t>(first_kept))), &a);
  EXPECT_EQ(directory.FindByAddress(Address(static_cast<uint8_t>(first_kept + 1))), nullptr);
}

TEST(ConnectionDirectory, RoutesPerConnectionAreBounded) {
  ConnectionDirectory<Fake> directory;
  Fake a{1}, b{2};
  directory.Add("ufragA", &a);
  directory.Add("ufragB", &b);
  const int limit = static_cast<int>(Directory::kMaxAddressesPerConnection);
  for (int i = 0; i < limit + 5; ++i) directory.AddRoute(Address(static_cast<uint8_t>(i + 1)), &a, t0);
  int routed = 0;
  for (int i = 0; i < limit + 5; ++i) routed += directory.FindByAddress(Address(static_cast<uint8_t>(i + 1))) == &a;
  EXPECT_EQ(routed, limit);
  EXPECT_EQ(directory.routes(), static_cast<size_t>(limit));
  // Another connection has its own budget.
  directory.AddRoute(Address(200), &b, t0);
  EXPECT_EQ(directory.FindByAddress(Address(200)), &b);
}

TEST(ConnectionDirectory, AnIceRestartRenamesTheConnectionAndKeepsItsRoutes) {
  ConnectionDirectory<Fake> directory;
  Fake a{1}, b{2};
  directory.Add("ufragA", &a);
  directory.Add("ufragB", &b);
  directory.AddRoute(Address(1), &a, t0);
  directory.ReplaceUfrag(&a, "ufragA2");
  EXPECT_EQ(directory.FindByUfrag("ufragA"), nullptr);  // checks under the old credentials reach nobody
  EXPECT_EQ(directory.FindByUfrag("ufragA2"), &a);
  EXPECT_EQ(directory.FindByUfrag("ufragB"), &b);
  EXPECT_EQ(directory.FindByAddress(Address(1)), &a);  // media keeps flowing until a new address is nominated
  EXPECT_EQ(directory.size(), 2u);
}

TEST(ConnectionDirectory, RemoveForgetsUfragAndRoutes) {
  ConnectionDirectory<Fake> directory;
  Fake a{1}, b{2};
  directory.Add("ufragA", &a);
  directory.Add("ufragB", &b);
  directory.AddRoute(Address(1), &a, t0);
  directory.AddRoute(Address(2), &b, t0);
  directory.Remove(&a);
  EXPECT_EQ(directory.FindByUfrag("ufragA"), nullptr);
  EXPECT_EQ(directory.FindByAddress(Address(1)), nullptr);
  EXPECT_EQ(directory.FindByAddress(Address(2)), &b);
  EXPECT_EQ(directory.size(), 1u);
  // The freed address can now be routed to whoever authenticates it, with a fresh budget.
  Fake c{3};
  directory.Add("ufragC", &c);
  directory.AddRoute(Address(1), &c, t0);
  EXPECT_EQ(directory.FindByAddress(Address(1)), &c);
}

}  // namespace
}  // namespace aegis::server
