#include "sfu/packet_cache.h"

namespace aegis::sfu {

bool PacketCache::Store(uint16_t sequence_number, std::span<const uint8_t> packet, Timestamp now) {
  if (packet.size() > kMaxPacketSize) return false;
  if (slots_.empty()) slots_.resize(kSlots);
  Slot& slot = slots_[sequence_number % kSlots];
  slot.used = true;
  slot.sequence_number = sequence_number;
  slot.stored = now;
  slot.bytes.assign(packet.begin(), packet.end());  // reuses the slot's capacity
  return true;
}

const PacketCache::Slot* PacketCache::SlotFor(uint16_t sequence_number) const {
  if (slots_.empty()) return nullptr;
  const Slot& slot = slots_[sequence_number % kSlots];
  return slot.used && slot.sequence_number == sequence_number ? &slot : nullptr;
}

std::span<const uint8_t> PacketCache::Find(uint16_t sequence_number, Timestamp now) const {
  const Slot* slot = SlotFor(sequence_number);
  if (!slot || now - slot->stored > max_age_) return {};
  return slot->bytes;
}

bool PacketCache::Contains(uint16_t sequence_number) const { return SlotFor(sequence_number) != nullptr; }

size_t PacketCache::bytes_allocated() const {
  size_t n = 0;
  for (const Slot& slot : slots_) n += slot.bytes.capacity();
  return n;
}

}  // namespace aegis::sfu
