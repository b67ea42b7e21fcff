#include "server/connection_directory.h"

#include <gtest/gtest.h>

namespace aegis::server {
namespace {

struct Fake {
  int id = 0;
};

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
  directory.AddRoute(Address(1), &a);
  EXPECT_EQ(directory.FindByAddress(Address(1)), &a);
  EXPECT_EQ(directory.FindByAddress(Address(1, 5001)), nullptr);  // the port is part of the address
  EXPECT_EQ(directory.size(), 2u);
}

TEST(ConnectionDirectory, ARouteIsNeverTakenOver) {
  ConnectionDirectory<Fake> directory;
  Fake a{1}, b{2};
  directory.Add("ufragA", &a);
  directory.Add("ufragB", &b);
  directory.AddRoute(Address(1), &a);
  directory.AddRoute(Address(1), &b);
  EXPECT_EQ(directory.FindByAddress(Address(1)), &a);
}

TEST(ConnectionDirectory, RoutesPerConnectionAreBounded) {
  ConnectionDirectory<Fake> directory;
  Fake a{1}, b{2};
  directory.Add("ufragA", &a);
  directory.Add("ufragB", &b);
  const int limit = ConnectionDirectory<Fake>::kMaxAddressesPerConnection;
  for (int i = 0; i < limit + 5; ++i) directory.AddRoute(Address(static_cast<uint8_t>(i + 1)), &a);
  for (int i = 0; i < limit; ++i) EXPECT_EQ(directory.FindByAddress(Address(static_cast<uint8_t>(i + 1))), &a) << i;
  EXPECT_EQ(directory.FindByAddress(Address(static_cast<uint8_t>(limit + 1))), nullptr);
  // Another connection has its own budget.
  directory.AddRoute(Address(200), &b);
  EXPECT_EQ(directory.FindByAddress(Address(200)), &b);
}

TEST(ConnectionDirectory, RemoveForgetsUfragAndRoutes) {
  ConnectionDirectory<Fake> directory;
  Fake a{1}, b{2};
  directory.Add("ufragA", &a);
  directory.Add("ufragB", &b);
  directory.AddRoute(Address(1), &a);
  directory.AddRoute(Address(2), &b);
  directory.Remove(&a);
  EXPECT_EQ(directory.FindByUfrag("ufragA"), nullptr);
  EXPECT_EQ(directory.FindByAddress(Address(1)), nullptr);
  EXPECT_EQ(directory.FindByAddress(Address(2)), &b);
  EXPECT_EQ(directory.size(), 1u);
  // The freed address can now be routed to whoever authenticates it, with a fresh budget.
  Fake c{3};
  directory.Add("ufragC", &c);
  directory.AddRoute(Address(1), &c);
  EXPECT_EQ(directory.FindByAddress(Address(1)), &c);
}

}  // namespace
}  // namespace aegis::server
