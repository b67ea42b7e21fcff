// An IP address and port as STUN carries it: family, up to 16 address bytes
// (IPv4 uses the first 4; the rest stay zero) and a port. Kept free of
// sockaddr so the sans-IO layers never include socket headers.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace aegis::stun {

enum class AddressFamily : uint8_t { kIpv4 = 0x01, kIpv6 = 0x02 };

struct TransportAddress {
  AddressFamily family = AddressFamily::kIpv4;
  std::array<uint8_t, 16> bytes{};
  uint16_t port = 0;

  static TransportAddress Ipv4(const std::array<uint8_t, 4>& addr, uint16_t port);
  static TransportAddress Ipv6(const std::array<uint8_t, 16>& addr, uint16_t port);
  // "192.0.2.1" or "2001:db8::1" (no brackets); nullopt if not an address.
  static std::optional<TransportAddress> FromString(std::string_view ip, uint16_t port);

  // 4 for IPv4, 16 for IPv6.
  size_t address_size() const { return family == AddressFamily::kIpv4 ? 4 : 16; }
  // The IP part only, e.g. "192.0.2.1" or "2001:db8::1".
  std::string IpString() const;

  bool operator==(const TransportAddress&) const = default;
};

}  // namespace aegis::stun
