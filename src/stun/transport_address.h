// An IP address and port as STUN carries it: family, up to 16 address bytes
// (IPv4 uses the first 4; the rest stay zero) and a port, and whether the
// peer is reached over UDP or over a TCP connection (ICE-TCP, RFC 6544: the
// I/O shell frames what goes there, RFC 4571). The protocol is part of the
// address: a route learned over TCP never carries UDP, and STUN attributes
// (XOR-MAPPED-ADDRESS) do not carry it. Kept free of sockaddr so the sans-IO
// layers never include socket headers.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace aegis::stun {

enum class AddressFamily : uint8_t { kIpv4 = 0x01, kIpv6 = 0x02 };
enum class Protocol : uint8_t { kUdp, kTcp };

struct TransportAddress {
  AddressFamily family = AddressFamily::kIpv4;
  std::array<uint8_t, 16> bytes{};
  uint16_t port = 0;
  Protocol protocol = Protocol::kUdp;

  static TransportAddress Ipv4(const std::array<uint8_t, 4>& addr, uint16_t port);
  static TransportAddress Ipv6(const std::array<uint8_t, 16>& addr, uint16_t port);
  // "192.0.2.1" or "2001:db8::1" (no brackets); nullopt if not an address.
  static std::optional<TransportAddress> FromString(std::string_view ip, uint16_t port);

  // 4 for IPv4, 16 for IPv6.
  size_t address_size() const { return family == AddressFamily::kIpv4 ? 4 : 16; }
  // The IP part only, e.g. "192.0.2.1" or "2001:db8::1".
  std::string IpString() const;
  // The same address over TCP.
  TransportAddress OverTcp() const {
    TransportAddress tcp = *this;
    tcp.protocol = Protocol::kTcp;
    return tcp;
  }

  bool operator==(const TransportAddress&) const = default;
};

}  // namespace aegis::stun
