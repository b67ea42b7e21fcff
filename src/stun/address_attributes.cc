#include "stun/address_attributes.h"

#include <array>

#include "base/big_endian.h"
#include "base/byte_reader.h"

namespace aegis::stun {
namespace {

// cookie || transaction id: the XOR pad for the address (IPv4 uses the
// first 4 bytes) and, through its top 16 bits, for the port.
using XorPad = std::array<uint8_t, 16>;

XorPad MakePad(const TransactionId& id) {
  XorPad pad{};
  StoreBE32(pad.data(), kMagicCookie);
  for (size_t i = 0; i < id.size(); ++i) pad[4 + i] = id[i];
  return pad;
}

Result<TransportAddress, ParseError> ParseAddress(std::span<const uint8_t> value,
                                                  const XorPad& pad) {
  ByteReader r(value);
  r.U8();  // reserved, ignored on receipt (§14.1)
  const uint8_t family = r.U8();
  const uint16_t port = r.U16();
  if (!r.ok()) return Err{ParseError::kBadAddressLength};
  size_t size = 0;
  TransportAddress a;
  if (family == static_cast<uint8_t>(AddressFamily::kIpv4)) {
    a.family = AddressFamily::kIpv4;
    size = 4;
  } else if (family == static_cast<uint8_t>(AddressFamily::kIpv6)) {
    a.family = AddressFamily::kIpv6;
    size = 16;
  } else {
    return Err{ParseError::kBadAddressFamily};
  }
  if (r.remaining() != size) return Err{ParseError::kBadAddressLength};
  const auto bytes = r.Bytes(size);
  for (size_t i = 0; i < size; ++i) a.bytes[i] = static_cast<uint8_t>(bytes[i] ^ pad[i]);
  a.port = static_cast<uint16_t>(port ^ LoadBE16(pad.data()));
  return a;
}

void SerializeAddress(const TransportAddress& a, const XorPad& pad, ByteWriter& w) {
  w.U8(0);
  w.U8(static_cast<uint8_t>(a.family));
  w.U16(static_cast<uint16_t>(a.port ^ LoadBE16(pad.data())));
  for (size_t i = 0; i < a.address_size(); ++i) w.U8(static_cast<uint8_t>(a.bytes[i] ^ pad[i]));
}

}  // namespace

Result<MappedAddress, ParseError> MappedAddress::Parse(std::span<const uint8_t> value) {
  auto a = ParseAddress(value, XorPad{});
  if (!a) return Err{a.error()};
  return MappedAddress{*a};
}

void MappedAddress::SerializeValueTo(ByteWriter& w) const { SerializeAddress(address, XorPad{}, w); }

Result<XorMappedAddress, ParseError> XorMappedAddress::Parse(std::span<const uint8_t> value,
                                                             const TransactionId& id) {
  auto a = ParseAddress(value, MakePad(id));
  if (!a) return Err{a.error()};
  return XorMappedAddress{*a};
}

void XorMappedAddress::SerializeValueTo(ByteWriter& w, const TransactionId& id) const {
  SerializeAddress(address, MakePad(id), w);
}

}  // namespace aegis::stun
