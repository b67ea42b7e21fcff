// MAPPED-ADDRESS and XOR-MAPPED-ADDRESS (RFC 8489 §14.1, §14.2).
//
//    0                   1                   2                   3
//    0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
//   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//   |0 0 0 0 0 0 0 0|    Family     |       (X-)Port                |
//   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//   |              (X-)Address (32 bits or 128 bits)                |
//   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//
// XOR-MAPPED-ADDRESS XORs the port with the cookie's top 16 bits and the
// address with the cookie (IPv4) or cookie || transaction id (IPv6), so that
// NAT "helpers" that rewrite addresses in payloads leave it alone. The
// structs hold the real (un-XORed) address.
#pragma once

#include <cstdint>
#include <span>

#include "base/byte_writer.h"
#include "base/result.h"
#include "stun/constants.h"
#include "stun/parse_error.h"
#include "stun/transport_address.h"

namespace aegis::stun {

struct MappedAddress {
  static constexpr uint16_t kType = attr::kMappedAddress;
  TransportAddress address;

  static Result<MappedAddress, ParseError> Parse(std::span<const uint8_t> value);
  void SerializeValueTo(ByteWriter& w) const;
  bool operator==(const MappedAddress&) const = default;
};

struct XorMappedAddress {
  static constexpr uint16_t kType = attr::kXorMappedAddress;
  TransportAddress address;

  static Result<XorMappedAddress, ParseError> Parse(std::span<const uint8_t> value,
                                                    const TransactionId& id);
  void SerializeValueTo(ByteWriter& w, const TransactionId& id) const;
  bool operator==(const XorMappedAddress&) const = default;
};

}  // namespace aegis::stun
