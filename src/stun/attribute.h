// One STUN attribute of any type (RFC 8489 §14):
//
//    0                   1                   2                   3
//    0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
//   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//   |         Type                  |            Length             |
//   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//   |                         Value (variable)                ....
//   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//
// Length counts the value without padding; the value is padded to a
// multiple of 4 with bytes that are zero on sending and ignored on receipt.
// Types we do not know are kept as RawAttribute; Message reports the
// comprehension-required ones (type < 0x8000) so ICE can answer 420.
#pragma once

#include <cstdint>
#include <span>
#include <variant>
#include <vector>

#include "base/byte_writer.h"
#include "base/result.h"
#include "stun/address_attributes.h"
#include "stun/constants.h"
#include "stun/error_attributes.h"
#include "stun/ice_attributes.h"
#include "stun/integrity_attributes.h"
#include "stun/parse_error.h"
#include "stun/text_attributes.h"

namespace aegis::stun {

// An attribute whose type this layer does not interpret: type and value bytes.
struct RawAttribute {
  uint16_t type = 0;
  std::vector<uint8_t> value;

  bool operator==(const RawAttribute&) const = default;
};

using Attribute =
    std::variant<MappedAddress, XorMappedAddress, Username, Realm, Nonce, Software, ErrorCode,
                 UnknownAttributes, Priority, UseCandidate, IceControlling, IceControlled,
                 MessageIntegrity, MessageIntegritySha256, Fingerprint, RawAttribute>;

uint16_t AttributeType(const Attribute& a);

// Decodes one attribute value (without padding). The transaction id is
// needed for XOR-MAPPED-ADDRESS. Unknown types become RawAttribute.
Result<Attribute, ParseError> ParseAttribute(uint16_t type, std::span<const uint8_t> value,
                                             const TransactionId& id);

// Appends type, length, value and zero padding.
void SerializeAttribute(const Attribute& a, const TransactionId& id, ByteWriter& w);

}  // namespace aegis::stun
