// The last packets of one upstream video stream, kept so the SFU can answer
// a subscriber's NACK with a retransmission (RTX) instead of waiting for the
// publisher: the subscriber's loss is repaired over its own path only.
//
// A ring of kSlots slots indexed by sequence number, each holding one plain
// (SRTP-unprotected, as received) packet of at most kMaxPacketSize bytes.
// Bounded: at most kSlots × kMaxPacketSize bytes (768 KiB), grown slot by
// slot as packets arrive, so a quiet or low-rate track costs little. 512
// slots hold about 1.5 s of a 3 Mbit/s stream of 1,200-byte packets; a
// packet older than the max age is not served even if still there.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "base/time.h"

namespace aegis::sfu {

class PacketCache {
 public:
  static constexpr size_t kSlots = 512;
  static constexpr size_t kMaxPacketSize = 1500;

  explicit PacketCache(TimeDelta max_age) : max_age_(max_age) {}

  // False (nothing stored) for a packet over kMaxPacketSize.
  bool Store(uint16_t sequence_number, std::span<const uint8_t> packet, Timestamp now);
  // The packet stored under `sequence_number` if it is still in its slot
  // and not older than the max age; empty otherwise.
  std::span<const uint8_t> Find(uint16_t sequence_number, Timestamp now) const;
  // Whether `sequence_number` is in its slot, whatever its age: a
  // retransmission of it would be a duplicate.
  bool Contains(uint16_t sequence_number) const;

  size_t bytes_allocated() const;

 private:
  struct Slot {
    bool used = false;
    uint16_t sequence_number = 0;
    Timestamp stored;
    std::vector<uint8_t> bytes;
  };
  const Slot* SlotFor(uint16_t sequence_number) const;

  TimeDelta max_age_;
  std::vector<Slot> slots_;  // kSlots once the first packet arrives
};

}  // namespace aegis::sfu
