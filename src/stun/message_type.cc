#include "stun/message_type.h"

namespace aegis::stun {

uint16_t MessageType::Encode() const {
  const unsigned m = method & 0x0FFFu;
  const unsigned c = static_cast<unsigned>(cls);
  const unsigned v = (m & 0x000Fu) | ((m & 0x0070u) << 1) | ((m & 0x0F80u) << 2) |
                     ((c & 0b01u) << 4) | ((c & 0b10u) << 7);
  return static_cast<uint16_t>(v);
}

MessageType MessageType::Decode(uint16_t value) {
  const unsigned v = value;
  const unsigned m = (v & 0x000Fu) | ((v >> 1) & 0x0070u) | ((v >> 2) & 0x0F80u);
  const unsigned c = ((v >> 4) & 0b01u) | ((v >> 7) & 0b10u);
  return MessageType{static_cast<uint16_t>(m), static_cast<MessageClass>(c)};
}

}  // namespace aegis::stun
