#include "stun/is_stun_message.h"

#include "stun/wire.h"

namespace aegis::stun {

bool IsStunMessage(std::span<const uint8_t> data) { return CheckHeader(data).ok(); }

}  // namespace aegis::stun
