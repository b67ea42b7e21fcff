#include "netio/udp_address.h"

#include <gtest/gtest.h>

namespace aegis::netio {
namespace {
namespace ip = boost::asio::ip;
using stun::TransportAddress;

TEST(UdpAddress, Ipv4RoundTrips) {
  const ip::udp::endpoint endpoint(ip::make_address("192.0.2.7"), 40000);
  const TransportAddress address = ToTransportAddress(endpoint);
  EXPECT_EQ(address, TransportAddress::Ipv4({192, 0, 2, 7}, 40000));
  EXPECT_EQ(ToEndpoint(address), endpoint);
}

TEST(UdpAddress, Ipv6RoundTrips) {
  const ip::udp::endpoint endpoint(ip::make_address("2001:db8::1"), 5000);
  const TransportAddress address = ToTransportAddress(endpoint);
  EXPECT_EQ(address, *TransportAddress::FromString("2001:db8::1", 5000));
  EXPECT_EQ(ToEndpoint(address), endpoint);
}

// A dual-stack socket reports IPv4 peers as ::ffff:a.b.c.d: the same peer
// must have the same address whichever socket saw it.
TEST(UdpAddress, Ipv4MappedIpv6BecomesIpv4) {
  const ip::udp::endpoint endpoint(ip::make_address("::ffff:198.51.100.3"), 3478);
  EXPECT_EQ(ToTransportAddress(endpoint), TransportAddress::Ipv4({198, 51, 100, 3}, 3478));
}

}  // namespace
}  // namespace aegis::netio
