#include "transport/rfc4571.h"

namespace aegis::transport {

bool FrameRfc4571(std::span<const uint8_t> packet, std::vector<uint8_t>& out) {
  if (packet.size() > 0xFFFF) return false;
  out.push_back(static_cast<uint8_t>(packet.size() >> 8));
  out.push_back(static_cast<uint8_t>(packet.size() & 0xFF));
  out.insert(out.end(), packet.begin(), packet.end());
  return true;
}

}  // namespace aegis::transport
