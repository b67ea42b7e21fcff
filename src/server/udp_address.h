// Conversions between Boost.Asio endpoints and the protocol layers' address type.
#pragma once

#include <utility>  // Boost 1.74 asio/awaitable.hpp uses std::exchange without it

#include <boost/asio/ip/udp.hpp>

#include "stun/transport_address.h"

namespace aegis::server {

inline stun::TransportAddress ToTransportAddress(const boost::asio::ip::udp::endpoint& e) {
  if (e.address().is_v4()) return stun::TransportAddress::Ipv4(e.address().to_v4().to_bytes(), e.port());
  auto v6 = e.address().to_v6();
  if (v6.is_v4_mapped()) {
    return stun::TransportAddress::Ipv4(boost::asio::ip::make_address_v4(boost::asio::ip::v4_mapped, v6).to_bytes(),
                                        e.port());
  }
  return stun::TransportAddress::Ipv6(v6.to_bytes(), e.port());
}

inline boost::asio::ip::udp::endpoint ToEndpoint(const stun::TransportAddress& a) {
  if (a.family == stun::AddressFamily::kIpv4) {
    return {boost::asio::ip::address_v4({a.bytes[0], a.bytes[1], a.bytes[2], a.bytes[3]}), a.port};
  }
  return {boost::asio::ip::address_v6(a.bytes), a.port};
}

}  // namespace aegis::server
