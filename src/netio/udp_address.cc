#include "netio/udp_address.h"

#include <netinet/in.h>

#include <cstring>

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

stun::TransportAddress ToTransportAddress(const ip::tcp::endpoint& endpoint) {
  return ToTransportAddress(ip::udp::endpoint(endpoint.address(), endpoint.port())).OverTcp();
}

ip::udp::endpoint ToEndpoint(const stun::TransportAddress& address) {
  if (address.family == stun::AddressFamily::kIpv4) {
    return {ip::address_v4({address.bytes[0], address.bytes[1], address.bytes[2], address.bytes[3]}), address.port};
  }
  return {ip::address_v6(address.bytes), address.port};
}

socklen_t ToSockaddr(const stun::TransportAddress& a, sockaddr_storage& out) {
  std::memset(&out, 0, sizeof(out));
  if (a.family == stun::AddressFamily::kIpv4) {
    auto& sin = reinterpret_cast<sockaddr_in&>(out);
    sin.sin_family = AF_INET;
    sin.sin_port = htons(a.port);
    std::memcpy(&sin.sin_addr, a.bytes.data(), 4);
    return sizeof(sockaddr_in);
  }
  auto& sin6 = reinterpret_cast<sockaddr_in6&>(out);
  sin6.sin6_family = AF_INET6;
  sin6.sin6_port = htons(a.port);
  std::memcpy(&sin6.sin6_addr, a.bytes.data(), 16);
  return sizeof(sockaddr_in6);
}

// One peer, one address, whichever socket it reached (as ToTransportAddress).
stun::TransportAddress FromSockaddr(const sockaddr_storage& in) {
  if (in.ss_family == AF_INET) {
    const auto& sin = reinterpret_cast<const sockaddr_in&>(in);
    std::array<uint8_t, 4> ip;
    std::memcpy(ip.data(), &sin.sin_addr, 4);
    return stun::TransportAddress::Ipv4(ip, ntohs(sin.sin_port));
  }
  const auto& sin6 = reinterpret_cast<const sockaddr_in6&>(in);
  std::array<uint8_t, 16> ip;
  std::memcpy(ip.data(), &sin6.sin6_addr, 16);
  static constexpr uint8_t kMappedPrefix[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
  if (std::memcmp(ip.data(), kMappedPrefix, sizeof(kMappedPrefix)) == 0) {
    return stun::TransportAddress::Ipv4({ip[12], ip[13], ip[14], ip[15]}, ntohs(sin6.sin6_port));
  }
  return stun::TransportAddress::Ipv6(ip, ntohs(sin6.sin6_port));
}

}  // namespace aegis::netio
