// Compound RTCP: parse → serialize → parse again → compare. Whatever
// parses must serialize, and what we write must parse back to the same
// packets and serialize to the same bytes (our encoding is canonical, so
// the second round is a fixed point).
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <span>
#include <vector>

#include "rtcp/compound.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace aegis::rtcp;
  auto first = ParseCompound(std::span<const uint8_t>(data, size));
  if (!first) return 0;
  // Touch the expanded views too (bounded by status_count / 17 per item).
  for (const Packet& p : *first) {
    if (const auto* fb = std::get_if<TransportFeedback>(&p)) {
      if (fb->Packets().size() != fb->status_count) abort();
    } else if (const auto* nack = std::get_if<Nack>(&p)) {
      if (nack->SequenceNumbers().size() < nack->items.size()) abort();
    }
  }
  std::vector<uint8_t> bytes;
  if (!SerializeCompound(*first, bytes)) abort();
  auto second = ParseCompound(bytes);
  if (!second) abort();
  if (*second != *first) abort();
  std::vector<uint8_t> again;
  if (!SerializeCompound(*second, again) || again != bytes) abort();
  return 0;
}
