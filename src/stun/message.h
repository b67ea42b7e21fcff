// A STUN message (RFC 8489 §5): type, 96-bit transaction id and the
// attributes in wire order.
//
//    0                   1                   2                   3
//    0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
//   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//   |0 0|     STUN Message Type     |         Message Length        |
//   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//   |                         Magic Cookie                          |
//   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//   |                     Transaction ID (96 bits)                  |
//   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//   |                     Attributes (TLV, padded to 4) ...
//
// Parsing follows the ordering rules of §14.5–14.7: attributes after
// MESSAGE-INTEGRITY other than MESSAGE-INTEGRITY-SHA256 and FINGERPRINT,
// and after MESSAGE-INTEGRITY-SHA256 other than FINGERPRINT, are framed
// but ignored (not decoded, not kept); nothing may follow FINGERPRINT.
// Parsing does not check integrity: see stun/integrity.h, which works on
// the same raw bytes. Build messages to send with stun/message_builder.h;
// SerializeTo writes the attributes as stored (integrity values verbatim).
#pragma once

#include <cstdint>
#include <span>
#include <variant>
#include <vector>

#include "base/result.h"
#include "stun/attribute.h"
#include "stun/constants.h"
#include "stun/message_type.h"
#include "stun/parse_error.h"

namespace aegis::stun {

struct Message {
  MessageType type;
  TransactionId transaction_id{};
  std::vector<Attribute> attributes;

  // `data` must be exactly one message (a whole UDP datagram payload).
  static Result<Message, ParseError> Parse(std::span<const uint8_t> data);
  // Appends the header and every attribute, padding with zeros.
  void SerializeTo(std::vector<uint8_t>& out) const;

  // The first attribute of type T (later duplicates may be ignored, §14).
  template <typename T>
  const T* Get() const {
    for (const auto& a : attributes) {
      if (const T* v = std::get_if<T>(&a)) return v;
    }
    return nullptr;
  }
  template <typename T>
  bool Has() const {
    return Get<T>() != nullptr;
  }

  // Types of the comprehension-required attributes this layer did not
  // understand, in order, for a 420 response's UNKNOWN-ATTRIBUTES.
  std::vector<uint16_t> UnknownComprehensionRequired() const;

  bool operator==(const Message&) const = default;
};

}  // namespace aegis::stun
