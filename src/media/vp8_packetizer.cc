#include "media/vp8_packetizer.h"

namespace aegis::media {

std::vector<std::vector<uint8_t>> PacketizeVp8(std::span<const uint8_t> frame, size_t max_payload) {
  std::vector<std::vector<uint8_t>> out;
  if (frame.empty() || max_payload < 2) return out;
  const size_t room = max_payload - 1;  // after the descriptor
  const size_t count = (frame.size() + room - 1) / room;
  const size_t base = frame.size() / count;
  size_t extra = frame.size() % count;  // the first `extra` packets take one byte more
  size_t offset = 0;
  for (size_t i = 0; i < count; ++i) {
    const size_t take = base + (extra > 0 ? 1 : 0);
    if (extra > 0) --extra;
    std::vector<uint8_t> payload;
    payload.reserve(take + 1);
    payload.push_back(i == 0 ? 0x10 : 0x00);  // S: start of partition 0
    payload.insert(payload.end(), frame.begin() + static_cast<std::ptrdiff_t>(offset),
                   frame.begin() + static_cast<std::ptrdiff_t>(offset + take));
    offset += take;
    out.push_back(std::move(payload));
  }
  return out;
}

}  // namespace aegis::media
