#include "stun/transport_address.h"

#include <arpa/inet.h>

#include <algorithm>

namespace aegis::stun {

TransportAddress TransportAddress::Ipv4(const std::array<uint8_t, 4>& addr, uint16_t port) {
  TransportAddress a;
  a.family = AddressFamily::kIpv4;
  std::copy(addr.begin(), addr.end(), a.bytes.begin());
  a.port = port;
  return a;
}

TransportAddress TransportAddress::Ipv6(const std::array<uint8_t, 16>& addr, uint16_t port) {
  TransportAddress a;
  a.family = AddressFamily::kIpv6;
  a.bytes = addr;
  a.port = port;
  return a;
}

std::optional<TransportAddress> TransportAddress::FromString(std::string_view ip, uint16_t port) {
  if (ip.size() >= INET6_ADDRSTRLEN) return std::nullopt;
  const std::string text(ip);  // inet_pton needs a terminated string
  std::array<uint8_t, 4> v4{};
  if (inet_pton(AF_INET, text.c_str(), v4.data()) == 1) return Ipv4(v4, port);
  std::array<uint8_t, 16> v6{};
  if (inet_pton(AF_INET6, text.c_str(), v6.data()) == 1) return Ipv6(v6, port);
  return std::nullopt;
}

std::string TransportAddress::IpString() const {
  char buf[INET6_ADDRSTRLEN] = {};
  const int af = family == AddressFamily::kIpv4 ? AF_INET : AF_INET6;
  if (inet_ntop(af, bytes.data(), buf, sizeof(buf)) == nullptr) return {};
  return buf;
}

}  // namespace aegis::stun
