#include "netio/udp_address.h"

namespace aegis::netio {
namespace ip = boost::asio::ip;

stun::TransportAddress ToTransportAddress(const ip::udp::endpoint& endpoint) {
  const auto address = endpoint.address();
  if (address.is_v4()) return stun::TransportAddress::Ipv4(address.to_v4().to_bytes(), endpoint.port());
  const auto v6 = address.to_v6();
  if (v6.is_v4_mapped()) {
    return stun::TransportAddress::Ipv4(ip::make_address_v4(ip::v4_mapped, v6).to_bytes(), endpoint.port());
  }
  return stun::TransportAddress::Ipv6(v6.to_bytes(), endpoint.port());
}

ip::udp::endpoint ToEndpoint(const stun::TransportAddress& address) {
  if (address.family == stun::AddressFamily::kIpv4) {
    return {ip::address_v4({address.bytes[0], address.bytes[1], address.bytes[2], address.bytes[3]}), address.port};
  }
  return {ip::address_v6(address.bytes), address.port};
}

}  // namespace aegis::netio
