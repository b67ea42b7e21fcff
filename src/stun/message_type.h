// STUN message type: a 12-bit method and a 2-bit class interleaved in the
// 14 low bits of the first header word (RFC 8489 §5, Figure 3).
//
//                        0                 1
//                        2  3  4 5 6 7 8 9 0 1 2 3 4 5
//                       +--+--+-+-+-+-+-+-+-+-+-+-+-+-+
//                       |M |M |M|M|M|C|M|M|M|C|M|M|M|M|
//                       |11|10|9|8|7|1|6|5|4|0|3|2|1|0|
//                       +--+--+-+-+-+-+-+-+-+-+-+-+-+-+
#pragma once

#include <cstdint>

namespace aegis::stun {

enum class MessageClass : uint8_t {
  kRequest = 0b00,
  kIndication = 0b01,
  kSuccessResponse = 0b10,
  kErrorResponse = 0b11,
};

struct MessageType {
  uint16_t method = 0;  // 12 bits; higher bits are dropped when encoding
  MessageClass cls = MessageClass::kRequest;

  // The 14-bit wire value (the two leading bits are always 0).
  uint16_t Encode() const;
  // Decodes the low 14 bits of `value`.
  static MessageType Decode(uint16_t value);

  bool operator==(const MessageType&) const = default;
};

}  // namespace aegis::stun
